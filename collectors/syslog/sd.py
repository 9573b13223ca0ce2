"""RFC 5424 structured data and key=value text, line by line and for a whole batch at once.

Owns reading ``[id name="value" ...][id2 ...]`` into elements and parameters (``parse_sd``,
robust, per line), splitting the common well-formed single-element case for a whole batch
with NumPy and Arrow (``split_spans``; it hands back what it cannot take), and the ``fields``
naming convention shared by both and by the JSON view:

* parameters of the *primary* element (the first whose SD-ID has an ``@``, else the first) keep
  their names; parameters of any other element are named ``<SD-ID>.<name>``;
* ``_sd_id`` holds the SD-IDs as sent, space separated, in order;
* a name repeated within an element is kept as ``name#2``, ``name#3``… (the first wins the name);
* a parameter name that starts with ``_`` gets one more ``_`` (``_x`` → ``__x``): single
  underscore names are reserved for the parser's own notes (``_truncated``, ``_relay_host``…).

Lenient where real senders are: ``\\"``, ``\\\\`` and ``\\]`` escapes (RFC 5424 section 6.3.3; a
backslash before anything else is kept), Unicode quotes (“value”, ”value”), missing spaces
between parameters, unquoted values, junk tokens inside an element and an element cut off by
truncation: what can be read is kept and ``error`` says what was wrong. Must not know message
families or headers. Never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pyarrow as pa

Params = list[tuple[str, str]]
Element = tuple[str, Params]

_NAME = re.compile(r"[ \t]*([^\s=\]\"“”]+)=")
_QUOTED = re.compile(r'((?:[^"\\]|\\.)*)"', re.DOTALL)
_UNICODE_QUOTED = re.compile(r'([^“”"]*)[“”"]')
_BARE = re.compile(r"[^\s\]]*")
_SPACE = re.compile(r"\s*")
_JUNK = re.compile(r"[^\s\]]+")
_SD_ID = re.compile(r"[^\s=\]\"]*")
_ESCAPE = re.compile(r"\\([\\\"\]])")
_KV = re.compile(
    r"(?<![\w.\-])([A-Za-z_][\w.\-]*)=(\"(?:[^\"\\]|\\.)*\"|“[^”]*”|”[^”]*”|[^\s,;]*)", re.DOTALL
)


def unescape(value: str) -> str:
    """Undo RFC 5424 PARAM-VALUE escapes (``\\"``, ``\\\\``, ``\\]``); others stay as sent."""
    return _ESCAPE.sub(r"\1", value) if "\\" in value else value


def parse_sd(text: str, pos: int = 0) -> tuple[list[Element], int, str | None]:
    """Elements starting at ``text[pos] == '['`` → (elements, index after them, error or None)."""
    elements: list[Element] = []
    errors: list[str] = []
    n = len(text)
    while pos < n and text[pos] == "[":
        m = _SD_ID.match(text, pos + 1)
        sd_id = m.group(0) if m else ""
        pos = m.end() if m else pos + 1
        params: Params = []
        closed = False
        while pos < n:
            c = text[pos]
            if c == "]":
                pos += 1
                closed = True
                break
            name = _NAME.match(text, pos)
            if name is None:
                pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
                if pos < n and text[pos] != "]":
                    pos = _JUNK.match(text, pos).end()  # type: ignore[union-attr]
                    errors.append("junk in structured data")
                continue
            key = name.group(1)
            pos = name.end()
            quote = text[pos] if pos < n else ""
            if quote == '"':
                v = _QUOTED.match(text, pos + 1)
                if v is None:
                    params.append((key, unescape(text[pos + 1 :])))
                    errors.append("unterminated value")
                    pos = n
                    break
                params.append((key, unescape(v.group(1))))
                pos = v.end()
            elif quote in ("“", "”"):
                v = _UNICODE_QUOTED.match(text, pos + 1)
                if v is None:
                    params.append((key, text[pos + 1 :]))
                    errors.append("unterminated value")
                    pos = n
                    break
                params.append((key, v.group(1)))
                pos = v.end()
            else:
                bare = _BARE.match(text, pos)
                end = bare.end() if bare else pos
                params.append((key, text[pos:end]))
                pos = end
        elements.append((sd_id, params))
        if not closed:
            errors.append("unterminated structured data element")
            break
    return elements, pos, "; ".join(dict.fromkeys(errors)) or None


def primary_index(elements: list[Element]) -> int:
    """Which element's parameters keep plain names: the first with an ``@`` in its SD-ID."""
    for i, (sd_id, _) in enumerate(elements):
        if "@" in sd_id:
            return i
    return 0


def field_name(name: str) -> str:
    """A parameter name as stored in ``fields`` (leading ``_`` doubled)."""
    return "_" + name if name.startswith("_") else name


def sd_fields(elements: list[Element]) -> Params:
    """``fields`` pairs for parsed elements, following the module's naming convention."""
    if not elements:
        return []
    primary = primary_index(elements)
    out: Params = [("_sd_id", " ".join(sd_id for sd_id, _ in elements))]
    for i, (sd_id, params) in enumerate(elements):
        prefix = "" if i == primary else sd_id + "."
        seen: dict[str, int] = {}
        for name, value in params:
            key = prefix + field_name(name)
            count = seen.get(key, 0) + 1
            seen[key] = count
            out.append((key if count == 1 else f"{key}#{count}", value))
    return out


def named(params: Params) -> Params:
    """Free-form parameters under the ``fields`` rules (``_`` doubled, repeats numbered).

    Families whose text forms have fixed parameter names need not call it.
    """
    names = {name for name, _ in params}
    if len(names) == len(params) and not any(map(str.startswith, names, repeat("_"))):
        return params
    seen: dict[str, int] = {}
    out: Params = []
    for name, value in params:
        key = field_name(name)
        number = seen.get(key, 0) + 1
        seen[key] = number
        out.append((key if number == 1 else f"{key}#{number}", value))
    return out


def parse_kv(text: str) -> Params:
    """``key=value`` pairs in free text (values bare, "quoted" or “quoted”), in order."""
    out: Params = []
    for m in _KV.finditer(text):
        value = m.group(2)
        if value[:1] == '"':
            value = unescape(value[1:-1])
        elif value[:1] in ("“", "”"):
            value = value[1:-1]
        out.append((m.group(1), value))
    return out


# --------------------------------------------------------------------------- batch splitter


def take_spans(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, valid: np.ndarray | None = None
) -> pa.StringArray:
    """Strings ``data[starts[i]:ends[i]]`` (any spans; best for short ones); null if not valid."""
    lengths = ends - starts
    if valid is not None:
        lengths = np.where(valid, lengths, 0)
    offsets = np.zeros(len(starts) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    index = np.arange(offsets[-1], dtype=np.int64) + np.repeat(starts - offsets[:-1], lengths)
    chunk = np.ascontiguousarray(data[index])
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(
        len(starts), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(chunk), bitmap
    )


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(lo[i], hi[i])``."""
    counts = hi - lo
    first = np.zeros(len(lo) + 1, np.int64)
    np.cumsum(counts, out=first[1:])
    return np.arange(first[-1], dtype=np.int64) + np.repeat(lo - first[:-1], counts)


_BAD_NAME = re.compile(r"[\s=\]\"“”]")


@dataclass
class SplitSD:
    """What ``split_spans`` made of a batch of single SD elements.

    ``ok[i]`` says element ``i`` was split here (the others need ``parse_sd``); ``fields`` has
    one map row per ok element (``_sd_id`` first, then the parameters in order). For each
    parameter: ``row`` (index among ok elements), ``code`` (index into ``names``) and
    ``value_at`` (index into ``values``, the map's values) let ``spec.pivot`` pick columns
    without Python objects.
    """

    ok: np.ndarray
    fields: pa.MapArray
    row: np.ndarray
    code: np.ndarray
    names: list[str]
    values: pa.StringArray
    value_at: np.ndarray


#: The name of the SD-ID note; ``split_spans`` needs these bytes in its buffer (at ``meta_at``).
META = b"_sd_id"


def split_spans(
    data: np.ndarray,
    quotes: np.ndarray,
    spaces: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    meta_at: int,
) -> SplitSD:
    """Split well-formed SD elements of a whole batch at once (NumPy and Arrow over one buffer).

    ``data[start[i]:end[i]]`` is the text between ``[`` and ``]`` of element ``i``, ending with
    ``"``; ``quotes`` and ``spaces`` are the sorted positions of ``"`` and space in ``data``.
    An element is split here only if it is exactly ``ID name="value" name="value"...`` with
    one space before each name, no repeated name, no name starting with ``_`` and no backslash
    (callers check that); the result is then what ``sd_fields(parse_sd(...))`` gives.

    The buffer is cut, without copying, into one string array of pieces (SD-ID, space, name,
    ``="``, value, ``" ``, name, …, and the ``META`` bytes the caller put at ``meta_at`` after
    all elements); keys and values are Arrow takes of it.
    """
    n = len(start)
    lo = np.searchsorted(quotes, start)
    hi = np.searchsorted(quotes, end)
    counts = hi - lo
    if len(spaces):
        sid_end = spaces[np.minimum(np.searchsorted(spaces, start), len(spaces) - 1)]
    else:
        sid_end = start
    ok = (counts >= 2) & (counts % 2 == 0) & (sid_end > start) & (end > start)
    if len(quotes):
        ok &= sid_end < quotes[np.minimum(lo, len(quotes) - 1)]
    line = np.repeat(np.arange(n), np.where(ok, counts // 2, 0))
    if len(line) * 2 == len(quotes):  # every quote is in an accepted element (the usual case)
        q = quotes
    else:
        q = quotes[_ranges(lo[ok], hi[ok])] if ok.any() else np.zeros(0, np.int64)
    opens, closes = q[0::2], q[1::2]
    first = np.ones(len(opens), bool)
    first[1:] = line[1:] != line[:-1]
    prev_close = np.zeros(len(opens), np.int64)
    prev_close[1:] = closes[:-1]
    key_start = np.where(first, sid_end[line] + 1, prev_close + 2)
    good = opens - 1 > key_start
    good &= data[np.maximum(opens - 1, 0)] == 61
    good &= first | (data[prev_close + 1] == 32)
    if not good.all():
        ok[line[~good]] = False
        sel = ok[line]
        line, opens, closes, key_start = line[sel], opens[sel], closes[sel], key_start[sel]

    lines_ok = np.flatnonzero(ok)
    per_line = np.bincount(line, minlength=n)[lines_ok]
    line_base = np.zeros(len(lines_ok) + 1, np.int64)
    np.cumsum(2 + 4 * per_line, out=line_base[1:])
    rank = np.full(n, -1, np.int64)
    rank[lines_ok] = np.arange(len(lines_ok))
    param_first = np.zeros(len(lines_ok) + 1, np.int64)
    np.cumsum(per_line, out=param_first[1:])
    row = rank[line]
    base = line_base[row] + 2 + 4 * (np.arange(len(line)) - param_first[row])
    offsets = np.empty(int(line_base[-1]) + 3, np.int64)
    offsets[line_base[:-1]] = start[lines_ok]
    offsets[line_base[:-1] + 1] = sid_end[lines_ok]
    offsets[base] = key_start
    offsets[base + 1] = opens - 1
    offsets[base + 2] = opens + 1
    offsets[base + 3] = closes
    offsets[-3:] = (meta_at, meta_at, meta_at + len(META))
    meta_piece = len(offsets) - 2
    pieces = pa.StringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)
    )

    per_row = np.bincount(row, minlength=len(lines_ok))
    row_offsets = np.zeros(len(lines_ok) + 1, np.int64)
    np.cumsum(per_row + 1, out=row_offsets[1:])
    entries = int(row_offsets[-1])
    position = np.arange(len(row)) + row + 1
    key_piece = np.full(entries, meta_piece, np.int64)
    key_piece[position] = base
    all_keys = pieces.take(pa.array(key_piece))
    encoded = all_keys.dictionary_encode()
    names: list[str] = encoded.dictionary.to_pylist()
    all_codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    code = all_codes[position]
    reject: list[np.ndarray] = []
    sd_ids = pieces.take(pa.array(line_base[:-1])).dictionary_encode()
    bad_ids = [_BAD_NAME.search(x) is not None for x in sd_ids.dictionary.to_pylist()]
    if any(bad_ids):
        id_code = sd_ids.indices.to_numpy(zero_copy_only=False)
        reject.append(lines_ok[np.array(bad_ids, bool)[id_code]])
    if len(code):
        bad_name = np.array([x.startswith("_") or _BAD_NAME.search(x) is not None for x in names])
        if bad_name[code].any():
            reject.append(line[bad_name[code]])
        reject.append(_repeated(line, code, n, len(names)))
    rejected = np.concatenate(reject) if reject else np.zeros(0, np.int64)
    line_base = line_base[:-1]
    if len(rejected):
        ok[rejected] = False
        keep_rows = ok[lines_ok]
        keep_entries = np.repeat(keep_rows, per_row + 1)
        all_keys = all_keys.filter(pa.array(keep_entries))
        keep = ok[line]
        line, code, base = line[keep], code[keep], base[keep]
        lines_ok, line_base = lines_ok[keep_rows], line_base[keep_rows]
        rank[:] = -1
        rank[lines_ok] = np.arange(len(lines_ok))
        row = rank[line]
        per_row = np.bincount(row, minlength=len(lines_ok))
        row_offsets = np.zeros(len(lines_ok) + 1, np.int64)
        np.cumsum(per_row + 1, out=row_offsets[1:])
        entries = int(row_offsets[-1])
        position = np.arange(len(row)) + row + 1

    value_piece = np.empty(entries, np.int64)
    value_piece[row_offsets[:-1]] = line_base
    value_piece[position] = base + 2
    all_values = pieces.take(pa.array(value_piece))
    fields = pa.MapArray.from_arrays(pa.array(row_offsets.astype(np.int32)), all_keys, all_values)
    return SplitSD(ok, fields, row, code, names, all_values, position)


def _repeated(line: np.ndarray, code: np.ndarray, lines: int, width: int) -> np.ndarray:
    """Lines in which some name occurs twice."""
    combined = line * width + code
    if lines * width <= 8_000_000:
        repeated = np.flatnonzero(np.bincount(combined, minlength=lines * width) > 1)
    else:
        ordered = np.sort(combined)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    return np.asarray(repeated // width, np.int64)


def params_only(fields: pa.MapArray, rows: np.ndarray) -> pa.MapArray:
    """Rows ``rows`` of a split ``fields`` map without their leading ``_sd_id`` entry."""
    offsets = fields.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    lo, hi = offsets[rows] + 1, offsets[rows + 1]
    entries = pa.array(_ranges(lo, hi))
    out_offsets = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(hi - lo, out=out_offsets[1:])
    return pa.MapArray.from_arrays(
        pa.array(out_offsets.astype(np.int32)),
        fields.keys.take(entries),
        fields.items.take(entries),
    )
