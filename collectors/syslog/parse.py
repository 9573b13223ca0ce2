"""``SyslogParser``: a batch of ``Line`` objects → ``syslog_events``, typed tables and rejects.

Owns the batch: every line gets exactly one ``syslog_events`` row, in input order; typed rows
go to ``sessions``, ``sla_metrics``, ``client_events``, ``security_events`` and
``device_events``; a line without a recognisable header also becomes a ``Reject`` with its
bytes. Sans-IO: no sockets, clocks or globals; ``device``/``site`` stay null. Must not know
message formats (``header``, ``sd``, ``junos`` and ``messages`` do) and never raises.

Three paths give the same rows (tests compare them): RFC 5424 lines with one well-formed SD
element (the dominant Junos structured-data form) are cut up for the whole batch at once
(``columnar``: NumPy and Arrow over one buffer, parameter names read once per layout;
sessions and AppQoE rows column-wise); plain BSD lines with a Junos RT_FLOW, SNMP link trap
or short IDP attack text form are read into columns (``bsd_batch``: one key block per layout;
sessions, device and security rows column-wise); every
other line goes through the per-line parser. A line a batch path cannot take is simply
handed on. All paths' rows are put in input order with one take per column at the end; typed
tables are grouped by path (not input order; only ``syslog_events`` is in input order).

Notes the parser adds to ``fields`` (names with one leading ``_``): ``_sd_id`` (SD-IDs as
sent), ``_truncated``/``_original_length`` (line longer than ``max_line_bytes``, cut there),
``_relay_host`` (outer hostname of a relayed line), ``_bad_timestamp`` (unreadable header
time; event time is the receive time), ``_sd_error`` (malformed structured data, kept as far
as readable), ``_event`` (event of an untagged kmd/alarmd line), ``_error`` (unparsed line).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from types import ModuleType

import numpy as np
import pyarrow as pa

from collectors.origin import Reject
from collectors.schema import TIMESTAMP, TableSpec
from collectors.syslog import bsd_batch, columnar, messages
from collectors.syslog.bsd_batch import BsdRows
from collectors.syslog.columnar import FastRows
from collectors.syslog.header import Clock, Header, parse_header
from collectors.syslog.junos import is_junos_sd
from collectors.syslog.messages import appqoe, device, security, sessions
from collectors.syslog.messages.spec import Typed, reported
from collectors.syslog.model import (
    ChunkBatch,
    Line,
    LineBatch,
    ParsedBatch,
    Raw,
    SyslogError,
    columns_of,
)
from collectors.syslog.sd import Params, parse_sd, sd_fields
from collectors.syslog.templates import TemplateCache
from collectors.tables import (
    CLIENT_EVENTS,
    DEVICE_EVENTS,
    SECURITY_EVENTS,
    SESSIONS,
    SLA_METRICS,
    SYSLOG_EVENTS,
)

TYPED: dict[str, TableSpec] = {
    t.name: t for t in (SESSIONS, SLA_METRICS, CLIENT_EVENTS, SECURITY_EVENTS, DEVICE_EVENTS)
}
_ENDINGS = (b"\n", b"\r", b"\x00")
_PAD = bytes(columnar.PADDING)
#: largest batch (bytes) cut from one buffer (offsets are 32-bit)
_MAX_BUFFER = 2**31 - 1024
_FORMATS = ("rfc5424", "junos-structured", "rfc3164", "unparsed")
_FORMAT_CODE = {name: code for code, name in enumerate(_FORMATS)}
_FORMAT_NAMES = pa.array(_FORMATS, pa.string())
#: families whose typed rows the batch path builds column-wise (with ``WANTS``/``columnar``)
_COLUMNAR: dict[str, ModuleType] = {"rt_flow": sessions, "apptrack": sessions, "appqoe": appqoe}
#: per family the BSD batch path takes: (table, parameters read, column-wise builder)
_BSD_TYPED: dict[str, tuple[str, tuple[str, ...], Callable[..., dict[str, pa.Array]]]] = {
    "rt_flow": (SESSIONS.name, sessions.WANTS, sessions.columnar),
    "security": (SECURITY_EVENTS.name, security.IDP_WANTS, security.idp_columnar),
    "device": (DEVICE_EVENTS.name, device.LINK_WANTS, device.link_columnar),
}
_ORIGIN = ("event_time", "received_at", "exporter", "device", "site")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_MAP = SYSLOG_EVENTS.column("fields").type
_HEADER_COLUMNS = ("hostname", "app_name", "proc_id", "msg_id", "message")
#: schemas built once (``TableSpec.schema`` builds a new one on every access)
_EVENTS_SCHEMA = SYSLOG_EVENTS.schema
_SCHEMAS = {name: spec.schema for name, spec in TYPED.items()}
_OWN = {name: [c for c in spec.columns if c.name not in _ORIGIN] for name, spec in TYPED.items()}


@dataclass
class _Rows:
    """Per-line results in Python lists (the per-line path), one entry per line."""

    line: list[int] = field(default_factory=list)
    event_us: list[int] = field(default_factory=list)
    format: list[str] = field(default_factory=list)
    facility: list[int | None] = field(default_factory=list)
    severity: list[int | None] = field(default_factory=list)
    hostname: list[str | None] = field(default_factory=list)
    app_name: list[str | None] = field(default_factory=list)
    proc_id: list[str | None] = field(default_factory=list)
    msg_id: list[str | None] = field(default_factory=list)
    fields: list[Params] = field(default_factory=list)
    message: list[str | None] = field(default_factory=list)
    #: (line, tag, fields) of lines whose typed row is built column-wise (``_deferred_parts``)
    deferred: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)


@dataclass
class _Part:
    """Typed rows for some lines of the batch: ``line`` (batch indices) and columns."""

    line: np.ndarray
    columns: dict[str, pa.Array]


class SyslogParser:
    """Parses batches of syslog lines (RFC 5424, RFC 3164/BSD, Junos, Wi-Fi client lines).

    ``default_tz`` and ``device_tz`` (hostname or sender IP → IANA zone) place timestamps that
    carry no zone; lines longer than ``max_line_bytes`` are cut there and flagged. ``fast``
    turns the batch path off (tests use it to check both paths agree). A batch larger than
    ``chunk_lines`` lines is parsed in pieces of that size.
    """

    def __init__(
        self,
        *,
        default_tz: str = "UTC",
        device_tz: Mapping[str, str] | None = None,
        max_line_bytes: int = 65536,
        fast: bool = True,
        chunk_lines: int = 8192,
    ) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self.clock = Clock(default_tz, device_tz or {})
        self.max_line_bytes = max_line_bytes
        self.fast = fast
        self.chunk_lines = max(1, chunk_lines)
        self.templates = TemplateCache()
        #: Counters (tests and metrics read them): lines seen, lines the batch path took,
        #: and how often a defensive catch-all fired (a parser bug; should stay 0).
        self.lines = 0
        self.batch_lines = 0
        self.bsd_batch_lines = 0
        self.chunk_failures = 0
        self.internal_errors = 0

    # ----------------------------------------------------------------------- batch

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch:
        """All tables for ``lines``; ``syslog_events`` has one row per line, in order."""
        count = len(lines)
        if count > self.chunk_lines:
            step = self.chunk_lines
            return _concat(
                [self.parse_batch(lines[at : at + step]) for at in range(0, count, step)]
            )
        raws, received_us, senders, transports = columns_of(lines)
        if isinstance(lines, ChunkBatch) and lines.padding() >= len(_PAD):
            offsets = np.asarray(lines.offsets, np.int64)
            blob = lines.blob  # already one buffer, padded
        else:
            offsets = np.zeros(count + 1, np.int64)
            np.cumsum(np.fromiter(map(len, raws), np.int64, count), out=offsets[1:])
            blob = b""
        size = int(offsets[-1])
        if size > _MAX_BUFFER and count > 1:
            half = count // 2
            return _concat([self.parse_batch(lines[:half]), self.parse_batch(lines[half:])])
        blob = blob or b"".join([*raws, _PAD])
        data = np.frombuffer(blob, np.uint8)
        fast: FastRows | None = None
        fast_lines = np.zeros(0, np.int64)
        bsd: BsdRows | None = None
        bsd_lines = np.zeros(0, np.int64)
        if self.fast and size <= _MAX_BUFFER:
            candidates = self._candidates(raws, blob, data, offsets)
            if len(candidates):
                try:
                    zone_senders = (
                        [senders[i] for i in candidates] if self.clock.device_tz else None
                    )
                    fast = columnar.cut(
                        data,
                        offsets[candidates],
                        offsets[candidates + 1],
                        self.clock,
                        self.templates,
                        zone_senders,
                    )
                except Exception:  # defensive: the per-line path takes these lines
                    self.chunk_failures += 1
                    fast = None
            if fast is not None:
                fast_lines = candidates[fast.line]
            left = np.setdiff1d(candidates, fast_lines, assume_unique=True)
            if len(left):
                bsd = self._bsd(left, blob, offsets, received_us, senders)
            if bsd is not None:
                bsd_lines = left[bsd.line]
        done = np.zeros(count, bool)
        done[fast_lines] = True
        done[bsd_lines] = True
        rows = _Rows()
        typed: list[tuple[int, Typed]] = []
        rejects: list[Reject] = []
        changed: dict[int, bytes] = {}
        for i in np.flatnonzero(~done).tolist():
            text = self._parse_line(i, lines[i], rows, typed, rejects)
            if text != raws[i]:
                changed[i] = text
        self.lines += count
        self.batch_lines += len(fast_lines)
        self.bsd_batch_lines += len(bsd_lines)
        events = _events(count, fast, fast_lines, bsd, bsd_lines, rows)
        received, exporters, transport = _origin(lines, received_us, senders, transports)
        events.update(
            received_at=received,
            exporter=exporters,
            device=pa.nulls(count, pa.string()),
            site=pa.nulls(count, pa.string()),
            transport=transport,
            raw=_raw_column(raws, changed, blob, offsets),
        )
        schema = _EVENTS_SCHEMA
        tables = {SYSLOG_EVENTS.name: pa.table([events[f.name] for f in schema], schema=schema)}
        parts = _deferred_parts(rows.deferred)
        if bsd is not None:
            for name, more in _bsd_parts(bsd, bsd_lines, events["fields"]).items():
                parts.setdefault(name, []).extend(more)
        if fast is not None:
            fields = events["fields"]
            entry_first = np.frombuffer(fields.offsets.buffers()[1], np.int32)[fields.offset :]
            fast.use_values(fields.items, entry_first[fast_lines].astype(np.int64))
            for name, more in _fast_typed(fast, fast_lines, typed).items():
                parts.setdefault(name, []).extend(more)
        event_us = events["event_time"].cast(pa.int64()).to_numpy(zero_copy_only=False)
        tables.update(_typed_tables(parts, typed, event_us, received, exporters))
        return ParsedBatch(tables=tables, rejects=rejects)

    def _bsd(
        self,
        which: np.ndarray,
        blob: bytes,
        offsets: np.ndarray,
        received_us: Sequence[int],
        senders: Sequence[str],
    ) -> BsdRows | None:
        """The BSD batch path over lines ``which`` (batch candidates); None if it takes none."""
        at = which.tolist()
        lo, hi = offsets[which].tolist(), offsets[which + 1].tolist()
        texts = [blob[a:b].decode("ascii") for a, b in zip(lo, hi, strict=True)]
        try:
            return bsd_batch.cut(
                texts, [received_us[i] for i in at], [senders[i] for i in at], self.clock
            )
        except Exception:  # defensive: the per-line path takes these lines
            self.chunk_failures += 1
            return None

    def _candidates(
        self, raws: Sequence[Raw], blob: bytes, data: np.ndarray, offsets: np.ndarray
    ) -> np.ndarray:
        return candidates(raws, blob, data, offsets, self.max_line_bytes)

    # ----------------------------------------------------------------------- per line

    def _parse_line(
        self, i: int, line: Line, rows: _Rows, typed: list[tuple[int, Typed]], rejects: list[Reject]
    ) -> bytes:
        """Parse one line into ``rows`` (and ``typed``/``rejects``); returns its raw text."""
        raw = line.raw
        notes: Params = []
        if len(raw) > self.max_line_bytes:
            notes += [("_truncated", "true"), ("_original_length", str(len(raw)))]
            raw = raw[: self.max_line_bytes]
        text = raw.decode("utf-8", "backslashreplace")
        try:
            header = parse_header(text.rstrip("\r\n\x00"))
            self._fill(i, line, header, notes, rows, typed)
        except SyslogError as exc:
            self._unparsed(i, line, exc, notes, rows, rejects)
        except Exception as exc:  # defensive: a parser bug must not lose the line
            self.internal_errors += 1
            error = SyslogError(f"internal parser error: {type(exc).__name__}: {exc}")
            self._unparsed(i, line, error, notes, rows, rejects)
        return text.encode("utf-8")

    def _fill(
        self,
        i: int,
        line: Line,
        header: Header,
        notes: Params,
        rows: _Rows,
        typed: list[tuple[int, Typed]],
    ) -> None:
        zone = self.clock.zone_name(header.hostname, line.sender)
        event_us: int | None = None
        if header.ts is not None:
            if header.format == "rfc5424":
                event_us = self.clock.iso_us(header.ts, zone)
            else:
                event_us = self.clock.bsd_us(header.ts, zone, line.received_us)
            if event_us is None:
                notes.append(("_bad_timestamp", header.ts))
        if header.relay_host is not None:
            notes.append(("_relay_host", header.relay_host))
        fmt = header.format
        rest = header.rest
        params: Params = []
        message: str | None
        if fmt == "rfc5424":
            if rest.startswith("["):
                elements, end, error = parse_sd(rest)
                params = sd_fields(elements)
                if error:
                    notes.append(("_sd_error", error))
                if any(is_junos_sd(sd_id) for sd_id, _ in elements):
                    fmt = "junos-structured"
                message = rest[end:]
            elif rest == "-" or rest.startswith("- "):
                message = rest[2:]
            else:
                message = rest
            if message.startswith(" "):
                message = message[1:]
            if message.startswith("\ufeff"):
                message = message[1:]
        elif rest.startswith("[") and header.msg_id is not None:
            elements, end, error = parse_sd(rest)
            params = sd_fields(elements)
            if error:
                notes.append(("_sd_error", error))
            message = rest[end:].lstrip(" ")
        else:
            message = rest
        if not params:
            found = messages.text_fields(header.msg_id, header.app_name, message or "")
            if found and found[0][0] == messages.EVENT_NOTE:
                notes.append(found[0])
                found = found[1:]
            params = found
        fields = params + notes
        rows.line.append(i)
        rows.event_us.append(line.received_us if event_us is None else event_us)
        rows.format.append(fmt)
        rows.facility.append(header.facility)
        rows.severity.append(header.severity)
        rows.hostname.append(header.hostname)
        rows.app_name.append(header.app_name)
        rows.proc_id.append(header.proc_id)
        rows.msg_id.append(header.msg_id)
        rows.fields.append(fields)
        rows.message.append(message or None)
        by_name = dict(fields)
        tag = header.msg_id if header.msg_id is not None else by_name.get(messages.EVENT_NOTE)
        family = messages.family(tag) if tag is not None else None
        if family in _COLUMNAR:  # built column-wise with the other lines of its family
            rows.deferred.append((i, tag or "", by_name))
            return
        row = messages.derive(header.msg_id, by_name, header.hostname)
        if row is not None:
            typed.append((i, row))

    def _unparsed(
        self,
        i: int,
        line: Line,
        error: SyslogError,
        notes: Params,
        rows: _Rows,
        rejects: list[Reject],
    ) -> None:
        error.exporter = line.sender
        rows.line.append(i)
        rows.event_us.append(line.received_us)
        rows.format.append("unparsed")
        for column in (rows.facility, rows.severity, rows.hostname, rows.app_name):
            column.append(None)
        for column in (rows.proc_id, rows.msg_id, rows.message):
            column.append(None)
        rows.fields.append([*notes, ("_error", error.reason)])
        rejects.append(Reject(line.received_us, line.sender, "syslog", error, line.raw))


def batch_candidate(raw: bytes, limit: int) -> bool:
    """Whether the batch path may try a line: ASCII, ``<`` first, no backslash or line end."""
    return (
        raw[:1] == b"<"
        and len(raw) <= limit
        and raw.isascii()
        and raw[-1:] not in _ENDINGS
        and b"\\" not in raw
    )


def candidates(
    raws: Sequence[Raw], blob: bytes, data: np.ndarray, offsets: np.ndarray, limit: int
) -> np.ndarray:
    """Lines the batch path may try: ``batch_candidate`` for a whole batch at once (``blob``
    holds the lines joined, ``data`` views it, line ``i`` is ``offsets[i]:offsets[i + 1]``)."""
    size = int(offsets[-1])
    start, end = offsets[:-1], offsets[1:]
    length = end - start
    last = data[np.maximum(end - 1, 0)]
    ok = (length > 0) & (length <= limit) & (data[start] == 60)  # "<"
    ok &= (last != 10) & (last != 13) & (last != 0)
    if not blob.isascii():  # (the padding after the lines is ASCII)
        at = np.flatnonzero(data[:size] >= 128)
        ok[np.searchsorted(offsets, at, side="right") - 1] = False
    if blob.find(b"\\", 0, size) >= 0:
        at = np.flatnonzero(data[:size] == 92)  # backslash
        ok[np.searchsorted(offsets, at, side="right") - 1] = False
    return np.flatnonzero(ok)


def candidate_lines(raws: Sequence[Raw], limit: int) -> list[int]:
    """``candidates`` of some lines (their buffer built here)."""
    offsets = np.zeros(len(raws) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, raws), np.int64, len(raws)), out=offsets[1:])
    blob = b"".join([*raws, _PAD])
    data = np.frombuffer(blob, np.uint8)
    return [int(i) for i in candidates(raws, blob, data, offsets, limit)]


def _origin(
    lines: Sequence[Line], received_us: list[int], senders: list[str], transports: list[str]
) -> tuple[pa.Array, pa.StringArray, pa.StringArray]:
    """(received_at, exporter, transport) columns; for a ``LineBatch`` one value per run,
    repeated, instead of one Python object per line."""
    if not isinstance(lines, LineBatch) or len(lines.runs) * 8 > len(lines):
        return (
            pa.array(received_us, pa.int64()).cast(TIMESTAMP),
            pa.array(senders, pa.string()),
            pa.array(transports, pa.string()),
        )
    runs = lines.runs
    at = pa.array(np.repeat(np.arange(len(runs)), [run[0] for run in runs]))
    return (
        pa.array([run[2] for run in runs], pa.int64()).take(at).cast(TIMESTAMP),
        pa.array([run[1] for run in runs], pa.string()).take(at),
        pa.array([run[3] for run in runs], pa.string()).take(at),
    )


def _concat(results: list[ParsedBatch]) -> ParsedBatch:
    """One result for consecutive sub-batches (tables concatenated in order)."""
    tables: dict[str, list[pa.Table]] = {}
    rejects: list[Reject] = []
    for result in results:
        for name, table in result.tables.items():
            tables.setdefault(name, []).append(table)
        rejects.extend(result.rejects)
    return ParsedBatch(
        tables={name: pa.concat_tables(parts) for name, parts in tables.items()}, rejects=rejects
    )


def _events(
    count: int,
    fast: FastRows | None,
    fast_lines: np.ndarray,
    bsd: BsdRows | None,
    bsd_lines: np.ndarray,
    rows: _Rows,
) -> dict[str, pa.Array]:
    """The parsed ``syslog_events`` columns of all paths, in input order."""
    slow_lines = np.asarray(rows.line, np.int64)
    n_fast, n_bsd = len(fast_lines), len(bsd_lines)
    event_us = np.zeros(count, np.int64)
    facility = np.zeros(count, np.uint8)
    severity = np.zeros(count, np.uint8)
    fmt = np.zeros(count, np.int8)
    missing = np.zeros(count, bool)
    if fast is not None:
        event_us[fast_lines] = fast.event_us
        facility[fast_lines] = fast.facility
        severity[fast_lines] = fast.severity
        junos = np.array([t.sd_id.startswith("junos@") for t in fast.templates], np.int8)
        fmt[fast_lines] = junos[fast.template]
    if bsd is not None:
        event_us[bsd_lines] = bsd.event_us
        facility[bsd_lines] = bsd.facility
        severity[bsd_lines] = bsd.severity
        fmt[bsd_lines] = _FORMAT_CODE["rfc3164"]
    if len(slow_lines):
        event_us[slow_lines] = rows.event_us
        fmt[slow_lines] = [_FORMAT_CODE[f] for f in rows.format]
        unknown = [x is None for x in rows.facility]
        if any(unknown):
            missing[slow_lines] = unknown
        facility[slow_lines] = [x or 0 for x in rows.facility]
        severity[slow_lines] = [x or 0 for x in rows.severity]
    # position of each line among [batch-path rows..., BSD batch rows..., per-line rows...]
    order = np.empty(count, np.int64)
    order[fast_lines] = np.arange(n_fast)
    order[bsd_lines] = np.arange(n_fast, n_fast + n_bsd)
    order[slow_lines] = np.arange(n_fast + n_bsd, count)
    blocks = [b for b in (fast, bsd) if b is not None and len(b)]
    taken = None if len(blocks) + bool(len(slow_lines)) < 2 else pa.array(order)
    out: dict[str, pa.Array] = {
        "event_time": pa.array(event_us, pa.int64()).cast(TIMESTAMP),
        "format": _FORMAT_NAMES.take(pa.array(fmt)),
        "facility": pa.array(facility, pa.uint8(), mask=missing if missing.any() else None),
        "severity": pa.array(severity, pa.uint8(), mask=missing if missing.any() else None),
        "fields": _fields(count, fast, fast_lines, bsd, bsd_lines, rows),
    }
    for name in _HEADER_COLUMNS:
        arrays = [getattr(b, name) for b in blocks]
        if len(slow_lines) or not arrays:
            arrays.append(pa.array(getattr(rows, name), pa.string()))
        if taken is None:
            out[name] = arrays[0]
        else:
            out[name] = pa.concat_arrays(arrays).take(taken)
    return out


def _fields(
    count: int,
    fast: FastRows | None,
    fast_lines: np.ndarray,
    bsd: BsdRows | None,
    bsd_lines: np.ndarray,
    rows: _Rows,
) -> pa.MapArray:
    """The ``fields`` map of every line, in input order: keys copied one key block per line
    (a template's or a BSD layout's keys, or a per-line row's own), values by one take
    (batch-path rows from their buffer pieces, the others from their value arrays)."""
    has_fast = fast is not None and len(fast_lines) > 0
    if not has_fast and bsd is None:
        return pa.array(rows.fields, _MAP)
    counts = np.zeros(count, np.int64)
    value_at = np.zeros(count, np.int64)
    step = np.ones(count, np.int64)
    run_of_row = np.zeros(count, np.int64)
    key_parts: list[pa.Array] = []
    value_parts: list[pa.Array] = []
    run_starts: list[np.ndarray] = []
    keys_so_far = runs_so_far = values_so_far = 0
    if fast is not None and has_fast:
        key_first, template_keys = columnar.template_keys(fast.templates)
        sizes = np.array([len(t.keys) for t in fast.templates], np.int64)
        counts[fast_lines] = sizes[fast.template]
        run_of_row[fast_lines] = fast.template
        value_at[fast_lines] = fast.base + columnar.FIRST_VALUE - 2
        step[fast_lines] = 2  # every other piece is a value (the SD-ID is set below)
        key_parts.append(template_keys)
        run_starts.append(key_first)
        keys_so_far, runs_so_far = len(template_keys), len(key_first)
        values_so_far = len(fast.pieces) + 1  # (one empty piece follows the pieces)
    if bsd is not None:
        counts[bsd_lines] = bsd.counts
        run_of_row[bsd_lines] = runs_so_far + bsd.layout
        value_at[bsd_lines] = values_so_far + bsd.value_first
        key_parts.append(bsd.keys)
        value_parts.append(bsd.values)
        run_starts.append(keys_so_far + bsd.run_lo)
        keys_so_far += len(bsd.keys)
        runs_so_far += len(bsd.run_lo)
        values_so_far += len(bsd.values)
    if rows.line:
        slow_lines = np.asarray(rows.line, np.int64)
        sizes_slow = np.fromiter(map(len, rows.fields), np.int64, len(rows.fields))
        first_slow = np.zeros(len(sizes_slow), np.int64)
        np.cumsum(sizes_slow[:-1], out=first_slow[1:])
        counts[slow_lines] = sizes_slow
        run_of_row[slow_lines] = runs_so_far + np.arange(len(slow_lines))
        value_at[slow_lines] = values_so_far + first_slow
        run_starts.append(keys_so_far + first_slow)
        pairs = list(chain.from_iterable(rows.fields))
        key_parts.append(pa.array(list(map(_FIRST, pairs)), pa.string()))
        value_parts.append(pa.array(list(map(_SECOND, pairs)), pa.string()))
    keys_source = pa.concat_arrays(key_parts)
    run_lo = np.concatenate(run_starts)
    run_hi = np.append(run_lo[1:], len(keys_source))
    first = np.zeros(count + 1, np.int64)
    np.cumsum(counts, out=first[1:])
    if first[-1]:
        keys = columnar.gather_runs(keys_source, run_lo, run_hi, run_of_row)[0]
    else:
        keys = pa.array([], pa.string())
    within = np.arange(first[-1], dtype=np.int64) - np.repeat(first[:-1], counts)
    value_index = np.repeat(value_at, counts) + np.repeat(step, counts) * within
    if fast is not None and has_fast:
        # the per-line and BSD values follow the pieces and one empty piece (one array: a
        # take from it is about twice as fast as from a chunked array, copy included)
        value_parts = [fast.pieces, pa.array([""], pa.string()), *value_parts]
        value_index[first[fast_lines]] = fast.base
    if fast is not None and has_fast and len(value_parts) == 2:  # batch-path rows only
        values = fast.pieces.take(pa.array(value_index))
    else:
        values = pa.concat_arrays(value_parts).take(pa.array(value_index))
    return pa.MapArray.from_arrays(pa.array(first.astype(np.int32)), keys, values)


def _bsd_parts(bsd: BsdRows, bsd_lines: np.ndarray, fields: pa.MapArray) -> dict[str, list[_Part]]:
    """Typed rows of the BSD batch path's lines, column-wise per family (the twin of
    ``_deferred_parts`` and ``messages.derive`` for the forms it takes); a table that keeps
    ``fields`` takes its rows' maps from ``fields``, the batch's ``syslog_events`` column."""
    by_builder: dict[tuple[str, tuple[str, ...], Callable[..., dict[str, pa.Array]]], list[str]]
    by_builder = {}
    for tag in bsd.strings:
        by_builder.setdefault(_BSD_TYPED[messages.family(tag) or ""], []).append(tag)
    whole = len(bsd.strings) == 1  # one tag: every row, in order
    parts: dict[str, list[_Part]] = {}
    for (table, wants, build), tags in by_builder.items():
        which, strings = bsd_batch.tag_strings(bsd, tags, wants)
        lines = bsd_lines[which]
        columns = build(bsd.msg_id if whole else bsd.msg_id.take(pa.array(which)), strings)
        if TYPED[table].has_column("fields"):
            columns["fields"] = fields.take(pa.array(lines))
        for column in _OWN[table]:
            if column.name not in columns:
                columns[column.name] = pa.nulls(len(which), column.type)
        parts.setdefault(table, []).append(_Part(lines, columns))
    return parts


def _raw_column(
    raws: Sequence[Raw], changed: dict[int, bytes], blob: bytes, offsets: np.ndarray
) -> pa.StringArray:
    """The ``raw`` column: the lines as received, but the per-line path's text where it differs
    (invalid UTF-8 escaped, cut at ``max_line_bytes``); the batch buffer when nothing differs."""
    if not changed and int(offsets[-1]) < 2**31:
        return pa.StringArray.from_buffers(
            len(raws), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(blob)
        )
    texts = [bytes(raw) for raw in raws]
    for i, text in changed.items():
        texts[i] = text
    return pa.array(texts, pa.string())


def _fast_typed(
    fast: FastRows, fast_lines: np.ndarray, typed: list[tuple[int, Typed]]
) -> dict[str, list[_Part]]:
    """Typed rows of batch-path lines: column-wise where the family can (returned), else line
    by line (appended to ``typed``)."""
    encoded = fast.msg_id.dictionary_encode()
    tags: list[str | None] = encoded.dictionary.to_pylist()
    codes = encoded.indices.fill_null(len(tags)).to_numpy(zero_copy_only=False)
    families = [messages.family(t) if t is not None else None for t in tags] + [None]
    columnar_of = [_COLUMNAR.get(f) if f is not None else None for f in families]
    parts: dict[str, list[_Part]] = {}
    for module in (sessions, appqoe):
        which = np.flatnonzero(np.array([m is module for m in columnar_of])[codes])
        if not len(which):
            continue
        strings = columnar.value_strings(fast, which, module.WANTS)
        columns = module.columnar(fast.msg_id.take(pa.array(which)), strings)
        table = TYPED[module.TABLE]
        if table.has_column("fields"):
            columns["fields"] = columnar.fields_map(fast, which, with_sd_id=False)
        for column in _OWN[module.TABLE]:
            if column.name not in columns:
                columns[column.name] = pa.nulls(len(which), column.type)
        parts.setdefault(module.TABLE, []).append(_Part(fast_lines[which], columns))
    per_line = [f is not None and f not in _COLUMNAR for f in families]
    which = np.flatnonzero(np.array(per_line)[codes])
    if len(which):
        maps = columnar.fields_map(fast, which).to_pylist()
        names = fast.hostname.take(pa.array(which)).to_pylist()
        for r, pairs, host in zip(which.tolist(), maps, names, strict=True):
            row = messages.derive(tags[codes[r]], dict(pairs), host)
            if row is not None:
                typed.append((int(fast_lines[r]), row))
    return parts


def _deferred_parts(deferred: list[tuple[int, str, dict[str, str]]]) -> dict[str, list[_Part]]:
    """Typed rows of per-line lines whose family builds rows column-wise (the twin of
    ``messages.derive`` for them: same columns, no row for an AppQoE line without parameters)."""
    by_module: dict[ModuleType, list[tuple[int, str, dict[str, str]]]] = {}
    for entry in deferred:
        module = _COLUMNAR[messages.family(entry[1]) or ""]
        if module is appqoe and not reported(entry[2]):
            continue
        by_module.setdefault(module, []).append(entry)
    parts: dict[str, list[_Part]] = {}
    for module, entries in by_module.items():
        found = [f for _, _, f in entries]
        strings = {p: pa.array([f.get(p) for f in found], pa.string()) for p in module.WANTS}
        columns = module.columnar([tag for _, tag, _ in entries], strings)
        if TYPED[module.TABLE].has_column("fields"):
            columns["fields"] = pa.array([reported(f) for f in found], _MAP)
        for column in _OWN[module.TABLE]:
            if column.name not in columns:
                columns[column.name] = pa.nulls(len(entries), column.type)
        lines = np.array([i for i, _, _ in entries], np.int64)
        parts.setdefault(module.TABLE, []).append(_Part(lines, columns))
    return parts


def _rows_part(spec: TableSpec, rows: list[tuple[int, Typed]]) -> _Part:
    values = [row.values for _, row in rows]
    columns = {c.name: pa.array([v.get(c.name) for v in values], c.type) for c in _OWN[spec.name]}
    return _Part(np.array([i for i, _ in rows], np.int64), columns)


def _typed_tables(
    parts: dict[str, list[_Part]],
    typed: list[tuple[int, Typed]],
    event_us: np.ndarray,
    received: pa.Array,
    senders: pa.Array,
) -> dict[str, pa.Table]:
    """Typed tables: the batch path's rows, then the per-line rows.

    Rows are grouped by path, not in input order (only ``syslog_events`` must be).
    """
    by_table: dict[str, list[tuple[int, Typed]]] = {}
    for i, row in typed:
        by_table.setdefault(row.table, []).append((i, row))
    out: dict[str, pa.Table] = {}
    for name, spec in TYPED.items():
        table_parts = list(parts.get(name, []))
        if name in by_table:
            table_parts.append(_rows_part(spec, by_table[name]))
        if not table_parts:
            continue
        schema = _SCHEMAS[name]
        # one record batch per part: the table is chunked, nothing is concatenated
        batches = []
        for part in table_parts:
            lines = part.line
            taken = pa.array(lines)
            columns = dict(part.columns)
            columns.update(
                event_time=pa.array(event_us[lines], pa.int64()).cast(TIMESTAMP),
                received_at=received.take(taken),
                exporter=senders.take(taken),
                device=pa.nulls(len(lines), pa.string()),
                site=pa.nulls(len(lines), pa.string()),
            )
            batches.append(
                pa.RecordBatch.from_arrays([columns[f.name] for f in schema], schema=schema)
            )
        out[name] = pa.Table.from_batches(batches, schema=schema)
    return out
