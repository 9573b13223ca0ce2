"""The demo's pipeline end to end on the embedded default (DuckDB + Parquet).

The network twin plays a small SRX org with scheduled faults (``data/samples/scenarios/``) on an
accelerated clock: its gateways export IPFIX over loopback UDP to the real flow collector, its
gateways, switches and APs send syslog over TCP to the real syslog collector, and its gateways
and switches push native JTI over UDP (interface counters, SPU health, IKE SAs, RPM probes) to
the real telemetry collector, which also dials every gateway and switch on its own loopback
address for JTI OpenConfig over gRPC (Routing Engine CPU, memory, temperature), with targets
built from the twin's inventory as ``collect jti`` builds them. A corrupt datagram from a device
the inventory does not know is kept in ``rejects``. Then the SLE engine computes user-minute
SLEs and the demo prints them per site next to the faults the twin injected, and the analysis
turns them into incidents with ranked root causes, so what the engine found can be checked
against the truth.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
from pathlib import Path
from typing import Any

from rich.table import Table

from assurance.cli.collect_telemetry import targets_from_inventory
from assurance.cli.ui import fail, human_bytes, out, progress, total
from assurance.errors import AssuranceError
from assurance.lake import LakeStore, LakeWriter
from assurance.lake.maintenance import lake_info
from assurance.sim.emit import Emitter
from assurance.sim.jti_twin import TwinJti
from assurance.sim.physics import Minute, Twin
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sim.truth import ground_truth, write_truth
from assurance.sim.wire import parse_targets, run_wire
from assurance.sim.world import World
from collectors.flow.listener import FlowCollector
from collectors.jti.collector import TelemetryCollector
from collectors.syslog.listener import SyslogCollector

UNKNOWN_EXPORTER = "127.0.1.250"
DASHBOARD_URL = "http://127.0.0.1:8501"


def run(lake: str, scenario: Path, hours: float | None, speed: float) -> None:
    """Play the scenario through the collectors, then SLEs, analysis and alerts."""
    try:
        played = load_scenario(scenario)
        if hours is not None:
            played = Scenario.model_validate({**played.model_dump(by_alias=True), "hours": hours})
        store = LakeStore(lake)
        store.ensure_root()
        world = World(played)
        _intro(played, world)
        sent = asyncio.run(_collect(store, played, world, speed))
        _show_lake(store, sent)
        _sle(store, world)
        _analyze(store, world)
        _alerts(store, world, played)
    except AssuranceError as exc:
        raise fail(str(exc)) from None


def _intro(scenario: Scenario, world: World) -> None:
    out.print(
        f"[bold]1/6[/] scenario {scenario.name}: {len(world.sites)} sites, {len(world.clients)} "
        f"clients, {scenario.hours:g} h from {scenario.start:%Y-%m-%d %H:%M} UTC, "
        f"{len(scenario.faults)} faults scheduled",
        highlight=False,
    )


async def _collect(
    store: LakeStore, scenario: Scenario, world: World, speed: float
) -> dict[str, Any]:
    inventory = world.inventory()
    exporters = {ip: (ref.device, ref.site) for ip, ref in inventory.device_index().items()}
    twin = Twin(world)
    devices = TwinJti(twin.sites)  # each gateway and switch serves JTI gRPC on its loopback
    port = await asyncio.to_thread(devices.start)
    dial = [dataclasses.replace(t, port=port) for t in targets_from_inventory(inventory, Path())]
    writer = LakeWriter(store, flush_rows=500_000)
    flows = FlowCollector(writer, host="127.0.0.1", port=0, exporters=exporters)
    syslog = SyslogCollector(writer, tcp=("127.0.0.1", 0), exporters=exporters)
    jti = TelemetryCollector(writer, dial, udp=("127.0.0.1", 0), exporters=exporters)
    await flows.start()
    await syslog.start()
    await jti.start()
    assert syslog.tcp is not None and jti.udp is not None
    targets = parse_targets(
        f"flow=127.0.0.1:{flows.port},syslog=127.0.0.1:{syslog.tcp[1]},jti=127.0.0.1:{jti.udp[1]}"
    )
    out.print(
        f"[bold]2/6[/] flow collector on udp 127.0.0.1:{flows.port}, syslog collector on tcp "
        f"127.0.0.1:{syslog.tcp[1]}, JTI collector on udp 127.0.0.1:{jti.udp[1]} and dialling "
        f"{len(dial)} devices' JTI gRPC on port {port} → {store.root}; the twin plays "
        f"{scenario.hours:g} h at {speed:g}× (about {scenario.hours * 3600 / speed:.0f} s)",
        highlight=False,
    )
    write_truth(store, world)
    try:
        stats = await asyncio.to_thread(_play, scenario, twin, devices, targets, speed)
        _send_corrupt_datagram(flows.port)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            total(flows.metrics.records) < stats.flow_records
            or total(syslog.metrics.lines) < stats.syslog_lines
            or total(flows.metrics.decode_errors) < 1
            or jti.frames.received < stats.jti_messages + stats.grpc_messages
        ):
            await asyncio.sleep(0.05)
    finally:
        await flows.stop()
        await syslog.stop()
        await jti.stop()
        await asyncio.to_thread(devices.close)
        writer.close()
    return {
        "records": int(total(flows.metrics.records)),
        "sent_records": stats.flow_records,
        "lines": int(total(syslog.metrics.lines)),
        "sent_lines": stats.syslog_lines,
        "jti": int(total(jti.metrics.messages)),
        "sent_jti": stats.jti_messages + stats.grpc_messages,
        "late": stats.late_minutes,
        "drops": flows.kernel_drops() or 0,
    }


def _play(
    scenario: Scenario,
    twin: Twin,
    devices: TwinJti,
    targets: dict[str, tuple[str, int]],
    speed: float,
) -> Any:
    with progress("twin on the wire (simulated minutes)") as advance:

        def on_minute(m: Minute, emitter: Emitter) -> None:
            advance(m.minute + 1, scenario.minutes)

        return run_wire(
            scenario, targets, speed=speed, twin=twin, on_minute=on_minute, jti_grpc=devices
        )


def _send_corrupt_datagram(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((UNKNOWN_EXPORTER, 0))
        sock.sendto(b"\x00\x0a\x00\x30corrupt IPFIX header", ("127.0.0.1", port))


def _show_lake(store: LakeStore, sent: dict[str, Any]) -> None:
    out.print(
        f"[bold]3/6[/] collectors decoded {sent['records']:,} of {sent['sent_records']:,} flow "
        f"records and parsed {sent['lines']:,} of {sent['sent_lines']:,} syslog lines; kernel "
        f"drops {sent['drops']}; decoded {sent['jti']:,} of {sent['sent_jti']:,} JTI messages "
        f"(UDP and gRPC); 1 corrupt datagram from unknown exporter {UNKNOWN_EXPORTER} "
        "kept in rejects",
        highlight=False,
    )
    grid = Table(title=f"lake {store.root}", title_justify="left")
    for name in ("table", "files", "rows", "size"):
        grid.add_column(name, justify="left" if name == "table" else "right")
    for t in lake_info(store):
        if t.files:
            grid.add_row(t.table, f"{t.files:,}", f"{t.rows:,}", human_bytes(t.bytes))
    out.print(grid)


def _sle(store: LakeStore, world: World) -> None:
    from assurance.query import SleQuery
    from assurance.rollups import build as build_rollups
    from assurance.sle.compute import compute

    with progress("computing SLEs") as advance:
        summary = compute(store.url, world.inventory(), progress=advance)
    build_rollups(store.url)
    out.print(
        f"[bold]4/6[/] SLEs computed: {summary.user_minutes:,} user minutes, "
        f"{summary.sle_rows:,} SLE rows in {summary.seconds:.1f} s",
        highlight=False,
    )
    query = SleQuery(store.url)
    try:
        _sle_table(query, world)
    finally:
        query.close()
    faults = Table(title="faults the twin injected (ground truth)", title_justify="left")
    for name in ("fault", "where", "when (UTC)", "should show as"):
        faults.add_column(name)
    for f in ground_truth(world):
        scope = f["scope"]
        where = " ".join(
            str(scope[k])
            for k in ("site", "link", "ap", "switch_port", "app", "isp")
            if scope.get(k)
        )
        start = f["start"][11:16]
        end = (f["end"][11:16]) if f["minutes"] < 1440 else f["end"]
        faults.add_row(f["type"], where, f"{start}–{end}", f"{f['sle']} / {f['classifier']}")
    out.print(faults)


def _analyze(store: LakeStore, world: World) -> None:
    from assurance.analysis.pipeline import analyze
    from assurance.query import IncidentQuery

    with progress("analyzing") as advance:
        summary = analyze(store.url, world.inventory(), progress=advance)
    out.print(
        f"[bold]5/6[/] analysis: {summary.anomalies:,} scored points, "
        f"{len(summary.incidents)} incidents with ranked root causes in {summary.seconds:.1f} s",
        highlight=False,
    )
    query = IncidentQuery(store.url)
    try:
        incidents = sorted(query.incidents(), key=lambda i: i["detected_at"])
    finally:
        query.close()
    grid = Table(title="incidents found (top-ranked root cause)", title_justify="left")
    for name in ("detected (UTC)", "where", "root cause", "confidence", "users"):
        grid.add_column(
            name,
            justify="right" if name in ("confidence", "users") else "left",
            overflow="fold",
        )
    for inc in incidents:
        top = inc["causes"][0]
        grid.add_row(
            f"{inc['detected_at']:%H:%M}",
            inc["where"],
            f"{top['title']}\n{top['root_cause']}",
            f"{top['confidence']:.0%}",
            str(inc["impacted_users"]),
        )
    out.print(grid)


def _alerts(store: LakeStore, world: World, scenario: Scenario) -> None:
    from assurance.cli.demo_alerts import WebhookSink, replay

    with WebhookSink() as sink, progress("alerting") as advance:
        advance(0, 1)
        cycles = replay(
            store.url, world.inventory(), scenario.start, scenario.end, sink, DASHBOARD_URL
        )
        advance(1, 1)
    out.print(
        f"[bold]6/6[/] alerts: {cycles} rule cycles over the scenario's time; the local webhook "
        f"sink on {sink.url} accepted {len(sink.received)} signed notifications "
        f"(Standard Webhooks), refused {sink.rejected}",
        highlight=False,
    )
    grid = Table(title="notifications the sink received", title_justify="left")
    for name in ("status", "severity", "summary"):
        grid.add_column(name)
    for body in sink.received:
        n = body["data"]
        colour = "green" if n["status"] == "resolved" else "red"
        grid.add_row(f"[{colour}]{n['status']}[/]", n["severity"], n["summary"])
    out.print(grid)
    site = world.sites[0].name
    out.print(
        f"Drill down: .venv/bin/wanassure sle show --lake {store.url} --site {site} "
        f"--sle wan-link-health\n            .venv/bin/wanassure incidents --lake {store.url}",
        highlight=False,
    )


def _sle_table(query: Any, world: World) -> None:
    grid = Table(title="SLE % per site (good / total user minutes)", title_justify="left")
    grid.add_column("SLE")
    overview: dict[str, dict[str, dict[str, Any]]] = {}
    names: list[str] = []
    for site in world.sites:
        lines = query.overview(query.scope(site=site.name))
        overview[site.name] = {line["metric"]: line for line in lines}
        names += [line["metric"] for line in lines if line["metric"] not in names]
        grid.add_column(site.name, justify="right")
    for name in names:
        cells = []
        for by_metric in overview.values():
            line = by_metric.get(name)
            if line is None or not line["total_user_minutes"]:
                cells.append("-")
                continue
            pct = line["sle"]
            style = "green" if pct >= 99 else "yellow" if pct >= 95 else "red"
            top = line.get("top_classifier")
            cells.append(f"[{style}]{pct:.1f}%[/]" + (f"\n{top}" if pct < 99 and top else ""))
        grid.add_row(name, *cells)
    out.print(grid)


__all__ = ["run"]
