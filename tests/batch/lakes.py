"""The small lakes the batch and notebook tests share, built once per test session: the raw
tables the simulator writes (``raw_lake``, never changed; copy it before writing) and the same
lake after ``wanassure run`` computed SLEs and incidents (``computed_lake``, read only)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assurance.analysis.pipeline import analyze
from assurance.config.loader import load_inventory
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario
from assurance.sle.compute import compute

SCENARIO = Path(__file__).parent / "scenario.yaml"
SITES = ["br-chi-027", "br-nyc-012", "st-bos-101"]


def raw_lake(factory: pytest.TempPathFactory) -> Path:
    path = factory.getbasetemp() / "batch-lakes" / "raw"
    if not (path / "_sim" / "inventory.yaml").is_file():
        shutil.rmtree(path, ignore_errors=True)
        simulate_to_lake(load_scenario(SCENARIO), str(path), workers=1)
    return path


def computed_lake(factory: pytest.TempPathFactory) -> Path:
    path = factory.getbasetemp() / "batch-lakes" / "computed"
    ready = path / "_state" / "analysis.json"
    if not ready.is_file():
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(raw_lake(factory), path)
        inventory = load_inventory(path / "_sim" / "inventory.yaml")
        compute(str(path), inventory, workers=1)
        analyze(str(path), inventory, None, None, workers=1)
    return path
