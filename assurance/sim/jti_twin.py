"""JTI over gRPC from the twin's gateways and switches, on the simulated clock (dial-in).

Owns: one ``grpc.aio`` server per gateway and switch, each bound on the device's own loopback
address (gateway ``127.a.b.1``, switch ``127.a.b.2``) at one shared port, all on one event loop
in a background thread; the Routing Engine model each serves (``SimDevice`` with the minute's
CPU, memory and temperature from ``devices.Sample``); and the clock: nothing is sent until a
minute is published, then every subscribed sensor path of every open subscription gets that
minute's ``OpenConfigData`` stamped with the simulated sample time, numbered per subscription
and path. A periodic path (sample frequency > 0) sends every simulated minute whatever its
frequency; an on-change path sends its first values, a sync response, and later only changes.
The same servers are gNMI targets (``jti_gnmi``, on the same port, as a Junos device serves
both): a STREAM subscription's SAMPLE paths send every published minute too (the sync response
after every path's first minute), its ON_CHANGE paths their first values, the sync response and
then changes and deletes, each notification stamped with the simulated time.
Login, ``getDataEncodings``, subscription listing and cancelling are the device-side server's
(``jti_server``). Must not: decide values (``devices``) or touch the lake.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from assurance.errors import AssuranceError
from assurance.sim.devices import GW_MEMORY_BYTES, SW_MEMORY_BYTES, Sample
from assurance.sim.jti_render import oc_message
from assurance.sim.jti_scenario import Block, SimDevice, sensor_key
from assurance.sim.jti_server import SimTelemetryServer
from assurance.sim.world import Site
from collectors.jti.proto import telemetry_pb2

T = TypeVar("T")
BIND_ATTEMPTS = 20


class GrpcServeError(AssuranceError):
    """The twin's devices cannot serve JTI gRPC (the port is taken on a device address)."""


@dataclass
class _Stream:
    """One subscribed sensor path of one subscription."""

    sensor: str
    on_change: bool
    queue: asyncio.Queue[bytes | object]
    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    last: dict[str, tuple[Any, ...]] | None = None  # on change: what was sent per prefix


@dataclass
class _GnmiStream:
    """One path of a gNMI subscription, with the target's callbacks that queue responses."""

    sensor: str
    on_change: bool
    put: Callable[[list[Block], int], None]
    put_deleted: Callable[[list[str], int], None]
    put_sync: Callable[[], None]
    last: dict[str, tuple[Any, ...]] | None = None  # on change: what was sent per prefix

    def publish(self, device: SimDevice, t_ms: int) -> int:
        blocks = device.blocks(self.sensor, t_ms)
        if not self.on_change:
            self.put(blocks, t_ms)
            return len(blocks)
        last = self.last or {}
        changed = [b for b in blocks if last.get(b.prefix) != b.leaves]
        self.put(changed, t_ms)
        now = {b.prefix: b.leaves for b in blocks}
        self.put_deleted([p for p in last if p not in now], t_ms)
        if self.last is None:
            self.put_sync()
        self.last = now
        return len(changed)


@dataclass
class MinuteServer(SimTelemetryServer):
    """A device's JTI and gNMI server whose streams send only when a simulated minute is
    published."""

    streams: list[_Stream] = field(default_factory=list)
    gnmi_streams: list[_GnmiStream] = field(default_factory=list)

    async def _produce_oc(
        self, path: str, frequency_ms: int, queue: asyncio.Queue[bytes | object]
    ) -> None:
        stream = _Stream(sensor_key(path), frequency_ms == 0, queue)
        self.streams.append(stream)
        try:
            await asyncio.Event().wait()  # until the subscription ends
        finally:
            self.streams.remove(stream)

    async def _produce(
        self,
        sensor: str,
        frequency_ms: int,
        put: Callable[[list[Block], int], None],
        put_deleted: Callable[[list[str], int], None],
        put_sync: Callable[[], None],
    ) -> None:
        """A gNMI path: sends when minutes are published, until the subscription ends."""
        stream = _GnmiStream(sensor, frequency_ms == 0, put, put_deleted, put_sync)
        self.gnmi_streams.append(stream)
        try:
            await asyncio.Event().wait()
        finally:
            self.gnmi_streams.remove(stream)

    @property
    def subscribed(self) -> bool:
        """Every path of every open JTI subscription is ready for the next minute, or a gNMI
        subscription is (its paths register together, in one turn of the event loop)."""
        paths = sum(len(s.request.path_list) for s in self.subscriptions.values())
        if paths == 0:
            return bool(self.gnmi_streams)
        return len(self.streams) == paths

    def publish(self, t_ms: int) -> int:
        """Queue the minute's messages on every stream; returns how many."""
        sent = 0
        for stream in self.streams:
            for message in self._messages(stream, t_ms):
                stream.queue.put_nowait(message)
                sent += 1
        for gnmi in self.gnmi_streams:
            sent += gnmi.publish(self.device, t_ms)
        self.stats.messages += sent
        return sent

    def _messages(self, stream: _Stream, t_ms: int) -> list[bytes]:
        d, sensor = self.device, stream.sensor
        blocks = d.blocks(sensor, t_ms)
        if not stream.on_change:
            return [oc_message(d, sensor, b, t_ms, next(stream.sequence)).SerializeToString()
                    for b in blocks]  # fmt: skip
        first = stream.last is None
        last = stream.last or {}
        out = [
            oc_message(d, sensor, b, t_ms, next(stream.sequence)).SerializeToString()
            for b in blocks
            if last.get(b.prefix) != b.leaves
        ]
        now = {b.prefix for b in blocks}
        header = f"sensor_1000:{sensor}:{sensor}:mib2d"
        for prefix in (p for p in last if p not in now):
            gone = telemetry_pb2.OpenConfigData(
                system_id=d.system_id, path=header, sequence_number=next(stream.sequence),
                timestamp=t_ms,
            )  # fmt: skip
            gone.delete.add(path=prefix.rstrip("/"))
            out.append(gone.SerializeToString())
        stream.last = {b.prefix: b.leaves for b in blocks}
        if first:
            sync = telemetry_pb2.OpenConfigData(
                system_id=d.system_id, path=header, sync_response=True, timestamp=t_ms
            )
            out.append(sync.SerializeToString())
        return out


