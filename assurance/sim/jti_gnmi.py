"""The gNMI target of the simulated device: ``Capabilities`` and ``Subscribe`` (STREAM mode).

Owns how a simulated device answers gNMI: SAMPLE subscriptions at their interval, ON_CHANGE as
an initial dump, one ``sync_response`` once every subscription has sent its first data, then
changes and deletes; PROTO or JSON_IETF values; Juniper's telemetry header extension unless the
server turns it off. Mixed into ``SimTelemetryServer``, whose device, faults, authorization and
producers it uses. Must not import the collectors' decoders.
"""

from __future__ import annotations

import asyncio
import itertools
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import grpc

from assurance.sim.jti_render import gnmi_response
from assurance.sim.jti_scenario import Block, SimDevice, sensor_key
from collectors.gnmi.proto import gnmi_pb2
from collectors.jti.paths import elements, xpath

if TYPE_CHECKING:
    from assurance.sim.jti_server import Faults, ServerStats

Item = bytes | object


class GnmiTarget(ABC):
    """gNMI handlers; the host class provides the attributes and methods declared here."""

    device: SimDevice
    gnmi_header: bool
    faults: Faults
    stats: ServerStats
    _gnmi_queues: set[asyncio.Queue[Item]]

    @abstractmethod
    async def _authorize(self, context: grpc.aio.ServicerContext) -> str: ...

    @abstractmethod
    def _drain(
        self, queue: asyncio.Queue[Item], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Item]: ...

    @abstractmethod
    async def _produce(
        self,
        sensor: str,
        frequency_ms: int,
        put: Callable[[list[Block], int], None],
        put_deleted: Callable[[list[str], int], None],
        put_sync: Callable[[], None],
    ) -> None: ...

    async def _capabilities(
        self, request: gnmi_pb2.CapabilityRequest, context: grpc.aio.ServicerContext
    ) -> gnmi_pb2.CapabilityResponse:
        return gnmi_pb2.CapabilityResponse(
            supported_encodings=[gnmi_pb2.PROTO, gnmi_pb2.JSON_IETF], gNMI_version="0.8.0"
        )

    async def _gnmi_subscribe(
        self, requests: AsyncIterator[gnmi_pb2.SubscribeRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Item]:
        await self._authorize(context)
        first = await anext(aiter(requests), None)
        if first is None or not first.HasField("subscribe"):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "first request must subscribe")
        assert first is not None
        spec = first.subscribe
        if spec.mode != gnmi_pb2.SubscriptionList.STREAM:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "only STREAM subscriptions")
        if spec.encoding not in (gnmi_pb2.PROTO, gnmi_pb2.JSON_IETF):
            await context.abort(
                grpc.StatusCode.UNIMPLEMENTED, "encoding must be PROTO or JSON_IETF"
            )
        json_ietf = spec.encoding == gnmi_pb2.JSON_IETF
        self.stats.gnmi_subscribes += 1
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=100_000)
        self._gnmi_queues.add(queue)
        pending = {i for i, _ in enumerate(spec.subscription)}

        def producer(index: int, sub: gnmi_pb2.Subscription) -> asyncio.Task[None]:
            elems = [(e.name, dict(e.key)) for e in (*spec.prefix.elem, *sub.path.elem)]
            sensor = sensor_key(xpath(elems))
            sequence = itertools.count(1)
            if sub.mode == gnmi_pb2.ON_CHANGE:
                frequency_ms = 0
            else:
                frequency_ms = max(int(sub.sample_interval // 1_000_000), 100) or 10_000

            def put(blocks: list[Block], t_ms: int) -> None:
                for block in blocks:
                    response = gnmi_response(
                        self.device,
                        sensor,
                        block,
                        t_ms,
                        next(sequence),
                        json_ietf=json_ietf,
                        header=self.gnmi_header,
                    )
                    queue.put_nowait(response.SerializeToString())
                if frequency_ms and index in pending:
                    put_sync()

            def put_deleted(prefixes: list[str], t_ms: int) -> None:
                note = gnmi_pb2.Notification(timestamp=t_ms * 1_000_000)
                for prefix in prefixes:
                    note.delete.append(gnmi_pb2.Path(elem=_elems(prefix)))
                if prefixes:
                    response = gnmi_pb2.SubscribeResponse(update=note)
                    queue.put_nowait(response.SerializeToString())

            def put_sync() -> None:
                pending.discard(index)
                if not pending:
                    sync = gnmi_pb2.SubscribeResponse(sync_response=True)
                    queue.put_nowait(sync.SerializeToString())

            return asyncio.create_task(
                self._produce(sensor, frequency_ms, put, put_deleted, put_sync)
            )

        producers = [producer(i, s) for i, s in enumerate(spec.subscription)]
        try:
            async for item in self._drain(queue, context):
                yield item
        finally:
            for task in producers:
                task.cancel()
            self._gnmi_queues.discard(queue)


def _elems(path: str) -> list[gnmi_pb2.PathElem]:
    return [gnmi_pb2.PathElem(name=n, key=k) for n, k in elements(path)]
