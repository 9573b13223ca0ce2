"""jflow encoders: IPFIX and NetFlow v9 datagrams from Python or NumPy records.

Owns records → bytes for the simulator and tests: template and options template sets, data
sets (fixed-length records built column-wise with NumPy; IPFIX variable-length fields and
enterprise elements per record), sequence numbers as each protocol defines them, and splitting
into datagrams that fit an MTU. Must not open sockets or read the clock: times are arguments.

Values by abstract type: integers as ``int`` or NumPy integer arrays (sent in the field's length,
so a short length is reduced-size encoding); addresses as text, ``int`` or uint32 arrays (IPv4);
MAC as text or bytes; strings as ``str``; octet arrays as ``bytes``; dateTimeSeconds and
dateTimeMilliseconds as integers in their unit; dateTimeMicroseconds/Nanoseconds as integer
microseconds/nanoseconds since the Unix epoch (converted to NTP format); booleans as ``bool``.
A missing value is sent as zero (or empty for a variable-length field).
"""

from __future__ import annotations

import socket
import struct
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from collectors.flow import ies

NTP_EPOCH_OFFSET = 2_208_988_800
Records: TypeAlias = "Sequence[Mapping[str, Any]] | Mapping[str, Any]"
FieldLike: TypeAlias = "FieldSpec | str | int | tuple[str | int, int] | tuple[str | int, int, int]"


@dataclass(frozen=True)
class FieldSpec:
    """A field to send: element id, length (65535 = variable, IPFIX only) and PEN."""

    ie: int
    length: int
    pen: int = 0

    @property
    def info(self) -> ies.IE:
        return ies.lookup(self.ie, self.pen)

    @property
    def name(self) -> str:
        return self.info.name


def field_spec(f: FieldLike) -> FieldSpec:
    """``"octetDeltaCount"``, ``("octetDeltaCount", 4)``, ``(ie, length, pen)`` or a FieldSpec."""
    if isinstance(f, FieldSpec):
        return f
    length: int | None = None
    pen = 0
    if isinstance(f, tuple):
        ref, length = f[0], f[1]
        if len(f) == 3:
            pen = f[2]
    else:
        ref = f
    if isinstance(ref, str):
        scope = {ie.name: ie for ie in ies.V9_SCOPES.values()}.get(ref)
        if scope is not None:
            pen, ie = ies.V9_SCOPE_PEN, scope.id
        else:
            pen, ie = ies.resolve(ref)
    else:
        ie = ref
    return FieldSpec(ie, length if length is not None else ies.lookup(ie, pen).length, pen)


@dataclass(frozen=True)
class _Defined:
    fields: tuple[FieldSpec, ...]
    scope_count: int

    @property
    def variable(self) -> bool:
        return any(f.length == ies.VARLEN for f in self.fields)


class _Encoder(ABC):
    """What IPFIX and v9 share: templates, MTU splitting; subclasses frame sets and headers."""

    version = 0
    header_len = 0

    def __init__(self, domain: int = 0, *, mtu: int = 1400, sequence: int = 0) -> None:
        self.domain = domain
        self.mtu = mtu
        self.sequence = sequence
        self.templates: dict[int, _Defined] = {}

    def define(
        self, template_id: int, fields: Sequence[FieldLike], *, scope: Sequence[FieldLike] = ()
    ) -> None:
        """Declare a template (an options template when ``scope`` is given)."""
        if not 256 <= template_id <= 65535:
            raise ValueError(f"template id {template_id} outside 256..65535")
        specs = tuple(field_spec(f) for f in (*scope, *fields))
        if self.version == 9 and any(f.length == ies.VARLEN for f in specs):
            raise ValueError("NetFlow v9 has no variable-length fields")
        self.templates[template_id] = _Defined(specs, len(scope))

    def encode(
        self,
        template_id: int,
        records: Records,
        *,
        export_time: int,
        uptime_ms: int = 0,
        with_template: bool = True,
        max_records: int | None = None,
    ) -> list[bytes]:
        """Datagrams carrying ``records`` (the template set too, in the first, if asked)."""
        t = self.templates[template_id]
        rows = _record_bytes(t.fields, records)
        room = self.mtu - self.header_len - 4
        template_set = self._template_set(template_id) if with_template else b""
        out: list[bytes] = []
        i = 0
        while i < len(rows) or (template_set and not out):
            sets: list[bytes] = []
            budget = room
            if template_set and not out:
                if len(template_set) + 4 + (len(rows[i]) if i < len(rows) else 0) > room:
                    out.append(self._message([template_set], 0, export_time, uptime_ms))
                    template_set = b""
                    continue
                sets.append(template_set)
                budget -= len(template_set)
                template_set = b""
            j, size = i, 0
            while j < len(rows) and size + len(rows[j]) <= budget:
                if max_records is not None and j - i >= max_records:
                    break
                size += len(rows[j])
                j += 1
            if j == i and i < len(rows):
                if sets:
                    out.append(self._message(sets, 0, export_time, uptime_ms))
                    continue
                raise ValueError(f"a record of {len(rows[i])} octets does not fit the MTU")
            if j > i:
                sets.append(self._data_set(template_id, rows[i:j]))
            out.append(self._message(sets, j - i, export_time, uptime_ms))
            i = j
        return out

    def template_datagram(
        self, template_ids: Sequence[int] | None = None, *, export_time: int, uptime_ms: int = 0
    ) -> bytes:
        """One datagram announcing templates (all defined ones by default)."""
        ids = list(self.templates) if template_ids is None else list(template_ids)
        return self._message([self._template_set(t) for t in ids], 0, export_time, uptime_ms)

    def _data_set(self, template_id: int, rows: list[bytes]) -> bytes:
        body = b"".join(rows)
        pad = (-len(body)) % 4 if self.version == 9 else 0
        return struct.pack(">HH", template_id, 4 + len(body) + pad) + body + bytes(pad)

    @abstractmethod
    def _template_set(self, template_id: int) -> bytes: ...

    @abstractmethod
    def _message(
        self, sets: list[bytes], data_records: int, export_time: int, uptime: int
    ) -> bytes: ...


