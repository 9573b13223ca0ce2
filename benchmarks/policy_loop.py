"""Closed-loop path policy in the twin: time to heal and bad user-minutes saved.

Plays data/samples/policy/loop-scenario.yaml (fixed seed, 90 simulated minutes) twice: once
with nobody acting (the baseline) and once with the loop in auto mode steering the video
application; the analysis runs at every step in both, so proposals name their incident.
Prints, per site, the bad Application Health user-minutes of video in each run and the
difference, and for the site where the steer was verified: when the loss began, when the
change was proposed and pushed, when users were fine again, when it was verified, and when the
original preference was restored. Wall and CPU seconds are printed too (the machine may be
shared; CPU seconds are the steadier figure).

Run: .venv/bin/python benchmarks/policy_loop.py
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from assurance.policy import evidence
from assurance.policy.loop import LoopSettings
from assurance.policy.planner import Limits
from assurance.policy.simloop import run
from assurance.sim.scenario import load_scenario

SCENARIO = (
    Path(__file__).resolve().parents[1] / "data" / "samples" / "policy" / "loop-scenario.yaml"
)
VIDEO = "Microsoft Teams"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    sc = load_scenario(SCENARIO)
    fault = sc.start + min(f.at for f in sc.faults)
    root = Path(tempfile.mkdtemp(prefix="policy-bench-"))
    try:
        figures = {}
        for name, loop in (("baseline", False), ("loop", True)):
            wall, cpu = time.perf_counter(), _cpu()
            settings = LoopSettings(mode="auto", limits=Limits(apps=(VIDEO,)))
            report = run(sc, str(root / name), settings=settings, loop=loop, analyze_every=1)
            figures[name] = (report, time.perf_counter() - wall, _cpu() - cpu)
        base, loop_report = figures["baseline"][0], figures["loop"][0]
        print(f"scenario {sc.name}: {sc.minutes} min, loss from {fault:%H:%M} UTC, video = {VIDEO}")
        for name, (_, wall, cpu) in figures.items():
            print(f"  {name:<8} run: {wall:6.1f} s wall, {cpu:6.1f} s CPU")
        for site in sorted({a.site for a in loop_report.actions}):
            b = base.bad_minutes(site, VIDEO, sc.start, sc.end)
            lp = loop_report.bad_minutes(site, VIDEO, sc.start, sc.end)
            acts = [a for a in loop_report.actions if a.site == site]
            act = next(a for a in acts if a.kind == "steer_app")
            print(
                f"  {site}: {act.kind} → {act.state} (incident {act.incident_id}); bad video "
                f"user-minutes baseline {b}, with loop {lp}, saved {b - lp}"
            )
            for other in acts:
                if other.kind != "steer_app" and other.proposed_at is not None:
                    print(
                        f"    {other.kind} proposed {other.proposed_at:%H:%M}, "
                        f"{other.state} {other.updated_at:%H:%M}"
                    )
            if act.state != "verified" or act.pushed_at is None or act.proposed_at is None:
                continue
            by_minute = evidence.bad_by_minute(loop_report.lake, site, VIDEO, fault, sc.end)
            healed = next(
                (
                    fault + timedelta(minutes=m)
                    for m in range(sc.minutes)
                    if fault + timedelta(minutes=m) >= act.pushed_at
                    and all(
                        v == 0 for t, v in by_minute.items() if t >= fault + timedelta(minutes=m)
                    )
                ),
                None,
            )
            first = min((t for t, v in by_minute.items() if v > 0), default=None)
            if first is not None:
                print(f"    first bad video minute {first:%H:%M} (users with video only then)")
            print(
                f"    loss began {fault:%H:%M}, proposed {act.proposed_at:%H:%M} "
                f"(+{(act.proposed_at - fault).total_seconds() / 60:.0f} min), pushed "
                f"{act.pushed_at:%H:%M}, users fine again "
                + (
                    f"{healed:%H:%M} (time to heal {(healed - fault).total_seconds() / 60:.0f} min)"
                    if healed
                    else "never"
                )
                + f", verified {act.updated_at:%H:%M}"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
