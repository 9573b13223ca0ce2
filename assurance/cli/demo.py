"""``wanassure demo``: the main pipeline end to end on the embedded default (DuckDB + Parquet).

Loads the sample configuration, generates traffic for every gateway of the inventory (plus one
exporter the inventory does not know, kept and flagged), writes it through the lake writer,
compacts settled partitions and reports the lake and per-exporter traffic from DuckDB.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assurance.cli.ui import fail, human_bytes, out, progress
from assurance.config import load_config
from assurance.errors import AssuranceError
from assurance.lake import LakeStore, LakeWriter, connect
from assurance.lake.catalog import load_sql
from assurance.lake.maintenance import compact, lake_info
from assurance.sim.synthetic_flows import Exporter, synthetic_flows

UNKNOWN_EXPORTER = "203.0.113.50"
CHUNK_ROWS = 50_000


def demo(
    lake: Annotated[str, typer.Option(help="Lake folder to create or extend")] = "demo-lake",
    config: Annotated[Path, typer.Option(help="Configuration with the inventory")] = Path(
        "data/samples/wanassure.yaml"
    ),
    hours: Annotated[float, typer.Option(help="Hours of traffic to generate", min=0.1)] = 3,
    rows: Annotated[int, typer.Option(help="Flow records to generate", min=1000)] = 600_000,
) -> None:
    """Run the pipeline on sample data and show what landed in the lake."""
    try:
        cfg = load_config(config)
        gateways = [
            Exporter(ip, ref.device, ref.site)
            for ip, ref in cfg.inventory.device_index().items()
            if ref.kind == "gateway"
        ]
        exporters = [*gateways, Exporter(UNKNOWN_EXPORTER, None, None)]
        end = datetime.now(UTC).replace(microsecond=0)
        start = end - timedelta(hours=hours)
        out.print(
            f"[bold]1/4[/] {len(gateways)} gateways of org {cfg.inventory.org.name} "
            f"(+1 unknown exporter {UNKNOWN_EXPORTER}) → {rows:,} flow records over {hours:g} h"
        )
        store = LakeStore(lake)
        with LakeWriter(store, flush_rows=200_000) as writer, progress("writing flows") as advance:
            span = hours * 3600 / max(1, rows // CHUNK_ROWS)
            for done, first in enumerate(range(0, rows, CHUNK_ROWS), start=1):
                count = min(CHUNK_ROWS, rows - first)
                chunk_start = start + timedelta(seconds=span * (done - 1))
                writer.write(
                    "flows",
                    synthetic_flows(
                        count, start=chunk_start, span_s=span, exporters=exporters, seed=done
                    ),
                )
                advance(first + count, rows)
        out.print(f"[bold]2/4[/] wrote {writer.stats.rows:,} rows in {writer.stats.files} files")
        result = compact(store)
        out.print(
            f"[bold]3/4[/] compacted {result.files_in} small files into {result.files_out} "
            "(partitions older than one hour)"
        )
        _show_lake(store)
        con = connect(store)
        summary = con.execute(load_sql("exporter_summary"), {"since": start}).fetchall()
    except AssuranceError as exc:
        raise fail(str(exc)) from None
    grid = Table(
        title=f"[bold]4/4[/] traffic per exporter since {start:%H:%M} UTC", title_justify="left"
    )
    for name in ("exporter", "site", "device", "flow records", "bytes"):
        grid.add_column(name, justify="right" if name in ("flow records", "bytes") else "left")
    for exporter, known, site, device, records, nbytes, _first, _last in summary:
        style = None if known else "yellow"
        grid.add_row(exporter, site, device, f"{records:,}", human_bytes(int(nbytes)), style=style)
    out.print(grid)
    out.print(f"Look again with: .venv/bin/wanassure lake info {lake}", highlight=False)


def _show_lake(store: LakeStore) -> None:
    tables = [t for t in lake_info(store) if t.files]
    grid = Table(title=f"lake {store.root}", title_justify="left")
    for name in ("table", "partitions", "files", "rows", "size", "newest event (UTC)"):
        grid.add_column(
            name, justify="left" if name in ("table", "newest event (UTC)") else "right"
        )
    for t in tables:
        newest = f"{t.newest_event:%Y-%m-%d %H:%M:%S}" if t.newest_event else "-"
        grid.add_row(
            t.table,
            f"{t.partitions:,}",
            f"{t.files:,}",
            f"{t.rows:,}",
            human_bytes(t.bytes),
            newest,
        )
    out.print(grid)
