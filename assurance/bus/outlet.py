"""An outlet: consume one kind of collector message from the bus, decode, write the lake.

Owns the consuming side common to flow and syslog. One durable pull consumer per outlet *group*
(all outlets of a group share it, so the server spreads messages over them and redelivers what
a dead one held). Messages are taken in chunks (``chunk_s`` seconds or ``chunk_records``
records); a chunk's rows go to a private ``LakeWriter`` that publishes them when the chunk ends,
and only then are its messages acknowledged; redelivered messages go through
``commits.DedupSink`` so the lake holds each record once (see ``commits`` for why this is
exact). While a chunk is open its messages are kept alive (``in_progress``) so that a slow but
living outlet is not mistaken for a dead one. Subclasses decode with the embedded collector's
own code (``flow_outlet``, ``syslog_bus``). Must not open sockets other than the NATS
connection, and must not parse wire formats itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import nats.errors
import pyarrow as pa
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from assurance.bus.commits import ChunkLog, DedupSink
from assurance.bus.config import BusConfig, connect, ensure_bucket, ensure_stream
from assurance.bus.envelope import EnvelopeError, unpack
from assurance.lake import LakeStore, LakeWriter
from assurance.lake.layout import new_writer_id
from collectors.errors import MalformedPacket
from collectors.origin import Reject, rejects_table
from collectors.receive import Datagram
from collectors.sink import Sink

log = logging.getLogger(__name__)

#: Set to ``after-publish`` to make an outlet exit right after publishing a chunk's files and
#: before acknowledging its messages: the crash the exactly-once design must survive (tests).
CRASH_ENV = "WANASSURE_BUS_CRASH"
NEVER = 1 << 60


@dataclass
class OutletStats:
    """What an outlet did; read by status lines, metrics and tests."""

    messages: int = 0
    items: int = 0
    records: int = 0
    redelivered: int = 0
    duplicate_rows_skipped: int = 0
    chunks: int = 0
    bad_messages: int = 0


class Route:
    """The embedded collector's sink: forwards to whatever the outlet points it at."""

    def __init__(self) -> None:
        self.target: Sink | None = None

    def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
        assert self.target is not None, "outlet wrote outside a chunk"
        self.target.write(table, batch)

    def flush(self) -> None:
        """Chunks publish themselves."""

    def close(self) -> None:
        """Chunks publish themselves."""


@dataclass
class _Chunk:
    id: str
    writer: LakeWriter
    messages: list[Msg] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    held: set[int] = field(default_factory=set)
    records: int = 0
    since: float = field(default_factory=time.monotonic)


