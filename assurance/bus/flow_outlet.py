"""The flow outlet: jflow datagrams from the bus, decoded by the embedded flow collector's code.

Owns what is flow-specific in an outlet: a ``FlowCollector`` that never opens a socket — its
``process`` (decoder, origin from the inventory, rejects, metrics) is the embedded collector's —
whose template cache is backed by the shared key-value bucket (``templates``), kept in step with
the other outlets (``shared``), and whose held data sets are retried when a template another
outlet learned arrives. Must not parse datagrams itself.
"""

from __future__ import annotations

import asyncio
import time

from nats.js import JetStreamContext

from assurance.bus.config import BusConfig, ensure_bucket
from assurance.bus.outlet import Outlet
from assurance.bus.shared import SharedState
from assurance.bus.templates import KvTemplateStore
from assurance.lake import LakeStore
from collectors.flow.decode import DecodeResult, FlowDecoder
from collectors.flow.listener import FlowCollector
from collectors.flow.metrics import FlowMetrics
from collectors.flow.state import DecoderState
from collectors.flow.templates import TemplateCache
from collectors.origin import ExporterMap
from collectors.receive import Datagram


class FlowOutlet(Outlet):
    """Consumes jflow datagrams from the bus and writes flows, options and rejects to a lake."""

    kind = "flow"

    def __init__(
        self,
        store: LakeStore,
        config: BusConfig,
        *,
        group: str = "lake",
        exporters: ExporterMap | None = None,
        metrics: FlowMetrics | None = None,
        chunk_s: float = 5.0,
        ack_wait_s: float = 60.0,
    ) -> None:
        super().__init__(store, config, group=group, chunk_s=chunk_s, ack_wait_s=ack_wait_s)
        self.collector = FlowCollector(self.route, exporters=exporters, metrics=metrics)
        self._templates: KvTemplateStore | None = None
        self._shared: SharedState | None = None

    async def open(self, js: JetStreamContext) -> None:
        kv = await ensure_bucket(js, self.config.templates_bucket, None)
        self._templates = KvTemplateStore(kv, asyncio.get_running_loop())
        state = DecoderState(templates=TemplateCache(store=self._templates))
        self.collector.decoder = FlowDecoder(state)
        self._shared = SharedState(kv, self._templates)
        await self._shared.start()

    async def close(self) -> None:
        if self._shared is not None:
            await self._shared.stop()

    async def settle(self) -> None:
        if self._templates is not None:
            await self._templates.settle()

    def process(self, items: list[Datagram]) -> int:
        """Catch up with the other outlets, then decode and write like the embedded collector."""
        assert self._shared is not None
        decoder = self.collector.decoder
        self._shared.apply(decoder)
        if len(decoder.state.held):
            self._write(decoder.release_held())
        result = self.collector.process(items)
        if result.counters.option_records:
            self._shared.publish_sampling(decoder, {d.exporter for d in items})
        return result.counters.records

    def housekeeping(self) -> int:
        """Decode sets held for templates another outlet has shared since; expire old ones."""
        decoder = self.collector.decoder
        if not len(decoder.state.held):
            return 0
        released = decoder.release_held()
        self._write(released)
        expired = decoder.expire(time.time_ns() // 1000)
        self._write(expired)
        return int(released.flows.num_rows) + expired.counters.rejected

    def _write(self, result: DecodeResult) -> None:
        if result.flows.num_rows or result.options.num_rows or result.rejected:
            self.collector.write_result(result)
