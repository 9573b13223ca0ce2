"""The sans-IO jflow decoder: NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) datagrams.

Owns the walk over a datagram: header checks, set/flowset framing, template learning and
withdrawal, holding data sets whose template is unknown, sequence accounting, and the batching
of data sets of one template across many datagrams so that they decode with one
``np.frombuffer``. Must not touch sockets, files or the clock: datagrams arrive with their
exporter and receive time, state is the explicit ``DecoderState``, and every problem in the
input is a ``WireError`` (raised when a whole datagram is unusable, reported in the result when
only a set is, so the records of the other sets are kept).

Rows of one call come grouped by template (v5, then templates in order of first use), in
arrival order within a template.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TypeVar

import pyarrow as pa

from collectors.errors import MalformedPacket, UnknownTemplate, UnsupportedVersion, WireError
from collectors.flow import datasets
from collectors.flow.columns import Raw
from collectors.flow.flows import Ctx, build_flows
from collectors.flow.held import HeldSet
from collectors.flow.options import Sampling, decode_options
from collectors.flow.result import Counters, DecodeResult, Rejected, SequenceStatus
from collectors.flow.sequence import SequenceTracker
from collectors.flow.state import DecoderState, load_state, save_state
from collectors.flow.templates import (
    Field,
    Template,
    Withdrawal,
    parse_ipfix_templates,
    parse_v9_options_templates,
    parse_v9_templates,
)
from collectors.tables import FLOW_OPTIONS, FLOWS

__all__ = [
    "Counters",
    "DecodeResult",
    "FlowDecoder",
    "Received",
    "Rejected",
    "SequenceStatus",
    "to_us",
]

Received = datetime | int
_K = TypeVar("_K")
_V = TypeVar("_V")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_HH = struct.Struct(">HH")
_VERSION = struct.Struct(">H")
_IPFIX = struct.Struct(">HHIII")
_V9 = struct.Struct(">HHIIII")
_V5 = struct.Struct(">HHIIIIBBH")
_V5_RECORD = 48
#: Per-(exporter, domain) dictionaries stop growing here (oldest dropped): garbage input with
#: random domains must not grow the state without bound.
MAX_STREAMS = 65536

_FLOWS_SCHEMA = FLOWS.schema
_OPTIONS_SCHEMA = FLOW_OPTIONS.schema

#: NetFlow v5 record (48 octets) as IANA elements: addresses, ifIndexes, counters, sysUptime
#: first/last, ports, pad, flags, protocol, tos, AS numbers, masks, pad.
_V5_LAYOUT = (
    (8, 4), (12, 4), (15, 4), (10, 2), (14, 2), (2, 4), (1, 4), (22, 4), (21, 4), (7, 2),
    (11, 2), (210, 1), (6, 1), (4, 1), (5, 1), (16, 2), (17, 2), (9, 1), (13, 1), (210, 2),
)  # fmt: skip
V5_TEMPLATE = Template(5, 0, tuple(Field.of(ie, ln) for ie, ln in _V5_LAYOUT))


@dataclass
class _Group:
    template: Template
    ctxs: list[Ctx] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list)
    parts: list[list[Raw]] = field(default_factory=list)


@dataclass
class _Batch:
    groups: dict[int, _Group] = field(default_factory=dict)
    options: list[dict[str, object]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    counters: Counters = field(default_factory=Counters)
    touched: dict[tuple[str, int, int], SequenceTracker] = field(default_factory=dict)
    state_changed: bool = False

    def group(self, template: Template) -> _Group:
        g = self.groups.get(id(template))
        if g is None:
            g = self.groups[id(template)] = _Group(template)
        return g


def to_us(received_at: Received) -> int:
    """Epoch microseconds of a receive time (naive datetimes are taken as UTC)."""
    if isinstance(received_at, int):
        return received_at
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    return (received_at - _EPOCH) // _US


def _located(err: WireError, exporter: str, domain: int | None, base: int = 0) -> WireError:
    offset = None if err.offset is None else err.offset + base
    return type(err)(
        err.reason,
        exporter=err.exporter or exporter,
        domain=err.domain if err.domain is not None else domain,
        offset=offset,
    )


class FlowDecoder:
    """Decodes jflow datagrams with explicit state (``self.state``, persisted by ``state.py``)."""

    def __init__(
        self,
        state: DecoderState | None = None,
        *,
        max_held_sets: int | None = None,
        max_held_bytes: int | None = None,
        max_hold_us: int | None = None,
        keep_all_fields: bool = False,
    ) -> None:
        self.state = state if state is not None else DecoderState()
        #: Put every decoded element of a data record into ``extra`` under its IANA name
        #: (``ie<pen>_<id>`` for enterprise ones), canonical ones included. Off on the hot path.
        self.keep_all_fields = keep_all_fields
        held = self.state.held
        if max_held_sets is not None:
            held.max_sets = max_held_sets
        if max_held_bytes is not None:
            held.max_bytes = max_held_bytes
        if max_hold_us is not None:
            held.max_age_us = max_hold_us

    def save_state(self, path: str | os.PathLike[str]) -> None:
        """Persist templates, sampling, init times and sequences (see ``state.save_state``)."""
        save_state(self.state, path)

    @classmethod
    def load_state(cls, path: str | os.PathLike[str]) -> FlowDecoder:
        """A decoder resuming from a state file (empty state if the file does not exist)."""
        return cls(load_state(path))

    def decode(self, datagram: bytes, exporter: str, received_at: Received) -> DecodeResult:
        """Decode one datagram; raises its ``WireError`` when its header is unusable."""
        result = self.decode_many([(datagram, exporter, received_at)])
        for r in result.rejected:
            if r.fatal:
                raise r.error
        return result

    def decode_many(self, datagrams: Iterable[tuple[bytes, str, Received]]) -> DecodeResult:
        """Decode datagrams in order, batching data sets of one template into one decode.

        Never raises for bad input: every datagram or set that cannot be decoded is in
        ``rejected`` and the others are decoded as usual.
        """
        b = _Batch()
        for index, (datagram, exporter, received_at) in enumerate(datagrams):
            data = datagram if isinstance(datagram, bytes) else bytes(datagram)
            rx = to_us(received_at)
            b.counters.datagrams += 1
            try:
                self._datagram(b, data, exporter, rx, index)
            except WireError as err:
                self._reject(
                    b, _located(err, exporter, err.domain), data, exporter, rx, index, True
                )
        return self._finish(b)

    def release_held(self) -> DecodeResult:
        """Decode held data sets whose template the cache can supply now (a shared template
        store may have learned it from another decoder since the sets arrived)."""
        b = _Batch()
        for held in self.state.held.counts():
            template = self.state.templates.get(held.exporter, held.domain, held.template_id)
            if template is not None:
                self._release(b, template, held.exporter, held.domain)
        return self._finish(b)

    def expire(self, now: Received) -> DecodeResult:
        """Give up on held sets older than the hold time at ``now`` (idle exporters)."""
        b = _Batch()
        self._expire(b, to_us(now))
        return self._finish(b)

    def give_up_held(self, why: str) -> DecodeResult:
        """Reject every held set now, with ``why`` (the collector is stopping)."""
        b = _Batch()
        self._expire(b, 1 << 62, why)
        return self._finish(b)

    # -- datagrams -------------------------------------------------------------------------

    def _datagram(self, b: _Batch, data: bytes, exporter: str, rx: int, index: int) -> None:
        if len(data) < 2:
            raise MalformedPacket("datagram shorter than a version field", offset=0)
        (version,) = _VERSION.unpack_from(data)
        if version == 10:
            self._ipfix(b, data, exporter, rx, index)
        elif version == 9:
            self._v9(b, data, exporter, rx, index)
        elif version == 5:
            self._v5(b, data, exporter, rx)
        else:
            raise UnsupportedVersion(f"export version {version}", offset=0)

    def _ipfix(self, b: _Batch, data: bytes, exporter: str, rx: int, index: int) -> None:
        if len(data) < _IPFIX.size:
            raise MalformedPacket("IPFIX message header truncated", offset=0)
        _, length, export_s, seq, domain = _IPFIX.unpack_from(data)
        if length < _IPFIX.size or length > len(data):
            raise MalformedPacket(
                f"message length {length} but datagram has {len(data)} octets",
                domain=domain,
                offset=2,
            )
        self._expire(b, rx)
        ctx = self._ctx(Ctx(exporter, 10, domain, seq, export_s * 1_000_000, rx))
        size = self._sets(b, data, _IPFIX.size, length, ctx, index)
        self._track(b, ctx, size, None)

    def _v9(self, b: _Batch, data: bytes, exporter: str, rx: int, index: int) -> None:
        if len(data) < _V9.size:
            raise MalformedPacket("NetFlow v9 header truncated", offset=0)
        _, _count, uptime, secs, seq, source = _V9.unpack_from(data)
        self._expire(b, rx)
        ctx = self._ctx(Ctx(exporter, 9, source, seq, secs * 1_000_000, rx, uptime_ms=uptime))
        self._sets(b, data, _V9.size, len(data), ctx, index)
        self._track(b, ctx, 1, uptime)

    def _v5(self, b: _Batch, data: bytes, exporter: str, rx: int) -> None:
        if len(data) < _V5.size:
            raise MalformedPacket("NetFlow v5 header truncated", offset=0)
        _, count, uptime, secs, nsecs, seq, etype, eid, sampling = _V5.unpack_from(data)
        domain = (etype << 8) | eid
        end = _V5.size + count * _V5_RECORD
        if end > len(data):
            raise MalformedPacket(
                f"{count} records need {end} octets, datagram has {len(data)}",
                domain=domain,
                offset=2,
            )
        self._expire(b, rx)
        # Low 14 bits: 1-in-N interval (0: unsampled); the top 2 bits (mode) do not change N.
        rate = (sampling & 0x3FFF) or 1
        export_us = secs * 1_000_000 + nsecs // 1000
        ctx = Ctx(exporter, 5, domain, seq, export_us, rx, uptime_ms=uptime, rate=rate)
        if count:
            self._add_fixed(b, V5_TEMPLATE, ctx, count, data[_V5.size : end])
        self._track(b, ctx, count, uptime)

    def _ctx(self, ctx: Ctx) -> Ctx:
        key = (ctx.exporter, ctx.domain)
        sampling = self.state.sampling.get(key)
        if sampling is not None:
            ctx.rate = sampling.rate
            ctx.by_sampler = sampling.by_sampler
        ctx.init_ms = self.state.init_ms.get(key, -1)
        return ctx

    def _track(self, b: _Batch, ctx: Ctx, size: int | None, uptime: int | None) -> None:
        key = (ctx.exporter, ctx.version, ctx.domain)
        tracker = self.state.sequences.get(key)
        if tracker is None:
            tracker = SequenceTracker(ctx.version)
            _bounded_put(self.state.sequences, key, tracker)
        before = (tracker.reordered, tracker.resets)
        lost = tracker.update(ctx.sequence, size, uptime)
        if ctx.version == 9:
            b.counters.lost_datagrams += lost
        else:
            b.counters.lost_records += lost
        b.counters.reordered += tracker.reordered - before[0]
        b.counters.resets += tracker.resets - before[1]
        b.touched[key] = tracker

    # -- sets ------------------------------------------------------------------------------

    def _sets(self, b: _Batch, data: bytes, pos: int, end: int, ctx: Ctx, index: int) -> int | None:
        """Walk the sets of a message; returns its data record count (None when unknown)."""
        records: int | None = 0
        while end - pos >= 4:
            set_id, set_len = _HH.unpack_from(data, pos)
            if set_len < 4 or set_len > end - pos:
                bad = MalformedPacket(f"set {set_id} length {set_len} of {end - pos}", offset=pos)
                self._reject_in(b, bad, ctx, data, index)
                return None
            try:
                n = self._set(b, data, set_id, pos + 4, pos + set_len, ctx)
            except WireError as err:
                self._reject_in(b, err, ctx, data, index)
                n = None if set_id >= 256 else 0
            records = None if n is None or records is None else records + n
            if b.state_changed:
                ctx = self._ctx(replace(ctx))
                b.state_changed = False
            pos += set_len
        if ctx.version == 10 and pos != end:
            stray = MalformedPacket(f"{end - pos} stray octets after the last set", offset=pos)
            self._reject_in(b, stray, ctx, data, index)
        return records

    def _set(
        self, b: _Batch, data: bytes, set_id: int, start: int, end: int, ctx: Ctx
    ) -> int | None:
        if set_id >= 256:
            template = self.state.templates.get(ctx.exporter, ctx.domain, set_id)
            if template is None or template.version != ctx.version:
                held = HeldSet(
                    (ctx.exporter, ctx.domain, set_id), ctx, data, start, end, ctx.received_us
                )
                b.counters.sets_held += 1
                for old in self.state.held.add(held):
                    self._reject_held(b, old, "evicted from the holding area")
                return None
            return self._records(b, template, data, start, end, ctx)
        items: list[Template | Withdrawal]
        if ctx.version == 10 and set_id in (2, 3):
            items = parse_ipfix_templates(data, start, end, set_id)
        elif ctx.version == 9 and set_id == 0:
            items = parse_v9_templates(data, start, end)
        elif ctx.version == 9 and set_id == 1:
            items = parse_v9_options_templates(data, start, end)
        else:
            b.counters.sets_skipped += 1
            return 0
        self._learn(b, items, ctx)
        return 0

    def _learn(self, b: _Batch, items: list[Template | Withdrawal], ctx: Ctx) -> None:
        cache = self.state.templates
        for item in items:
            if isinstance(item, Withdrawal):
                if item.template_id is None:
                    gone = cache.withdraw_all(ctx.exporter, ctx.domain, item.options)
                else:
                    gone = int(cache.withdraw(ctx.exporter, ctx.domain, item.template_id))
                b.counters.templates_withdrawn += gone
                continue
            template, changed = cache.learn(ctx.exporter, ctx.domain, item)
            b.counters.templates_learned += changed
            if len(self.state.held):
                self._release(b, template, ctx.exporter, ctx.domain)

    def _release(self, b: _Batch, template: Template, exporter: str, domain: int) -> None:
        key = (exporter, domain, template.template_id)
        for held in self.state.held.release(key):
            b.counters.held_released += 1
            if held.ctx.version != template.version:
                self._reject_held(b, held, "template of another export version")
                continue
            try:
                self._records(b, template, held.datagram, held.start, held.end, held.ctx)
            except WireError as err:
                hctx = held.ctx
                self._reject_in(b, err, hctx, held.datagram, None)

    def _records(
        self, b: _Batch, template: Template, data: bytes, start: int, end: int, ctx: Ctx
    ) -> int:
        if template.dtype is not None:
            n = datasets.fixed_count(template, end - start)
            if n == 0:
                return 0
            payload = data[start : start + n * template.record_len]
            if template.options:
                self._options(b, template, datasets.fixed_columns(template, payload, n), ctx)
            else:
                self._add_fixed(b, template, ctx, n, payload)
            return n
        raw = datasets.variable_columns(template, data, start, end)
        n = len(raw[0])
        if n == 0:
            return 0
        cols = datasets.pack_fixed(template, raw)
        if template.options:
            self._options(b, template, cols, ctx)
        else:
            g = b.group(template)
            g.ctxs.append(ctx)
            g.counts.append(n)
            g.parts.append(cols)
            b.counters.records += n
        return n

    def _add_fixed(self, b: _Batch, template: Template, ctx: Ctx, n: int, payload: bytes) -> None:
        g = b.group(template)
        g.ctxs.append(ctx)
        g.counts.append(n)
        g.payloads.append(payload)
        b.counters.records += n

    def _options(self, b: _Batch, template: Template, cols: list[Raw], ctx: Ctx) -> None:
        key = (ctx.exporter, ctx.domain)
        for rec in decode_options(template, cols, ctx):
            b.options.append(rec.row)
            b.counters.option_records += 1
            if rec.rate is not None:
                current = self.state.sampling.get(key, Sampling())
                _bounded_put(self.state.sampling, key, current.with_rate(rec.rate, rec.sampler))
                b.state_changed = True
            if rec.init_ms is not None:
                _bounded_put(self.state.init_ms, key, rec.init_ms)
                b.state_changed = True

    # -- errors and results ----------------------------------------------------------------

    def _expire(
        self, b: _Batch, now_us: int, why: str = "no template arrived within the hold time"
    ) -> None:
        if len(self.state.held):
            for held in self.state.held.expire(now_us):
                b.counters.held_expired += 1
                self._reject_held(b, held, why)

    def _reject_in(
        self, b: _Batch, err: WireError, ctx: Ctx, data: bytes, index: int | None
    ) -> None:
        located = _located(err, ctx.exporter, ctx.domain)
        self._reject(b, located, data, ctx.exporter, ctx.received_us, index)

    def _reject_held(self, b: _Batch, held: HeldSet[Ctx], why: str) -> None:
        ctx = held.ctx
        err = UnknownTemplate(
            f"data set for template {held.key[2]}: {why}",
            exporter=ctx.exporter,
            domain=ctx.domain,
            offset=held.start - 4,
        )
        self._reject(b, err, held.datagram, ctx.exporter, ctx.received_us, None)

    @staticmethod
    def _reject(
        b: _Batch,
        err: WireError,
        data: bytes,
        exporter: str,
        rx: int,
        index: int | None,
        fatal: bool = False,
    ) -> None:
        b.counters.rejected += 1
        b.rejected.append(Rejected(err, data, exporter, rx, index, fatal))

    def _finish(self, b: _Batch) -> DecodeResult:
        tables = []
        for g in b.groups.values():
            t = g.template
            if t.dtype is not None:
                cols = datasets.fixed_columns(t, b"".join(g.payloads), sum(g.counts))
            else:
                cols = datasets.concat(g.parts)
            tables.append(build_flows(t, g.ctxs, g.counts, cols, keep_all=self.keep_all_fields))
        if len(tables) == 1:
            flows = tables[0]
        else:
            flows = pa.concat_tables(tables) if tables else _empty(_FLOWS_SCHEMA)
        if b.options:
            options = pa.Table.from_pylist(b.options, schema=_OPTIONS_SCHEMA)
        else:
            options = _empty(_OPTIONS_SCHEMA)
        sequences = [
            SequenceStatus(
                k[0],
                k[1],
                k[2],
                t.unit,
                t.expected,
                t.datagrams,
                t.lost,
                t.gaps,
                t.reordered,
                t.resets,
            )
            for k, t in b.touched.items()
        ]
        return DecodeResult(
            flows, options, b.rejected, b.counters, sequences, self.state.held.counts()
        )


@cache
def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def _bounded_put(d: dict[_K, _V], key: _K, value: _V) -> None:
    d[key] = value
    if len(d) > MAX_STREAMS:
        del d[next(iter(d))]
