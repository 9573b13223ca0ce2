"""UDP receiving over real loopback sockets: batching, exporter addresses, kernel drop counts."""

from __future__ import annotations

import asyncio
import socket
import time

from collectors.receive import Datagram, LocalQueue, kernel_drops, open_udp, udp_socket


def test_every_datagram_reaches_the_queue_with_its_exporter() -> None:
    async def scenario() -> list[bytes]:
        queue = LocalQueue()
        transport, receiver = await open_udp("127.0.0.1", 0, queue)
        port = transport.get_extra_info("sockname")[1]
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sender.bind(("127.0.0.2", 0))
        for i in range(5000):
            sender.sendto(i.to_bytes(4, "big"), ("127.0.0.1", port))
            if i % 500 == 0:
                await asyncio.sleep(0)  # let the loop read, as a real exporter paces itself
        deadline = time.monotonic() + 5
        while receiver.datagrams < 5000 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        transport.close()
        await asyncio.sleep(0)
        payloads = []
        while (batch := queue.get_batch(timeout=0.1)) is not None:
            assert {d.exporter for d in batch} == {"127.0.0.2"}
            assert all(d.port == sender.getsockname()[1] for d in batch)
            assert all(abs(d.received_at_us / 1e6 - time.time()) < 60 for d in batch)
            payloads += [d.payload for d in batch]
        sender.close()
        return payloads

    payloads = asyncio.run(scenario())
    assert [int.from_bytes(p, "big") for p in payloads] == list(range(5000))


def test_kernel_drops_are_read_for_the_socket() -> None:
    sock = udp_socket("127.0.0.1", 0, rcvbuf_bytes=4096)  # tiny buffer, never read
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    assert kernel_drops(sock) == 0
    for _ in range(2000):
        sender.sendto(b"x" * 1000, sock.getsockname())
    drops = kernel_drops(sock)
    assert drops is not None and drops > 1000
    sock.close()
    sender.close()


def test_bounded_queue_counts_overflow_instead_of_growing() -> None:
    queue = LocalQueue(max_datagrams=10)
    queue.put_batch([Datagram(b"", "192.0.2.1", 1, 0)] * 8)
    queue.put_batch([Datagram(b"", "192.0.2.1", 1, 0)] * 8)
    assert len(queue) == 10 and queue.overflow == 6
    assert [len(queue.get_batch(0.01) or []) for _ in range(3)] == [8, 2, 0]
