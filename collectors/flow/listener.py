"""The flow collector: a UDP listener, a decoding thread and a ``Sink``.

Receiving and decoding are separate (``collectors.receive``): the asyncio socket only stamps
and queues datagrams, so a slow decode or flush never stalls the socket; the decoding thread
takes batches, decodes them together, fills device/site from the exporter map and writes
``flows``, ``flow_options`` and ``rejects``. Template state is saved to a file so a restart
decodes at once. Must not import the lake: it writes to whatever ``Sink`` it is given.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from pathlib import Path

from collectors.errors import CollectorError
from collectors.flow.decode import DecodeResult, FlowDecoder
from collectors.flow.metrics import FlowMetrics
from collectors.flow.state import DecoderState, load_state, save_state
from collectors.origin import ExporterMap, Reject, attach_origin, rejects_table
from collectors.receive import Datagram, LocalQueue, kernel_drops, open_udp
from collectors.sink import Sink

log = logging.getLogger(__name__)

HOUSEKEEPING_S = 1.0
MAX_DATAGRAMS_PER_DECODE = 4096


class FlowCollector:
    """Listens for jflow on UDP and writes decoded records to a sink."""

    def __init__(
        self,
        sink: Sink,
        *,
        host: str = "0.0.0.0",
        port: int = 2055,
        exporters: ExporterMap | None = None,
        state_file: Path | None = None,
        metrics: FlowMetrics | None = None,
        rcvbuf_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self.sink = sink
        self.host, self.port = host, port
        self.exporters: ExporterMap = exporters or {}
        self.state_file = state_file
        self.metrics = metrics or FlowMetrics()
        self.rcvbuf_bytes = rcvbuf_bytes
        self.decoder = FlowDecoder(self._initial_state())
        self.queue = LocalQueue()
        self._transport: asyncio.DatagramTransport | None = None
        self._sock: socket.socket | None = None
        self._last_drops: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._state_dirty = False
        self.failure: BaseException | None = None

    def _initial_state(self) -> DecoderState:
        if self.state_file is None or not self.state_file.exists():
            return DecoderState()
        try:
            state = load_state(self.state_file)
        except CollectorError as exc:
            log.warning("starting without saved templates: %s", exc)
            return DecoderState()
        log.info("restored %d templates from %s", len(state.templates), self.state_file)
        return state

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        transport, _ = await open_udp(
            self.host, self.port, self.queue, rcvbuf_bytes=self.rcvbuf_bytes
        )
        self._transport = transport
        sockname = transport.get_extra_info("sockname")
        self.port = int(sockname[1])
        self._sock = transport.get_extra_info("socket")
        self._thread = threading.Thread(target=self._run, name="flow-decode", daemon=True)
        self._thread.start()
        await asyncio.sleep(0)
        log.info("flow collector listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Stop receiving, decode what is queued, flush the sink and save template state."""
        if self._transport is not None:
            self._last_drops = self.kernel_drops()
            self._transport.close()
            await asyncio.sleep(0)  # let connection_lost hand over the last partial batch
        self._stopping.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        # Data sets still waiting for a template would vanish with the process: keep their bytes.
        self.write_result(self.decoder.give_up_held("collector stopped before a template arrived"))
        self.sink.flush()
        self._save_state()

    # -- decoding --------------------------------------------------------------------------

    def process(self, batch: list[Datagram]) -> DecodeResult:
        """Decode one batch of datagrams and write the results; returns the decode result."""
        result = self.decoder.decode_many((d.payload, d.exporter, d.received_at_us) for d in batch)
        self._write(result)
        self._count(batch, result)
        return result

    def write_result(self, result: DecodeResult) -> None:
        """Write and count a result decoded outside ``process`` (e.g. held sets released)."""
        self._write(result)
        self._count([], result)

    def _write(self, result: DecodeResult) -> None:
        if result.flows.num_rows:
            self.sink.write("flows", attach_origin(result.flows, self.exporters))
        if result.options.num_rows:
            self.sink.write("flow_options", attach_origin(result.options, self.exporters))
        if result.rejected:
            rejects = [
                Reject(r.received_us, r.exporter, "flow", r.error, r.raw) for r in result.rejected
            ]
            self.sink.write("rejects", rejects_table(rejects, self.exporters))
        c = result.counters
        if c.templates_learned or c.templates_withdrawn or c.option_records or c.records:
            self._state_dirty = True  # templates, sampling or sequence positions moved

    def _count(self, batch: list[Datagram], result: DecodeResult) -> None:
        m = self.metrics
        per_exporter: dict[str, tuple[int, int]] = {}
        for d in batch:
            n, size = per_exporter.get(d.exporter, (0, 0))
            per_exporter[d.exporter] = (n + 1, size + len(d.payload))
        for exporter, (n, size) in per_exporter.items():
            m.datagrams.labels(exporter).inc(n)
            m.bytes.labels(exporter).inc(size)
        for table, counter in ((result.flows, m.records), (result.options, m.option_records)):
            if table.num_rows:
                counts = table.column("exporter").value_counts()
                for item in counts.to_pylist():
                    counter.labels(item["values"]).inc(item["counts"])
        for r in result.rejected:
            m.decode_errors.labels(r.exporter, type(r.error).__name__).inc()
        for s in result.sequences:
            m.lost_records.labels(s.exporter, str(s.domain), s.unit).set(s.lost)
            m.sequence_gaps.labels(s.exporter, str(s.domain)).set(s.gaps)

    def _run(self) -> None:
        next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        try:
            while not (self._stopping.is_set() and len(self.queue) == 0):
                batch = self.queue.get_batch(timeout=0.1)
                if batch is not None:
                    while len(batch) < MAX_DATAGRAMS_PER_DECODE:
                        more = self.queue.get_batch(timeout=0)
                        if more is None:
                            break
                        batch += more
                    self.process(batch)
                if time.monotonic() >= next_housekeeping:
                    self._housekeeping()
                    next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        except BaseException as exc:  # keep the reason; stop() and health checks report it
            self.failure = exc
            log.exception("flow decoding stopped")
            raise

    def _housekeeping(self) -> None:
        expired = self.decoder.expire(time.time_ns() // 1000)
        if expired.rejected:
            self._write(expired)
            self._count([], expired)
        drops = self.kernel_drops()
        if drops is not None:
            self.metrics.kernel_drops.labels(f"{self.host}:{self.port}").set(drops)
        self.metrics.queue_overflow.set(self.queue.overflow)
        self.metrics.held_sets.set(sum(h.sets for h in self.decoder.state.held.counts()))
        templates: dict[str, int] = {}
        for key, _template in self.decoder.state.templates.items():
            templates[key[0]] = templates.get(key[0], 0) + 1
        for exporter, count in templates.items():
            self.metrics.templates.labels(exporter).set(count)
        self._save_state()

    def _save_state(self) -> None:
        if self.state_file is None or not self._state_dirty:
            return
        try:
            save_state(self.decoder.state, self.state_file)
            self._state_dirty = False
        except CollectorError as exc:
            log.warning("could not save template state: %s", exc)

    def kernel_drops(self) -> int | None:
        """Kernel drops on the socket so far (the last reading once stopped)."""
        if self._sock is None or self._sock.fileno() < 0:
            return self._last_drops
        return kernel_drops(self._sock)
