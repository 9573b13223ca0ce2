"""Wire mode into the real collectors on loopback builds the same lake as lake mode.

The twin sends IPFIX over UDP, syslog over TCP (octet counting), native JTI over UDP and SNMPv2c
traps from each device's own loopback address to the real flow, syslog, telemetry and trap
collectors, and every gateway and switch serves JTI gRPC on its own address, dialled by the
telemetry collector with targets built from the twin's inventory as ``collect jti`` builds them.
The collectors decode and write a lake; lake mode writes the same scenario and seed directly.
Every table both write must hold the same rows, except the arrival time (``received_at``) — and,
for trap rows, ``event_time``, which the trap receiver takes from the arrival too (a trap
carries no wall-clock time).
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assurance.cli.collect_telemetry import targets_from_inventory
from assurance.cli.ui import total
from assurance.lake import LakeWriter
from assurance.sim.jti_twin import TwinJti
from assurance.sim.lake import simulate_to_lake
from assurance.sim.physics import Twin
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sim.wire import parse_targets, run_wire
from assurance.sim.world import World
from collectors.flow.listener import FlowCollector
from collectors.jti.collector import TelemetryCollector
from collectors.snmp.traps import TrapReceiver
from collectors.syslog.listener import SyslogCollector

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"
TABLES = (
    "flows", "flow_options", "syslog_events", "sessions", "sla_metrics", "client_events",
    "device_events", "interface_stats", "device_health", "vpn_tunnels", "security_events",
)  # fmt: skip


def short_scenario(flow_export: str = "ipfix") -> Scenario:
    data = load_scenario(SMALL).model_dump(by_alias=True)
    data["hours"] = 0.5
    data["flow_export"] = flow_export
    data["security_logs_per_hour"] = 12  # a few of each kind in half an hour
    data["apptrack_sites_pct"] = 50
    data["faults"] = [
        {"type": "link_down", "site": "br-chi-027", "link": "mpls", "at": "8m", "for": "6m"},
        {"type": "dhcp_failure", "site": "st-bos-101", "at": "0m", "for": "15m"},
        {"type": "roaming_failure", "site": "br-nyc-012", "at": "5m", "for": "20m"},
        {"type": "mtu_mismatch", "site": "br-nyc-012", "link": "isp-a", "at": "10m", "for": "10m"},
        {"type": "ap_down", "site": "st-atl-102", "ap": 1, "at": "12m", "for": "7m"},
    ]
    return Scenario.model_validate(data)


TRAPS = ("linkDown", "linkUp")


def rows(lake: Path, table: str) -> list[tuple[tuple[str, str], ...]]:
    data: pa.Table = pq.read_table(lake / table).drop_columns(["date", "hour", "received_at"])
    out = []
    for r in data.to_pylist():
        if table == "device_events" and r["event_type"] in TRAPS:
            del r["event_time"]  # the trap receiver's time of receipt
        out.append(tuple(sorted((k, repr(v)) for k, v in r.items())))
    return sorted(out)


def collect_from_wire(scenario: Scenario, lake: Path) -> dict[str, Any]:
    world = World(scenario)
    inventory = world.inventory()
    exporters = {ip: (ref.device, ref.site) for ip, ref in inventory.device_index().items()}
    twin = Twin(world)
    devices = TwinJti(twin.sites)  # every gateway and switch serves JTI gRPC on one free port
    port = devices.start()
    dial = [dataclasses.replace(t, port=port) for t in targets_from_inventory(inventory, lake)]
    writer = LakeWriter(str(lake), flush_rows=10_000_000, flush_age_s=3600)
    loop = asyncio.new_event_loop()
    flows = FlowCollector(writer, host="127.0.0.1", port=0, exporters=exporters)
    syslog = SyslogCollector(writer, tcp=("127.0.0.1", 0), exporters=exporters)
    jti = TelemetryCollector(writer, dial, udp=("127.0.0.1", 0), exporters=exporters)
    traps = TrapReceiver(writer, host="127.0.0.1", port=0, exporters=exporters)
    collectors = (flows, syslog, jti, traps)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    for collector in collectors:
        asyncio.run_coroutine_threadsafe(collector.start(), loop).result(10)
    try:
        assert syslog.tcp is not None and jti.udp is not None
        targets = parse_targets(
            f"flow=127.0.0.1:{flows.port},syslog=127.0.0.1:{syslog.tcp[1]},"
            f"jti=127.0.0.1:{jti.udp[1]},trap=127.0.0.1:{traps.port}"
        )
        sent = run_wire(scenario, targets, speed=60 * 120, twin=twin, jti_grpc=devices)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            total(flows.metrics.records) < sent.flow_records
            or total(syslog.metrics.lines) < sent.syslog_lines
            or jti.frames.received < sent.jti_messages + sent.grpc_messages
            or total(traps.metrics.notifications) < sent.traps
        ):
            time.sleep(0.05)
    finally:
        for collector in collectors:
            asyncio.run_coroutine_threadsafe(collector.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        devices.close()
        writer.close()
    return {
        "sent": sent,
        "records": total(flows.metrics.records),
        "lines": total(syslog.metrics.lines),
        "jti": total(jti.metrics.messages),
        "traps": total(traps.metrics.notifications),
    }


@pytest.mark.parametrize("flow_export", ["ipfix", "netflow-v9"])
def test_the_lake_built_from_the_wire_equals_the_lake_mode_lake(
    tmp_path: Path, flow_export: str
) -> None:
    scenario = short_scenario(flow_export)
    got = collect_from_wire(scenario, tmp_path / "wire")
    sent = got["sent"]
    assert sent.minutes == 30 and sent.flow_records > 500 and sent.syslog_lines > 500
    assert got["records"] == sent.flow_records
    assert got["lines"] == sent.syslog_lines
    assert sent.jti_messages == 30 * 4 * 7
    # gRPC: 8 devices × 3 Routing Engine sensors × 30 minutes, no sync response (periodic)
    assert sent.grpc_unsubscribed == 0 and sent.grpc_messages == 30 * 8 * 3
    assert got["jti"] == sent.jti_messages + sent.grpc_messages
    # link_down chi mpls (down, up) and ap_down atl ap 1 (down, up)
    assert sent.traps == 4 and got["traps"] == sent.traps
    simulate_to_lake(scenario, str(tmp_path / "lake"), workers=1)
    assert not (tmp_path / "wire" / "rejects").exists()
    for table in TABLES:
        wire = rows(tmp_path / "wire", table)
        direct = rows(tmp_path / "lake", table)
        assert len(wire) == len(direct), table
        assert wire == direct, table
    flows = pq.read_table(tmp_path / "lake" / "flows", columns=["version", "sampling_rate"])
    assert set(flows["version"].to_pylist()) == {10 if flow_export == "ipfix" else 9}
    assert set(flows["sampling_rate"].to_pylist()) == {1}
    options = pq.read_table(tmp_path / "lake" / "flow_options").to_pylist()
    # every 10 minutes, per gateway: the sampler and each WAN unit, st0 tunnel and the LAN unit
    assert len(options) == 3 * (2 * (1 + 2 * 3 + 1) + 2 * (1 + 2 * 2 + 1))
    names = {(o["device"], o["if_index"]): o["if_name"] for o in options if o["if_index"]}
    assert names[("br-chi-027-gw1", 510)] == "ge-0/0/0.0"
    assert names[("br-chi-027-gw1", 542)] == "st0.2"
    assert names[("st-bos-101-gw1", 520)] == "ge-0/0/7.0"
    assert {o["sampling_interval"] for o in options if not o["if_index"]} == {1}
    assert len(rows(tmp_path / "lake", "security_events")) > 5
    kinds = {dict(r)["event_type"] for r in rows(tmp_path / "lake", "sessions")}
    assert kinds == {"'session_close'", "'appt_close'"}
    health = rows(tmp_path / "lake", "device_health")
    assert len([r for r in health if ("source", "'jti-grpc'") in r]) == 30 * 8 * 3
    events = rows(tmp_path / "lake", "device_events")
    trap_rows = [dict(r) for r in events if dict(r)["event_type"].strip("'") in TRAPS]
    assert sorted((r["device"], r["interface"], r["state"]) for r in trap_rows) == [
        ("'br-chi-027-gw1'", "'ge-0/0/0.0'", "'down'"),
        ("'br-chi-027-gw1'", "'ge-0/0/0.0'", "'up'"),
        ("'st-atl-102-sw1'", "'ge-0/0/6'", "'down'"),
        ("'st-atl-102-sw1'", "'ge-0/0/6'", "'up'"),
    ]
