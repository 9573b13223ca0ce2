"""Syslog on the bus: the inlet's publishing "parser" and the syslog outlet.

Owns the syslog side of the split, built only on the syslog collector's public seams. The inlet
runs the embedded ``SyslogCollector`` (UDP, TCP, TLS listeners, framing, its line queue) with
``BusLineParser`` in place of the parser: each batch of framed lines is published instead of
parsed (sender, transport and receive time with every line), and the parsing thread blocks while
the bus is behind, so the line queue fills and TCP/TLS senders are paused exactly as when the
embedded parser is slow (UDP lines beyond the queue are dropped and counted by the collector).
The outlet decodes with a ``SyslogCollector`` that never listens: its ``process`` (parser,
origin, rejects, metrics) is the embedded one. Syslog keeps no decoder state, so any outlet can
take any message. Must not parse syslog itself.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pyarrow as pa

from assurance.bus.config import BusConfig
from assurance.bus.inlet import BusInlet
from assurance.bus.outlet import Outlet
from assurance.lake import LakeStore
from collectors.origin import ExporterMap
from collectors.receive import Datagram
from collectors.syslog.listener import SyslogCollector
from collectors.syslog.model import Line, ParsedBatch, Transport

TRANSPORTS: tuple[Transport, ...] = ("udp", "tcp", "tls")
_CODE = {name: code for code, name in enumerate(TRANSPORTS)}
WAIT_S = 0.005


class BusLineParser:
    """A ``LineParser`` that publishes lines to the bus and returns nothing to write."""

    def __init__(self, inlet: BusInlet) -> None:
        self.inlet = inlet
        self.lines = 0

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch:
        items = [
            Datagram(bytes(li.raw), li.sender, _CODE[li.transport], li.received_us) for li in lines
        ]
        queue = self.inlet.queue
        while len(queue) and len(queue) + len(items) > queue.max_datagrams:
            time.sleep(WAIT_S)  # the bus is behind: hold the parsing thread (backpressure)
        self.inlet.put_batch(items)
        self.lines += len(items)
        return ParsedBatch()


class NoLake:
    """The inlet's sink: nothing is parsed there, so nothing may be written."""

    def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
        raise RuntimeError(f"a syslog inlet writes no lake (got {batch.num_rows} {table} rows)")

    def flush(self) -> None:
        """Nothing buffered."""

    def close(self) -> None:
        """Nothing buffered."""


class SyslogOutlet(Outlet):
    """Consumes syslog lines from the bus and writes every syslog table to a lake."""

    kind = "syslog"

    def __init__(
        self,
        store: LakeStore,
        config: BusConfig,
        *,
        group: str = "lake",
        exporters: ExporterMap | None = None,
        chunk_s: float = 5.0,
        ack_wait_s: float = 60.0,
    ) -> None:
        super().__init__(store, config, group=group, chunk_s=chunk_s, ack_wait_s=ack_wait_s)
        # never started: only its parse-and-write path is used
        self.collector = SyslogCollector(self.route, udp=("127.0.0.1", 0), exporters=exporters)

    async def open(self, js: object) -> None:
        """Syslog has no decoder state to share."""

    def process(self, items: list[Datagram]) -> int:
        lines = [
            Line(d.payload, d.exporter, d.received_at_us, TRANSPORTS[min(d.port, 2)]) for d in items
        ]
        if lines:
            self.collector.process(lines)
        return len(lines)