def _routing_engine(name: str, address: str, physical: int) -> SimDevice:
    return SimDevice(name=name, system_id=f"{name}:{address}", epoch_ms=0,
                     memory_physical=physical)  # fmt: skip


class TwinJti:
    """The JTI gRPC servers of a twin's gateways and switches (``start`` … ``close``)."""

    def __init__(self, sites: Sequence[Site], port: int = 0) -> None:
        self.sites = list(sites)
        self.port = port
        self.servers: list[MinuteServer] = []
        for site in self.sites:
            for host, name, memory in (
                (1, site.gateway, GW_MEMORY_BYTES),
                (2, site.switch, SW_MEMORY_BYTES),
            ):
                address = site.address(host, loopback=True)
                device = _routing_engine(name, site.address(host), memory)
                self.servers.append(MinuteServer(device, host=address, reuse_port=False))
        self.messages = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="twin-jti-grpc", daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> int:
        """Serve on every device address; returns the port they share."""
        self._thread.start()
        self.port = self._run(self._bind_all())
        return self.port

    async def _bind_all(self) -> int:
        wanted = self.port
        for _ in range(BIND_ATTEMPTS):
            port = wanted
            try:
                for server in self.servers:
                    server.port = port
                    port = await server.start()
                    if not port:
                        raise RuntimeError("port not bound")
                return port
            except RuntimeError as exc:
                await asyncio.gather(*(s.stop(None) for s in self.servers))
                if wanted:
                    raise GrpcServeError(
                        f"cannot serve JTI gRPC on port {wanted} of every device address: {exc}"
                    ) from None
        raise GrpcServeError("no port is free on every device address")

    def wait_subscribed(self, timeout_s: float) -> int:
        """Wait until every device has a subscriber; returns how many still have none."""
        deadline = time.monotonic() + timeout_s

        async def missing() -> int:
            return sum(not s.subscribed for s in self.servers)

        left = self._run(missing())
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = self._run(missing())
        return left

    def close(self, grace_s: float = 10.0) -> None:
        """End every stream once what is queued has gone, stop serving, end the thread."""
        if not self._thread.is_alive():
            return

        async def stop() -> None:
            for server in self.servers:
                server.end_streams()
            await asyncio.gather(*(s.stop(grace_s) for s in self.servers))

        with contextlib.suppress(TimeoutError):
            self._run(stop(), timeout=grace_s + 5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # -- the simulated clock -----------------------------------------------------------------

    def publish(self, sample: Sample) -> int:
        """Hand every device the minute's Routing Engine values; returns messages queued."""
        readings = []
        for n in range(len(self.sites)):
            readings.append((int(sample.gw_time_ms[n]), int(sample.re_cpu[n]),
                             int(sample.re_mem_used[n]), int(sample.re_temp[n])))  # fmt: skip
            readings.append((int(sample.sw_time_ms[n]), int(sample.sw_cpu[n]),
                             int(sample.sw_mem_used[n]), int(sample.sw_temp[n])))  # fmt: skip

        async def publish() -> int:
            sent = 0
            for server, (t_ms, cpu, used, temp) in zip(self.servers, readings, strict=True):
                d = server.device
                d.cpu_pct, d.memory_used, d.temperature_c = cpu, used, temp
                sent += server.publish(t_ms)
            return sent

        sent = self._run(publish())
        self.messages += sent
        return sent


__all__ = ["GrpcServeError", "MinuteServer", "TwinJti"]
