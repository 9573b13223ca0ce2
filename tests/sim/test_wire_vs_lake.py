"""Wire mode into the real collectors on loopback builds the same lake as lake mode.

The twin sends IPFIX over UDP, syslog over TCP (octet counting) and native JTI over UDP from
each device's own loopback address to the real flow, syslog and telemetry collectors, which
decode and write a lake; lake mode writes the same scenario and seed directly. Every table both
write must hold the same rows, except the arrival time (``received_at``). The Routing Engine
health rows are not on the wire (see ``assurance.sim.devices``): they are left out of the
comparison and checked to be the only difference.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from assurance.cli.ui import total
from assurance.lake import LakeWriter
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sim.wire import parse_targets, run_wire
from assurance.sim.world import World
from collectors.flow.listener import FlowCollector
from collectors.jti.collector import TelemetryCollector
from collectors.syslog.listener import SyslogCollector

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"
TABLES = (
    "flows", "syslog_events", "sessions", "sla_metrics", "client_events", "device_events",
    "interface_stats", "device_health", "vpn_tunnels",
)  # fmt: skip


def short_scenario() -> Scenario:
    data = load_scenario(SMALL).model_dump(by_alias=True)
    data["hours"] = 0.5
    data["faults"] = [
        {"type": "link_down", "site": "br-chi-027", "link": "mpls", "at": "8m", "for": "6m"},
        {"type": "dhcp_failure", "site": "st-bos-101", "at": "0m", "for": "15m"},
        {"type": "roaming_failure", "site": "br-nyc-012", "at": "5m", "for": "20m"},
        {"type": "mtu_mismatch", "site": "br-nyc-012", "link": "isp-a", "at": "10m", "for": "10m"},
    ]
    return Scenario.model_validate(data)


def rows(lake: Path, table: str) -> list[tuple[tuple[str, str], ...]]:
    data: pa.Table = pq.read_table(lake / table).drop_columns(["date", "hour", "received_at"])
    return sorted(tuple(sorted((k, repr(v)) for k, v in r.items())) for r in data.to_pylist())


def collect_from_wire(scenario: Scenario, lake: Path) -> dict[str, Any]:
    exporters = {
        ip: (ref.device, ref.site) for ip, ref in World(scenario).inventory().device_index().items()
    }
    writer = LakeWriter(str(lake), flush_rows=10_000_000, flush_age_s=3600)
    loop = asyncio.new_event_loop()
    flows = FlowCollector(writer, host="127.0.0.1", port=0, exporters=exporters)
    syslog = SyslogCollector(writer, tcp=("127.0.0.1", 0), exporters=exporters)
    jti = TelemetryCollector(writer, udp=("127.0.0.1", 0), exporters=exporters)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(flows.start(), loop).result(10)
    asyncio.run_coroutine_threadsafe(syslog.start(), loop).result(10)
    asyncio.run_coroutine_threadsafe(jti.start(), loop).result(10)
    try:
        assert syslog.tcp is not None and jti.udp is not None
        targets = parse_targets(
            f"flow=127.0.0.1:{flows.port},syslog=127.0.0.1:{syslog.tcp[1]},"
            f"jti=127.0.0.1:{jti.udp[1]}"
        )
        sent = run_wire(scenario, targets, speed=60 * 120)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            total(flows.metrics.records) < sent.flow_records
            or total(syslog.metrics.lines) < sent.syslog_lines
            or jti.frames.received < sent.jti_messages
        ):
            time.sleep(0.05)
    finally:
        asyncio.run_coroutine_threadsafe(flows.stop(), loop).result(30)
        asyncio.run_coroutine_threadsafe(syslog.stop(), loop).result(30)
        asyncio.run_coroutine_threadsafe(jti.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        writer.close()
    return {
        "sent": sent,
        "records": total(flows.metrics.records),
        "lines": total(syslog.metrics.lines),
        "jti": total(jti.metrics.messages),
    }


def test_the_lake_built_from_the_wire_equals_the_lake_mode_lake(tmp_path: Path) -> None:
    scenario = short_scenario()
    got = collect_from_wire(scenario, tmp_path / "wire")
    sent = got["sent"]
    assert sent.minutes == 30 and sent.flow_records > 500 and sent.syslog_lines > 500
    assert got["records"] == sent.flow_records
    assert got["lines"] == sent.syslog_lines
    assert sent.jti_messages == 30 * 4 * 7 and got["jti"] == sent.jti_messages
    simulate_to_lake(scenario, str(tmp_path / "lake"), workers=1)
    assert not (tmp_path / "wire" / "rejects").exists()
    for table in TABLES:
        wire = rows(tmp_path / "wire", table)
        direct = rows(tmp_path / "lake", table)
        if table == "device_health":  # Routing Engine rows: JTI gRPC, not served by the twin
            grpc = ("source", "'jti-grpc'")
            assert len([r for r in direct if grpc in r]) == 30 * 4 * 2
            direct = [r for r in direct if grpc not in r]
        assert len(wire) == len(direct), table
        assert wire == direct, table
