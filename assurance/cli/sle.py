"""``wanassure sle``: compute SLEs over a lake and show them.

The composition root for the SLE engine at a terminal: parses times and options, loads the
inventory, runs ``assurance.sle.compute`` and prints ``assurance.query`` answers as tables with
bars. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from assurance.cli.runner_option import RunnerOption
from assurance.cli.ui import err, fail, out, progress
from assurance.config import Inventory, load_inventory
from assurance.config.loader import inventory_from_text
from assurance.errors import AssuranceError
from assurance.lake.store import LakeStore
from assurance.query import QueryError, SleQuery

app = typer.Typer(help="Compute and show user-minute SLEs.", no_args_is_help=True)

LakeOption = Annotated[
    str, typer.Option("--lake", help="Lake folder or s3://bucket/prefix", show_default=False)
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="Start (ISO 8601, UTC unless an offset is given)")
]
ToOption = Annotated[str | None, typer.Option("--to", help="End, exclusive (ISO 8601)")]
INVENTORY_ENV = "WANASSURE_INVENTORY"
#: Inventories looked for in a lake folder: one kept by hand, then the simulator's.
LAKE_INVENTORIES = ("inventory.yaml", "_sim/inventory.yaml")


def parse_time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"{option} {text!r} is not an ISO 8601 time (e.g. 2026-11-20T10:00)") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _inventory(path: Path | None, lake: str) -> Inventory:
    chosen = path or (Path(os.environ[INVENTORY_ENV]) if os.environ.get(INVENTORY_ENV) else None)
    try:
        if chosen is not None:
            return load_inventory(chosen)
        store = LakeStore(lake)
        for name in LAKE_INVENTORIES:
            text = store.read_bytes(name)
            if text is not None:
                return inventory_from_text(text.decode("utf-8"), store.abspath(name))
    except (AssuranceError, UnicodeDecodeError) as exc:
        raise fail(str(exc).splitlines()[0]) from None
    raise fail(
        f"no inventory: give --inventory FILE, set {INVENTORY_ENV}, or put inventory.yaml "
        "in the lake folder"
    )


@app.command("compute")
def compute_cmd(
    lake: LakeOption,
    start: FromOption = None,
    end: ToOption = None,
    inventory: Annotated[
        Path | None, typer.Option(help=f"Inventory YAML (default: ${INVENTORY_ENV})")
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option(help="Only these sites (repeatable); default: all")
    ] = None,
    shards: Annotated[
        int | None, typer.Option(min=1, help="Site shards per time window (default: chosen)")
    ] = None,
    window_hours: Annotated[
        int | None, typer.Option(min=1, help="Hours per job (default: chosen)")
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes")] = None,
    runner: RunnerOption = None,
) -> None:
    """Compute every SLE for a time range (whole hours; default: all raw data in the lake)."""
    from datetime import timedelta

    from assurance.rollups import build as build_rollups
    from assurance.sle.compute import compute

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to")
    inv = _inventory(inventory, lake)
    try:
        with progress("computing SLEs") as advance:
            summary = compute(
                lake,
                inv,
                t0,
                t1,
                sites=site or None,
                shards=shards,
                window=timedelta(hours=window_hours) if window_hours else None,
                workers=workers,
                progress=advance,
            )
        with progress("roll-ups for the dashboard"):
            build_rollups(lake, start=summary.start, end=summary.end)
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None
    out.print(
        f"SLEs {summary.start:%Y-%m-%d %H:%M} → {summary.end:%Y-%m-%d %H:%M} UTC: "
        f"{summary.user_minutes:,} user minutes, {summary.sle_rows:,} SLE rows, "
        f"{summary.jobs} jobs, {summary.files} files in {summary.seconds:.1f} s",
        highlight=False,
    )


def bar(pct: float | None, width: int = 10) -> Text:
    if pct is None:
        return Text("-")
    filled = round(pct / 100 * width)
    colour = "green" if pct >= 95 else "yellow" if pct >= 80 else "red"
    return Text("█" * filled, style=colour) + Text("░" * (width - filled), style="dim")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


@app.command("show")
def show_cmd(
    lake: LakeOption,
    site: Annotated[str | None, typer.Option(help="Only this site")] = None,
    sle: Annotated[
        str | None, typer.Option(help="One SLE in detail (e.g. wan-link-health)")
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
) -> None:
    """SLE % per SLE with bars; with --sle, its classifiers and what is impacted."""
    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to")
    try:
        query = SleQuery(lake)
        scope = query.scope(site=site, start=t0, end=t1)
        if sle is None:
            _overview(query.overview(scope), site)
        else:
            _detail(query, sle, scope)
    except QueryError as exc:
        raise fail(str(exc)) from None


def _overview(rows: list[dict[str, Any]], site: str | None) -> None:
    if not rows:
        err.print("no SLE data for this scope and time range (run 'wanassure sle compute')")
        return
    grid = Table(title=f"SLEs — {site or 'org'}", title_justify="left")
    grid.add_column("SLE", no_wrap=True)
    grid.add_column("user min", justify="right", no_wrap=True, min_width=8)
    grid.add_column("bad", justify="right", no_wrap=True, min_width=6)
    grid.add_column("SLE %", justify="right", no_wrap=True, min_width=6)
    grid.add_column("", no_wrap=True, min_width=10)
    grid.add_column("top classifier", no_wrap=True, overflow="ellipsis", max_width=18)
    for r in rows:
        grid.add_row(
            r["metric"],
            f"{r['total_user_minutes']:,}",
            f"{r['degraded_user_minutes']:,}",
            _pct(r["sle"]),
            bar(r["sle"]),
            r["top_classifier"] or "",
        )
    out.print(grid)


def _detail(query: SleQuery, sle: str, scope: Any) -> None:
    summary = query.summary(sle, scope)
    out.print(
        Text.assemble(
            (f"{summary['metric']}", "bold"),
            f"  {_pct(summary['sle'])}  ",
            bar(summary["sle"]),
            f"  {summary['degraded_user_minutes']:,} of {summary['total_user_minutes']:,} "
            "user minutes degraded",
        )
    )
    grid = Table(title="classifiers", title_justify="left")
    for name, justify in (
        ("classifier", "left"),
        ("sub-classifier", "left"),
        ("degraded minutes", "right"),
        ("share", "right"),
        ("", "left"),
    ):
        grid.add_column(name, justify=justify)  # type: ignore[arg-type]
    for c in summary["classifiers"]:
        grid.add_row(
            c["name"],
            "",
            f"{c['degraded_user_minutes']:,}",
            _pct(c["percent_of_degraded"]),
            bar(c["percent_of_degraded"]),
        )
        for sub in c["sub_classifiers"]:
            grid.add_row("", sub["name"] or "", f"{sub['degraded_user_minutes']:,}", "", "")
    out.print(grid)
    for kind in ("gateways", "wan_links", "applications", "aps", "switch_ports", "users"):
        rows = query.impacted(sle, kind, scope, limit=5)
        if not rows:
            continue
        table = Table(title=f"impacted {kind.replace('_', ' ')}", title_justify="left")
        for name, justify in (("name", "left"), ("degraded", "right"), ("total", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for r in rows:
            table.add_row(
                str(r.get("name") or r.get("client_id")),
                f"{r['degraded_user_minutes']:,}",
                f"{r['total_user_minutes']:,}",
            )
        out.print(table)
