"""The ``run`` job: SLE compute, analysis and (optionally) one alerts cycle over one window.

Owns the order of the steps and the window they share: SLE compute widens the request to whole
hours (or takes all raw data when no range is given) and the analysis and alerts steps use
exactly that window, so running the job twice over the same window rewrites the same hour
partitions with the same rows. The alerts step evaluates the rules as of the window's end (data
time); a second run finds the same alerts already notified and queues nothing new. Must not
parse command lines or print: each step is reported to a callback as a ``StepResult``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assurance.alerts.config import AlertsConfig
from assurance.config.inventory import Inventory


@dataclass(frozen=True)
class StepResult:
    """One finished step: its name, a one-line summary with units, wall and CPU seconds."""

    step: str
    summary: str
    seconds: float
    cpu_seconds: float


def _timed(step: str, work: Callable[[], str]) -> StepResult:
    wall, cpu = time.perf_counter(), time.process_time()
    line = work()
    return StepResult(step, line, time.perf_counter() - wall, time.process_time() - cpu)


def run_window(
    lake: str,
    inventory: Inventory,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    alerts: AlertsConfig | None = None,
    workers: int | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[StepResult]:
    """SLEs, then analysis of the same window, then one alerts cycle at the window's end;
    ``progress(done, total)`` follows the partition jobs of each step.

    Raises ``AssuranceError`` subclasses (no lake, no raw data, empty range, bad rules…)."""
    from assurance.analysis.pipeline import analyze
    from assurance.sle.compute import compute

    results: list[StepResult] = []
    window: list[datetime] = []

    def done(result: StepResult) -> None:
        results.append(result)
        if on_step is not None:
            on_step(result)

    def sle_step() -> str:
        s = compute(lake, inventory, start, end, workers=workers, progress=progress)
        window[:] = [s.start, s.end]
        return (
            f"{s.start:%Y-%m-%d %H:%M} → {s.end:%Y-%m-%d %H:%M} UTC: {s.user_minutes:,} user "
            f"minutes, {s.sle_rows:,} SLE rows, {s.jobs} jobs, {s.files} files"
        )

    done(_timed("sle", sle_step))

    def rollups_step() -> str:
        from assurance.rollups import build

        built = build(lake, start=window[0], end=window[1])
        return (
            f"{sum(b.partitions_written for b in built)} roll-up hours and days written for "
            f"the dashboard, {sum(b.rows for b in built):,} rows"
        )

    done(_timed("rollups", rollups_step))

    def analysis_step() -> str:
        a = analyze(lake, inventory, window[0], window[1], workers=workers, progress=progress)
        opened = sum(1 for i in a.incidents if i.status == "open")
        return (
            f"{a.anomalies:,} scored points, {len(a.incidents)} incidents ({opened} open), "
            f"{a.actions} action states"
        )

    done(_timed("analysis", analysis_step))
    if alerts is not None:
        config = alerts

        def alerts_step() -> str:
            from assurance.alerts.engine import AlertEngine

            with AlertEngine(lake, config, inventory=inventory) as engine:
                r = engine.cycle(window[1], ignore_wait=True)
            g, d = r.grouping, r.delivery
            line = (
                f"as of {r.at:%Y-%m-%d %H:%M} UTC: {g.firing} firing, {g.muted} muted, "
                f"{g.resolved} resolved; {g.notifications} notifications, {g.events} events "
                f"queued; {d.delivered} delivered, {d.retrying} retrying, {d.dead} dead"
            )
            if r.failed_rules:
                line += f"; {len(r.failed_rules)} rule(s) failed: " + ", ".join(
                    name for name, _ in r.failed_rules
                )
            return line

        done(_timed("alerts", alerts_step))
    return results
