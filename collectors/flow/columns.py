"""Whole-array conversions from decoded field columns to Arrow arrays.

Owns the turning of raw field columns (NumPy views of the wire bytes, or lists of bytes for
variable-length fields) into integers, timestamps and text: IPv4 addresses through lookup tables,
hex and MAC text through byte tables, IPv6 through the distinct values only. Must not know about
templates, headers or tables; nothing here loops over records in Python except the documented
slow paths (IPv6 and MAC distinct values, UTF-8 strings, variable-length fields).
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from collectors.flow import ies
from collectors.schema import TIMESTAMP

#: A decoded field: ``(n,)`` big-endian integers, ``(n, L)`` octets, or bytes per record.
Raw: TypeAlias = "npt.NDArray[Any] | list[bytes]"
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

NTP_EPOCH_OFFSET = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
_USEC = 1_000_000


def length(col: Raw) -> int:
    return len(col)


def widen(col: Raw) -> tuple[U64, Mask | None]:
    """Integer value of every record (big-endian, any length ≤ 8); mask of the valid ones."""
    if isinstance(col, list):
        ok = np.fromiter((len(v) <= 8 for v in col), dtype=np.bool_, count=len(col))
        vals = np.fromiter(
            (int.from_bytes(v, "big") if len(v) <= 8 else 0 for v in col),
            dtype=np.uint64,
            count=len(col),
        )
        return vals, (None if ok.all() else ok)
    if col.ndim == 1:
        return col.astype(np.uint64), None
    n, width = col.shape
    if width > 8:
        return np.zeros(n, np.uint64), np.zeros(n, np.bool_)
    padded = np.zeros((n, 8), np.uint8)
    padded[:, 8 - width :] = col
    return padded.view(">u8").reshape(n).astype(np.uint64), None


def signed(values: U64, width: int) -> I64:
    """Sign-extend ``width``-octet two's complement values."""
    shift = np.uint64(64 - 8 * width) if width < 8 else np.uint64(0)
    return ((values << shift).view(np.int64)) >> shift.astype(np.int64)


def octets(col: Raw) -> list[bytes]:
    if isinstance(col, list):
        return col
    if col.ndim == 1:
        return [v.tobytes() for v in col.astype(col.dtype.newbyteorder(">"))]
    return [row.tobytes() for row in col]


@cache
def _ipv4_tables() -> tuple[U64, U64, U64]:
    """Tables for the two 16-bit halves of an address: "a.b." and "c.d", NUL padded to 8."""
    octet = np.array([str(i) for i in range(256)])
    x = np.arange(65536)
    pair = np.char.add(np.char.add(octet[x >> 8], "."), octet[x & 255])
    high = np.char.encode(np.char.add(pair, "."), "ascii").astype("S8")
    low = np.char.encode(pair, "ascii").astype("S8")
    high_bits = np.char.str_len(high).astype(np.uint64) * np.uint64(8)
    return high.view("<u8").reshape(-1), high_bits, low.view("<u8").reshape(-1)


def ipv4_text(addr: npt.NDArray[Any]) -> pa.StringArray:
    """Dotted quads of uint32 addresses: two table gathers, one shift-or, one NUL trim."""
    high, high_bits, low = _ipv4_tables()
    a = addr.astype(np.uint32)
    hi = (a >> 16).astype(np.intp)
    lo = (a & 0xFFFF).astype(np.intp)
    h, bits, tail = high[hi], high_bits[hi], low[lo]
    words = np.empty((len(a), 2), np.uint64)
    # "a.b." is 4..8 bytes, so "c.d" starts inside the first word and spills into the second;
    # the double shift keeps a 64-bit shift (undefined in C) out of the way.
    words[:, 0] = h | ((tail << (bits - np.uint64(8))) << np.uint64(8))
    words[:, 1] = tail >> (np.uint64(64) - bits)
    return _trim_fixed(words.view(np.uint8), 16)


def _trim_fixed(data: npt.NDArray[np.uint8], width: int, chars: str = "\0") -> pa.StringArray:
    n = data.size // width
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    raw = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return pc.utf8_rtrim(raw, characters=chars)


