"""On the simulator's small scenario, each injected fault shows in its SLE and classifier for
its scope and time, and the other sites stay good (ground truth from the simulator)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from assurance.config.loader import load_inventory
from assurance.lake.catalog import connect
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario
from assurance.sle.compute import compute

SCENARIO = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("sim") / "lake")
    simulate_to_lake(load_scenario(SCENARIO), path, workers=1)
    compute(path, load_inventory(Path(path) / "_sim" / "inventory.yaml"), workers=1)
    return path


@pytest.fixture(scope="module")
def simulated(lake: str) -> tuple[duckdb.DuckDBPyConnection, list[Any]]:
    truth = [json.loads(line) for line in (Path(lake) / "_sim" / "ground_truth.jsonl").open()]
    return connect(lake), truth


def _where(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for key, column in (
        ("site", "site"),
        ("link", "wan_link"),
        ("ap", "ap"),
        ("app", "application"),
    ):
        if scope.get(key):
            clauses.append(f"{column} = ${key}")
            params[key] = scope[key]
    return " AND ".join(clauses) or "true", params


def test_each_fault_drops_its_sle_and_classifier_in_scope(
    simulated: tuple[duckdb.DuckDBPyConnection, list[Any]],
) -> None:
    con, truth = simulated
    assert truth
    for fault in truth:
        where, params = _where(fault["scope"])
        params |= {"sle": fault["sle"].replace("-", "_"), "s": fault["start"], "e": fault["end"]}
        total, good = con.execute(
            f"SELECT sum(total), sum(good) FROM sle_minutes WHERE sle = $sle AND {where} "
            "AND minute >= $s AND minute < $e",
            params,
        ).fetchall()[0]
        assert total, fault["id"]
        inside = (total - good) / total
        total_out, good_out = con.execute(
            "SELECT coalesce(sum(total), 0), coalesce(sum(good), 0) FROM sle_minutes "
            f"WHERE sle = $sle AND {where} AND (minute < $s OR minute >= $e)",
            params,
        ).fetchall()[0]
        outside = (total_out - good_out) / total_out if total_out else 0.0
        # The fault degrades its scope (a coverage hole spares clients close to the AP) and far
        # more than the same scope degrades at other times.
        assert inside >= 0.4 and inside >= 10 * outside, (fault["id"], inside, outside)
        top = con.execute(
            "SELECT classifier, sub_classifier FROM sle_minutes WHERE sle = $sle "
            f"AND {where} AND minute >= $s AND minute < $e AND classifier IS NOT NULL "
            "GROUP BY ALL ORDER BY sum(total - good) DESC LIMIT 1",
            params,
        ).fetchall()[0]
        expected = fault["classifier"].split("/")
        assert list(top[: len(expected)]) == expected, (fault["id"], top)


def test_sites_outside_a_fault_stay_good(
    simulated: tuple[duckdb.DuckDBPyConnection, list[Any]],
) -> None:
    con, truth = simulated
    for fault in truth:
        params = {
            "sle": fault["sle"].replace("-", "_"),
            "s": fault["start"],
            "e": fault["end"],
            "sites": fault["sites"],
        }
        total, good = con.execute(
            "SELECT coalesce(sum(total), 0), coalesce(sum(good), 0) FROM sle_minutes "
            "WHERE sle = $sle AND minute >= $s AND minute < $e AND NOT list_contains($sites, site)",
            params,
        ).fetchall()[0]
        if total:
            assert good / total >= 0.95, (fault["id"], total, good)


def test_window_length_does_not_change_the_answer(lake: str) -> None:
    query = "SELECT sle, hour, sum(total), sum(good) FROM sle_minutes GROUP BY ALL ORDER BY ALL"
    hourly = connect(lake).execute(query).fetchall()
    inventory = load_inventory(Path(lake) / "_sim" / "inventory.yaml")
    compute(lake, inventory, workers=1, window=timedelta(hours=3))
    assert connect(lake).execute(query).fetchall() == hourly
