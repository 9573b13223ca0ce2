"""Rebuild the simulator samples in data/samples/sim/ from data/samples/scenarios/small.yaml.

    .venv/bin/python scripts/make_sim_samples.py

Writes small-lake/ (lake mode, six hours: raw tables plus _sim/ground_truth.jsonl and
_sim/inventory.yaml) and captures/ (the first 15 simulated minutes on the wire: IPFIX, native
JTI and syslog as pcap, syslog also as text; and the SNMP traps of all six hours as pcap). JTI
gRPC (the Routing Engine rows) has no capture: it is HTTP/2 the collector dials. Output is
deterministic for a given scenario and seed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sim.wire import Capture, run_wire

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "data" / "samples" / "scenarios" / "small.yaml"
OUT = ROOT / "data" / "samples" / "sim"
CAPTURE_HOURS = 0.25


def main() -> None:
    scenario = load_scenario(SCENARIO)
    lake = OUT / "small-lake"
    shutil.rmtree(lake, ignore_errors=True)
    simulate_to_lake(scenario, str(lake), workers=1)
    short = Scenario.model_validate({**scenario.model_dump(by_alias=True), "hours": CAPTURE_HOURS})
    capture = Capture()
    targets = {
        "flow": ("127.0.0.1", Capture.FLOW_PORT),
        "syslog": ("127.0.0.1", Capture.SYSLOG_PORT),
        "jti": ("127.0.0.1", Capture.JTI_PORT),
    }
    stats = run_wire(short, targets, transport=capture)
    captures = OUT / "captures"
    captures.mkdir(parents=True, exist_ok=True)
    (captures / "small-ipfix.pcap").write_bytes(capture.flow.getvalue())
    (captures / "small-syslog.pcap").write_bytes(capture.syslog.getvalue())
    (captures / "small-jti.pcap").write_bytes(capture.jti.getvalue())
    (captures / "small-syslog.log").write_bytes(b"".join(line + b"\n" for line in capture.text))
    traps = Capture()
    trap_stats = run_wire(scenario, {"trap": ("127.0.0.1", Capture.TRAP_PORT)}, transport=traps)
    (captures / "small-traps.pcap").write_bytes(traps.trap.getvalue())
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(
        f"{lake}: six hours of {len(scenario.site_names())} sites; {captures}: "
        f"{stats.flow_records} flow records, {stats.syslog_lines} syslog lines, "
        f"{stats.jti_messages} JTI messages, {trap_stats.traps} SNMP traps; "
        f"{size / 1e6:.1f} MB in all"
    )


if __name__ == "__main__":
    main()
