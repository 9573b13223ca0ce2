"""The telemetry collector: many device sessions (JTI gRPC, gNMI), native JTI on UDP, one sink.

Composes what the other modules own: a ``StreamSession`` per target (each with its own
reconnect/backoff/watchdog, all on one event loop, so a failing device never holds up the
others), an optional UDP listener for native GPB (``collectors.receive``), the decode thread
(``DecodePipeline``) and the metrics. Implements ``SessionEvents``: session changes go to
Prometheus and to state-change-only log lines. Must not import the lake; it writes to whatever
``Sink`` it is given.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from collectors.gnmi.client import GnmiSession
from collectors.jti.backoff import Backoff
from collectors.jti.client import JtiSession
from collectors.jti.errors import SessionError
from collectors.jti.frames import Frame, FrameQueue, UdpIntake
from collectors.jti.metrics import TelemetryMetrics
from collectors.jti.pipeline import DecodePipeline
from collectors.jti.session import StreamSession
from collectors.jti.status import SessionLog
from collectors.jti.target import Target
from collectors.origin import ExporterMap
from collectors.receive import kernel_drops, open_udp
from collectors.sink import Sink

log = logging.getLogger("collectors.jti")


class TelemetryCollector:
    """Streams telemetry from ``targets`` (and native JTI from ``udp``) into ``sink``."""

    def __init__(
        self,
        sink: Sink,
        targets: Sequence[Target] = (),
        *,
        udp: tuple[str, int] | None = None,
        exporters: ExporterMap | None = None,
        metrics: TelemetryMetrics | None = None,
        backoff: Callable[[], Backoff] = Backoff,
        max_queue: int = 200_000,
    ) -> None:
        self.sink = sink
        self.targets = list(targets)
        self.udp = udp
        self.exporters: ExporterMap = exporters or {}
        self.metrics = metrics or TelemetryMetrics()
        self.frames = FrameQueue(max_queue)
        self.pipeline = DecodePipeline(sink, self.frames, self.metrics)
        self.session_log = SessionLog(log)
        self.sessions: list[StreamSession] = [self._session(t, backoff()) for t in self.targets]
        self._transport: asyncio.DatagramTransport | None = None
        self._last_drops: int | None = None

    def _session(self, target: Target, backoff: Backoff) -> StreamSession:
        origin = target.origin
        cls: type[StreamSession] = GnmiSession if target.protocol == "gnmi" else JtiSession
        source = cls.source
        put = self.frames.put
        if target.protocol == "gnmi":
            self.pipeline.gnmi.subscribed(origin, [s.path for s in target.sensors])

        def deliver(payload: bytes, received_us: int) -> None:
            put(Frame(payload, origin, source, received_us))

        return cls(target, deliver, self, backoff=backoff)

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        self.pipeline.start()
        if self.udp is not None:
            host, port = self.udp
            intake = UdpIntake(self.frames, self.exporters)
            transport, _ = await open_udp(host, port, intake)
            self._transport = transport
            self.udp = (host, int(transport.get_extra_info("sockname")[1]))
            log.info("native JTI on udp %s:%d", *self.udp)
        for session in self.sessions:
            session.start()
        await asyncio.sleep(0)

    async def stop(self) -> None:
        """Close every stream and the socket, decode what was received, flush the sink."""
        await asyncio.gather(*(s.stop() for s in self.sessions))
        if self._transport is not None:
            self._last_drops = self.kernel_drops()
            self._transport.close()
            await asyncio.sleep(0)  # let connection_lost hand over the last partial batch
            self._transport = None
        await asyncio.to_thread(self.pipeline.stop)

    @property
    def failure(self) -> BaseException | None:
        return self.pipeline.failure

    def kernel_drops(self) -> int | None:
        if self._transport is None:
            return self._last_drops
        sock = self._transport.get_extra_info("socket")
        return None if sock is None else kernel_drops(sock)

    # -- SessionEvents -------------------------------------------------------------------------

    def connected(self, session: StreamSession) -> None:
        t = session.target
        self.metrics.connected.labels(t.device, session.protocol).set(1)
        self.metrics.streams.labels(t.device, session.protocol).inc()
        self.session_log.streaming(session.protocol, t.device, t.endpoint)

    def failed(self, session: StreamSession, error: SessionError) -> None:
        t = session.target
        self.metrics.connected.labels(t.device, session.protocol).set(0)
        self.metrics.session_failures.labels(t.device, session.protocol, error.reason).inc()
        self.session_log.failed(session.protocol, t.device, error.reason, error.detail)

    def stopped(self, session: StreamSession) -> None:
        self.metrics.connected.labels(session.target.device, session.protocol).set(0)
        self.session_log.stopped(session.protocol, session.target.device)
