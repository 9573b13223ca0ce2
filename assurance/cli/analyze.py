"""``wanassure analyze``, ``incidents`` and ``eval``: anomalies, root causes and their accuracy.

The composition root for ``assurance.analysis`` at a terminal: runs the pipeline over a lake,
prints incidents with their ranked causes and suggested actions, and runs the evaluation
harness over simulator scenarios. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assurance.cli.runner_option import RunnerOption
from assurance.cli.sle import FromOption, LakeOption, ToOption, _inventory, parse_time
from assurance.cli.ui import err, fail, out, progress
from assurance.errors import AssuranceError


def analyze(
    lake: LakeOption,
    start: FromOption = None,
    end: ToOption = None,
    inventory: Annotated[Path | None, typer.Option(help="Inventory YAML")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes")] = None,
    runner: RunnerOption = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Re-analyze every SLE minute, not only new ones")
    ] = False,
) -> None:
    """Detect anomalies in SLE minutes, group them into incidents and rank their causes
    (incremental: by default only the minutes since the last run, with history re-read)."""
    from assurance.analysis.pipeline import analyze as run
    from assurance.analysis.pipeline import sle_range

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to")
    inv = _inventory(inventory, lake)
    try:
        if everything and t0 is None:
            found = sle_range(lake)
            t0 = found[0] if found else None
        with progress("analyzing") as advance:
            summary = run(lake, inv, t0, t1, workers=workers, progress=advance)
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None
    if summary.start == summary.end:
        out.print(
            f"nothing new since {summary.end:%Y-%m-%d %H:%M} UTC (use --all to re-analyze)",
            highlight=False,
        )
        return
    opened = sum(1 for i in summary.incidents if i.status == "open")
    out.print(
        f"analyzed {summary.start:%Y-%m-%d %H:%M} → {summary.end:%Y-%m-%d %H:%M} UTC: "
        f"{summary.anomalies:,} scored points, {len(summary.incidents)} incidents "
        f"({opened} open), {summary.actions} action states in {summary.seconds:.1f} s",
        highlight=False,
    )
    if summary.incidents:
        out.print("see them with: wanassure incidents --lake " + lake, highlight=False)


def incidents(
    lake: LakeOption,
    site: Annotated[str | None, typer.Option(help="Only incidents touching this site")] = None,
    status: Annotated[str | None, typer.Option(help="open or resolved")] = None,
) -> None:
    """Incidents with their ranked root causes, confidence, impact and suggested action."""
    from assurance.query import IncidentQuery, QueryError

    try:
        query = IncidentQuery(lake)
        rows = query.incidents(site=site, status=status)
    except QueryError as exc:
        raise fail(str(exc)) from None
    if not rows:
        out.print("no incidents" + (f" at {site}" if site else ""))
        return
    out.print(f"{len(rows)} incidents in {lake}, most recent first", highlight=False)
    for inc in rows:
        colour = "red" if inc["status"] == "open" else "green"
        where = inc["where"]
        if inc["site"] is None and inc["sites"]:
            where += ": " + ", ".join(inc["sites"][:8]) + (" …" if len(inc["sites"]) > 8 else "")
        out.print(
            f"\n[bold]{inc['detected_at']:%Y-%m-%d %H:%M} UTC[/]  {where}  "
            f"[{colour}]{inc['status']}[/]  {inc['impacted_users']} users, "
            f"{inc['impacted_minutes']} bad user-minutes",
            highlight=False,
        )
        sles = inc["sles"].replace(",", ", ") or "none (seen in device telemetry only)"
        out.print(f"  SLEs: {sles}", highlight=False)
        for c in inc["causes"]:
            out.print(
                f"  {c['rank']}. {c['title']} — {c['root_cause']} ({c['confidence']:.0%})",
                highlight=False,
            )
        out.print(f"  → {inc['suggested_action']}", highlight=False)


def eval_cmd(
    scenarios: Annotated[
        Path, typer.Option("--scenarios", help="Folder of scenario YAML files with faults")
    ],
    workdir: Annotated[
        Path | None, typer.Option(help="Where the scenario lakes go (default: a temp folder)")
    ] = None,
    reuse: Annotated[
        bool, typer.Option(help="Re-analyze lakes already in --workdir instead of simulating")
    ] = False,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes")] = None,
    runner: RunnerOption = None,
) -> None:
    """Run scenarios with ground truth and report detection and root-cause accuracy."""
    from assurance.analysis.evaluate import evaluate

    files = sorted(scenarios.glob("*.yaml")) if scenarios.is_dir() else []
    if not files:
        raise fail(f"{scenarios}: no scenario *.yaml files there")
    with tempfile.TemporaryDirectory(prefix="wanassure-eval-") as tmp:
        where = workdir or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        try:
            with progress("scenarios") as advance:
                done: list[Path] = []

                def step(path: Path) -> None:
                    done.append(path)
                    advance(len(done), len(files))
                    err.print(f"  {path.stem} done", highlight=False)

                report = evaluate(files, where, workers=workers, reuse=reuse, on_scenario=step)
        except AssuranceError as exc:
            raise fail(str(exc).splitlines()[0]) from None
    _print_report(report)


def _print_report(report: object) -> None:
    from assurance.analysis.evaluate import Report

    assert isinstance(report, Report)
    table = Table(title=f"Evaluation over {report.scenarios} scenarios")
    for name in ("fault type", "faults", "recall", "median TTD (min)", "top-1", "top-3"):
        table.add_column(name, justify="left" if name == "fault type" else "right")
    for kind, s in sorted(report.by_type.items()):
        ttd = sorted(s.ttd)
        median = ttd[len(ttd) // 2] if ttd else float("nan")
        table.add_row(
            kind,
            str(s.faults),
            f"{s.detected / s.faults:.2f}",
            f"{median:.0f}",
            f"{s.top1 / s.detected:.2f}" if s.detected else "-",
            f"{s.top3 / s.detected:.2f}" if s.detected else "-",
        )
    out.print(table)
    t = report.totals()
    out.print(
        f"all: {t['faults']:.0f} faults, recall {t['recall']:.3f}, precision {t['precision']:.3f}, "
        f"median time to detect {t['median_ttd_min']:.1f} min, top-1 {t['top1']:.3f}, "
        f"top-3 {t['top3']:.3f}, false incidents {report.false_incidents} over "
        f"{t['site_days']:.1f} site-days = {t['false_per_site_day']:.3f} per site-day",
        highlight=False,
    )
    for line in report.misses:
        out.print(f"  {line}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("incidents")(incidents)
    app.command("eval")(eval_cmd)
