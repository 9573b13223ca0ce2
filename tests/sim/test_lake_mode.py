"""Lake mode: byte-identical reruns, shard independence, the CLI, and the noise it rests on."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from assurance.cli import app
from assurance.config.loader import load_inventory
from assurance.sim import noise
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import Scenario, load_scenario

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"


def one_hour() -> Scenario:
    scenario = load_scenario(SMALL)
    return Scenario.model_validate({**scenario.model_dump(by_alias=True), "hours": 1.0})


def digest(lake: Path) -> dict[str, str]:
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.rglob("*"))
        if p.is_file()
    }


def rows(lake: Path, table: str) -> list[tuple[object, ...]]:
    data = pq.read_table(lake / table).drop_columns(["date", "hour"]).to_pylist()
    return sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in data)


def test_same_scenario_and_seed_give_byte_identical_lakes(tmp_path: Path) -> None:
    simulate_to_lake(one_hour(), str(tmp_path / "a"), workers=1)
    simulate_to_lake(one_hour(), str(tmp_path / "b"), workers=1)
    first, second = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert first == second
    tables = {name.split("/")[0] for name in first if name.endswith(".parquet")}
    assert {"flows", "sessions", "sla_metrics", "client_events", "interface_stats"} <= tables


def test_a_site_is_the_same_in_any_shard(tmp_path: Path) -> None:
    simulate_to_lake(one_hour(), str(tmp_path / "one"), workers=1)
    simulate_to_lake(one_hour(), str(tmp_path / "four"), workers=2, sites_per_shard=1)
    for table in ("flows", "sessions", "client_events", "interface_stats", "sla_metrics"):
        assert rows(tmp_path / "one", table) == rows(tmp_path / "four", table), table


def test_another_seed_gives_other_traffic(tmp_path: Path) -> None:
    other = Scenario.model_validate({**one_hour().model_dump(by_alias=True), "seed": 8})
    simulate_to_lake(one_hour(), str(tmp_path / "a"), workers=1)
    simulate_to_lake(other, str(tmp_path / "b"), workers=1)
    assert rows(tmp_path / "a", "flows") != rows(tmp_path / "b", "flows")


def test_cli_writes_the_lake_truth_and_inventory(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    result = CliRunner().invoke(
        app, ["simulate", "--scenario", str(SMALL), "--lake", str(lake), "--hours", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert "small-org: 4 sites, 0.5 h" in result.output
    assert "flows" in result.output
    inventory = load_inventory(lake / "_sim" / "inventory.yaml")
    assert len(inventory.sites) == 5  # the hub and four branches
    exporters = set(pq.read_table(lake / "flows", columns=["exporter"]).column(0).to_pylist())
    assert exporters and all(inventory.resolve(ip) is not None for ip in exporters)
    assert (lake / "_sim" / "ground_truth.jsonl").read_text().count("\n") == 5


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("type: isp_loss", "type: isp_lost"))
    result = CliRunner().invoke(app, ["simulate", "--scenario", str(bad), "--lake", "x"])
    assert result.exit_code == 2
    assert "faults[0]: unknown fault type 'isp_lost'" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["simulate", "--scenario", str(SMALL)])
    assert result.exit_code == 2 and "exactly one of --lake PATH or --send" in result.output


def test_faults_command_lists_the_catalogue() -> None:
    result = CliRunner().invoke(app, ["simulate", "faults"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in ("isp_outage", "coverage_hole", "mtu_mismatch", "wan-link-health"):
        assert name in result.output


def test_noise_is_a_pure_function_of_its_keys() -> None:
    grid = noise.uniform(3, 5, np.arange(200)[:, None], np.arange(300)[None, :])
    assert grid.shape == (200, 300)
    assert grid[17, 42] == noise.uniform(3, 5, 17, 42)
    assert 0.49 < grid.mean() < 0.51 and grid.min() >= 0 and grid.max() < 1
    # neighbouring keys are not correlated
    assert abs(np.corrcoef(grid[:, :-1].ravel(), grid[:, 1:].ravel())[0, 1]) < 0.01
    normal = noise.normal(1, 2, np.arange(100_000))
    assert abs(normal.mean()) < 0.02 and abs(normal.std() - 1) < 0.02
    with pytest.raises(ValueError, match="at most"):
        noise.bits(*range(9))


def test_a_path_change_moves_the_app_and_heals_it(tmp_path: Path) -> None:
    """Closed loop: steering Office 365 off a lossy broadband link takes it off the loss."""
    data = one_hour().model_dump(by_alias=True)
    data["faults"] = [
        {
            "type": "isp_loss",
            "site": "br-nyc-012",
            "link": "isp-a",
            "at": "0m",
            "for": "1h",
            "params": {"loss_pct": 8},
        },
    ]
    before = Scenario.model_validate(data)
    data["changes"] = [{"site": "br-nyc-012", "app": "Office 365", "prefer": ["mpls"], "at": "30m"}]
    after = Scenario.model_validate(data)
    simulate_to_lake(before, str(tmp_path / "before"), workers=1)
    simulate_to_lake(after, str(tmp_path / "after"), workers=1)

    def office(lake: Path) -> list[tuple[int, str, float]]:
        table = pq.read_table(lake / "sla_metrics").to_pylist()
        return [
            (r["event_time"].minute, r["interface"], r["loss_pct"])
            for r in table
            if r["site"] == "br-nyc-012" and r["application"] == "OFFICE365"
        ]

    unchanged, changed = office(tmp_path / "before"), office(tmp_path / "after")
    assert {i for m, i, _ in unchanged} == {"ge-0/0/1.0"}
    assert {i for m, i, _ in changed if m < 30} == {"ge-0/0/1.0"}
    assert {i for m, i, _ in changed if m >= 30} == {"ge-0/0/0.0"}
    assert min(loss for m, _, loss in changed if m < 30) > 4
    assert max(loss for m, _, loss in changed if m >= 30) < 1
