"""Re-analysing hours removes the anomalies of shards that no longer exist, so a shrunken
inventory (fewer shards) cannot leave old anomalies counted beside the new ones."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assurance.analysis.pipeline import analyze
from assurance.config.loader import load_inventory
from tests.batch.lakes import computed_lake


def test_reanalysis_drops_anomalies_of_vanished_shards(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(computed_lake(tmp_path_factory), lake)
    files = sorted((lake / "anomalies").glob("date=*/hour=*/*.parquet"))
    assert files, "the computed lake has anomalies"
    kept = files[0]
    stale = kept.with_name(kept.name.replace("analysis-000", "analysis-007"))
    assert stale != kept
    shutil.copyfile(kept, stale)
    date = kept.parent.parent.name.removeprefix("date=")
    hour = int(kept.parent.name.removeprefix("hour="))
    start = datetime.fromisoformat(f"{date}T{hour:02d}:00:00").replace(tzinfo=UTC)
    inventory = load_inventory(lake / "_sim" / "inventory.yaml")
    analyze(str(lake), inventory, start, start + timedelta(hours=1), workers=1)
    assert not stale.exists()
    left = sorted(p.name.split("-")[3] for p in kept.parent.iterdir())
    assert set(left) <= {"000", "org"}, left
