"""The end of the data is not an outage: past the newest telemetry nobody is disconnected."""

from __future__ import annotations

from pathlib import Path

from assurance.config.loader import load_inventory
from assurance.lake import connect
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sle.compute import compute

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"


def test_the_last_minutes_of_a_capture_are_not_a_disconnect(tmp_path: Path) -> None:
    # 40 minutes of a fault-free org: SLEs are computed for the whole hour, so the last 20
    # minutes of it have no telemetry at all, from any device
    base = load_scenario(SMALL)
    scenario = Scenario.model_validate(
        {**base.model_dump(by_alias=True), "hours": 40 / 60, "faults": []}
    )
    lake = tmp_path / "lake"
    simulate_to_lake(scenario, str(lake), workers=1)
    compute(str(lake), load_inventory(lake / "_sim" / "inventory.yaml"), workers=1)
    con = connect(str(lake))
    try:
        row = con.execute(
            "SELECT count(*), max(minute) FROM sle_minutes "
            "WHERE classifier = 'disconnected' AND total > good"
        ).fetchone()
        active = con.execute("SELECT count(*) FROM sle_minutes WHERE sle = 'gateway_health'")
        assert (active.fetchone() or (0,))[0] > 0
    finally:
        con.close()
    assert row is not None and row[0] == 0, f"disconnected minutes up to {row[1]}"
