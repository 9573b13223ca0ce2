"""The inlet against a real nats-server: a full stream is backpressure and counted loss, never
silent loss, and nothing is stored twice."""

from __future__ import annotations

import asyncio
import time

import nats
import nats.errors

from assurance.bus.config import BusConfig
from assurance.bus.envelope import unpack
from assurance.bus.inlet import BusInlet
from collectors.receive import Datagram

PAYLOAD = 1000


def batch(first: int, n: int) -> list[Datagram]:
    return [
        Datagram(i.to_bytes(4, "big") * (PAYLOAD // 4), "10.9.8.7", 2055, 1_000 + i)
        for i in range(first, first + n)
    ]


async def consume_all(config: BusConfig, idle_s: float) -> list[int]:
    """Every datagram id in the stream, read and acknowledged by a plain JetStream consumer."""
    nc = await nats.connect(config.url)
    js = nc.jetstream()
    sub = await js.pull_subscribe(config.subjects, durable="test", stream=config.stream)
    ids: list[int] = []
    last = time.monotonic()
    while time.monotonic() - last < idle_s:
        try:
            messages = await sub.fetch(50, timeout=0.5)
        except (nats.errors.TimeoutError, TimeoutError):
            continue
        for msg in messages:
            ids += [int.from_bytes(d.payload[:4], "big") for d in unpack(msg.data)]
            await msg.ack()
        last = time.monotonic()
    await nc.close()
    return ids


def test_a_full_stream_stops_the_publisher_and_the_loss_is_counted(nats_url: str) -> None:
    config = BusConfig(nats_url, max_bytes=64 * 1024)
    inlet = BusInlet(config, max_datagrams=200, max_message_bytes=8 * 1024)
    inlet.start()
    total = 2000
    for first in range(0, total, 10):
        inlet.put_batch(batch(first, 10))
        time.sleep(0.002)
    time.sleep(1.0)
    # 64 KiB hold about 60 datagrams: the stream refused, the queue filled, the rest overflowed
    assert inlet.stats.refused > 0
    assert inlet.stats.datagrams < 70
    assert inlet.overflow > 0
    ids = asyncio.run(consume_all(config, idle_s=3.0))  # frees the stream: the inlet resumes
    inlet.stop(grace_s=5.0)
    assert inlet.stats.abandoned == 0
    assert len(ids) == len(set(ids)), "a datagram was stored twice"
    assert len(ids) == inlet.stats.datagrams
    assert len(ids) + inlet.overflow == total