def _fixed_text(data: npt.NDArray[np.uint8], n: int, width: int) -> pa.StringArray:
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


@cache
def _hex_table() -> npt.NDArray[np.uint16]:
    digits = np.frombuffer(b"0123456789abcdef", np.uint8)
    pairs = np.empty((256, 2), np.uint8)
    pairs[:, 0] = digits[np.arange(256) >> 4]
    pairs[:, 1] = digits[np.arange(256) & 15]
    return pairs.view(np.uint16).reshape(256)


def hex_text(col: Raw) -> pa.StringArray:
    if isinstance(col, list):
        return pa.array([v.hex() for v in col], pa.string())
    mat = _as_octets(col)
    n, width = mat.shape
    data = np.ascontiguousarray(_hex_table()[mat]).view(np.uint8).reshape(-1)
    return _fixed_text(data, n, 2 * width)


def mac_text(col: Raw) -> pa.StringArray:
    if isinstance(col, list):
        return pa.array([v.hex(":") for v in col], pa.string())
    mat = _as_octets(col)
    n, width = mat.shape
    if width == 0:
        return _fixed_text(np.zeros(0, np.uint8), n, 0)
    cells = np.empty((n, width, 3), np.uint8)
    cells[:, :, :2] = _hex_table()[mat].view(np.uint8).reshape(n, width, 2)
    cells[:, :, 2] = ord(":")
    return _trim_fixed(cells.reshape(-1), 3 * width, ":")


def ipv6_text(col: Raw) -> pa.StringArray:
    """IPv6 text per distinct address (the slow path the design allows for IPv6)."""
    if isinstance(col, list) or col.ndim != 2 or col.shape[1] != 16:
        return hex_text(col)
    rows = np.ascontiguousarray(col).view("V16").reshape(-1)
    uniq, inverse = np.unique(rows, return_inverse=True)
    # ipaddress (not inet_ntop) so the text is RFC 5952 compressed form on every platform.
    text = pa.array([str(ipaddress.IPv6Address(u.tobytes())) for u in uniq], pa.string())
    return text.take(pa.array(inverse.reshape(-1).astype(np.int32)))


def utf8_text(col: Raw) -> pa.StringArray:
    """UTF-8 text (invalid bytes replaced); fixed-length fields lose their NUL padding."""
    if isinstance(col, list):
        return pa.array([v.decode("utf-8", "replace") for v in col], pa.string())
    values = octets(col)
    return pa.array([v.rstrip(b"\0").decode("utf-8", "replace") for v in values], pa.string())