class IpfixEncoder(_Encoder):
    """IPFIX (RFC 7011) messages for one observation domain; ``sequence`` counts data records."""

    version = 10
    header_len = 16

    def withdraw(
        self, template_id: int | None, *, export_time: int, options: bool = False
    ) -> bytes:
        """A withdrawal message for one template, or for all (``None``) of the kind."""
        set_id = 3 if options else 2
        tid = set_id if template_id is None else template_id
        if template_id is not None:
            self.templates.pop(template_id, None)
        body = struct.pack(">HH", tid, 0)
        return self._message([struct.pack(">HH", set_id, 8) + body], 0, export_time, 0)

    def _template_set(self, template_id: int) -> bytes:
        t = self.templates[template_id]
        options = t.scope_count > 0
        head = struct.pack(">HH", template_id, len(t.fields))
        if options:
            head += struct.pack(">H", t.scope_count)
        specs = b"".join(
            struct.pack(">HHI", f.ie | 0x8000, f.length, f.pen)
            if f.pen > 0
            else struct.pack(">HH", f.ie, f.length)
            for f in t.fields
        )
        body = head + specs
        return struct.pack(">HH", 3 if options else 2, 4 + len(body)) + body

    def _message(
        self, sets: list[bytes], data_records: int, export_time: int, uptime: int
    ) -> bytes:
        body = b"".join(sets)
        head = struct.pack(
            ">HHIII", 10, 16 + len(body), export_time & 0xFFFFFFFF, self.sequence, self.domain
        )
        self.sequence = (self.sequence + data_records) & 0xFFFFFFFF
        return head + body


class V9Encoder(_Encoder):
    """NetFlow v9 (RFC 3954) packets for one source id; ``sequence`` counts packets."""

    version = 9
    header_len = 20

    def _template_set(self, template_id: int) -> bytes:
        t = self.templates[template_id]
        if t.scope_count:
            scope = t.fields[: t.scope_count]
            opts = t.fields[t.scope_count :]
            body = struct.pack(">HHH", template_id, 4 * len(scope), 4 * len(opts))
            body += b"".join(struct.pack(">HH", f.ie, f.length) for f in t.fields)
            pad = (-len(body)) % 4
            return struct.pack(">HH", 1, 4 + len(body) + pad) + body + bytes(pad)
        body = struct.pack(">HH", template_id, len(t.fields))
        body += b"".join(struct.pack(">HH", f.ie, f.length) for f in t.fields)
        return struct.pack(">HH", 0, 4 + len(body)) + body

    def _message(
        self, sets: list[bytes], data_records: int, export_time: int, uptime: int
    ) -> bytes:
        count = data_records + sum(self._template_records(s) for s in sets)
        head = struct.pack(
            ">HHIIII",
            9,
            count,
            uptime & 0xFFFFFFFF,
            export_time & 0xFFFFFFFF,
            self.sequence,
            self.domain,
        )
        self.sequence = (self.sequence + 1) & 0xFFFFFFFF
        return head + b"".join(sets)

    @staticmethod
    def _template_records(s: bytes) -> int:
        return 1 if struct.unpack_from(">H", s)[0] in (0, 1) else 0


