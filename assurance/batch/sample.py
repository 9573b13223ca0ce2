"""A sample lake for notebooks and first looks: the simulator's small org, with SLEs and
incidents computed, made only when the lake asked for has no SLE data yet.

Owns ``ensure_lake`` (simulate → SLE compute → analysis, through their public functions) and
``lake_inventory`` (the inventory kept in a lake folder). Must not touch a lake that already
holds SLEs.
"""

from __future__ import annotations

from pathlib import Path

from assurance.config import Inventory, load_inventory
from assurance.query import QueryError
from assurance.query.org import OrgQuery

#: The scenario a sample lake plays (four sites, faults of several kinds).
SCENARIO = Path(__file__).resolve().parents[2] / "data" / "samples" / "scenarios" / "small.yaml"
#: Inventories looked for in a lake folder: one kept by hand, then the simulator's.
LAKE_INVENTORIES = ("inventory.yaml", "_sim/inventory.yaml")


def has_sle_data(lake: str | Path) -> bool:
    """Whether the lake holds SLEs (asked through the read API; no lake = no SLEs)."""
    try:
        query = OrgQuery(str(lake))
    except QueryError:
        return False
    try:
        return query.time_range() is not None
    finally:
        query.close()


def lake_inventory(lake: str | Path) -> Inventory | None:
    """The inventory kept in the lake folder, if any."""
    for name in LAKE_INVENTORIES:
        path = Path(lake) / name
        if path.is_file():
            return load_inventory(path)
    return None


def ensure_lake(
    lake: str | Path,
    *,
    scenario: str | Path = SCENARIO,
    hours: float | None = None,
    workers: int | None = 1,
) -> str:
    """``lake`` as it is when it holds SLE data; else simulate ``scenario`` into it (optionally
    only its first ``hours``), compute SLEs and analyze. Returns the lake path as a string."""
    from assurance.analysis.pipeline import analyze
    from assurance.sim.lake import simulate_to_lake
    from assurance.sim.scenario import Scenario, load_scenario
    from assurance.sle.compute import compute

    path = str(lake)
    if has_sle_data(path):
        return path
    played = load_scenario(Path(scenario))
    if hours is not None:
        played = Scenario.model_validate({**played.model_dump(by_alias=True), "hours": hours})
    simulate_to_lake(played, path, workers=workers)
    inventory = lake_inventory(path)
    assert inventory is not None  # the simulator writes _sim/inventory.yaml
    compute(path, inventory, workers=workers)
    analyze(path, inventory, None, None, workers=workers)
    return path
