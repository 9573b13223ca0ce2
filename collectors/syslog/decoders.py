"""Decoder processes: parse and write syslog batches outside the receiving process.

Owns a pool of worker processes (``DecoderPool``) that each build their own parser and sink
(from picklable factories), take whole line batches over a pipe, parse them, write every table
to their sink, and answer with what they wrote (rows per table, rejects per exporter and
reason, parser failures) so that the receiving process keeps the metrics. At most
``in_flight`` batches wait per worker; ``submit`` blocks beyond that, so a slow decoder slows
the caller (and, through the ``LineQueue``, TCP readers) instead of growing memory. ``close``
sends every worker the end, waits until each has closed (flushed) its sink and joins it.
Must not open sockets, frame bytes or know message formats: it moves batches and counts.

A batch crosses the pipe as its columns (the messages as bytes and the runs of one sender,
receive time and transport), never as one object per line. Workers ignore SIGINT and SIGTERM:
the parent decides when to stop (a Ctrl-C reaches the whole process group), and a worker whose
parent vanished (end of pipe) flushes its sink and exits.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

import numpy as np

from collectors.errors import CollectorError
from collectors.origin import ExporterMap, Reject, attach_origin, rejects_table
from collectors.sink import Sink
from collectors.syslog.allocator import keep_freed_memory
from collectors.syslog.columnar import PADDING
from collectors.syslog.model import ChunkBatch, Line, LineBatch, ParsedBatch, SyslogError

log = logging.getLogger(__name__)

_PAD = bytes(PADDING)

#: a worker's answer to one batch: rows per table, rejects per (exporter, error), failures
Counts = tuple[dict[str, int], dict[tuple[str, str], int], int]


class BatchParser(Protocol):
    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch: ...


@dataclass
class Written:
    """What a batch became in the sink (or, summed, what a pool has written)."""

    rows: dict[str, int] = field(default_factory=dict)
    rejects: dict[tuple[str, str], int] = field(default_factory=dict)
    parser_failures: int = 0

    def add(self, counts: Counts) -> None:
        rows, rejects, failures = counts
        for table, n in rows.items():
            self.rows[table] = self.rows.get(table, 0) + n
        for key, n in rejects.items():
            self.rejects[key] = self.rejects.get(key, 0) + n
        self.parser_failures += failures

    def counts(self) -> Counts:
        return self.rows, self.rejects, self.parser_failures


def parse_safely(parser: BatchParser, lines: Sequence[Line]) -> tuple[ParsedBatch, bool]:
    """(the parsed batch, False), or every line as a reject and True when the parser failed
    (a parser bug must not lose the lines or stop the collector)."""
    try:
        return parser.parse_batch(lines), False
    except Exception as exc:
        log.exception("syslog parser failed on a batch of %d lines", len(lines))
        error = SyslogError(f"parser failed: {type(exc).__name__}: {exc}")
        rejects = [Reject(li.received_us, li.sender, "syslog", error, li.raw) for li in lines]
        return ParsedBatch(rejects=rejects), True


def write_parsed(sink: Sink, parsed: ParsedBatch, exporters: ExporterMap) -> Written:
    """Write every table of ``parsed`` and its rejects to ``sink``; returns what was written."""
    out = Written()
    for table, rows in parsed.tables.items():
        if rows.num_rows:
            sink.write(table, attach_origin(rows, exporters))
            out.rows[table] = out.rows.get(table, 0) + rows.num_rows
    if parsed.rejects:
        sink.write("rejects", rejects_table(parsed.rejects, exporters))
        out.rows["rejects"] = out.rows.get("rejects", 0) + len(parsed.rejects)
        for r in parsed.rejects:
            key = (r.exporter, type(r.error).__name__)
            out.rejects[key] = out.rejects.get(key, 0) + 1
    return out


def _send_batch(conn: Connection, lines: Sequence[Line]) -> None:
    """A batch as plain columns on the pipe: a small header (offsets of the messages and the
    runs), then one buffer of every message, padded as the batch parser wants it, sent as
    raw bytes (not pickled: one copy less on each side)."""
    if isinstance(lines, LineBatch):
        raws = lines.raws
        offsets = np.zeros(len(raws) + 1, np.int64)
        np.cumsum(np.fromiter(map(len, raws), np.int64, len(raws)), out=offsets[1:])
        conn.send(("chunk", offsets.tobytes(), lines.runs))
        conn.send_bytes(b"".join([*raws, _PAD]))
    else:
        conn.send(("lines", list(lines), None))


def _receive_batch(conn: Connection, kind: str, body: Any, runs: Any) -> Sequence[Line]:
    if kind == "chunk":
        return ChunkBatch(conn.recv_bytes(), np.frombuffer(body, np.int64), runs)
    lines: list[Line] = body
    return lines


def _worker(
    conn: Connection,
    sink_factory: Callable[[], Sink],
    parser_factory: Callable[[], BatchParser],
    exporters: ExporterMap,
) -> None:
    """A decoder process: batches in, sink writes, counts out; the end (None) closes the sink.

    Answers go out from a thread of their own, so that the worker always goes on reading
    (the parent may be in the middle of sending it a large batch while answers wait)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    keep_freed_memory()
    answers: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()

    def answer() -> None:
        while (item := answers.get()) is not None:
            with contextlib.suppress(OSError):
                conn.send(item)

    sender = threading.Thread(target=answer, name="answers", daemon=True)
    sender.start()
    try:
        sink = sink_factory()
        parser = parser_factory()
        answers.put(("ready", None))
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the parent is gone: keep what we have
                break
            if message is None:
                break
            parsed, failed = parse_safely(parser, _receive_batch(conn, *message))
            written = write_parsed(sink, parsed, exporters)
            written.parser_failures = int(failed)
            answers.put(("done", written.counts()))
        sink.close()
        answers.put(("closed", time.process_time()))
    except BaseException as exc:
        answers.put(("failed", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        answers.put(None)
        sender.join()


class DecoderPool:
    """``workers`` decoder processes, each with its own parser and sink.

    ``on_written`` is called (in the thread that calls ``submit``/``poll``/``close``) with what
    each batch became, as soon as a worker reports it.
    """

    def __init__(
        self,
        workers: int,
        sink_factory: Callable[[], Sink],
        parser_factory: Callable[[], BatchParser],
        exporters: ExporterMap | None = None,
        *,
        on_written: Callable[[Written], None] | None = None,
        in_flight: int = 2,
    ) -> None:
        if workers < 1:
            raise ValueError("a decoder pool needs at least one worker")
        self.in_flight = max(1, in_flight)
        self.on_written = on_written
        self.written = Written()
        context = multiprocessing.get_context("spawn")
        self._conns: list[Connection] = []
        self._procs: list[BaseProcess] = []
        self._busy: list[int] = []
        self._ready: list[bool] = []
        for k in range(workers):
            parent, child = context.Pipe(duplex=True)
            proc = context.Process(
                target=_worker,
                args=(child, sink_factory, parser_factory, dict(exporters or {})),
                name=f"syslog-decoder-{k}",
                daemon=True,
            )
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
            self._busy.append(0)
            self._ready.append(False)
        self._closed = False
        self._next = 0
        #: CPU seconds each worker reported when it closed (None until then)
        self.cpu_s: list[float | None] = [None] * workers

    def __len__(self) -> int:
        return len(self._procs)

    def submit(self, lines: Sequence[Line]) -> None:
        """Hand a batch to the least busy worker (in turns among equally busy ones); waits
        while every worker has ``in_flight``."""
        if not len(lines):
            return
        count = len(self._conns)
        while True:  # the least busy worker, taking turns among equals
            order = [(self._next + j) % count for j in range(count)]
            k = min(order, key=self._busy.__getitem__)
            if self._busy[k] < self.in_flight:
                break
            self._receive(timeout=1.0)
        self._next = (k + 1) % count
        try:
            _send_batch(self._conns[k], lines)
        except OSError as exc:
            raise self._failure(k, f"cannot hand over a batch: {exc}") from exc
        self._busy[k] += 1

    def poll(self, timeout: float = 0.0) -> None:
        """Take the answers that have arrived (waiting at most ``timeout`` for one)."""
        self._receive(timeout)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until every worker has built its parser and sink."""
        deadline = time.monotonic() + timeout
        while not all(self._ready):
            left = deadline - time.monotonic()
            if left <= 0:
                raise CollectorError("syslog decoder processes did not start in time")
            self._receive(min(left, 1.0))

    def close(self) -> None:
        """Send the end to every worker, take their last answers and join them."""
        if self._closed:
            return
        self._closed = True
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        open_conns = dict(enumerate(self._conns))
        errors: list[str] = []
        while open_conns:
            ready = wait(list(open_conns.values()), timeout=1.0)
            for k, conn in list(open_conns.items()):
                if conn not in ready:
                    continue
                try:
                    kind, body = conn.recv()
                except (EOFError, OSError):
                    errors.append(f"decoder {k} ended without closing its sink")
                    open_conns.pop(k, None)
                    continue
                if kind == "closed":
                    self.cpu_s[k] = float(body)
                    open_conns.pop(k, None)
                elif kind == "failed":
                    errors.append(f"decoder {k}: {body}")
                    open_conns.pop(k, None)
                else:
                    self._answer(k, kind, body)
            for k in list(open_conns):
                if not self._procs[k].is_alive() and not self._conns[k].poll():
                    errors.append(f"decoder {k} exited with {self._procs[k].exitcode}")
                    open_conns.pop(k, None)
        for proc in self._procs:
            proc.join(timeout=10)
        for conn in self._conns:
            conn.close()
        if errors:
            raise CollectorError("; ".join(errors))

    def _receive(self, timeout: float) -> None:
        ready = wait(self._conns, timeout=timeout)
        for k, conn in enumerate(self._conns):
            if conn not in ready:
                continue
            try:
                kind, body = conn.recv()
            except (EOFError, OSError) as exc:
                raise self._failure(k, "ended unexpectedly") from exc
            self._answer(k, kind, body)
        for k, proc in enumerate(self._procs):
            if not proc.is_alive():
                raise self._failure(k, f"exited with {proc.exitcode}")

    def _answer(self, k: int, kind: str, body: Any) -> None:
        if kind == "ready":
            self._ready[k] = True
        elif kind == "done":
            self._busy[k] -= 1
            written = Written()
            written.add(body)
            self.written.add(body)
            if self.on_written is not None:
                self.on_written(written)
        elif kind == "failed":
            raise self._failure(k, str(body))

    def _failure(self, k: int, what: str) -> CollectorError:
        return CollectorError(f"syslog decoder process {k} {what}")

    def terminate(self) -> None:
        """Stop the workers at once (after a failure); buffered rows are lost."""
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=5)