# -- values -----------------------------------------------------------------------------------


def _record_bytes(fields: tuple[FieldSpec, ...], records: Records) -> list[bytes]:
    columns = _as_columns(fields, records)
    n = len(next(iter(columns.values()))) if columns else 0
    if any(f.length == ies.VARLEN for f in fields):
        per_field = [[_encode_value(f, v) for v in columns.get(f.name, [None] * n)] for f in fields]
        return [b"".join(vals) for vals in zip(*per_field, strict=True)] if fields else []
    record_len = sum(f.length for f in fields)
    mats = [_column_matrix(f, columns.get(f.name), n) for f in fields]
    block = np.hstack(mats) if mats else np.zeros((n, 0), np.uint8)
    data = np.ascontiguousarray(block, dtype=np.uint8).tobytes()
    return [data[i * record_len : (i + 1) * record_len] for i in range(n)]


def _as_columns(fields: tuple[FieldSpec, ...], records: Records) -> dict[str, Any]:
    if isinstance(records, Mapping):
        return {f.name: records[f.name] for f in fields if f.name in records}
    return {f.name: [r.get(f.name) for r in records] for f in fields}


def _column_matrix(f: FieldSpec, values: Any, n: int) -> npt.NDArray[np.uint8]:
    t, width = f.info.type, f.length
    if values is None:
        return np.zeros((n, width), np.uint8)
    if isinstance(values, np.ndarray):
        if values.ndim == 2 and values.dtype == np.uint8 and values.shape[1] == width:
            return values
        if values.ndim == 1 and values.dtype.kind in "uib" and width <= 8:
            v = values.astype(np.int64)
            if t in ies.NTP_TYPES:
                v = _ntp_array(v, 1_000_000 if t == ies.MICROS else 1_000_000_000)
            wide = v.astype(">i8").view(np.uint8).reshape(n, 8)
            return wide[:, 8 - width :]
        values = values.tolist()
    raw = b"".join(_encode_value(f, v) for v in values)
    return np.frombuffer(raw, np.uint8).reshape(n, width)


def _ntp_array(v: npt.NDArray[np.int64], per_second: int) -> npt.NDArray[np.int64]:
    secs = v // per_second + NTP_EPOCH_OFFSET
    frac = ((v % per_second).astype(np.uint64) << np.uint64(32)) // np.uint64(per_second)
    return ((secs.astype(np.uint64) << np.uint64(32)) | frac).view(np.int64)


def _encode_value(f: FieldSpec, value: Any) -> bytes:
    """Wire bytes of one value (with the RFC 7011 §7 length prefix for variable fields)."""
    variable = f.length == ies.VARLEN
    body = _value_bytes(f.info.type, value, None if variable else f.length)
    if not variable:
        return body
    if len(body) < 255:
        return bytes([len(body)]) + body
    if len(body) > 65535:
        raise ValueError("variable-length value longer than 65535 octets")
    return b"\xff" + struct.pack(">H", len(body)) + body


def _value_bytes(kind: str, value: Any, width: int | None) -> bytes:
    if value is None:
        return bytes(width or 0)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
    elif kind == ies.IPV4 and isinstance(value, str):
        raw = socket.inet_aton(value)
    elif kind == ies.IPV6 and isinstance(value, str):
        raw = socket.inet_pton(socket.AF_INET6, value)
    elif kind == ies.MAC and isinstance(value, str):
        raw = bytes.fromhex(value.replace(":", "").replace("-", ""))
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        if width is not None:
            raw = raw[:width].ljust(width, b"\0")
    elif kind == ies.F64 and isinstance(value, float | int) and width in (None, 4, 8):
        raw = struct.pack(">f" if width == 4 else ">d", float(value))
    elif isinstance(value, bool) and kind == ies.BOOL:
        raw = b"\x01" if value else b"\x02"
    else:
        number = int(value)
        if kind in ies.NTP_TYPES:
            per = 1_000_000 if kind == ies.MICROS else 1_000_000_000
            secs, rest = divmod(number, per)
            number = ((secs + NTP_EPOCH_OFFSET) << 32) | ((rest << 32) // per)
        size = width if width is not None else ies.IE(0, "", kind).length
        if size == ies.VARLEN:
            size = max(1, (number.bit_length() + 7) // 8)
        return number.to_bytes(size, "big", signed=kind in ies.SIGNED_TYPES and number < 0)
    if width is not None and len(raw) != width:
        raise ValueError(f"{len(raw)} octets for a field of {width}")
    return raw
