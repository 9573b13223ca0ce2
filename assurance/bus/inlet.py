"""The inlet: a ``DatagramQueue`` that publishes received datagrams to a JetStream stream.

Owns the publishing side of the bus. The socket loop puts batches on it exactly as on the
embedded collector's ``LocalQueue`` (the same bounded queue is inside); a publisher thread with
its own event loop and NATS connection takes them, packs the datagrams of each exporter into one
message on that exporter's subject (``envelope``) and publishes with asynchronous acks (at most
``max_pending`` in flight). Every message carries a ``Nats-Msg-Id`` so that a publish retried
after a lost ack is stored once. A publish the server refuses (stream full, no stream, timeout,
disconnected) is retried, oldest first, before anything new is taken: a full stream thus stops
the publisher, the queue fills, and datagrams beyond it are dropped and counted in ``overflow``
(UDP cannot slow a sender down) — loss is always counted, never silent. Order per exporter is
kept except around a refusal, when a smaller later message may fit where an earlier one did not
(the decoder counts that as reordering, and holds data whose template comes late). Must not
decode.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field

from nats.js import JetStreamContext

from assurance.bus.config import BusConfig, BusError, connect, ensure_stream
from assurance.bus.envelope import by_exporter, pack, subject_token
from collectors.receive import Datagram, LocalQueue

log = logging.getLogger(__name__)

#: Largest message payload (the server's default max_payload is 1 MiB).
MAX_MESSAGE_BYTES = 768 * 1024
ACK_TIMEOUT_S = 5.0
RETRY_FIRST_S = 0.05
RETRY_MAX_S = 1.0


@dataclass
class InletStats:
    """What the publisher did; read by status lines, metrics and tests."""

    messages: int = 0
    datagrams: int = 0
    bytes: int = 0
    refused: int = 0
    #: Datagrams given up at shutdown because the bus never took them.
    abandoned: int = 0
    last_error: str = ""
    refusals: dict[str, int] = field(default_factory=dict)


@dataclass
class _Message:
    subject: str
    payload: bytes
    msg_id: str
    datagrams: int


class BusInlet:
    """Receives batches like ``LocalQueue`` and publishes them to the bus on its own thread."""

    def __init__(
        self,
        config: BusConfig,
        *,
        max_datagrams: int = 1_000_000,
        max_pending: int = 256,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        name: str = "inlet",
    ) -> None:
        self.config = config
        self.queue = LocalQueue(max_datagrams)
        self.max_pending = max_pending
        self.max_message_bytes = max_message_bytes
        self.name = f"{name}-{secrets.token_hex(4)}"
        self.stats = InletStats()
        self._retry: deque[_Message] = deque()
        self._seq = 0
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._grace_s = 30.0
        self._window = asyncio.Semaphore(max_pending)
        self._in_flight: set[asyncio.Task[None]] = set()

    # -- DatagramQueue ---------------------------------------------------------------------

    def put_batch(self, batch: list[Datagram]) -> None:
        self.queue.put_batch(batch)

    def get_batch(self, timeout: float) -> list[Datagram] | None:
        return self.queue.get_batch(timeout)

    @property
    def overflow(self) -> int:
        """Datagrams dropped because the queue was full (the bus was slower than the senders)."""
        return self.queue.overflow

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, timeout_s: float = 15.0) -> None:
        """Connect and make sure the stream exists; raises ``BusError`` when that fails."""
        self._thread = threading.Thread(target=self._thread_main, name="bus-inlet", daemon=True)
        self._thread.start()
        self._ready.wait(timeout_s)
        if self._failure is not None:
            raise BusError(str(self._failure)) from None
        if not self._ready.is_set():
            raise BusError(f"bus at {self.config.redacted()} did not answer in {timeout_s:g} s")

    def stop(self, grace_s: float = 30.0) -> None:
        """Publish what is queued (waiting up to ``grace_s`` for a refusing bus), then close."""
        self._grace_s = grace_s
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    # -- the publisher thread --------------------------------------------------------------

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            log.error("bus inlet stopped: %s", exc)

    async def _main(self) -> None:
        nc = await connect(self.config, self.name)
        try:
            js = nc.jetstream()
            await ensure_stream(js, self.config)
            self._window = asyncio.Semaphore(self.max_pending)
            self._ready.set()
            await self._publish_loop(js)
        finally:
            await nc.close()

    async def _publish_loop(self, js: JetStreamContext) -> None:
        while True:
            if self._retry:
                await self._republish(js)
            batch = await asyncio.to_thread(self.queue.get_batch, 0.05)
            if batch is not None:
                for exporter, run in by_exporter(batch, self.max_message_bytes):
                    await self._publish(js, self._message(exporter, run))
            elif self._stopping.is_set() and len(self.queue) == 0:
                while self._in_flight or self._retry:
                    if self._retry:
                        await self._republish(js)
                    else:
                        await asyncio.sleep(0.01)
                return

    def _message(self, exporter: str, run: list[Datagram]) -> _Message:
        self._seq += 1
        subject = self.config.subject(subject_token(exporter))
        return _Message(subject, pack(run, self.config.kind), f"{self.name}-{self._seq}", len(run))

    async def _publish(self, js: JetStreamContext, message: _Message) -> None:
        """Send without waiting for the ack (at most ``max_pending`` acks outstanding)."""
        await self._window.acquire()
        task = asyncio.create_task(self._send(js, message))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _send(self, js: JetStreamContext, message: _Message) -> None:
        # One request per message rather than nats-py's publish_async, whose futures never
        # complete when the server answers with a 503 status (a full stream).
        try:
            await js.publish(
                message.subject,
                message.payload,
                timeout=ACK_TIMEOUT_S,
                headers={"Nats-Msg-Id": message.msg_id},
            )
        except Exception as exc:  # any refusal: the message is retried, in order
            self._refused(message, exc)
        else:
            self._done(message)
        finally:
            self._window.release()

    def _done(self, message: _Message) -> None:
        self.stats.messages += 1
        self.stats.datagrams += message.datagrams
        self.stats.bytes += len(message.payload)

    def _refused(self, message: _Message, error: BaseException) -> None:
        reason = str(error) or type(error).__name__
        self.stats.refused += 1
        self.stats.last_error = reason
        self.stats.refusals[reason] = self.stats.refusals.get(reason, 0) + 1
        self._retry.append(message)
        log.debug("bus refused a message (%s); retrying", reason)

    async def _republish(self, js: JetStreamContext) -> None:
        """Publish the refused messages in order, one at a time, waiting as long as it takes
        (backpressure); at shutdown give up after the grace period and count the loss."""
        delay = RETRY_FIRST_S
        waited = 0.0
        while self._retry:
            message = self._retry[0]
            try:
                await js.publish(
                    message.subject,
                    message.payload,
                    timeout=2.0,
                    headers={"Nats-Msg-Id": message.msg_id},
                )
            except Exception as exc:  # any refusal: wait and retry the same message
                self.stats.refused += 1
                self.stats.last_error = str(exc) or type(exc).__name__
                if self._stopping.is_set() and waited >= self._grace_s:
                    lost = sum(m.datagrams for m in self._retry)
                    self.stats.abandoned += lost
                    log.error("bus refused %d datagrams at shutdown: %s", lost, exc)
                    self._retry.clear()
                    return
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            self._retry.popleft()
            self._done(message)
            delay = RETRY_FIRST_S
