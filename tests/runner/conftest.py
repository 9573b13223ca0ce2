"""Fixtures of the runner tests: the sample lake (raw tables only) and its local-backend result.

The sample lake is the small scenario (``data/samples/scenarios/small.yaml``, four sites, six
hours) written by the simulator. The reference is SLE compute (two site shards per hour) and
analysis run on the local backend in this process; the Dask tests must reproduce it.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from assurance import runner
from assurance.analysis.pipeline import analyze
from assurance.config.inventory import Inventory
from assurance.config.loader import load_inventory
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario
from assurance.sle.compute import compute
from tests.runner.lakes import Reference, contents

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"
#: One job per site shard and hour, pinned (not the engine's own choice): twelve jobs, enough to
#: spread over two workers and to kill one in the middle.
SHARDS = 2
WINDOW = timedelta(hours=1)


@pytest.fixture(scope="session")
def raw_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runner-raw") / "lake"
    with runner.using("local:1"):
        simulate_to_lake(load_scenario(SMALL), str(path))
    return path


@pytest.fixture(scope="session")
def sample_inventory(raw_lake: Path) -> Inventory:
    return load_inventory(raw_lake / "_sim" / "inventory.yaml")


@pytest.fixture(scope="session")
def reference(
    raw_lake: Path, sample_inventory: Inventory, tmp_path_factory: pytest.TempPathFactory
) -> Reference:
    lake = copy_lake(raw_lake, tmp_path_factory.mktemp("runner-local") / "lake")
    with runner.using("local:1"):
        sle = compute(str(lake), sample_inventory, shards=SHARDS, window=WINDOW)
        analysis = analyze(str(lake), sample_inventory)
    return Reference(
        lake, sle.user_minutes, sle.sle_rows, sle.files, analysis.anomalies, contents(lake)
    )


def copy_lake(raw: Path, to: Path) -> Path:
    shutil.copytree(raw, to)
    return to
