"""Decoded data records → rows of the ``flows`` table, whole columns at a time.

Owns the mapping of information elements onto the canonical FLOWS columns (addresses, ports,
counters, interfaces, times, sampling) and the ``extra`` map of everything else, computed once
per template as a ``Plan``. Must not parse bytes or keep state: the header context of each
datagram arrives as a ``Ctx`` and the record fields as raw columns.

Rules: an element copied as-is into a canonical column is not repeated in ``extra``; times that
are derived (sysUpTime-relative IEs 21/22, delta IEs 158/159, systemInitTimeMilliseconds 160)
stay in ``extra`` as reported beside the derived ``start_time``/``end_time``; paddingOctets (210)
is dropped. ``event_time`` is the end time, else the export time. With ``keep_all`` every
decoded element (canonical ones included, padding excepted) is in ``extra`` under its name.

ICMP, as nfdump, pmacct and softflowd do it: an ICMP (protocol 1) record with icmpTypeCodeIPv4
(32) or icmpTypeIPv4/icmpCodeIPv4 (176/177), or an ICMPv6 (protocol 58) record with
icmpTypeCodeIPv6 (139) or 178/179, gets ``dst_port`` = type*256+code when it has no destination
port (absent, or 0) and ``src_port`` 0 when it has no source port; without a protocol element
the first family present applies to every record. The ICMP elements stay in ``extra``.

``bytes_scaled``/``packets_scaled`` are the counters × ``sampling_rate`` (× 1 when the rate is
unknown); a product beyond 64 bits is null.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from collectors.flow import columns as C
from collectors.flow import ies
from collectors.flow.templates import Template
from collectors.tables import FLOWS

NO_SAMPLERS: Mapping[int, int] = MappingProxyType({})
_SCHEMA = FLOWS.schema


@dataclass(slots=True)
class Ctx:
    """What a datagram header (and the state at that moment) says about its records."""

    exporter: str
    version: int
    domain: int
    sequence: int
    export_us: int
    received_us: int
    uptime_ms: int = -1
    init_ms: int = -1
    rate: int = 0
    by_sampler: Mapping[int, int] = field(default_factory=lambda: NO_SAMPLERS)


_NUMERIC: tuple[tuple[str, tuple[int, ...], pa.DataType], ...] = (
    ("src_port", (7,), pa.uint16()),
    ("dst_port", (11,), pa.uint16()),
    ("protocol", (4,), pa.uint8()),
    ("tos", (5,), pa.uint8()),
    ("tcp_flags", (6,), pa.uint16()),
    ("bytes", (1, 85), pa.uint64()),
    ("packets", (2, 86), pa.uint64()),
    ("in_if", (10,), pa.uint32()),
    ("out_if", (14,), pa.uint32()),
    ("src_as", (16,), pa.uint32()),
    ("dst_as", (17,), pa.uint32()),
    ("src_mask", (9, 29), pa.uint8()),
    ("dst_mask", (13, 30), pa.uint8()),
    ("direction", (61,), pa.uint8()),
    ("vlan_id", (58, 243), pa.uint16()),
    ("ip_version", (60,), pa.uint8()),
)
_ADDRESSES = (("src_addr", 8, 27), ("dst_addr", 12, 28), ("next_hop", 15, 62))
_START = ((152, "abs"), (150, "abs"), (154, "abs"), (156, "abs"), (22, "uptime"), (158, "delta"))
_END = ((153, "abs"), (151, "abs"), (155, "abs"), (157, "abs"), (21, "uptime"), (159, "delta"))
_DROPPED = {210}
#: (protocol, typeCode IE, type IE, code IE) per ICMP family.
_ICMP = ((1, 32, 176, 177), (58, 139, 178, 179))
_U8_MAX = np.uint64(0xFF)
_U16_MAX = np.uint64(0xFFFF)
_U32_MAX = np.uint64(0xFFFFFFFF)
_U64_MAX = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass
class Plan:
    """Which template field feeds which FLOWS column; computed once per template."""

    numeric: list[tuple[str, int, pa.DataType]] = field(default_factory=list)
    addresses: list[tuple[str, int, int]] = field(default_factory=list)  # column, field, family
    ip_version: int | None = None
    start: tuple[int, str] | None = None
    end: tuple[int, str] | None = None
    init: int | None = None
    sampler: int | None = None
    rate: int | None = None
    #: Per ICMP family present: (protocol, typeCode field, type field, code field).
    icmp: list[tuple[int, int | None, int | None, int | None]] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    #: Every field but padding: what ``extra`` holds with ``keep_all``.
    every: list[int] = field(default_factory=list)

    def index(self, column: str) -> int | None:
        """The field feeding numeric ``column``, if any."""
        for name, i, _ in self.numeric:
            if name == column:
                return i
        return None


def plan_for(template: Template) -> Plan:
    cached = template.plan
    if isinstance(cached, Plan):
        return cached
    fields = template.fields
    first: dict[int, int] = {}
    for i, f in enumerate(fields):
        if f.pen == 0 and not f.variable:
            first.setdefault(f.ie, i)
    plan = Plan()
    used: set[int] = set()

    def pick(ids: tuple[int, ...], ok: Any) -> int | None:
        for ie in ids:
            i = first.get(ie)
            if i is not None and ok(fields[i]):
                return i
        return None

    def integer(f: Any) -> bool:
        return 1 <= int(f.length) <= 8

    for column, ids, type_ in _NUMERIC:
        num = pick(ids, integer)
        if num is not None:
            plan.numeric.append((column, num, type_))
            used.add(num)
    families = set()
    for column, v4, v6 in _ADDRESSES:
        addr = pick((v4,), lambda f: f.length == 4)
        family = 4
        if addr is None:
            addr, family = pick((v6,), lambda f: f.length == 16), 6
        if addr is not None:
            plan.addresses.append((column, addr, family))
            used.add(addr)
            if column != "next_hop":
                families.add(family)
    if len(families) == 1:
        plan.ip_version = families.pop()
    plan.start = _time_spec(_START, first, fields, used)
    plan.end = _time_spec(_END, first, fields, used)
    plan.init = pick((160,), integer)
    plan.sampler = pick((302, 48), integer)
    plan.rate = pick((34, 50), integer)
    for proto, combined_ie, type_ie, code_ie in _ICMP:
        combined = pick((combined_ie,), integer)
        type_ = pick((type_ie,), integer) if combined is None else None
        if combined is not None or type_ is not None:
            code = pick((code_ie,), integer) if type_ is not None else None
            plan.icmp.append((proto, combined, type_, code))
    plan.every = [i for i, f in enumerate(fields) if not (f.pen == 0 and f.ie in _DROPPED)]
    plan.extra = [i for i in plan.every if i not in used]
    template.plan = plan
    return plan


def _time_spec(
    candidates: tuple[tuple[int, str], ...], first: dict[int, int], fields: Any, used: set[int]
) -> tuple[int, str] | None:
    for ie, kind in candidates:
        i = first.get(ie)
        if i is None:
            continue
        f = fields[i]
        if f.type in ies.NTP_TYPES and f.length != 8:
            continue
        if not 1 <= f.length <= 8:
            continue
        if kind == "abs":
            used.add(i)
        return i, kind
    return None


def build_flows(
    template: Template,
    ctxs: list[Ctx],
    counts: list[int],
    cols: list[C.Raw],
    *,
    keep_all: bool = False,
) -> pa.Table:
    """The FLOWS rows of ``sum(counts)`` records; chunk ``k`` has ``counts[k]`` records of ctx k.

    ``keep_all`` puts every decoded element into ``extra``, canonical ones included.
    """
    plan = plan_for(template)
    n = sum(counts)
    chunk = np.repeat(np.arange(len(ctxs), dtype=np.int32), counts)

    def per_record(values: list[int]) -> npt.NDArray[np.int64]:
        return np.asarray(values, dtype=np.int64)[chunk]

    export_us = per_record([c.export_us for c in ctxs])
    arrays: dict[str, pa.Array] = {}
    arrays["received_at"] = C.timestamps(per_record([c.received_us for c in ctxs]))
    exporters: dict[str, int] = {}
    idx = [exporters.setdefault(c.exporter, len(exporters)) for c in ctxs]
    arrays["exporter"] = C.repeat_text(list(exporters), np.asarray(idx, np.int32)[chunk])
    arrays["version"] = pa.array(np.full(n, template.version, np.uint8))
    arrays["observation_domain"] = pa.array(per_record([c.domain for c in ctxs]).astype(np.uint32))
    if template.version != 5:
        arrays["template_id"] = pa.array(np.full(n, template.template_id, np.uint16))
    arrays["sequence"] = pa.array(per_record([c.sequence for c in ctxs]).astype(np.uint32))
    arrays["export_time"] = C.timestamps(export_us)

    ctx_cols = _CtxColumns(ctxs, per_record, export_us)
    start = _time(plan.start, plan, template, cols, ctx_cols)
    end = _time(plan.end, plan, template, cols, ctx_cols)
    if start is not None:
        arrays["start_time"] = _timestamps(*start)
    if end is not None:
        arrays["end_time"] = _timestamps(*end)
        event = np.where(end[1], end[0], export_us) if end[1] is not None else end[0]
    else:
        event = export_us
    arrays["event_time"] = C.timestamps(event)

    for column, i, type_ in plan.numeric:
        arrays[column] = _fit(cols[i], type_)
    if plan.icmp:
        _icmp_ports(plan, cols, n, arrays)
    for column, i, family in plan.addresses:
        col = cols[i]
        arrays[column] = C.ipv4_text(col) if family == 4 else C.ipv6_text(col)  # type: ignore[arg-type]
    if "ip_version" not in arrays and plan.ip_version is not None:
        arrays["ip_version"] = pa.array(np.full(n, plan.ip_version, np.uint8))
    rates, known = _sampling(plan, cols, ctxs, chunk, per_record)
    arrays["sampling_rate"] = pa.array(
        rates.astype(np.uint32), mask=None if known is None else ~known
    )
    factor = rates if known is None else np.where(known, rates, np.uint64(1))
    for counter in ("bytes", "packets"):
        if counter in arrays:
            arrays[f"{counter}_scaled"] = _scaled(arrays[counter], factor)

    fields = template.fields
    shown = plan.every if keep_all else plan.extra
    names = [fields[i].name for i in shown]
    texts = [C.text(fields[i].type, fields[i].length, cols[i]) for i in shown]
    arrays["extra"] = C.build_map(names, texts, n)
    schema = _SCHEMA
    out = [arrays.get(f.name) for f in schema]
    return pa.Table.from_arrays(
        [a if a is not None else pa.nulls(n, f.type) for a, f in zip(out, schema, strict=True)],
        schema=schema,
    )


@dataclass
class _CtxColumns:
    ctxs: list[Ctx]
    per_record: Any
    export_us: npt.NDArray[np.int64]

    def get(self, attr: str) -> npt.NDArray[np.int64]:
        return self.per_record([getattr(c, attr) for c in self.ctxs])  # type: ignore[no-any-return]


def _time(
    spec: tuple[int, str] | None,
    plan: Plan,
    template: Template,
    cols: list[C.Raw],
    ctx: _CtxColumns,
) -> tuple[npt.NDArray[np.int64], C.Mask | None] | None:
    if spec is None:
        return None
    i, kind = spec
    values, valid = C.widen(cols[i])
    if kind == "abs":
        return C.to_timestamp_us(template.fields[i].type, values), valid
    if kind == "delta":
        return ctx.export_us - values.astype(np.int64), valid
    rel = values.astype(np.uint32)
    if template.version in (5, 9):
        uptime = ctx.get("uptime_ms").astype(np.uint32)
        # Signed 32-bit distance handles the sysUptime wrap and slightly-future end times.
        behind = (uptime - rel).view(np.int32).astype(np.int64)
        return ctx.export_us - behind * 1000, valid
    if plan.init is not None:
        init, init_valid = C.widen(cols[plan.init])
        init_ms = init.astype(np.int64)
        valid = _and(valid, init_valid)
    else:
        init_ms = ctx.get("init_ms")
        known = init_ms >= 0
        if not known.all():
            valid = _and(valid, known)
    return (init_ms + rel.astype(np.int64)) * 1000, valid


def _and(a: C.Mask | None, b: C.Mask | None) -> C.Mask | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _timestamps(us: npt.NDArray[np.int64], valid: C.Mask | None) -> pa.Array:
    return C.timestamps(us, valid)


_MAX = {pa.uint8(): 0xFF, pa.uint16(): 0xFFFF, pa.uint32(): 0xFFFFFFFF}
_NP: dict[pa.DataType, type[np.unsignedinteger[Any]]] = {
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
}


def _fit(col: C.Raw, type_: pa.DataType, valid: C.Mask | None = None) -> pa.Array:
    """Integer column as ``type_``; values too large for it (odd exporters) become null."""
    target = _NP[type_]
    width = np.dtype(target).itemsize
    fixed = not isinstance(col, list) and col.ndim == 1
    if valid is None and fixed and col.dtype.itemsize <= width:  # type: ignore[union-attr]
        return pa.array(col.astype(target))  # type: ignore[union-attr]
    values, col_valid = C.widen(col)
    valid = _and(valid, col_valid)
    if width < 8:
        small = values <= _MAX[type_]
        if not small.all():
            valid = small if valid is None else valid & small
    return pa.array(values.astype(target), mask=None if valid is None else ~valid)


def _sampling(
    plan: Plan, cols: list[C.Raw], ctxs: list[Ctx], chunk: npt.NDArray[np.int32], per_record: Any
) -> tuple[C.U64, C.Mask | None]:
    """1-in-N rate of every record (uint64, ≤ 2³²-1) and the mask of the known ones."""
    if plan.rate is not None:
        # A record's own samplingInterval wins; 0 there means unsampled.
        values, valid = C.widen(cols[plan.rate])
        values = np.maximum(values, np.uint64(1))
        small = values <= _U32_MAX
        if not small.all():  # too large for the column: unknown (odd exporters)
            valid = small if valid is None else valid & small
        return values, valid
    rates = per_record([c.rate for c in ctxs])
    if plan.sampler is not None and any(c.by_sampler for c in ctxs):
        ids, _ = C.widen(cols[plan.sampler])
        pairs = np.stack([chunk.astype(np.uint64), ids])
        uniq, inverse = np.unique(pairs, axis=1, return_inverse=True)
        found = np.array(
            [ctxs[int(k)].by_sampler.get(int(s), -1) for k, s in uniq.T], dtype=np.int64
        )
        per = found[inverse.reshape(-1)]
        rates = np.where(per >= 0, per, rates)
    rates = np.minimum(rates, np.iinfo(np.uint32).max)
    known = rates > 0
    return rates.astype(np.uint64), (None if known.all() else known)


def _scaled(counter: pa.Array, factor: C.U64) -> pa.Array:
    """``counter`` × ``factor`` null where the counter is null or the product overflows."""
    if not (factor != 1).any():
        return counter
    values = pc.fill_null(counter, 0).to_numpy().astype(np.uint64, copy=False)
    null = values > _U64_MAX // factor  # the product would not fit in 64 bits
    if counter.null_count:
        null |= counter.is_null().to_numpy(zero_copy_only=False)
    return pa.array(values * factor, mask=null if null.any() else None)


def _icmp_ports(plan: Plan, cols: list[C.Raw], n: int, arrays: dict[str, pa.Array]) -> None:
    """dst_port = type*256+code (src_port 0) for ICMP records without ports; see the module doc."""
    proto_i = plan.index("protocol")
    proto = C.widen(cols[proto_i])[0] if proto_i is not None else None
    code = np.zeros(n, np.uint64)
    applies = np.zeros(n, np.bool_)
    for family, combined, type_i, code_i in plan.icmp:
        if combined is not None:
            value, valid = C.widen(cols[combined])
            ok = value <= _U16_MAX
        else:
            assert type_i is not None
            value, valid = C.widen(cols[type_i])
            ok = value <= _U8_MAX
            value = value << np.uint64(8)
            if code_i is not None:
                low, low_valid = C.widen(cols[code_i])
                ok &= low <= _U8_MAX
                value = value | low
                valid = _and(valid, low_valid)
        if valid is not None:
            ok &= valid
        if proto is not None:
            ok &= proto == family
        ok &= ~applies
        code = np.where(ok, value, code)
        applies |= ok
    if not applies.any():
        return
    for column, fill in (("dst_port", code), ("src_port", np.zeros(n, np.uint64))):
        i = plan.index(column)
        if i is None:
            values, valid = np.zeros(n, np.uint64), np.zeros(n, np.bool_)
        else:
            values, col_valid = C.widen(cols[i])
            valid = values <= _U16_MAX
            if col_valid is not None:
                valid &= col_valid
        absent = ~valid | (values == 0) if column == "dst_port" else ~valid
        use = applies & absent
        values = np.where(use, fill, values)
        valid |= use
        arrays[column] = pa.array(values.astype(np.uint16), mask=None if valid.all() else ~valid)