def _as_octets(col: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    if col.ndim == 2:
        return col
    width = col.dtype.itemsize
    return np.ascontiguousarray(col).view(np.uint8).reshape(len(col), width)


def to_timestamp_us(kind: str, values: U64) -> I64:
    """Epoch microseconds of dateTime{Seconds,Milliseconds,Microseconds,Nanoseconds} values."""
    v = values.astype(np.int64)
    if kind == ies.SECS:
        return v * _USEC
    if kind == ies.MILLIS:
        return v * 1000
    secs = (values >> np.uint64(32)).astype(np.int64) - NTP_EPOCH_OFFSET
    frac = ((values & np.uint64(0xFFFFFFFF)) * np.uint64(_USEC)) >> np.uint64(32)
    return secs * _USEC + frac.astype(np.int64)


def int_text(values: npt.NDArray[Any], valid: Mask | None) -> pa.Array:
    arr = pa.array(values, mask=None if valid is None else ~valid)
    return pc.cast(arr, pa.string())


def timestamp_text(us: I64, valid: Mask | None) -> pa.Array:
    iso = np.datetime_as_string(us.astype("datetime64[us]"), unit="us")
    return pa.array(np.char.add(iso, "Z"), pa.string(), mask=None if valid is None else ~valid)


def text(kind: str, width: int, col: Raw) -> pa.Array:
    """The value of every record as text, by abstract type (what ``extra`` maps hold).

    Integers are decimal, dateTime values ISO 8601 UTC, addresses in their usual notation,
    strings UTF-8 (invalid bytes replaced), everything else (octet arrays, unknown and
    enterprise elements) lower-case hex. A variable-length field keeps its own length.
    """
    fixed = not isinstance(col, list)
    if (
        kind in ies.INTEGER_TYPES
        and (width <= 8 or not fixed)
        and kind not in (ies.SECS, ies.MILLIS)
    ):
        vals, valid = widen(col)
        if kind in ies.SIGNED_TYPES and fixed and 0 < width <= 8:
            return int_text(signed(vals, width), valid)
        if kind == ies.BOOL:
            return pc.if_else(pc.equal(pa.array(vals), 1), "true", "false")
        return int_text(vals, valid)
    if kind in (ies.SECS, ies.MILLIS) or (kind in ies.NTP_TYPES and fixed and width == 8):
        vals, valid = widen(col)
        return timestamp_text(to_timestamp_us(kind, vals), valid)
    if kind == ies.IPV4 and fixed and width == 4:
        return ipv4_text(widen(col)[0])
    if kind == ies.IPV6:
        return ipv6_text(col)
    if kind == ies.MAC:
        return mac_text(col)
    if kind == ies.STRING:
        return utf8_text(col)
    if kind == ies.F64 and not isinstance(col, list) and width in (4, 8):
        floats = _as_octets(col).copy().view(f">f{width}").reshape(-1).astype(np.float64)
        return pc.cast(pa.array(floats), pa.string())
    return hex_text(col)


def repeat_text(values: list[str], index: npt.NDArray[Any]) -> pa.StringArray:
    """``values[index[i]]`` for every i, built from buffers (no per-record objects)."""
    encoded = [v.encode() for v in values]
    lengths = np.array([len(e) for e in encoded], np.int64)
    if len(encoded) == 1:
        n = len(index)
        offsets = (np.arange(n + 1, dtype=np.int64) * lengths[0]).astype(np.int32)
        data = np.frombuffer(encoded[0] * n, np.uint8) if n else np.zeros(0, np.uint8)
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return pa.array(values, pa.string()).take(pa.array(index.astype(np.int32)))


def timestamps(us: I64, valid: Mask | None = None) -> pa.Array:
    """A UTC µs timestamp array over ``us`` (through int64: the direct path is much slower)."""
    if valid is None:
        flat = np.ascontiguousarray(us, dtype=np.int64)
        return pa.Array.from_buffers(TIMESTAMP, len(flat), [None, pa.py_buffer(flat)])
    return pa.array(us, mask=~valid).view(TIMESTAMP)


def _tiled_text(names: list[str], n: int) -> pa.StringArray:
    """``names`` repeated ``n`` times, as one string array."""
    encoded = [name.encode() for name in names]
    lengths = np.array([len(e) for e in encoded], np.int32)
    offsets = np.zeros(n * len(names) + 1, np.int32)
    np.cumsum(np.tile(lengths, n), out=offsets[1:])
    data = np.frombuffer(b"".join(encoded) * n, np.uint8) if n else np.zeros(0, np.uint8)
    return pa.StringArray.from_buffers(n * len(names), pa.py_buffer(offsets), pa.py_buffer(data))


def build_map(names: list[str], texts: list[pa.Array], n: int) -> pa.MapArray:
    """A map column where every record holds the same keys ``names`` with values ``texts``."""
    k = len(names)
    offsets = pa.array(np.arange(n + 1, dtype=np.int32) * np.int32(k))
    keys = _tiled_text(names, n)
    if k == 0:
        items: pa.Array = pa.array([], pa.string())
    elif k == 1:
        items = texts[0]
    else:
        order = np.arange(k, dtype=np.int32)[None, :] * n + np.arange(n, dtype=np.int32)[:, None]
        items = pa.concat_arrays(texts).take(pa.array(order.reshape(-1)))
    return pa.MapArray.from_arrays(offsets, keys, items)
