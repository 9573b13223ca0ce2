"""Receiving, separate from decoding: raw telemetry messages queued with origin and receive time.

A gRPC stream or the UDP socket stamps each message and puts a ``Frame`` on a ``FrameQueue``;
the decoding thread takes batches off it. Bounded in frames: when full, new frames are dropped
and counted (a decoder that cannot keep up shows as loss, never as unbounded memory). Nothing
here parses payloads.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from collectors.jti.model import Origin
from collectors.origin import ExporterMap
from collectors.receive import Datagram


@dataclass(frozen=True, slots=True)
class Frame:
    """One raw message: payload, who sent it, which decoder it needs, receive time (µs)."""

    payload: bytes
    origin: Origin
    source: str
    received_us: int


class FrameQueue:
    """A thread-safe, bounded queue of frames."""

    def __init__(self, max_frames: int = 200_000) -> None:
        self.max_frames = max_frames
        self.overflow = 0
        self.received = 0
        self._frames: deque[Frame] = deque()
        self._ready = threading.Condition()

    def put(self, frame: Frame) -> bool:
        """Queue ``frame``; False (and counted in ``overflow``) when the queue is full."""
        with self._ready:
            self.received += 1
            if len(self._frames) >= self.max_frames:
                self.overflow += 1
                return False
            self._frames.append(frame)
            if len(self._frames) == 1:
                self._ready.notify()
            return True

    def put_many(self, frames: Sequence[Frame]) -> None:
        with self._ready:
            self.received += len(frames)
            room = max(self.max_frames - len(self._frames), 0)
            if len(frames) > room:
                self.overflow += len(frames) - room
                frames = frames[:room]
            self._frames.extend(frames)
            if frames:
                self._ready.notify()

    def get_batch(self, max_frames: int, timeout: float) -> list[Frame]:
        """Up to ``max_frames`` frames; waits up to ``timeout`` s for the first (may be [])."""
        with self._ready:
            if not self._frames:
                self._ready.wait_for(lambda: bool(self._frames), timeout)
            n = min(max_frames, len(self._frames))
            return [self._frames.popleft() for _ in range(n)]

    def __len__(self) -> int:
        return len(self._frames)


class UdpIntake:
    """The ``DatagramQueue`` a ``collectors.receive.UdpReceiver`` writes to: datagrams become
    native-JTI frames, with device and site from the exporter map."""

    def __init__(self, frames: FrameQueue, exporters: ExporterMap, source: str = "jti-udp"):
        self.frames = frames
        self.exporters = exporters
        self.source = source
        self._origins: dict[str, Origin] = {}

    def origin(self, exporter: str) -> Origin:
        origin = self._origins.get(exporter)
        if origin is None:
            device, site = self.exporters.get(exporter, (None, None))
            origin = self._origins[exporter] = Origin(exporter, device, site)
        return origin

    def put_batch(self, batch: list[Datagram]) -> None:
        self.frames.put_many(
            [
                Frame(d.payload, self.origin(d.exporter), self.source, d.received_at_us)
                for d in batch
            ]
        )

    def get_batch(self, timeout: float) -> list[Datagram] | None:
        """Decoders read the frame queue, never this; present for the protocol only."""
        return None
