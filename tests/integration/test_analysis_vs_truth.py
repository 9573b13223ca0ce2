"""Analysis of the every-fault lake finds every fault, at its scope, with nothing false.

The twin's ground truth (from the fault catalogue: layer and scope of each fault, never from the
analysis) is compared with the incidents the pipeline writes: every fault must be detected
within minutes, its right layer and scope must be the top-ranked cause, and no incident may
appear where no fault was. The harness's scorer is the one ``wanassure eval`` uses.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from assurance.analysis.evaluate import Report, read_incidents, read_truth, score_lake
from assurance.analysis.pipeline import analyze
from assurance.config.loader import load_inventory
from assurance.query import IncidentQuery


@pytest.fixture(scope="module")
def analyzed(every_fault_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("analysis") / "lake"
    shutil.copytree(every_fault_lake, lake)
    analyze(str(lake), load_inventory(lake / "_sim" / "inventory.yaml"), workers=1)
    return lake


@pytest.fixture(scope="module")
def report(analyzed: Path) -> Report:
    out = Report()
    score_lake(analyzed, out, site_days=24 * 3 / 24)
    return out


def test_every_fault_is_detected(report: Report) -> None:
    missed = [kind for kind, s in report.by_type.items() if s.detected < s.faults]
    assert missed == [], report.misses


def test_top_cause_is_the_injected_one(report: Report) -> None:
    wrong = [kind for kind, s in report.by_type.items() if s.top1 < s.detected]
    assert wrong == [], report.misses


def test_no_false_incident(report: Report) -> None:
    assert report.false_incidents == 0, report.misses


def test_detection_is_fast(report: Report) -> None:
    totals = report.totals()
    assert totals["median_ttd_min"] <= 3, totals
    slow = {k: max(s.ttd) for k, s in report.by_type.items() if s.ttd and max(s.ttd) > 12}
    assert slow == {}


def test_isp_outage_is_one_incident_over_its_sites(analyzed: Path) -> None:
    truth = next(t for t in read_truth(analyzed) if t.type == "isp_outage")
    isp = [i for i in read_incidents(analyzed) if i.causes[0].get("kind") == "isp_outage"]
    assert len(isp) == 1
    assert isp[0].causes[0]["scope_value"] == truth.scope["isp"]
    assert sorted(isp[0].sites) == sorted(truth.sites)


def _incidents(lake: Path) -> list[tuple[str, object, str]]:
    return sorted((i.incident_id, i.detected_at, i.causes[0]["kind"]) for i in read_incidents(lake))


def test_rerun_changes_nothing(analyzed: Path) -> None:
    inventory = load_inventory(analyzed / "_sim" / "inventory.yaml")
    before = _incidents(analyzed)
    assert analyze(str(analyzed), inventory, workers=1).incidents == []  # nothing new
    start = read_truth(analyzed)[0].start.replace(hour=14, minute=0)
    analyze(str(analyzed), inventory, start, workers=1)  # everything again
    assert _incidents(analyzed) == before


def test_incremental_runs_find_the_same_incidents(
    every_fault_lake: Path, analyzed: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(every_fault_lake, lake)
    inventory = load_inventory(lake / "_sim" / "inventory.yaml")
    first = read_truth(lake)[0].start.replace(hour=14, minute=0)
    # 15:20: cut through the middle of the lab faults (15:00-15:30)
    analyze(str(lake), inventory, end=first + timedelta(minutes=80), workers=1)
    analyze(str(lake), inventory, workers=1)  # from the watermark on
    assert _incidents(lake) == _incidents(analyzed)


def test_actions_follow_incidents(analyzed: Path) -> None:
    query = IncidentQuery(str(analyzed))
    try:
        incidents = query.incidents()
        actions = query.actions()
    finally:
        query.close()
    assert {a["incident_id"] for a in actions} == {i["incident_id"] for i in incidents}
    for action in actions:
        states = [h["state"] for h in action["history"]]
        assert states in (["open", "updated"], ["open", "resolved", "validated"][: len(states)])
        assert action["history"][0]["note"]
    # Every fault but the SaaS slowdown (ends at 16:50) clears 40 minutes before the data ends
    # (17:00), so its action must have been validated.
    ended_early = [t for t in read_truth(analyzed) if t.type != "app_slowdown"]
    validated = [a for a in actions if a["state"] == "validated"]
    assert len(validated) >= len(ended_early)
