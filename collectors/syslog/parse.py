"""``SyslogParser``: a batch of ``Line`` objects → ``syslog_events``, typed tables and rejects.

Owns the batch: every line gets exactly one ``syslog_events`` row, in input order; typed rows
go to ``sessions``, ``sla_metrics``, ``client_events``, ``security_events`` and
``device_events``; a line without a recognisable header also becomes a ``Reject`` with its
bytes. Sans-IO: no sockets, clocks or globals; ``device``/``site`` stay null. Must not know
message formats (``header``, ``sd``, ``junos`` and ``messages`` do) and never raises.

Two paths give the same rows (tests compare them): RFC 5424 lines with one well-formed SD
element (the dominant Junos structured-data form) are cut up for a whole chunk at once with
NumPy and Arrow (``header.scan_rfc5424``, ``sd.split_spans``, ``spec.gather``; sessions and
AppQoE rows column-wise); every other line goes through the per-line parser. A line the batch
path cannot take is simply handed on. Typed tables hold the batch path's rows first, then the
per-line rows (not input order; only ``syslog_events`` is in input order).

Notes the parser adds to ``fields`` (names with one leading ``_``): ``_sd_id`` (SD-IDs as
sent), ``_truncated``/``_original_length`` (line longer than ``max_line_bytes``, cut there),
``_relay_host`` (outer hostname of a relayed line), ``_bad_timestamp`` (unreadable header
time; event time is the receive time), ``_sd_error`` (malformed structured data, kept as far
as readable), ``_event`` (event of an untagged kmd/alarmd line), ``_error`` (unparsed line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from types import ModuleType

import numpy as np
import pyarrow as pa

from collectors.origin import Reject
from collectors.schema import TIMESTAMP, TableSpec
from collectors.syslog import messages
from collectors.syslog.header import Clock, Header, iso_batch_us, parse_header, scan_rfc5424
from collectors.syslog.junos import is_junos_sd
from collectors.syslog.messages import appqoe, sessions
from collectors.syslog.messages.spec import Typed, gather
from collectors.syslog.model import Line, ParsedBatch, SyslogError
from collectors.syslog.sd import (
    META,
    Params,
    SplitSD,
    params_only,
    parse_sd,
    sd_fields,
    split_spans,
    take_spans,
)
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
#: syslog_events columns the two paths fill (the rest comes from the lines themselves)
EVENT_COLUMNS = (
    "event_time",
    "format",
    "facility",
    "severity",
    "hostname",
    "app_name",
    "proc_id",
    "msg_id",
    "fields",
    "message",
)
_FIELDS_TYPE = SYSLOG_EVENTS.column("fields").type
_ENDINGS = (b"\n", b"\r", b"\x00")
_END_BYTES = frozenset(b"\n\r\x00")
_PAD = bytes(64)
#: largest batch (bytes) cut from one buffer (offsets are 32-bit)
_MAX_BUFFER = 2**31 - 1024
_FORMATS = pa.array(["rfc5424", "junos-structured"], pa.string())
_RAW, _RECEIVED = attrgetter("raw"), attrgetter("received_us")
_SENDER, _TRANSPORT = attrgetter("sender"), attrgetter("transport")
#: families whose typed rows the batch path builds column-wise (with ``WANTS``/``columnar``)
_COLUMNAR: dict[str, ModuleType] = {"rt_flow": sessions, "apptrack": sessions, "appqoe": appqoe}
_ORIGIN = ("event_time", "received_at", "exporter", "device", "site")
#: schemas built once (``TableSpec.schema`` builds a new one on every access)
_EVENTS_SCHEMA = SYSLOG_EVENTS.schema
_SCHEMAS = {name: spec.schema for name, spec in TYPED.items()}


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

    def part(self) -> _Part:
        return _Part(
            np.asarray(self.line, np.int64),
            {
                "event_time": pa.array(self.event_us, pa.int64()).cast(TIMESTAMP),
                "format": pa.array(self.format, pa.string()),
                "facility": pa.array(self.facility, pa.uint8()),
                "severity": pa.array(self.severity, pa.uint8()),
                "hostname": pa.array(self.hostname, pa.string()),
                "app_name": pa.array(self.app_name, pa.string()),
                "proc_id": pa.array(self.proc_id, pa.string()),
                "msg_id": pa.array(self.msg_id, pa.string()),
                "fields": pa.array(self.fields, _FIELDS_TYPE),
                "message": pa.array(self.message, pa.string()),
            },
        )


@dataclass
class _Part:
    """Rows for some lines of the batch: ``line`` (increasing batch indices) and columns."""

    line: np.ndarray
    columns: dict[str, pa.Array]


@dataclass
class _Buffer:
    """Lines joined in one buffer: line ``i`` is ``data[offsets[i]:offsets[i + 1]]``; ``META``
    follows the last line (at ``meta_at``), then zero padding (``scan_rfc5424`` reads ahead)."""

    data: np.ndarray
    offsets: np.ndarray
    meta_at: int

    @staticmethod
    def of(raws: list[bytes]) -> _Buffer:
        offsets = np.zeros(len(raws) + 1, np.int64)
        np.cumsum(np.fromiter(map(len, raws), np.int64, len(raws)), out=offsets[1:])
        data = np.frombuffer(b"".join([*raws, META, _PAD]), np.uint8)
        return _Buffer(data, offsets, int(offsets[-1]))


@dataclass
class _Chunk:
    """What the batch path made of some lines."""

    events: _Part
    event_us: np.ndarray
    typed: dict[str, _Part]
    rows: list[tuple[int, Typed]]


class SyslogParser:
    """Parses batches of syslog lines (RFC 5424, RFC 3164/BSD, Junos, Wi-Fi client lines).

    ``default_tz`` and ``device_tz`` (hostname or sender IP → IANA zone) place timestamps that
    carry no zone; lines longer than ``max_line_bytes`` are cut there and flagged. ``fast``
    turns the batch path off (tests use it to check both paths agree).
    """

    def __init__(
        self,
        *,
        default_tz: str = "UTC",
        device_tz: Mapping[str, str] | None = None,
        max_line_bytes: int = 65536,
        fast: bool = True,
        chunk_lines: int = 2048,
    ) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self.clock = Clock(default_tz, device_tz or {})
        self.max_line_bytes = max_line_bytes
        self.fast = fast
        self.chunk_lines = max(1, chunk_lines)
        #: Counters (tests and metrics read them): lines seen, lines the batch path took,
        #: and how often a defensive catch-all fired (a parser bug; should stay 0).
        self.lines = 0
        self.batch_lines = 0
        self.chunk_failures = 0
        self.internal_errors = 0

    # ----------------------------------------------------------------------- batch

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch:
        """All tables for ``lines``; ``syslog_events`` has one row per line, in order."""
        count = len(lines)
        raws = list(map(_RAW, lines))
        offsets = np.zeros(count + 1, np.int64)
        np.cumsum(np.fromiter(map(len, raws), np.int64, count), out=offsets[1:])
        size = int(offsets[-1])
        # the whole batch in one buffer (the raw column and the batch path cut it up)
        blob = b"".join([*raws, META, _PAD]) if size <= _MAX_BUFFER else None
        changed: dict[int, bytes] = {}
        event_us = np.zeros(count, np.int64)
        done = np.zeros(count, bool)
        chunks: list[_Chunk] = []
        typed: list[tuple[int, Typed]] = []
        if self.fast:
            limit = self.max_line_bytes
            candidates = [  # batch_candidate, inlined (it runs for every line)
                i
                for i, raw in enumerate(raws)
                if raw
                and raw[0] == 60  # "<"
                and len(raw) <= limit
                and raw[-1] not in _END_BYTES
                and raw.isascii()
                and b"\\" not in raw
            ]
            # too big for 32-bit offsets: _fast_chunk makes a buffer per chunk
            batch = None if blob is None else _Buffer(np.frombuffer(blob, np.uint8), offsets, size)
            for at in range(0, len(candidates), self.chunk_lines):
                try:
                    part = candidates[at : at + self.chunk_lines]
                    chunk = self._fast_chunk(lines, raws, part, batch)
                except Exception:  # defensive: the per-line path takes these lines
                    self.chunk_failures += 1
                    continue
                if chunk is not None:
                    chunks.append(chunk)
                    done[chunk.events.line] = True
                    event_us[chunk.events.line] = chunk.event_us
                    typed.extend(chunk.rows)
        rows = _Rows()
        rejects: list[Reject] = []
        for i in np.flatnonzero(~done).tolist():
            text = self._parse_line(i, lines[i], rows, typed, rejects)
            if text != raws[i]:
                changed[i] = text
        if rows.line:
            event_us[rows.line] = rows.event_us
        self.lines += count
        self.batch_lines += count - len(rows.line)
        received = pa.array(list(map(_RECEIVED, lines)), pa.int64()).cast(TIMESTAMP)
        senders = pa.array(list(map(_SENDER, lines)), pa.string())
        parts = [chunk.events for chunk in chunks] + ([rows.part()] if rows.line else [])
        schema = _EVENTS_SCHEMA
        events = _merge(parts, EVENT_COLUMNS, schema)
        events.update(
            received_at=received,
            exporter=senders,
            device=pa.nulls(count, pa.string()),
            site=pa.nulls(count, pa.string()),
            transport=pa.array(list(map(_TRANSPORT, lines)), pa.string()),
            raw=_raw_column(raws, changed, blob, offsets),
        )
        tables = {SYSLOG_EVENTS.name: pa.table([events[f.name] for f in schema], schema=schema)}
        tables.update(_typed_tables(chunks, typed, event_us, received, senders))
        return ParsedBatch(tables=tables, rejects=rejects)

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
        row = messages.derive(header.msg_id, dict(fields), header.hostname)
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

    # ----------------------------------------------------------------------- batch path

    def _fast_chunk(
        self,
        lines: Sequence[Line],
        raws: list[bytes],
        part: list[int],
        batch: _Buffer | None = None,
    ) -> _Chunk | None:
        """Batch-path rows of lines ``part`` (increasing batch indices), cut from ``batch``
        (all of ``raws`` in one buffer) or, without it, from a buffer of their own."""
        chunk_raws = [raws[i] for i in part]
        count = len(chunk_raws)
        if batch is None:
            batch = _Buffer.of(chunk_raws)
            index = np.arange(count, dtype=np.int64)
        else:
            index = np.asarray(part, np.int64)
        data, meta_at = batch.data, batch.meta_at
        start, end = batch.offsets[index], batch.offsets[index + 1]
        lo, hi = int(start[0]), int(end[-1])
        body = data[lo:hi]
        spaces = np.flatnonzero(body == 32)
        spaces += lo
        quotes = np.flatnonzero(body == 34)
        quotes += lo
        scan = scan_rfc5424(data, start, end, spaces)
        ok = scan.ok
        brief = (data[np.maximum(end - 2, 0)] == 34) & (data[np.maximum(end - 1, 0)] == 93)
        close = np.where(brief, end - 1, -1)
        msg_start = np.full(count, -1, np.int64)
        for k in np.flatnonzero(ok & ~brief).tolist():
            raw = chunk_raws[k]
            rel = raw.find(b'"]', int(scan.sd_start[k] - start[k]))
            after = rel + 2
            if rel < 0 or (after < len(raw) and raw[after] != 32):
                ok[k] = False
                continue
            close[k] = start[k] + rel + 1
            if after < len(raw):
                msg_start[k] = start[k] + after + 1
        sel = np.flatnonzero(ok)
        if not len(sel):
            return None
        bounds = scan.bounds[sel]
        ts = take_spans(data, bounds[:, 0], bounds[:, 1])
        hosts = self._tokens(data, bounds, 2)
        zones = None
        if self.clock.device_tz:
            senders = [lines[part[k]].sender for k in sel.tolist()]
            names = hosts.to_pylist()
            zones = [self.clock.zone_name(h, s) for h, s in zip(names, senders, strict=True)]
        event_us = iso_batch_us(self.clock, ts, zones)
        timed = np.flatnonzero(event_us >= 0)
        el_start, el_end = scan.sd_start[sel][timed] + 1, close[sel][timed]
        split = split_spans(data, quotes, spaces, el_start, el_end, meta_at)
        keep = timed[split.ok]
        if not len(keep):
            return None
        local = sel[keep]
        line_idx = np.asarray(part, np.int64)[local]
        bounds = bounds[keep]
        sd = scan.sd_start[local]
        junos = np.all(data[sd[:, None] + np.arange(1, 7)] == np.frombuffer(b"junos@", np.uint8), 1)
        message_ok = (msg_start[local] >= 0) & (end[local] > msg_start[local])
        columns = {
            "event_time": pa.array(event_us[keep], pa.int64()).cast(TIMESTAMP),
            "format": _FORMATS.take(pa.array(junos.astype(np.int8))),
            "facility": pa.array(scan.facility[local], pa.uint8()),
            "severity": pa.array(scan.severity[local], pa.uint8()),
            "hostname": hosts.take(pa.array(keep)),
            "app_name": self._tokens(data, bounds, 3),
            "proc_id": self._tokens(data, bounds, 4),
            "msg_id": self._tokens(data, bounds, 5),
            "fields": split.fields,
            "message": take_spans(data, np.maximum(msg_start[local], 0), end[local], message_ok),
        }
        typed, rows = _fast_typed(columns["msg_id"], columns["hostname"], split, line_idx)
        return _Chunk(_Part(line_idx, columns), event_us[keep], typed, rows)

    @staticmethod
    def _tokens(data: np.ndarray, bounds: np.ndarray, k: int) -> pa.StringArray:
        """Header field ``k`` (1 timestamp, 2 hostname … 5 MSGID); NILVALUE as null."""
        first = bounds[:, k - 1] + (1 if k > 1 else 0)
        last = bounds[:, k]
        nil = (last - first == 1) & (data[first] == 45)
        return take_spans(data, first, last, ~nil)


def batch_candidate(raw: bytes, limit: int) -> bool:
    """Whether the batch path may try a line: ASCII, ``<`` first, no backslash or line end."""
    return (
        raw[:1] == b"<"
        and len(raw) <= limit
        and raw.isascii()
        and raw[-1:] not in _ENDINGS
        and b"\\" not in raw
    )


def _raw_column(
    raws: list[bytes], changed: dict[int, bytes], blob: bytes | None, offsets: np.ndarray
) -> pa.StringArray:
    """The ``raw`` column: the lines as received, but the per-line path's text where it differs
    (invalid UTF-8 escaped, cut at ``max_line_bytes``); the batch buffer when nothing differs."""
    if blob is not None and not changed:
        return pa.StringArray.from_buffers(
            len(raws), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(blob)
        )
    texts = list(raws)
    for i, text in changed.items():
        texts[i] = text
    return _joined(texts)


def _joined(texts: list[bytes]) -> pa.StringArray:
    """One string array over the joined texts (no copy of the joined buffer)."""
    offsets = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)), out=offsets[1:])
    return pa.StringArray.from_buffers(
        len(texts), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(texts))
    )


def _fast_typed(
    msg_id: pa.StringArray, hosts: pa.StringArray, split: SplitSD, line_idx: np.ndarray
) -> tuple[dict[str, _Part], list[tuple[int, Typed]]]:
    """Typed rows of batch-path lines: column-wise where the family can, else line by line."""
    encoded = msg_id.dictionary_encode()
    tags: list[str | None] = encoded.dictionary.to_pylist()
    codes = encoded.indices.fill_null(len(tags)).to_numpy(zero_copy_only=False)
    families = [messages.family(t) if t is not None else None for t in tags] + [None]
    columnar = [_COLUMNAR.get(f) if f is not None else None for f in families]
    parts: dict[str, _Part] = {}
    for module in (sessions, appqoe):
        rows = np.flatnonzero(np.array([m is module for m in columnar])[codes])
        if not len(rows):
            continue
        strings = gather(
            module.WANTS,
            split.names,
            split.code,
            split.row,
            split.values,
            split.value_at,
            rows,
            len(codes),
        )
        row_tags = [tags[c] for c in codes[rows].tolist()]
        columns = module.columnar(row_tags, strings)
        table = TYPED[module.TABLE]
        if table.has_column("fields"):
            columns["fields"] = params_only(split.fields, rows)
        for column in table.columns:
            if column.name not in columns and column.name not in _ORIGIN:
                columns[column.name] = pa.nulls(len(rows), column.type)
        parts[module.TABLE] = _Part(line_idx[rows], columns)
    per_line = [f is not None and f not in _COLUMNAR for f in families]
    rows = np.flatnonzero(np.array(per_line)[codes])
    out: list[tuple[int, Typed]] = []
    if len(rows):
        taken = pa.array(rows)
        maps = split.fields.take(taken).to_pylist()
        names = hosts.take(taken).to_pylist()
        for r, pairs, host in zip(rows.tolist(), maps, names, strict=True):
            row = messages.derive(tags[codes[r]], dict(pairs), host)
            if row is not None:
                out.append((int(line_idx[r]), row))
    return parts, out


def _merge(parts: list[_Part], names: Sequence[str], schema: pa.Schema) -> dict[str, pa.Array]:
    """Columns of all parts, rows in order of their line numbers.

    Most columns are concatenated and permuted with one ``take``. The ``fields`` map is
    concatenated from slices of the parts instead (the batch path gives long runs, so this
    copies memory in large pieces; a ``take`` would copy every key and value one by one).
    """
    if not parts:
        return {name: pa.array([], schema.field(name).type) for name in names}
    if len(parts) == 1:
        return dict(parts[0].columns)
    lines = np.concatenate([part.line for part in parts])
    order = np.argsort(lines, kind="stable")
    in_order = bool(np.all(order[1:] > order[:-1]))
    out: dict[str, pa.Array] = {}
    runs: list[tuple[int, int, int]] | None = None
    taken = pa.array(order)
    for name in names:
        arrays = [part.columns[name] for part in parts]
        if in_order:
            out[name] = pa.concat_arrays(arrays)
        elif pa.types.is_map(arrays[0].type):
            runs = runs if runs is not None else _runs(parts, order)
            out[name] = pa.concat_arrays([arrays[k].slice(p, n) for k, p, n in runs])
        else:
            out[name] = pa.concat_arrays(arrays).take(taken)
    return out


def _runs(parts: list[_Part], order: np.ndarray) -> list[tuple[int, int, int]]:
    """(part, first row, row count) of each run of consecutive rows of one part, in order."""
    source = np.concatenate([np.full(len(p.line), k, np.int64) for k, p in enumerate(parts)])
    position = np.concatenate([np.arange(len(part.line)) for part in parts])
    source, position = source[order], position[order]
    cut = np.flatnonzero((source[1:] != source[:-1]) | (position[1:] != position[:-1] + 1)) + 1
    starts = np.concatenate([[0], cut])
    lengths = np.diff(np.concatenate([starts, [len(order)]]))
    return list(
        zip(source[starts].tolist(), position[starts].tolist(), lengths.tolist(), strict=True)
    )


def _rows_part(spec: TableSpec, rows: list[tuple[int, Typed]]) -> _Part:
    columns: dict[str, pa.Array] = {}
    for column in spec.columns:
        if column.name in _ORIGIN:
            continue
        values = [row.values.get(column.name) for _, row in rows]
        columns[column.name] = pa.array(values, column.type)
    return _Part(np.array([i for i, _ in rows], np.int64), columns)


def _typed_tables(
    chunks: list[_Chunk],
    typed: list[tuple[int, Typed]],
    event_us: np.ndarray,
    received: pa.Array,
    senders: pa.Array,
) -> dict[str, pa.Table]:
    """Typed tables: the batch path's rows chunk by chunk, then the per-line rows.

    Rows are grouped by path, not in input order (only ``syslog_events`` must be).
    """
    by_table: dict[str, list[tuple[int, Typed]]] = {}
    for i, row in typed:
        by_table.setdefault(row.table, []).append((i, row))
    out: dict[str, pa.Table] = {}
    for name, spec in TYPED.items():
        parts = [chunk.typed[name] for chunk in chunks if name in chunk.typed]
        if name in by_table:
            parts.append(_rows_part(spec, by_table[name]))
        if not parts:
            continue
        own = [c.name for c in spec.columns if c.name not in _ORIGIN]
        columns = {c: pa.concat_arrays([part.columns[c] for part in parts]) for c in own}
        lines = np.concatenate([part.line for part in parts])
        taken = pa.array(lines)
        columns.update(
            event_time=pa.array(event_us[lines], pa.int64()).cast(TIMESTAMP),
            received_at=received.take(taken),
            exporter=senders.take(taken),
            device=pa.nulls(len(lines), pa.string()),
            site=pa.nulls(len(lines), pa.string()),
        )
        schema = _SCHEMAS[name]
        out[name] = pa.table([columns[f.name] for f in schema], schema=schema)
    return out
