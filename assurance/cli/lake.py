"""``wanassure lake``: inspect and maintain a Parquet lake, local or on S3."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from assurance.cli.ui import fail, human_bytes, out, progress
from assurance.errors import AssuranceError
from assurance.lake.maintenance import compact, lake_info, retain
from assurance.lake.store import LakeStore

app = typer.Typer(help="Inspect and maintain the Parquet lake.", no_args_is_help=True)

LakePath = Annotated[
    str, typer.Argument(help="Lake folder or s3://bucket/prefix", show_default=False)
]


def _open(path: str) -> LakeStore:
    store = LakeStore(path)
    if not store.exists():
        raise fail(f"no lake at {store.url}: {store.missing_reason()}")
    return store


@app.command("info")
def info(path: LakePath) -> None:
    """Tables, partitions, files, rows, bytes and the newest event time."""
    try:
        store = _open(path)
        with progress("reading footers") as advance:
            tables = lake_info(store, progress=advance)
    except AssuranceError as exc:
        raise fail(str(exc)) from None
    grid = Table(title=f"lake {store.url}", title_justify="left")
    for name, justify in (
        ("table", "left"),
        ("partitions", "right"),
        ("files", "right"),
        ("rows", "right"),
        ("size", "right"),
        ("newest event (UTC)", "left"),
    ):
        grid.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in tables:
        newest = t.newest_event.strftime("%Y-%m-%d %H:%M:%S") if t.newest_event else "-"
        if t.unreadable:
            newest += f"  ({t.unreadable} unreadable file{'s' if t.unreadable > 1 else ''})"
        grid.add_row(
            t.table,
            f"{t.partitions:,}",
            f"{t.files:,}",
            f"{t.rows:,}",
            human_bytes(t.bytes),
            newest,
            style=None if t.files else "dim",
        )
    grid.add_section()
    grid.add_row(
        "total",
        f"{sum(t.partitions for t in tables):,}",
        f"{sum(t.files for t in tables):,}",
        f"{sum(t.rows for t in tables):,}",
        human_bytes(sum(t.bytes for t in tables)),
        "",
    )
    out.print(grid)


@app.command("compact")
def compact_cmd(
    path: LakePath,
    min_age_minutes: Annotated[
        int,
        typer.Option("--min-age-minutes", help="Leave partitions that ended less than this ago"),
    ] = 60,
) -> None:
    """Merge the small files of each settled hourly partition into one file."""
    try:
        store = _open(path)
        with progress("compacting") as advance:
            result = compact(store, min_age=timedelta(minutes=min_age_minutes), progress=advance)
    except AssuranceError as exc:
        raise fail(str(exc)) from None
    out.print(
        f"compacted {result.partitions:,} partitions: {result.files_in:,} files → "
        f"{result.files_out:,} ({result.rows:,} rows); "
        f"removed {result.temp_removed} stale temp files"
    )


@app.command("retain")
def retain_cmd(
    path: LakePath,
    days: Annotated[float, typer.Option("--days", help="Keep this many days of data", min=0.01)],
) -> None:
    """Delete hourly partitions older than --days."""
    try:
        store = _open(path)
        with progress("deleting old partitions") as advance:
            result = retain(store, days, progress=advance)
    except AssuranceError as exc:
        raise fail(str(exc)) from None
    out.print(
        f"deleted {result.partitions:,} partitions older than {days:g} days "
        f"({result.files:,} files, {human_bytes(result.bytes)})"
    )
