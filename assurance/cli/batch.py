"""``wanassure run`` and ``wanassure report``: the batch jobs people schedule.

The composition root for ``assurance.batch`` at a terminal: parses times, finds the inventory
and the alerts config, prints one line per step (with units, wall and CPU seconds) and writes
the report file. Errors are one clear line and exit code 2, never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from assurance.cli.runner_option import RunnerOption
from assurance.cli.sle import (
    INVENTORY_ENV,
    LAKE_INVENTORIES,
    FromOption,
    LakeOption,
    ToOption,
    _inventory,
    parse_time,
)
from assurance.cli.ui import err, fail, out, progress
from assurance.errors import AssuranceError

InventoryOption = Annotated[
    Path | None,
    typer.Option(
        help=f"Inventory YAML (default: ${INVENTORY_ENV}, else <lake>/inventory.yaml or _sim/)"
    ),
]


def run(
    lake: LakeOption,
    start: FromOption = None,
    end: ToOption = None,
    inventory: InventoryOption = None,
    alerts_config: Annotated[
        Path | None,
        typer.Option("--alerts-config", help="Alerts YAML: also run one alerts cycle"),
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes")] = None,
    runner: RunnerOption = None,
) -> None:
    """SLEs, analysis and (with --alerts-config) one alerts cycle for a window (whole hours;
    default: all raw data). Idempotent: a rerun over the same window changes nothing."""
    from assurance.alerts.config import load_alerts_config
    from assurance.batch.run import StepResult, run_window

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to")
    if t0 is not None and t1 is not None and t1 <= t0:
        raise fail("the time range is empty (--to must be after --from)")
    if not Path(lake).is_dir() and "://" not in lake:
        raise fail(f"no lake at {lake} (folder does not exist)")
    inv = _inventory(inventory, lake)
    cfg = None
    if alerts_config is not None:
        try:
            cfg = load_alerts_config(alerts_config)
        except AssuranceError as exc:
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            raise fail(" ".join(lines[:2])) from None

    def show(step: StepResult) -> None:
        out.print(
            f"{step.step:<8} {step.summary} in {step.seconds:.1f} s ({step.cpu_seconds:.1f} s CPU)",
            highlight=False,
            soft_wrap=True,
        )

    try:
        with progress("running") as advance:
            steps = run_window(
                lake, inv, t0, t1, alerts=cfg, workers=workers, on_step=show, progress=advance
            )
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None
    total = sum(s.seconds for s in steps)
    out.print(f"done: {len(steps)} steps in {total:.1f} s", highlight=False)


def _links(path: Path | None, lake: str) -> list[object]:
    """WAN links from an inventory if one is found (names and ISPs); none is fine."""
    from assurance.query.links import inventory_links

    chosen = path or (Path(os.environ[INVENTORY_ENV]) if os.environ.get(INVENTORY_ENV) else None)
    if chosen is None:
        chosen = next((p for p in (Path(lake) / n for n in LAKE_INVENTORIES) if p.is_file()), None)
    if chosen is None:
        return []
    return list(inventory_links(_inventory(chosen, lake)))


def report(
    lake: LakeOption,
    site: Annotated[str, typer.Option("--site", help="Site to report on", show_default=False)],
    output: Annotated[Path, typer.Option("--out", help="HTML file to write", show_default=False)],
    start: FromOption = None,
    end: ToOption = None,
    inventory: InventoryOption = None,
) -> None:
    """A self-contained HTML report of one site: SLEs with bars and timelines, classifiers,
    incidents with ranked causes and actions, impacted users, apps and WAN links."""
    from assurance.batch.report import build_report, collect_report
    from assurance.query import QueryError

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to")
    if not Path(lake).is_dir() and "://" not in lake:
        raise fail(f"no lake at {lake} (folder does not exist)")
    if output.is_dir():
        raise fail(f"--out {output} is a folder; give a file name such as report.html")
    if not output.parent.is_dir():
        raise fail(f"--out {output}: folder {output.parent} does not exist")
    links = _links(inventory, lake)
    try:
        data = collect_report(lake, site, t0, t1, links=links)  # type: ignore[arg-type]
    except (QueryError, AssuranceError) as exc:
        raise fail(str(exc).splitlines()[0]) from None
    html = build_report(data)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(
        f"{site}: {len(data.overview)} SLEs, {len(data.incidents)} incidents, "
        f"{data.start:%Y-%m-%d %H:%M} → {data.end:%Y-%m-%d %H:%M} UTC",
        highlight=False,
        soft_wrap=True,
    )
    out.print(f"wrote {output} ({len(html.encode()) / 1024:.0f} KiB)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("report")(report)