class Outlet(ABC):
    """The chunked consume → decode → publish → acknowledge loop for one kind of message."""

    kind = "flow"

    def __init__(
        self,
        store: LakeStore,
        config: BusConfig,
        *,
        group: str = "lake",
        chunk_s: float = 5.0,
        chunk_records: int = 1_000_000,
        fetch_batch: int = 64,
        ack_wait_s: float = 60.0,
    ) -> None:
        if ack_wait_s < 2 * chunk_s:
            raise ValueError("the ack wait must be at least twice the chunk time")
        self.store = store
        self.config = config.of(self.kind)
        self.group = group
        self.chunk_s = chunk_s
        self.chunk_records = chunk_records
        self.fetch_batch = fetch_batch
        self.ack_wait_s = ack_wait_s
        self.route = Route()
        self.stats = OutletStats()
        self.id = f"bus-{new_writer_id()}"
        self.ready = asyncio.Event()
        self._chunks = 0

    # -- what a kind of outlet provides ----------------------------------------------------

    @abstractmethod
    async def open(self, js: JetStreamContext) -> None:
        """Set up decoding (shared state on the bus, if any) before the first message."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Undo ``open``."""

    @abstractmethod
    def process(self, items: list[Datagram]) -> int:
        """On a worker thread: decode ``items`` and write them to ``self.route``; returns the
        number of records."""

    def housekeeping(self) -> int:
        """On a worker thread before a chunk publishes: write late results; returns rows."""
        return 0

    async def settle(self) -> None:  # noqa: B027 - optional hook
        """Wait until state shared on the bus is written (before acknowledging)."""

    # -- the loop --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; the chunk in hand is published and acknowledged."""
        nc = await connect(self.config, f"outlet-{self.kind}-{self.group}")
        try:
            js = nc.jetstream()
            await ensure_stream(js, self.config)
            chunks = ChunkLog(
                await ensure_bucket(js, self.config.chunks_bucket, self.config.max_age_s)
            )
            await self.open(js)
            try:
                await self._loop(js, chunks, nc, stop)
            finally:
                await self.close()
        finally:
            await nc.close()

    async def _loop(
        self, js: JetStreamContext, chunks: ChunkLog, nc: Client, stop: asyncio.Event
    ) -> None:
        consumer = ConsumerConfig(
            durable_name=self.config.durable(self.group),
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait_s,
            max_ack_pending=100_000,
            max_deliver=-1,
        )
        sub = await js.pull_subscribe(
            self.config.subjects,
            durable=self.config.durable(self.group),
            stream=self.config.stream,
            config=consumer,
        )
        self.ready.set()
        while not stop.is_set():
            chunk = self._new_chunk()
            deadline = time.monotonic() + self.chunk_s
            while not stop.is_set() and chunk.records < self.chunk_records:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    messages = await sub.fetch(self.fetch_batch, timeout=min(left, 1.0))
                except (nats.errors.TimeoutError, TimeoutError):
                    continue
                except nats.errors.Error as exc:  # disconnected: the client reconnects
                    log.warning("fetching from the bus failed: %s", exc)
                    await asyncio.sleep(0.5)
                    continue
                await self._take(chunk, messages, chunks)
                await self._keep_alive(chunk)
            await self._commit(nc, chunk, chunks)

    def _new_chunk(self) -> _Chunk:
        self._chunks += 1
        chunk_id = f"{self.id}-c{self._chunks}"
        writer = LakeWriter(
            self.store,
            writer_id=chunk_id,
            flush_rows=NEVER,
            flush_bytes=NEVER,
            flush_age_s=float("inf"),
        )
        return _Chunk(chunk_id, writer)

    # -- decoding --------------------------------------------------------------------------

    async def _take(self, chunk: _Chunk, messages: Sequence[Msg], log_: ChunkLog) -> None:
        fresh: list[Msg] = []
        earlier: dict[int, list[str]] | None = None
        for msg in messages:
            meta = msg.metadata
            seq = meta.sequence.stream
            chunk.messages.append(msg)
            if seq in chunk.held:  # redelivered while this chunk still holds it
                self.stats.redelivered += 1
                continue
            chunk.held.add(seq)
            chunk.seqs.append(seq)
            if meta.num_delivered <= 1:
                fresh.append(msg)
                continue
            self.stats.redelivered += 1
            if earlier is None:
                earlier = await log_.earlier()
            held_by = earlier.get(seq, [])
            if not held_by:
                fresh.append(msg)
                continue
            await self._decode(chunk, fresh, chunk.writer)
            fresh = []
            dedup = DedupSink(chunk.writer, self.store, held_by)
            await self._decode(chunk, [msg], dedup)
            self.stats.duplicate_rows_skipped += dedup.skipped
        await self._decode(chunk, fresh, chunk.writer)

    async def _decode(self, chunk: _Chunk, messages: Sequence[Msg], sink: Sink) -> None:
        if not messages:
            return
        items: list[Datagram] = []
        bad: list[Reject] = []
        for msg in messages:
            try:
                items += unpack(msg.data, self.kind)
            except EnvelopeError as exc:
                self.stats.bad_messages += 1
                err = MalformedPacket(f"bus message on {msg.subject}: {exc}", offset=0)
                bad.append(Reject(time.time_ns() // 1000, msg.subject, self.kind, err, msg.data))
        self.route.target = sink
        try:
            if bad:
                sink.write("rejects", rejects_table(bad, {}))
            records = await asyncio.to_thread(self.process, items)
        finally:
            self.route.target = None
        self.stats.messages += len(messages)
        self.stats.items += len(items)
        self.stats.records += records
        chunk.records += records

    # -- publishing ------------------------------------------------------------------------

    async def _keep_alive(self, chunk: _Chunk, force: bool = False) -> None:
        """Tell the server the chunk's messages are still being worked on, so that a slow
        chunk is not redelivered to another outlet while this one is alive."""
        now = time.monotonic()
        if force or now - chunk.since >= self.ack_wait_s / 3:
            for msg in chunk.messages:
                await msg.in_progress()
            chunk.since = now

    async def _commit(self, nc: Client, chunk: _Chunk, log_: ChunkLog) -> None:
        """Publish the chunk's files, then acknowledge its messages (the order is the point)."""
        self.route.target = chunk.writer
        try:
            later = await asyncio.to_thread(self.housekeeping)
        finally:
            self.route.target = None
        if not chunk.messages and not later:
            return
        await self._keep_alive(chunk, force=True)
        await self.settle()  # state carried by these messages is shared first
        if chunk.messages:
            await log_.begin(chunk.id, chunk.seqs)
        await asyncio.to_thread(chunk.writer.flush)
        if os.environ.get(CRASH_ENV) == "after-publish" and chunk.messages:
            os._exit(70)
        self.stats.chunks += 1
        try:
            for msg in chunk.messages:
                await msg.ack()
            await nc.flush()
            if chunk.messages:
                await log_.end(chunk.id)
        except (nats.errors.Error, TimeoutError) as exc:
            # The files are published and the intent stays: the server redelivers what it did
            # not see acknowledged, and the dedup path drops those rows.
            log.warning("acknowledging chunk %s failed: %s", chunk.id, exc)
