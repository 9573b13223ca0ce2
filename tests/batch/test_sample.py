"""The sample lake the notebooks fall back to: built (raw tables, SLEs, incidents) only when the
lake has no SLE minutes, and a lake that has them is left exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from assurance.batch.sample import ensure_lake, has_sle_data, lake_inventory
from assurance.query import SleQuery
from tests.batch.lakes import SCENARIO, SITES


def test_builds_a_lake_with_sles_when_there_is_none(tmp_path: Path) -> None:
    lake = tmp_path / "sample"
    assert not has_sle_data(lake)
    assert ensure_lake(lake, scenario=SCENARIO, hours=0.5) == str(lake)
    assert has_sle_data(lake)
    inventory = lake_inventory(lake)
    assert inventory is not None
    assert sorted(s.name for s in inventory.sites) == sorted([*SITES, "hub-dc1"])
    query = SleQuery(str(lake))
    overview = query.overview(query.scope())
    assert {r["metric"] for r in overview} >= {"wan-link-health", "application-health"}
    assert sum(1 for _ in (lake / "sle_minutes").rglob("*.parquet")) >= 1
    assert (lake / "_state" / "analysis.json").is_file()


def test_leaves_a_lake_with_sles_alone(computed: Path, tmp_path: Path) -> None:
    lake = tmp_path / "copy"
    shutil.copytree(computed, lake)
    before = {p: p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()}
    ensure_lake(lake, scenario=SCENARIO)
    after = {p: p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()}
    assert after == before


def test_report_on_a_lake_without_sles_says_what_to_do(raw: Path, tmp_path: Path) -> None:
    from assurance.cli import app

    result = CliRunner().invoke(
        app, ["report", "--lake", str(raw), "--site", "br-nyc-012", "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: no SLE data for site 'br-nyc-012' in {raw}; sites with data: none "
        "(run 'wanassure run' first)"
    )
    assert not (tmp_path / "r").exists()
