"""``wanassure demo``: the main pipeline end to end on the embedded default (DuckDB + Parquet).

Simulated SRX gateways of the sample inventory export IPFIX over loopback UDP to the real flow
collector and send RT_FLOW session-close syslog over TCP to the real syslog collector; both
decode, attach device and site and write the lake; settled partitions are compacted and DuckDB
reports per-exporter traffic and sessions per application. One exporter the inventory does not
know is kept and flagged, and one corrupt datagram lands in ``rejects``.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from assurance.cli.ui import fail, human_bytes, out, progress, total
from assurance.config import load_config
from assurance.errors import AssuranceError
from assurance.lake import LakeStore, LakeWriter, connect
from assurance.lake.catalog import load_sql
from assurance.lake.maintenance import compact, lake_info
from assurance.sim.jflow import SRX_IPV4_FIELDS, srx_ipv4_columns
from assurance.sim.srx_syslog import session_close_lines
from collectors.flow import IpfixEncoder
from collectors.flow.listener import FlowCollector
from collectors.syslog.listener import SyslogCollector

UNKNOWN_EXPORTER = "127.0.1.250"
SEND_RATE = 250_000  # records/s, paced like a busy exporter fleet
BATCH_RECORDS = 20_000
FLOWS_PER_SESSION_LINE = 30  # session-close lines sent per this many flow records


@dataclass(frozen=True)
class SimulatedGateway:
    address: str  # loopback source address the simulated device exports from
    device: str | None
    site: str | None


def demo(
    lake: Annotated[str, typer.Option(help="Lake folder to create or extend")] = "demo-lake",
    config: Annotated[Path, typer.Option(help="Configuration with the inventory")] = Path(
        "data/samples/wanassure.yaml"
    ),
    hours: Annotated[float, typer.Option(help="Hours of traffic to generate", min=0.1)] = 3,
    rows: Annotated[int, typer.Option(help="Flow records to export", min=1000)] = 600_000,
) -> None:
    """Export sample traffic to the flow collector over UDP and show what landed in the lake."""
    try:
        cfg = load_config(config)
        gateways = [
            ref
            for ref in {r.device: r for r in cfg.inventory.device_index().values()}.values()
            if ref.kind == "gateway"
        ]
        simulated = [
            SimulatedGateway(f"127.0.1.{i}", ref.device, ref.site)
            for i, ref in enumerate(gateways, start=1)
        ] + [SimulatedGateway(UNKNOWN_EXPORTER, None, None)]
        end = datetime.now(UTC).replace(microsecond=0)
        start = end - timedelta(hours=hours)
        out.print(
            f"[bold]1/5[/] {len(gateways)} SRX gateways of org {cfg.inventory.org.name} "
            f"(+1 exporter not in the inventory) will export {rows:,} IPFIX records over "
            f"{hours:g} h of traffic",
            highlight=False,
        )
        store = LakeStore(lake)
        flows, syslog = asyncio.run(_collect(store, simulated, rows, start, end))
        m = flows.metrics
        out.print(
            f"[bold]3/5[/] flow collector decoded {total(m.records):,.0f} records from "
            f"{total(m.datagrams):,.0f} datagrams; rejects {total(m.decode_errors):,.0f}; "
            f"kernel drops {flows.kernel_drops() or 0}\n"
            f"    syslog collector parsed {total(syslog.metrics.lines):,.0f} lines over TCP "
            f"into {total(syslog.metrics.rows):,.0f} rows "
            f"(syslog_events + sessions); rejects {total(syslog.metrics.rejects):,.0f}",
            highlight=False,
        )
        result = compact(store)
        out.print(
            f"[bold]4/5[/] compacted {result.files_in} small files into {result.files_out} "
            "(hourly partitions that ended over an hour ago)"
        )
        _show_lake(store)
        con = connect(store)
        summary = con.execute(load_sql("exporter_summary"), {"since": start}).fetchall()
        apps = con.execute(load_sql("sessions_by_app"), {"since": start}).fetchall()
    except AssuranceError as exc:
        raise fail(str(exc)) from None
    grid = Table(
        title=f"[bold]5/5[/] traffic per exporter since {start:%H:%M} UTC", title_justify="left"
    )
    for name in ("exporter", "site", "device", "flow records", "bytes"):
        grid.add_column(name, justify="right" if name in ("flow records", "bytes") else "left")
    for exporter, known, site, device, records, nbytes, _first, _last in summary:
        style = None if known else "yellow"
        grid.add_row(exporter, site, device, f"{records:,}", human_bytes(int(nbytes)), style=style)
    out.print(grid)
    grid = Table(title="closed sessions per site and application (syslog)", title_justify="left")
    for name in ("site", "application", "sessions", "up", "down"):
        grid.add_column(name, justify="left" if name in ("site", "application") else "right")
    for _known, site, app, sessions, up, down in apps:
        grid.add_row(site, app, f"{sessions:,}", human_bytes(int(up)), human_bytes(int(down)))
    out.print(grid)
    out.print(f"Look again with: .venv/bin/wanassure lake info {lake}", highlight=False)


async def _collect(
    store: LakeStore,
    simulated: list[SimulatedGateway],
    rows: int,
    start: datetime,
    end: datetime,
) -> tuple[FlowCollector, SyslogCollector]:
    exporters = {g.address: (g.device, g.site) for g in simulated if g.device and g.site}
    writer = LakeWriter(store, flush_rows=200_000)
    flows = FlowCollector(writer, host="127.0.0.1", port=0, exporters=exporters)
    syslog = SyslogCollector(writer, tcp=("127.0.0.1", 0), exporters=exporters)
    await flows.start()
    await syslog.start()
    assert syslog.tcp is not None
    syslog_port = syslog.tcp[1]
    out.print(
        f"[bold]2/5[/] flow collector on udp 127.0.0.1:{flows.port}, syslog collector on "
        f"tcp 127.0.0.1:{syslog_port}, writing {store.root}",
        highlight=False,
    )
    try:
        sent, lines = await asyncio.to_thread(
            _export, simulated, flows.port, syslog_port, rows, start, end
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            total(flows.metrics.records) < sent or total(syslog.metrics.lines) < lines
        ):
            await asyncio.sleep(0.05)
    finally:
        await flows.stop()
        await syslog.stop()
        writer.close()
    return flows, syslog


def _export(
    simulated: list[SimulatedGateway],
    port: int,
    syslog_port: int,
    rows: int,
    start: datetime,
    end: datetime,
) -> tuple[int, int]:
    """Send ``rows`` IPFIX records and their session-close syslog, spread over the gateways;
    returns (records, syslog lines) sent."""
    rng = np.random.default_rng(2026)
    first_ms, last_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    export_time = int(end.timestamp())
    per_gateway = rows // len(simulated)
    sent = lines = 0
    began = time.perf_counter()
    with progress("exporting IPFIX") as advance:
        for index, gateway in enumerate(simulated):
            encoder = IpfixEncoder(domain=index, mtu=1500)
            encoder.define(256, SRX_IPV4_FIELDS)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind((gateway.address, 0))
                sock.sendto(encoder.template_datagram(export_time=export_time), ("127.0.0.1", port))
                for first in range(0, per_gateway, BATCH_RECORDS):
                    count = min(BATCH_RECORDS, per_gateway - first)
                    columns = srx_ipv4_columns(
                        rng,
                        count,
                        first_end_ms=first_ms,
                        last_end_ms=last_ms,
                        client_net=0x0A000000 + (index << 16),
                    )
                    for datagram in encoder.encode(
                        256, columns, export_time=export_time, with_template=False
                    ):
                        sock.sendto(datagram, ("127.0.0.1", port))
                    sent += count
                    advance(sent, per_gateway * len(simulated))
                    # Pace the export so the demo behaves like devices, not a flood.
                    time.sleep(max(0.0, began + sent / SEND_RATE - time.perf_counter()))
                if index == len(simulated) - 1:
                    sock.sendto(b"\x00\x0a\x00\x30corrupt IPFIX header", ("127.0.0.1", port))
            lines += _send_syslog(rng, gateway, syslog_port, per_gateway, first_ms, last_ms, index)
    return sent, lines


def _send_syslog(
    rng: np.random.Generator,
    gateway: SimulatedGateway,
    port: int,
    flow_records: int,
    first_ms: int,
    last_ms: int,
    index: int,
) -> int:
    """Send session-close lines over TCP with octet-counting framing (RFC 6587)."""
    lines = session_close_lines(
        rng,
        max(1, flow_records // FLOWS_PER_SESSION_LINE),
        hostname=gateway.device or "unknown-srx",
        first_ms=first_ms,
        last_ms=last_ms,
        client_net=f"10.{index}",
    )
    with socket.create_connection(("127.0.0.1", port), source_address=(gateway.address, 0)) as tcp:
        tcp.sendall(b"".join(b"%d %s" % (len(line), line) for line in lines))
    return len(lines)


def _show_lake(store: LakeStore) -> None:
    tables = [t for t in lake_info(store) if t.files]
    grid = Table(title=f"lake {store.root}", title_justify="left")
    for name in ("table", "partitions", "files", "rows", "size", "newest event (UTC)"):
        grid.add_column(
            name, justify="left" if name in ("table", "newest event (UTC)") else "right"
        )
    for t in tables:
        newest = f"{t.newest_event:%Y-%m-%d %H:%M:%S}" if t.newest_event else "-"
        grid.add_row(
            t.table,
            f"{t.partitions:,}",
            f"{t.files:,}",
            f"{t.rows:,}",
            human_bytes(t.bytes),
            newest,
        )
    out.print(grid)
