"""The SNMP trap and inform receiver: a UDP listener, a decoding thread and a ``Sink``.

Receiving is separate from decoding (``collectors.receive``): the asyncio socket only stamps
and queues datagrams; the decoding thread feeds them to a ``NotificationEngine`` (pysnmp) and
writes ``device_events`` for notifications and ``rejects`` for datagrams that are not valid
SNMP or whose credentials are not accepted. Inform acknowledgements and SNMPv3 reports go back
through the same socket. v3 discovery and time-synchronisation messages are protocol, not
input errors: they are counted, never rejected. Must not import the lake.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Sequence

from collectors.errors import MalformedPacket, WireError
from collectors.origin import ExporterMap, Reject, rejects_table
from collectors.receive import Datagram, LocalQueue, kernel_drops, open_udp
from collectors.sink import Sink
from collectors.snmp.client import V3
from collectors.snmp.metrics import TrapMetrics
from collectors.snmp.notifications import (
    NotANotification,
    Notification,
    TrapAuthError,
    device_events,
)
from collectors.snmp.oids import TRAPS, dotted
from collectors.snmp.trapengine import NotificationEngine

log = logging.getLogger(__name__)

SOURCE = "trap"
HOUSEKEEPING_S = 1.0
_ERRORS: dict[str, type[WireError]] = {
    "auth": TrapAuthError,
    "bad": MalformedPacket,
    "other": NotANotification,
}


class TrapReceiver:
    """Receives SNMP v1/v2c/v3 traps and informs on UDP and writes them to a sink.

    ``communities`` None accepts any v1/v2c community; ``users`` are the SNMPv3 USM users
    accepted (from any sender engine ID).
    """

    def __init__(
        self,
        sink: Sink,
        *,
        host: str = "0.0.0.0",
        port: int = 162,
        communities: Sequence[str] | None = None,
        users: Sequence[V3] = (),
        exporters: ExporterMap | None = None,
        metrics: TrapMetrics | None = None,
        rcvbuf_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.sink = sink
        self.host, self.port = host, port
        self.exporters: ExporterMap = exporters or {}
        self.metrics = metrics or TrapMetrics()
        self.rcvbuf_bytes = rcvbuf_bytes
        self.queue = LocalQueue(max_datagrams=100_000)
        self.engine = NotificationEngine(self._reply, communities=communities, users=users)
        self.failure: BaseException | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._last_drops: int | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        transport, _ = await open_udp(
            self.host, self.port, self.queue, rcvbuf_bytes=self.rcvbuf_bytes
        )
        self._transport = transport
        self.port = int(transport.get_extra_info("sockname")[1])
        self._sock = transport.get_extra_info("socket")
        self._thread = threading.Thread(target=self._run, name="snmp-traps", daemon=True)
        self._thread.start()
        log.info("receiving SNMP traps on udp %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Stop receiving, decode what is queued and flush the sink."""
        if self._transport is not None:
            self._last_drops = self.kernel_drops()
            self._transport.close()
            await asyncio.sleep(0)  # let connection_lost hand over the last partial batch
        self._stopping.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        self.sink.flush()

    def _reply(self, message: bytes, address: tuple[str, int]) -> None:
        transport, loop = self._transport, self._loop
        if transport is not None and loop is not None and not transport.is_closing():
            loop.call_soon_threadsafe(transport.sendto, message, address)

    # -- decoding --------------------------------------------------------------------------

    def process(self, batch: list[Datagram]) -> None:
        """Decode a batch of datagrams and write its rows."""
        notifications: list[Notification] = []
        rejects: list[Reject] = []
        m = self.metrics
        for d in batch:
            m.datagrams.labels(d.exporter).inc()
            fed = self.engine.feed(d.payload, d.exporter, d.port, d.received_at_us)
            if fed.kind == "ok":
                notifications += fed.notifications
                for note in fed.notifications:
                    m.notifications.labels(d.exporter, _name(note)).inc()
            elif fed.kind == "sync":
                m.protocol.labels(d.exporter).inc()
            else:
                error = _ERRORS.get(fed.kind, NotANotification)(fed.reason, exporter=d.exporter)
                rejects.append(Reject(d.received_at_us, d.exporter, SOURCE, error, d.payload))
                m.rejects.labels(d.exporter, fed.reason).inc()
        if notifications:
            self.sink.write("device_events", device_events(notifications, self.exporters))
        if rejects:
            self.sink.write("rejects", rejects_table(rejects, self.exporters))

    def _run(self) -> None:
        next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        try:
            while not (self._stopping.is_set() and len(self.queue) == 0):
                batch = self.queue.get_batch(timeout=0.1)
                if batch is not None:
                    self.process(batch)
                if time.monotonic() >= next_housekeeping:
                    drops = self.kernel_drops()
                    if drops is not None:
                        self.metrics.kernel_drops.labels(f"{self.host}:{self.port}").set(drops)
                    self.metrics.queue_overflow.set(self.queue.overflow)
                    next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        except BaseException as exc:  # keep the reason; stop() and health checks report it
            self.failure = exc
            log.exception("trap decoding stopped")
            raise

    def kernel_drops(self) -> int | None:
        """Kernel drops on the socket so far (the last reading once stopped)."""
        if self._sock is None or self._sock.fileno() < 0:
            return self._last_drops
        return kernel_drops(self._sock)


def _name(note: Notification) -> str:
    trap_oid = note.trap_oid()
    if trap_oid is None:
        return "unknown"
    known = TRAPS.get(trap_oid)
    return known.name if known else dotted(trap_oid)
