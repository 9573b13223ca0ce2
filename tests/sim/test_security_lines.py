"""The twin's SRX security and AppTrack syslog parse cleanly, at the scenario's rates, and an
AppTrack close repeats its RT_FLOW close (so the SLE engine's per-client minutes see the same
session twice, never a new client-minute or a different app, link or reset ratio)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa

from assurance.sim.emit import Emitter
from assurance.sim.physics import Twin
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sim.world import World
from collectors.syslog.model import Line
from collectors.syslog.parse import SyslogParser

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"
SAME = (
    "event_time", "exporter", "session_id", "src_addr", "src_port", "dst_addr", "dst_port",
    "protocol", "application", "nested_application", "egress_interface", "bytes_from_client",
    "packets_from_client", "bytes_from_server", "packets_from_server", "elapsed_s",
    "close_reason", "policy_name",
)  # fmt: skip


def parsed(minutes: int, **keys: object) -> dict[str, pa.Table]:
    data = load_scenario(SMALL).model_dump(by_alias=True)
    scenario = Scenario.model_validate({**data, **keys})
    twin = Twin(World(scenario))
    emitter = Emitter(twin)
    lines = []
    for minute in range(minutes):
        m = twin.step(minute)
        for out in emitter.syslog(m):
            lines += [
                Line(raw, out.sender, (m.epoch_s + 60) * 1_000_000, "tcp") for raw in out.lines
            ]
    result = SyslogParser().parse_batch(lines)
    assert not result.rejects
    return result.tables


def test_security_logs_parse_at_the_scenarios_rate() -> None:
    tables = parsed(120, security_logs_per_hour=20)
    events = tables["security_events"].to_pylist()
    # 4 sites × 2 h × 20 per hour, one event at most per site and minute
    assert 110 < len(events) < 210
    kinds = Counter(e["category"] for e in events)
    assert set(kinds) == {"idp", "utm_webfilter", "screen"}
    for e in events:
        assert e["src_addr"] and e["dst_addr"] and e["name"] and e["action"]
        assert e["exporter"].startswith("127.16.") and e["exporter"].endswith(".1")
    idp = [e for e in events if e["category"] == "idp"]
    assert all(e["severity_text"] and e["dst_addr"].startswith("10.16.") for e in idp)
    assert not parsed(30, security_logs_per_hour=0).get("security_events")


def test_apptrack_closes_repeat_their_rt_flow_close() -> None:
    sessions = parsed(60, apptrack_sites_pct=100)["sessions"].to_pylist()
    flow = Counter(
        tuple(s[k] for k in SAME) for s in sessions if s["event_type"] == "session_close"
    )
    appt = Counter(tuple(s[k] for k in SAME) for s in sessions if s["event_type"] == "appt_close")
    assert len(flow) > 100 and appt == flow
    off = parsed(30, apptrack_sites_pct=0)["sessions"]
    assert set(off["event_type"].to_pylist()) == {"session_close"}
