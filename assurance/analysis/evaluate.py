"""The evaluation harness: simulator scenarios with ground truth → detection and root-cause scores.

Owns running each scenario end to end (twin → lake → SLE compute → analysis) and scoring the
incidents it produced against the scenario's ground truth: per fault type, detection recall and
precision, time to detect (simulated minutes from the fault's start to the incident's
detection), top-1 / top-3 root cause (right layer *and* right scope), and false incidents per
site-day over everything simulated. Must not tune anything to the truth: it only reads it.
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from assurance.analysis.pipeline import analyze, sle_range
from assurance.analysis.rank import port_name
from assurance.config import load_inventory
from assurance.lake.catalog import connect
from assurance.sim.faults import CATALOGUE
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario
from assurance.sim.truth import INVENTORY_PATH, TRUTH_PATH
from assurance.sle.compute import compute

#: An incident counts for a fault if it overlaps the fault's span widened by this much.
MATCH_SLACK = timedelta(minutes=10)


@dataclass(frozen=True)
class Truth:
    id: str
    type: str
    layer: str
    scope: dict[str, Any]
    sites: list[str]
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Found:
    incident_id: str
    sites: list[str]
    start: datetime
    detected_at: datetime
    end: datetime
    causes: list[dict[str, str]]


@dataclass
class TypeScore:
    faults: int = 0
    detected: int = 0
    top1: int = 0
    top3: int = 0
    incidents: int = 0
    true_incidents: int = 0
    ttd: list[float] = field(default_factory=list)


@dataclass
class Report:
    scenarios: int = 0
    site_days: float = 0.0
    false_incidents: int = 0
    incidents: int = 0
    by_type: dict[str, TypeScore] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, float]:
        faults = sum(t.faults for t in self.by_type.values())
        detected = sum(t.detected for t in self.by_type.values())
        ttd = [m for t in self.by_type.values() for m in t.ttd]
        true = self.incidents - self.false_incidents
        return {
            "faults": faults,
            "recall": detected / faults if faults else 1.0,
            "precision": true / self.incidents if self.incidents else 1.0,
            "median_ttd_min": statistics.median(ttd) if ttd else float("nan"),
            "top1": sum(t.top1 for t in self.by_type.values()) / detected if detected else 0.0,
            "top3": sum(t.top3 for t in self.by_type.values()) / detected if detected else 0.0,
            "false_per_site_day": self.false_incidents / self.site_days if self.site_days else 0.0,
            "site_days": self.site_days,
            "incidents": self.incidents,
        }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_truth(lake: Path) -> list[Truth]:
    out = []
    for line in (lake / TRUTH_PATH).read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(
                Truth(
                    r["id"],
                    r["type"],
                    r["layer"],
                    r["scope"],
                    r["sites"],
                    _time(r["start"]),
                    _time(r["end"]),
                )
            )
    return out


def read_incidents(lake: Path) -> list[Found]:
    """The latest version of every incident with its ranked causes."""
    con = connect(str(lake))
    try:
        rows = con.execute(
            "WITH latest AS (SELECT incident_id, max(updated_at) AS at FROM incidents GROUP BY 1) "
            "SELECT i.incident_id, i.site, i.started_at, i.ended_at, i.updated_at, i.rank, "
            "i.evidence FROM incidents i JOIN latest l ON i.incident_id = l.incident_id "
            "AND i.updated_at = l.at ORDER BY i.incident_id, i.rank"
        ).fetchall()
    finally:
        con.close()
    found: dict[str, Found] = {}
    for incident_id, _site, started, ended, updated, _rank, evidence in rows:
        ev = dict(evidence) if not isinstance(evidence, dict) else evidence
        inc = found.get(incident_id)
        if inc is None:
            sites = [s for s in ev.get("sites", "").split(",") if s]
            detected = _time(ev["detected_at"])
            inc = Found(incident_id, sites, started, detected, ended or updated, [])
            found[incident_id] = inc
        inc.causes.append(ev)
    return list(found.values())


def cause_matches(cause: dict[str, str], truth: Truth) -> bool:
    """Right layer and right scope (the scope type of the fault, at its value)."""
    if cause.get("layer") != truth.layer:
        return False
    want = CATALOGUE[truth.type].scope
    scope, value = cause.get("scope"), cause.get("scope_value", "")
    site = truth.scope.get("site")
    cause_sites = [s for s in cause.get("sites", "").split(",") if s]
    at_site = site is None or site in cause_sites
    if want == "link":
        return scope == "link" and at_site and value == truth.scope.get("link")
    if want == "isp":
        return scope == "isp" and value == truth.scope.get("isp")
    if want == "app":
        return scope == "app" and value == truth.scope.get("app")
    if want == "ap":
        return scope == "ap" and value == truth.scope.get("ap")
    if want == "port":
        return scope == "port" and at_site and port_name(value) == truth.scope.get("switch_port")
    if want == "gateway":
        return scope == "gateway" and at_site
    return scope == "site" and value == site


def _overlaps(inc: Found, truth: Truth) -> bool:
    if not set(inc.sites) & set(truth.sites):
        return False
    return inc.start <= truth.end + MATCH_SLACK and truth.start - MATCH_SLACK <= inc.end


def score_lake(lake: Path, report: Report, site_days: float) -> None:
    """Add one analyzed lake's incidents, scored against its truth, to ``report``."""
    truths = read_truth(lake)
    incidents = read_incidents(lake)
    report.scenarios += 1
    report.site_days += site_days
    report.incidents += len(incidents)
    matched: set[str] = set()
    for truth in truths:
        score = report.by_type.setdefault(truth.type, TypeScore())
        score.faults += 1
        hits = sorted((i for i in incidents if _overlaps(i, truth)), key=lambda i: i.detected_at)
        matched.update(i.incident_id for i in hits)
        if not hits:
            report.misses.append(f"{lake.name}: {truth.id} ({truth.type}) not detected")
            continue
        score.detected += 1
        score.incidents += len(hits)
        score.true_incidents += len(hits)
        score.ttd.append(max(0.0, (hits[0].detected_at - truth.start).total_seconds() / 60))
        best_rank = min(
            (r for i in hits for r, c in enumerate(i.causes[:3], 1) if cause_matches(c, truth)),
            default=None,
        )
        if best_rank == 1:
            score.top1 += 1
        if best_rank is not None:
            score.top3 += 1
        else:
            got = hits[0].causes[0] if hits[0].causes else {}
            report.misses.append(
                f"{lake.name}: {truth.id} ({truth.type}) cause {got.get('kind')} "
                f"{got.get('scope')}={got.get('scope_value')}"
            )
    false = [i for i in incidents if i.incident_id not in matched]
    report.false_incidents += len(false)
    for inc in false:
        c = inc.causes[0] if inc.causes else {}
        report.misses.append(
            f"{lake.name}: false incident {c.get('kind')} {c.get('scope')}={c.get('scope_value')} "
            f"at {','.join(inc.sites)} {inc.start:%H:%M}-{inc.end:%H:%M}"
        )


