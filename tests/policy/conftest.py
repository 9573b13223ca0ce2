"""Shared fixture: the closed-loop case played once in the twin (under a minute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance.policy import ledger
from assurance.policy.loop import LoopSettings
from assurance.policy.planner import Limits
from assurance.policy.simloop import RunReport, run
from assurance.sim.scenario import load_scenario

SCENARIO = (
    Path(__file__).resolve().parents[2] / "data" / "samples" / "policy" / "loop-scenario.yaml"
)
VIDEO = "Microsoft Teams"


@pytest.fixture(scope="session")
def loop_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, RunReport]:
    lake = str(tmp_path_factory.mktemp("loop") / "lake")
    settings = LoopSettings(mode="auto", limits=Limits(apps=(VIDEO,)))
    return lake, run(load_scenario(SCENARIO), lake, settings=settings)


@pytest.fixture(scope="session")
def outcome(
    loop_run: tuple[str, RunReport],
) -> tuple[str, dict[tuple[str, str], ledger.Action]]:
    """The lake and its actions by (site, kind)."""
    lake, report = loop_run
    found = {(a.site, a.kind): a for a in report.actions}
    assert len(found) == len(report.actions), [(a.site, a.kind) for a in report.actions]
    return lake, found
