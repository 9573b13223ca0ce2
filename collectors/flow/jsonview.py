"""JSON view of decoded jflow: one object per flow or options record, elements by IANA name.

Owns how ``flows`` / ``flow_options`` rows render for people and tools (``wanassure parse flow``):
the canonical keys a record has values for, times as ISO-8601 UTC with milliseconds and a
trailing ``Z``, and ``fields`` with every decoded element under its IANA name, numeric elements
as JSON numbers. Pure: tables in, dicts out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from collectors.flow import ies

#: Flow keys of a JSON line, in order; a key is present only when the record has a value.
FLOW_KEYS = (
    "exporter",
    "observation_domain",
    "version",
    "template_id",
    "src_addr",
    "dst_addr",
    "src_port",
    "dst_port",
    "protocol",
    "ip_version",
    "bytes",
    "packets",
    "in_if",
    "out_if",
    "tcp_flags",
    "tos",
    "start_time",
    "end_time",
    "next_hop",
    "src_as",
    "dst_as",
    "sampling_rate",
)
OPTION_KEYS = ("exporter", "observation_domain", "version", "template_id", "event_time")

_NUMBERS = ies.INTEGER_TYPES - {ies.SECS, ies.MILLIS, ies.BOOL}


@cache
def _converter(name: str) -> Callable[[str], Any]:
    """How the text of element ``name`` (as the codec writes it) becomes a JSON value."""
    info = ies.BY_NAME.get(name) or _SCOPE_NAMES.get(name)
    kind = info.type if info is not None else ies.OCTETS
    if kind in _NUMBERS:
        return _number(int)
    if kind == ies.F64:
        return _number(float)
    if kind == ies.BOOL:
        return lambda text: {"true": True, "false": False}.get(text, text)
    return str


_SCOPE_NAMES = {ie.name: ie for ie in ies.V9_SCOPES.values()}


def _number(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        if parse is int and len(text) > 1 and text[0] == "0":
            return text  # hex of an over-long integer field (the codec never pads decimals)
        try:
            value = parse(text)
        except ValueError:  # hex with letters
            return text
        return value if not isinstance(value, float) or math.isfinite(value) else text

    return convert


def _elements(items: list[tuple[str, str | None]] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, text in items or ():
        if name not in out:
            out[name] = None if text is None else _converter(name)(text)
    return out


def _iso_ms(column: pa.ChunkedArray | pa.Array) -> list[str | None]:
    """ISO-8601 UTC text with milliseconds and a trailing ``Z`` (sub-millisecond truncated)."""
    us = pc.fill_null(column.cast(pa.int64()), 0).to_numpy()
    text = np.char.add(np.datetime_as_string(us.astype("datetime64[us]"), unit="ms"), "Z")
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    return [t if ok else None for t, ok in zip(text.tolist(), valid.tolist(), strict=True)]


def _columns(table: pa.Table, names: tuple[str, ...]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {}
    for name in names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            cols[name] = _iso_ms(column)
        else:
            cols[name] = column.to_pylist()
    return cols


def flow_objects(table: pa.Table, tagged: bool) -> Iterator[dict[str, Any]]:
    """One JSON object per flow row: the canonical keys that have values, then ``fields``."""
    cols = _columns(table, FLOW_KEYS)
    extra = table.column("extra").to_pylist()
    for r in range(table.num_rows):
        obj: dict[str, Any] = {"type": "flow"} if tagged else {}
        for key in FLOW_KEYS:
            value = cols[key][r]
            if value is not None:
                obj[key] = value
        obj["fields"] = _elements(extra[r])
        yield obj


def option_objects(table: pa.Table) -> Iterator[dict[str, Any]]:
    """One JSON object per options row: origin keys, ``scope`` and ``fields`` by element name."""
    cols = _columns(table, OPTION_KEYS)
    scope = table.column("scope").to_pylist()
    values = table.column("values").to_pylist()
    for r in range(table.num_rows):
        obj: dict[str, Any] = {"type": "options"}
        for key in OPTION_KEYS:
            value = cols[key][r]
            if value is not None:
                obj["export_time" if key == "event_time" else key] = value
        obj["scope"] = _elements(scope[r])
        obj["fields"] = _elements(values[r])
        yield obj