def run_scenario(path: Path, workdir: Path, workers: int | None = None) -> tuple[Path, float]:
    """Twin → lake → SLEs → analysis for one scenario; (lake, simulated site-days)."""
    scenario = load_scenario(path)
    lake = workdir / path.stem
    if lake.exists():
        shutil.rmtree(lake)
    simulate_to_lake(scenario, str(lake), workers=workers)
    inventory = load_inventory(lake / INVENTORY_PATH)
    compute(str(lake), inventory, workers=workers)
    analyze(str(lake), inventory, workers=workers)
    hours = (scenario.end - scenario.start).total_seconds() / 3600
    return lake, len(inventory.sites) * hours / 24


def evaluate(
    scenarios: Iterable[Path],
    workdir: Path,
    *,
    workers: int | None = None,
    reuse: bool = False,
    on_scenario: Callable[[Path], None] | None = None,
) -> Report:
    report = Report()
    for path in scenarios:
        lake = workdir / path.stem
        if reuse and (lake / TRUTH_PATH).is_file():
            scenario = load_scenario(path)
            inventory = load_inventory(lake / INVENTORY_PATH)
            found = sle_range(str(lake))
            analyze(str(lake), inventory, found[0] if found else None, workers=workers)
            hours = (scenario.end - scenario.start).total_seconds() / 3600
            site_days = len(inventory.sites) * hours / 24
        else:
            lake, site_days = run_scenario(path, workdir, workers)
        score_lake(lake, report, site_days)
        if on_scenario:
            on_scenario(path)
    return report
