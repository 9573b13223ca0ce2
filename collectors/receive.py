"""Receiving, separate from decoding: UDP sockets hand raw datagrams to a queue in batches.

A listener stamps each datagram with its exporter and receive time and puts batches on a
``DatagramQueue``; decoders take batches off it on their own thread (or process, or across a
bus). Nothing here parses payloads. The socket asks the kernel for a large receive buffer and
``kernel_drops`` reads the socket's drop counter from /proc so losses before the listener are
visible too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol, cast


@dataclass(frozen=True, slots=True)
class Datagram:
    """One received datagram: payload, sender address and port, receive time (µs since epoch)."""

    payload: bytes
    exporter: str
    port: int
    received_at_us: int


class DatagramQueue(Protocol):
    """Where receivers put batches and decoders take them."""

    def put_batch(self, batch: list[Datagram]) -> None: ...

    def get_batch(self, timeout: float) -> list[Datagram] | None: ...


class LocalQueue:
    """An in-process, thread-safe queue of datagram batches, bounded in datagrams.

    When full, new datagrams are dropped and counted in ``overflow`` (a decoder that cannot keep
    up must show as loss, never as unbounded memory).
    """

    def __init__(self, max_datagrams: int = 1_000_000) -> None:
        self.max_datagrams = max_datagrams
        self.overflow = 0
        self._batches: deque[list[Datagram]] = deque()
        self._size = 0
        self._ready = threading.Condition()

    def put_batch(self, batch: list[Datagram]) -> None:
        with self._ready:
            room = self.max_datagrams - self._size
            if len(batch) > room:
                self.overflow += len(batch) - max(room, 0)
                batch = batch[: max(room, 0)]
            if batch:
                self._batches.append(batch)
                self._size += len(batch)
                self._ready.notify()

    def get_batch(self, timeout: float) -> list[Datagram] | None:
        with self._ready:
            if not self._batches and not self._ready.wait_for(lambda: bool(self._batches), timeout):
                return None
            batch = self._batches.popleft()
            self._size -= len(batch)
            return batch

    def __len__(self) -> int:
        return self._size


class UdpReceiver(asyncio.DatagramProtocol):
    """Collects datagrams into batches of ``batch_size`` or ``max_delay_s``, whichever is first."""

    def __init__(self, queue: DatagramQueue, batch_size: int = 256, max_delay_s: float = 0.05):
        self.queue = queue
        self.batch_size = batch_size
        self.max_delay_s = max_delay_s
        self.datagrams = 0
        self.transport: asyncio.DatagramTransport | None = None
        self._batch: list[Datagram] = []
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        host = str(addr[0])
        if host.startswith("::ffff:"):
            host = host[7:]
        self._batch.append(Datagram(data, host, int(addr[1]), time.time_ns() // 1000))
        self.datagrams += 1
        if len(self._batch) >= self.batch_size:
            self.hand_over()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.max_delay_s, self.hand_over)

    def hand_over(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._batch:
            batch, self._batch = self._batch, []
            self.queue.put_batch(batch)

    def connection_lost(self, exc: Exception | None) -> None:
        self.hand_over()


def udp_socket(host: str, port: int, rcvbuf_bytes: int = 64 * 1024 * 1024) -> socket.socket:
    """A bound, non-blocking UDP socket with the largest receive buffer the kernel grants."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    try:
        # SO_RCVBUFFORCE goes past net.core.rmem_max when running with CAP_NET_ADMIN.
        sock.setsockopt(
            socket.SOL_SOCKET, force if force is not None else socket.SO_RCVBUF, rcvbuf_bytes
        )
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf_bytes)
    sock.bind((host, port))
    sock.setblocking(False)
    return sock


async def open_udp(
    host: str, port: int, queue: DatagramQueue, *, rcvbuf_bytes: int = 64 * 1024 * 1024
) -> tuple[asyncio.DatagramTransport, UdpReceiver]:
    loop = asyncio.get_running_loop()
    sock = udp_socket(host, port, rcvbuf_bytes)
    transport, receiver = await loop.create_datagram_endpoint(lambda: UdpReceiver(queue), sock=sock)
    return transport, receiver


def kernel_drops(sock: socket.socket) -> int | None:
    """Datagrams the kernel dropped for ``sock`` (full receive buffer), from /proc/net/udp[6]."""
    inode = str(os.fstat(sock.fileno()).st_ino)
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if len(fields) >= 13 and fields[9] == inode:
                    return int(fields[12])
    return None
