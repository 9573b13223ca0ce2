"""Typed rows from message parameters: value conversions, column specs and batch gathering.

Owns how a parameter string becomes a column value (the same rules for the per-line path,
``row_values``, and the whole-batch path, ``columns_from``, so both give
identical rows) and the ``Typed`` row a family returns. Must not know any message family
(families declare their columns with ``Col``) or parse text.

Conversion rules: unsigned integers are 1-20 ASCII digits within the column's range; floats
are plain decimals (``-12.5``; no exponent, NaN or infinity); anything else becomes null and
stays, as sent, in ``syslog_events.fields``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

Value = str | int | float | bool | list[tuple[str, str]] | None

LIMITS = {"u8": 0xFF, "u16": 0xFFFF, "u32": 0xFFFF_FFFF, "u64": 0xFFFF_FFFF_FFFF_FFFF}
ARROW: dict[str, pa.DataType] = {
    "str": pa.string(),
    "u8": pa.uint8(),
    "u16": pa.uint16(),
    "u32": pa.uint32(),
    "u64": pa.uint64(),
    "f64": pa.float64(),
    "bool": pa.bool_(),
}
_U64_MAX = str(LIMITS["u64"])
_FLOAT = re.compile(r"[+-]?\d{1,15}(?:\.\d{1,15})?")


def to_uint(value: str | None, limit: int) -> int | None:
    """``"443"`` → 443 when it fits ``limit``; None for anything else."""
    if value is None or not (0 < len(value) <= 20 and value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= limit else None


def to_float(value: str | None) -> float | None:
    """``"-61.5"`` → -61.5; None for anything that is not a plain decimal."""
    if value is None or _FLOAT.fullmatch(value) is None:
        return None
    return float(value)


def convert(kind: str, value: str | None, divisor: float = 1.0) -> str | int | float | None:
    """A parameter string as a column value of ``kind`` (floats divided by ``divisor``)."""
    if kind == "str":
        return value
    if kind == "f64":
        number = to_float(value)
        return None if number is None else number / divisor
    return to_uint(value, LIMITS[kind])


@dataclass(frozen=True)
class Col:
    """A column filled from the first present parameter of ``params``.

    ``f64`` values are divided by ``divisor`` (1000 for µs → ms); a division, so that the
    result is the float nearest to the exact quotient.
    """

    name: str
    kind: str
    params: tuple[str, ...]
    divisor: float = 1.0


@dataclass
class Typed:
    """One typed row: the table it goes to and its non-origin column values."""

    table: str
    values: dict[str, Value] = field(default_factory=dict)


def pick(fields: Mapping[str, str], params: Sequence[str]) -> str | None:
    for name in params:
        value = fields.get(name)
        if value is not None:
            return value
    return None


def row_values(columns: Sequence[Col], fields: Mapping[str, str]) -> dict[str, Value]:
    """Column values for one row (the per-line twin of ``columns_from``)."""
    plan = _plans.get(id(columns))
    if plan is None or plan[0] is not columns:
        plan = _plans[id(columns)] = (columns, *_plan(columns))
    _, names, params, others = plan
    get = fields.get
    out: dict[str, Value] = dict(zip(names, map(get, params), strict=True))
    for column in others:
        value = pick(fields, column.params)
        kind = column.kind
        if kind == "str" or value is None:
            out[column.name] = value
        elif kind == "f64":
            out[column.name] = convert(kind, value, column.divisor)
        elif 0 < len(value) <= 20 and value.isascii() and value.isdigit():
            number = int(value)
            out[column.name] = number if number <= LIMITS[kind] else None
        else:
            out[column.name] = None
    return out


_plans: dict[int, tuple[Sequence[Col], tuple[str, ...], tuple[str, ...], tuple[Col, ...]]] = {}


def _plan(columns: Sequence[Col]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Col, ...]]:
    """Single-parameter string columns (fetched in one ``map``) and the rest."""
    simple = [c for c in columns if c.kind == "str" and len(c.params) == 1]
    others = tuple(c for c in columns if c not in simple)
    return tuple(c.name for c in simple), tuple(c.params[0] for c in simple), others


# --------------------------------------------------------------------------- batch columns


def columns_from(columns: Sequence[Col], strings: Mapping[str, pa.Array]) -> dict[str, pa.Array]:
    """Typed columns from gathered parameter strings (the batch twin of ``row_values``).

    The unsigned integer columns are checked and cast together (one pass over all of them);
    a column with anything but digits falls back to ``convert_array``.
    """
    out: dict[str, pa.Array] = {}
    integers: list[tuple[Col, pa.Array]] = []
    for column in columns:
        picked = strings[column.params[0]]
        if len(column.params) > 1:
            picked = pc.coalesce(*(strings[name] for name in column.params))
        if column.kind in LIMITS:
            integers.append((column, picked))
        else:
            out[column.name] = convert_array(column.kind, picked, column.divisor)
    if integers:
        out.update(_integers(integers))
    return out


def _integers(columns: list[tuple[Col, pa.Array]]) -> dict[str, pa.Array]:
    joined = pa.concat_arrays([strings for _, strings in columns])
    clean = pc.all(pc.ascii_is_decimal(joined)).as_py() is not False
    longest = pc.max(pc.binary_length(joined)).as_py() if clean else None
    if not clean or (longest is not None and longest > 19):
        return {c.name: convert_array(c.kind, strings) for c, strings in columns}
    numbers = pc.cast(joined, pa.uint64())
    out: dict[str, pa.Array] = {}
    at = 0
    for column, strings in columns:
        part = numbers.slice(at, len(strings))
        at += len(strings)
        try:
            out[column.name] = pc.cast(part, ARROW[column.kind])
        except pa.ArrowInvalid:  # a value above the column's range becomes null
            out[column.name] = _in_range(part, column.kind)
    return out


def convert_array(kind: str, strings: pa.Array, divisor: float = 1.0) -> pa.Array:
    """``convert`` for a whole string array (nulls stay null)."""
    if kind == "str":
        return strings
    if kind == "f64":
        ok = pc.match_substring_regex(strings, r"^[+-]?\d{1,15}(?:\.\d{1,15})?$")
        clean = pc.if_else(ok, strings, pa.scalar(None, pa.string()))
        number = pc.cast(clean, pa.float64())
        return pc.divide(number, pa.scalar(divisor, pa.float64()))
    limit = LIMITS[kind]
    decimal = pc.ascii_is_decimal(strings)
    if pc.all(decimal).as_py() is not False:
        longest = pc.max(pc.binary_length(strings)).as_py()
        if longest is None or longest <= 19:  # all digits and fits: one cast (the common case)
            number = pc.cast(strings, pa.uint64())
            top = pc.max(number).as_py()
            if top is None or top <= limit:
                return pc.cast(number, ARROW[kind])
            return _in_range(number, kind)
    length = pc.binary_length(strings)
    ok = pc.and_(decimal, pc.less_equal(length, 20))
    ok = pc.and_(ok, pc.or_(pc.less(length, 20), pc.less_equal(strings, _U64_MAX)))
    clean = pc.if_else(ok, strings, pa.scalar(None, pa.string()))
    return _in_range(pc.cast(clean, pa.uint64()), kind)


def _in_range(number: pa.Array, kind: str) -> pa.Array:
    limit = LIMITS[kind]
    if limit < LIMITS["u64"]:
        number = pc.if_else(
            pc.less_equal(number, pa.scalar(limit, pa.uint64())),
            number,
            pa.scalar(None, pa.uint64()),
        )
    return pc.cast(number, ARROW[kind])


def reported(fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """The device's parameters among ``fields`` (without the parser's ``_`` notes)."""
    return [(k, v) for k, v in fields.items() if not k.startswith("_") or k.startswith("__")]


def per_tag(
    tags: Sequence[str] | pa.Array, values: Mapping[str, Value], kind: pa.DataType
) -> pa.Array:
    """``values[tag]`` for each message tag (a list, or an Arrow string array without nulls)."""
    if not isinstance(tags, pa.Array):
        return pa.array([values[tag] for tag in tags], kind)
    encoded = tags.dictionary_encode()
    found = pa.array([values[tag] for tag in encoded.dictionary.to_pylist()], kind)
    return found.take(encoded.indices)
