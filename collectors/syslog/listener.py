"""The syslog collector: UDP, TCP and TLS listeners, a parsing thread and a ``Sink``.

Receiving and parsing are separate: asyncio listeners only frame bytes into ``Line`` objects
(``framing.StreamFramer`` per connection; one message per UDP datagram) and put them on a
``LineQueue`` (a stream read becomes one ``LineBatch``, stored by column); the parsing thread
takes batches, calls ``parse_batch`` and fills device/site from the exporter map; a writing
thread writes every table of the ``ParsedBatch`` plus ``rejects`` to the sink, so that parsing
the next batch overlaps with the sink's encoding of the last (both release the GIL for most of
their work). At most ``WRITE_AHEAD`` parsed batches wait for the writer; beyond that parsing
waits too, the line queue fills and TCP backpressure follows.
With ``decoders`` > 0, the thread hands the batches to that many decoder processes instead
(``decoders.DecoderPool``: each parses and writes its own sink, made by ``sink_factory``, and
reports back what it wrote for the metrics); backpressure and the clean stop work the same way.
Must not import the lake or know message formats: it writes to whatever ``Sink`` it is given
and parses with the parser it is given (``parse.SyslogParser`` by default).

UDP (RFC 5426): one datagram is one message, even if it contains newlines (a message may span
lines; splitting would invent messages). Trailing LF, CR and NUL are stripped and the message
is capped at ``max_message`` octets. A full queue drops datagrams (counted; UDP has no way to
slow the sender). TCP and TLS never drop: when the queue holds ``max_queued_lines`` lines,
every connection stops reading (``transport.pause_reading()``; the kernel's buffers and TCP
flow control then slow the senders) until the parsing thread has drained it to half.
A connection that holds a partial message for ``frame_timeout_s`` without completing any
message (garbage without newlines, a half frame forever) is disconnected; other connections
are not affected. ``idle_timeout_s`` optionally disconnects silent connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path
from typing import Protocol, cast

from collectors.errors import CollectorError
from collectors.origin import ExporterMap
from collectors.receive import kernel_drops, udp_socket
from collectors.sink import Sink
from collectors.syslog.decoders import DecoderPool, Written, parse_safely, write_parsed
from collectors.syslog.framing import DEFAULT_MAX_MESSAGE, StreamFramer
from collectors.syslog.metrics import SyslogMetrics
from collectors.syslog.model import Line, LineBatch, ParsedBatch, Raw, Transport
from collectors.syslog.parse import SyslogParser
from collectors.syslog.tls import server_context

log = logging.getLogger(__name__)

Address = tuple[str, int]

HOUSEKEEPING_S = 1.0
MAX_LINES_PER_PARSE = 8192
#: parsed batches waiting for the writer; enough to keep parsing while the sink encodes a
#: whole buffer (a lake flush) at once
WRITE_AHEAD = 16
UDP_BATCH = 256
UDP_MAX_DELAY_S = 0.05
UDP_DRAIN = 1024
UDP_MAX_DATAGRAM = 65535


class ListenError(CollectorError):
    """A listening socket could not be opened (address in use, no permission…)."""


class LineParser(Protocol):
    """What the collector needs from a parser (default: ``parse.SyslogParser``)."""

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch: ...


def _host(address: str) -> str:
    return address[7:] if address.startswith("::ffff:") else address


def _show(address: Address) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


class LineQueue:
    """An in-process, thread-safe queue of ``Line`` batches with a high-water mark.

    ``put`` (TCP, TLS) always accepts and returns True once the queue holds ``max_lines`` or
    more, telling the caller to stop reading; ``on_drained`` is called (from the consumer's
    thread) when it has fallen to ``max_lines // 2`` again. ``put_or_drop`` (UDP) drops what
    does not fit and counts it in ``overflow``.
    """

    def __init__(self, max_lines: int = 200_000) -> None:
        self.max_lines = max_lines
        self.low_water = max_lines // 2
        self.overflow = 0
        self.on_drained: Callable[[], None] | None = None
        self._batches: deque[Sequence[Line]] = deque()
        self._size = 0
        self._over = False
        self._ready = threading.Condition()

    def put(self, batch: Sequence[Line]) -> bool:
        with self._ready:
            if batch:
                self._batches.append(batch)
                self._size += len(batch)
                self._ready.notify()
            if self._size >= self.max_lines:
                self._over = True
            return self._over

    def put_or_drop(self, batch: Sequence[Line]) -> None:
        with self._ready:
            room = max(self.max_lines - self._size, 0)
            if len(batch) > room:
                self.overflow += len(batch) - room
                batch = batch[:room]
            if batch:
                self._batches.append(batch)
                self._size += len(batch)
                self._ready.notify()

    def get_batch(
        self, timeout: float, max_lines: int = MAX_LINES_PER_PARSE
    ) -> Sequence[Line] | None:
        """Whole batches, joined up to about ``max_lines`` lines; None after ``timeout``."""
        drained = False
        with self._ready:
            if not self._batches and not self._ready.wait_for(lambda: bool(self._batches), timeout):
                return None
            parts = [self._batches.popleft()]
            count = len(parts[0])
            while self._batches and count + len(self._batches[0]) <= max_lines:
                parts.append(self._batches.popleft())
                count += len(parts[-1])
            self._size -= count
            if self._over and self._size <= self.low_water:
                self._over, drained = False, True
        if drained and self.on_drained is not None:
            self.on_drained()
        return _joined(parts)

    @property
    def over(self) -> bool:
        """True from reaching ``max_lines`` until drained to ``max_lines // 2``."""
        return self._over

    def __len__(self) -> int:
        return self._size


