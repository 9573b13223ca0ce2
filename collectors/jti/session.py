"""One device's dial-in telemetry session: connect, authenticate, stream, watch, reconnect.

Owns the life of a stream towards one device: a cheap first call that proves the device answers
(and tells a TLS failure from a refused connection from a silent device), the protocol's
subscribe call, a watchdog that ends a stream that goes quiet and resubscribes, and exponential
backoff with jitter between failed attempts (reset once a stream delivers). Each received
message is handed over as raw bytes with its receive time — decoding happens elsewhere. What
happens is reported to a ``SessionEvents`` (metrics and logs wrap the session from outside).
Protocols (JTI, gNMI) subclass it with ``probe`` and ``subscribe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol

import grpc

from collectors.jti.backoff import Backoff
from collectors.jti.channel import classify, open_channel
from collectors.jti.errors import SessionError, StreamEnded, StreamQuiet
from collectors.jti.target import Target

log = logging.getLogger("collectors.jti")

#: (payload, received_us) → None
Deliver = Callable[[bytes, int], None]


class SessionEvents(Protocol):
    """What a session reports; implemented by the collector (metrics, state-change logging)."""

    def connected(self, session: StreamSession) -> None: ...

    def failed(self, session: StreamSession, error: SessionError) -> None: ...

    def stopped(self, session: StreamSession) -> None: ...


class StreamCall(Protocol):
    """The part of a ``grpc.aio`` streaming call a session uses."""

    async def read(self) -> object: ...

    def cancel(self) -> bool: ...


class StreamSession(ABC):
    """Keeps one device streaming until ``stop``."""

    protocol = "stream"
    source = "stream"

    def __init__(
        self,
        target: Target,
        deliver: Deliver,
        events: SessionEvents,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        self.target = target
        self.deliver = deliver
        self.events = events
        self.backoff = backoff or Backoff()
        self.messages = 0
        self.streams = 0
        self.last_error: SessionError | None = None
        self.streaming = False
        self._task: asyncio.Task[None] | None = None

    # -- protocol hooks -------------------------------------------------------------------------

    @abstractmethod
    async def probe(self, channel: grpc.aio.Channel) -> None:
        """A short call proving the device answers (and accepts the credentials)."""

    @abstractmethod
    async def subscribe(self, channel: grpc.aio.Channel) -> StreamCall:
        """Start the streaming call; messages are read as raw bytes."""

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name=f"{self.protocol}:{self.target.device}")
        return self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.events.stopped(self)

    async def run(self) -> None:
        while True:
            try:
                await self.stream_once()
                error: SessionError = StreamEnded(self.target.device, "the device ended the stream")
            except SessionError as exc:
                error = exc
            except Exception as exc:  # a bug or an unforeseen gRPC error: report it, keep going
                log.exception("%s %s: unexpected failure", self.protocol, self.target.device)
                error = SessionError(self.target.device, f"{type(exc).__name__}: {exc}")
            self.streaming = False
            self.last_error = error
            self.events.failed(self, error)
            await asyncio.sleep(self.backoff.next())

    async def stream_once(self) -> None:
        """One connection: probe, subscribe, read until the stream ends, fails or goes quiet."""
        channel = open_channel(self.target)
        try:
            try:
                await self.probe(channel)
            except grpc.aio.AioRpcError as exc:
                raise classify(self.target, exc, "connect") from None
            try:
                call = await self.subscribe(channel)
            except grpc.aio.AioRpcError as exc:
                raise classify(self.target, exc, "subscribe") from None
            await self._read(call)
        finally:
            await channel.close(grace=None)

    async def _read(self, call: StreamCall) -> None:
        quiet = self.target.quiet_after_s
        first = True
        try:
            while True:
                try:
                    async with asyncio.timeout(quiet):
                        raw = await call.read()
                except TimeoutError:
                    raise StreamQuiet(
                        self.target.device, f"no message for {quiet:g} s; resubscribing"
                    ) from None
                except grpc.aio.AioRpcError as exc:
                    raise classify(self.target, exc, "stream") from None
                if raw is grpc.aio.EOF:
                    return
                assert isinstance(raw, bytes)
                self.deliver(raw, time.time_ns() // 1000)
                self.messages += 1
                if first:
                    first = False
                    self.streams += 1
                    self.streaming = True
                    self.backoff.reset()
                    self.events.connected(self)
        finally:
            call.cancel()
