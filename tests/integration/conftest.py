"""One every-fault lake (twin → lake → SLEs) shared by the integration tests of a session."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance.config.loader import load_inventory
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario
from assurance.sle.compute import compute

EVERY_FAULT = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "every-fault.yaml"


@pytest.fixture(scope="session")
def every_fault_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("every-fault") / "lake"
    simulate_to_lake(load_scenario(EVERY_FAULT), str(path), workers=1)
    compute(str(path), load_inventory(path / "_sim" / "inventory.yaml"), workers=1)
    return path