def _joined(parts: list[Sequence[Line]]) -> Sequence[Line]:
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(part, LineBatch) for part in parts):
        return LineBatch.join(cast(list[LineBatch], parts))
    return list(chain.from_iterable(parts))


class _Stream(asyncio.Protocol):
    """One TCP or TLS connection: frames its bytes and queues the lines."""

    def __init__(self, collector: SyslogCollector, transport_name: Transport) -> None:
        self.collector = collector
        self.name: Transport = transport_name
        self.framer = StreamFramer(collector.max_message)
        self.transport: asyncio.Transport | None = None
        self.sender = "?"
        self.paused = False
        self.reason: str | None = None
        self.last_data = self.last_progress = time.monotonic()
        self._oversize = self._framing_errors = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.sender = _host(str(peer[0])) if peer else "?"
        c = self.collector
        c.metrics.connections.labels(self.sender, self.name).inc()
        c.metrics.open_connections.labels(self.name).inc()
        c.connections.add(self)
        if c.queue.over:
            self.pause()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        was_partial = self.framer.partial
        messages = cast(list[Raw], self.framer.feed(data))  # bytes: no views to track
        m = self.collector.metrics
        m.bytes.labels(self.sender, self.name).inc(len(data))
        self.last_data = now
        if messages or not was_partial:
            self.last_progress = now
        if messages:
            self._queue(messages)
        self._count_anomalies()

    def _queue(self, messages: list[Raw]) -> None:
        sender, name = self.sender, self.name
        lines = LineBatch.of(messages, sender, time.time_ns() // 1000, name)
        self.collector.metrics.lines.labels(sender, name).inc(len(lines))
        if self.collector.queue.put(lines):
            self.collector.pause_all()

    def _count_anomalies(self) -> None:
        f, m = self.framer, self.collector.metrics
        if f.oversize != self._oversize:
            m.oversize.labels(self.sender, self.name).inc(f.oversize - self._oversize)
            self._oversize = f.oversize
        if f.framing_errors != self._framing_errors:
            m.framing_errors.labels(self.sender, self.name).inc(
                f.framing_errors - self._framing_errors
            )
            self._framing_errors = f.framing_errors

    def eof_received(self) -> bool | None:
        return False  # close our side too; connection_lost flushes the framer

    def connection_lost(self, exc: Exception | None) -> None:
        messages: list[Raw] = list(self.framer.close())
        if messages:
            self._queue(messages)
        self._count_anomalies()
        reason = self.reason or ("error" if exc is not None else "closed")
        c = self.collector
        c.metrics.disconnects.labels(self.sender, self.name, reason).inc()
        c.metrics.open_connections.labels(self.name).dec()
        c.connections.discard(self)
        if exc is not None and self.reason is None:
            log.info("syslog %s connection from %s lost: %r", self.name, self.sender, exc)

    def pause(self) -> None:
        if not self.paused and self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()
            self.paused = True
            self.collector.metrics.paused_reading.labels(self.name).inc()

    def resume(self) -> None:
        if not self.paused:
            return
        self.paused = False
        self.last_progress = self.last_data = time.monotonic()  # waiting was not the peer's fault
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    def disconnect(self, reason: str) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.reason = reason
        if reason == "timeout":
            log.warning(
                "syslog %s peer %s sent no complete message for %g s: disconnected",
                self.name,
                self.sender,
                self.collector.frame_timeout_s,
            )
            self.transport.abort()
        else:
            self.transport.close()


class _Datagrams:
    """UDP: one message per datagram, collected into batches of lines.

    Reads every waiting datagram (up to ``UDP_DRAIN``) per readiness event instead of one per
    event loop turn as asyncio's datagram transport does: while the parsing thread holds the
    GIL, each turn of the loop can wait a whole switch interval. The batch is kept by column
    (a ``LineBatch``: the messages, and runs of consecutive datagrams of one sender), so that
    no object per datagram is left for the garbage collector to walk; the datagrams read in
    one go share its receive time.
    """

    def __init__(self, collector: SyslogCollector, sock: socket.socket) -> None:
        self.collector = collector
        self.sock = sock
        self._loop = asyncio.get_running_loop()
        self._raws: list[Raw] = []
        self._runs: list[tuple[int, str, int, Transport]] = []
        self._run_sender: str | None = None
        self._run_start = 0
        self._now_us = 0
        self._counts: dict[str, list[int]] = {}  # sender → [lines, bytes, oversize]
        self._timer: asyncio.TimerHandle | None = None
        self._loop.add_reader(sock.fileno(), self._read_ready)

    def _read_ready(self) -> None:
        recvfrom, received = self.sock.recvfrom, self._received
        self._end_run()
        self._now_us = time.time_ns() // 1000
        for _ in range(UDP_DRAIN):
            try:
                data, addr = recvfrom(UDP_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:  # e.g. ICMP errors reported on the socket: keep reading
                log.debug("syslog udp receive error: %s", exc)
                break
            received(data, addr)
        self._end_run()
        if len(self._raws) >= UDP_BATCH:
            self.hand_over()
        elif self._raws and self._timer is None:
            self._timer = self._loop.call_later(UDP_MAX_DELAY_S, self.hand_over)

    def _received(self, data: bytes, addr: tuple[str, int]) -> None:
        sender = _host(addr[0])
        counts = self._counts.get(sender)
        if counts is None:
            counts = self._counts[sender] = [0, 0, 0]
        counts[1] += len(data)
        message = data.rstrip(b"\n\r\0")
        if not message:
            return
        if len(message) > self.collector.max_message:
            message = message[: self.collector.max_message]
            counts[2] += 1
        counts[0] += 1
        if sender != self._run_sender:
            self._end_run()
            self._run_sender = sender
        self._raws.append(message)

    def _end_run(self) -> None:
        """Close the run of datagrams from one sender read so far in this go."""
        if self._run_sender is not None and len(self._raws) > self._run_start:
            count = len(self._raws) - self._run_start
            self._runs.append((count, self._run_sender, self._now_us, "udp"))
        self._run_sender = None
        self._run_start = len(self._raws)

    def hand_over(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        m = self.collector.metrics
        for sender, (lines, size, oversize) in self._counts.items():
            m.lines.labels(sender, "udp").inc(lines)
            m.bytes.labels(sender, "udp").inc(size)
            if oversize:
                m.oversize.labels(sender, "udp").inc(oversize)
        self._counts = {}
        self._end_run()
        if self._raws:
            batch = LineBatch(self._raws, self._runs)
            self._raws, self._runs, self._run_start = [], [], 0
            self.collector.queue.put_or_drop(batch)

    def close(self) -> None:
        """Stop reading, hand over the partial batch and close the socket."""
        if self.sock.fileno() >= 0:
            self._loop.remove_reader(self.sock.fileno())
            self._read_ready()  # what is already in the socket buffer
            self.hand_over()
            self.sock.close()


class SyslogCollector:
    """Receives syslog on UDP, TCP and/or TLS and writes parsed tables to a sink.

    ``udp``, ``tcp`` and ``tls`` are ``(host, port)`` to listen on, or None; port 0 picks a
    free port, and after ``start()`` they hold the bound addresses. TLS needs ``certfile``
    (and ``keyfile`` unless the key is in the certificate file); ``cafile`` requires client
    certificates signed by that CA.
    """

    def __init__(
        self,
        sink: Sink,
        *,
        udp: Address | None = None,
        tcp: Address | None = None,
        tls: Address | None = None,
        certfile: str | Path | None = None,
        keyfile: str | Path | None = None,
        cafile: str | Path | None = None,
        exporters: ExporterMap | None = None,
        parser: LineParser | None = None,
        parser_factory: Callable[[], LineParser] | None = None,
        metrics: SyslogMetrics | None = None,
        max_message: int = DEFAULT_MAX_MESSAGE,
        max_queued_lines: int = 200_000,
        frame_timeout_s: float = 30.0,
        idle_timeout_s: float | None = None,
        rcvbuf_bytes: int = 64 * 1024 * 1024,
        decoders: int = 0,
        sink_factory: Callable[[], Sink] | None = None,
    ) -> None:
        if udp is None and tcp is None and tls is None:
            raise ValueError("give at least one of udp, tcp or tls to listen on")
        if decoders < 0:
            raise ValueError("decoders must be 0 (parse in this process) or more")
        if decoders and sink_factory is None:
            raise ValueError("decoder processes need a sink_factory (each writes its own sink)")
        self._ssl: ssl.SSLContext | None = None
        if tls is not None:
            if certfile is None:
                raise ValueError("syslog over TLS needs a certificate file")
            self._ssl = server_context(certfile, keyfile, cafile=cafile)
        self.sink = sink
        self.udp, self.tcp, self.tls = udp, tcp, tls
        self.exporters: ExporterMap = exporters or {}
        if parser is None:
            parser = (
                parser_factory() if parser_factory else SyslogParser(max_line_bytes=max_message)
            )
        self.parser = parser
        self.decoders = decoders
        self._sink_factory = sink_factory
        self._parser_factory: Callable[[], LineParser] = parser_factory or functools.partial(
            SyslogParser, max_line_bytes=max_message
        )
        self._pool: DecoderPool | None = None
        self.metrics = metrics or SyslogMetrics()
        self.max_message = max_message
        self.frame_timeout_s = frame_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.rcvbuf_bytes = rcvbuf_bytes
        self.queue = LineQueue(max_queued_lines)
        self.connections: set[_Stream] = set()
        self.failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._servers: list[asyncio.Server] = []
        self._udp: _Datagrams | None = None
        self._udp_sock: socket.socket | None = None
        self._last_drops: int | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.queue.on_drained = self._drained
        if self.decoders:
            await asyncio.to_thread(self._start_decoders)
        try:
            if self.udp is not None:
                self.udp = await self._open_udp(self.udp)
            if self.tcp is not None:
                self.tcp = await self._serve(self.tcp, "tcp", None)
            if self.tls is not None:
                self.tls = await self._serve(self.tls, "tls", self._ssl)
        except BaseException:
            await self._close_listeners()
            if self._pool is not None:
                self._pool.terminate()
            raise
        target = self._dispatch if self._pool is not None else self._run
        self._thread = threading.Thread(target=target, name="syslog-parse", daemon=True)
        self._thread.start()
        self._sweeper = asyncio.create_task(self._sweep(), name="syslog-timeouts")
        log.info("syslog collector listening: udp %s tcp %s tls %s", self.udp, self.tcp, self.tls)

    async def _open_udp(self, address: Address) -> Address:
        assert self._loop is not None
        try:
            sock = udp_socket(*address, rcvbuf_bytes=self.rcvbuf_bytes)
        except OSError as exc:
            raise ListenError(f"cannot listen on udp {_show(address)}: {_why(exc)}") from exc
        self._udp, self._udp_sock = _Datagrams(self, sock), sock
        return address[0], int(sock.getsockname()[1])

    async def _serve(
        self, address: Address, name: Transport, context: ssl.SSLContext | None
    ) -> Address:
        assert self._loop is not None
        try:
            server = await self._loop.create_server(
                lambda: _Stream(self, name),
                address[0],
                address[1],
                ssl=context,
                ssl_handshake_timeout=self.frame_timeout_s if context is not None else None,
                reuse_address=True,
            )
        except OSError as exc:
            raise ListenError(f"cannot listen on {name} {_show(address)}: {_why(exc)}") from exc
        self._servers.append(server)
        return address[0], int(server.sockets[0].getsockname()[1])

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop listening, end connections, parse what is queued and flush the sink."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        await self._close_listeners()
        for stream in list(self.connections):
            if stream.transport is not None:
                stream.reason = "shutdown"
                stream.transport.close()
        deadline = time.monotonic() + grace_s
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for stream in list(self.connections):  # still flushing a write buffer: cut it
            if stream.transport is not None:
                stream.transport.abort()
        await asyncio.sleep(0)
        self._stopping.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        self.sink.flush()
        if self.failure is not None:
            log.error("syslog parsing had stopped: %r", self.failure)

    async def _close_listeners(self) -> None:
        if self._udp is not None:
            self._last_drops = self.kernel_drops()
            self._udp.close()
            self._udp = None
        for server in self._servers:
            server.close()
        self._servers = []
        await asyncio.sleep(0)

    # -- backpressure and timeouts (event loop) --------------------------------------------

    def pause_all(self) -> None:
        """The queue is full: stop reading every stream until it drains."""
        for stream in self.connections:
            stream.pause()

    def _drained(self) -> None:  # parsing thread
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._resume_all)

    def _resume_all(self) -> None:
        if self.queue.over:
            return
        for stream in list(self.connections):
            stream.resume()

    async def _sweep(self) -> None:
        limits = [self.frame_timeout_s, self.idle_timeout_s or self.frame_timeout_s]
        interval = min(max(min(limits) / 4, 0.05), 1.0)
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            for stream in list(self.connections):
                if stream.paused:
                    continue
                if stream.framer.partial and now - stream.last_progress > self.frame_timeout_s:
                    stream.disconnect("timeout")
                elif (
                    self.idle_timeout_s is not None and now - stream.last_data > self.idle_timeout_s
                ):
                    stream.disconnect("idle")

    # -- parsing (thread) ------------------------------------------------------------------

    def process(self, lines: Sequence[Line]) -> ParsedBatch:
        """Parse one batch of lines and write the results; returns the parsed batch."""
        parsed = self._parse(lines)
        self._write(parsed)
        return parsed

    def _parse(self, lines: Sequence[Line]) -> ParsedBatch:
        parsed, failed = parse_safely(self.parser, lines)
        if failed:
            self.metrics.parser_failures.inc()
        return parsed

    def _write(self, parsed: ParsedBatch) -> None:
        self._count(write_parsed(self.sink, parsed, self.exporters))

    def _count(self, written: Written) -> None:
        m = self.metrics
        for table, n in written.rows.items():
            m.rows.labels(table).inc(n)
        for (exporter, error_name), n in written.rejects.items():
            m.rejects.labels(exporter, error_name).inc(n)
        if written.parser_failures:
            m.parser_failures.inc(written.parser_failures)

    # -- decoder processes (``decoders`` > 0) ------------------------------------------------

    @property
    def decoder_cpu_s(self) -> list[float | None]:
        """CPU seconds of each decoder process, once it has stopped."""
        return list(self._pool.cpu_s) if self._pool is not None else []

    def _start_decoders(self) -> None:
        assert self._sink_factory is not None
        pool = DecoderPool(
            self.decoders,
            self._sink_factory,
            self._parser_factory,
            self.exporters,
            on_written=self._count,
        )
        try:
            pool.wait_ready()
        except BaseException:
            pool.terminate()
            raise
        self._pool = pool

    def _dispatch(self) -> None:
        """Hand batches to the decoder processes instead of parsing here; at the end, close
        them (each flushes its sink)."""
        pool = self._pool
        assert pool is not None
        next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        try:
            while not (self._stopping.is_set() and len(self.queue) == 0):
                lines = self.queue.get_batch(timeout=0.1)
                if lines is not None:
                    pool.submit(lines)
                pool.poll()
                if time.monotonic() >= next_housekeeping:
                    self._housekeeping()
                    next_housekeeping = time.monotonic() + HOUSEKEEPING_S
            pool.close()
            self._housekeeping()
        except BaseException as exc:  # keep the reason; stop() and health checks report it
            self.failure = self.failure or exc
            log.exception("syslog decoding stopped")
            pool.terminate()
            raise

    def _run(self) -> None:
        parsed: queue.Queue[ParsedBatch | None] = queue.Queue(WRITE_AHEAD)
        writer = threading.Thread(
            target=self._write_all, args=(parsed,), name="syslog-write", daemon=True
        )
        writer.start()
        next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        try:
            while not (self._stopping.is_set() and len(self.queue) == 0):
                lines = self.queue.get_batch(timeout=0.1)
                if lines is not None:
                    self._hand_over(parsed, self._parse(lines), writer)
                if time.monotonic() >= next_housekeeping:
                    self._housekeeping()
                    next_housekeeping = time.monotonic() + HOUSEKEEPING_S
            self._housekeeping()
        except BaseException as exc:  # keep the reason; stop() and health checks report it
            self.failure = self.failure or exc
            log.exception("syslog parsing stopped")
            raise
        finally:
            with contextlib.suppress(CollectorError):
                self._hand_over(parsed, None, writer)
            writer.join()

    def _hand_over(
        self,
        parsed: queue.Queue[ParsedBatch | None],
        batch: ParsedBatch | None,
        writer: threading.Thread,
    ) -> None:
        """Queue a parsed batch (None: no more) for the writing thread; waits while it is
        ``WRITE_AHEAD`` batches behind, and fails if it has stopped."""
        while True:
            if not writer.is_alive():
                raise CollectorError("the syslog writing thread has stopped") from self.failure
            try:
                parsed.put(batch, timeout=0.1)
                return
            except queue.Full:
                continue

    def _write_all(self, parsed: queue.Queue[ParsedBatch | None]) -> None:
        try:
            while (batch := parsed.get()) is not None:
                self._write(batch)
        except BaseException as exc:  # keep the reason; the parsing thread then stops too
            self.failure = self.failure or exc
            log.exception("syslog writing stopped")

    def _housekeeping(self) -> None:
        self.metrics.queue_lines.set(len(self.queue))
        self.metrics.queue_overflow.set(self.queue.overflow)
        drops = self.kernel_drops()
        if drops is not None and self.udp is not None:
            self.metrics.kernel_drops.labels(f"{self.udp[0]}:{self.udp[1]}").set(drops)

    def kernel_drops(self) -> int | None:
        """Kernel drops on the UDP socket so far (the last reading once stopped)."""
        if self._udp_sock is None or self._udp_sock.fileno() < 0:
            return self._last_drops
        try:
            return kernel_drops(self._udp_sock)
        except OSError:  # closed by the event loop meanwhile
            return self._last_drops
