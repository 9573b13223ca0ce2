"""Shared fixtures: the hand-built lake, computed once per session, and its inventory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assurance.config.inventory import Inventory
from assurance.config.loader import load_inventory
from assurance.sle.compute import compute
from tests.sle import fixture

INVENTORY = Path(__file__).parents[2] / "data" / "samples" / "sle" / "fixture" / "inventory.yaml"
START = datetime(2026, 11, 20, 10, tzinfo=UTC)
END = datetime(2026, 11, 20, 11, tzinfo=UTC)


@pytest.fixture(scope="session")
def inventory() -> Inventory:
    return load_inventory(INVENTORY)


@pytest.fixture(scope="session")
def fixture_lake(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> str:
    lake = str(tmp_path_factory.mktemp("sle-fixture") / "lake")
    fixture.write(lake)
    compute(lake, inventory, START, END, workers=1)
    return lake
