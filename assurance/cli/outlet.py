"""``wanassure outlet``: consume collector inlets' messages from the bus and write the lake.

The composition root of an outlet: bus URL and group, lake, inventory → exporter map, metrics,
clean shutdown on SIGINT/SIGTERM that publishes the chunk in hand and acknowledges it. Flow
only for now. Must not decode anything itself.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer

from assurance.bus.config import BusConfig
from assurance.bus.outlet import FlowOutlet
from assurance.cli.collect import MetricsOption, exporter_map, serve_metrics
from assurance.cli.ui import err, fail, total
from assurance.config import load_inventory
from assurance.errors import AssuranceError
from assurance.lake import LakeStore

app = typer.Typer(
    help="Consume collector messages from a NATS JetStream bus.", no_args_is_help=True
)

BusOption = Annotated[str, typer.Option(help="The bus: nats://host:4222")]


@app.command("flow")
def flow(
    bus: BusOption,
    lake: Annotated[str, typer.Option(help="Lake folder (or s3://bucket/prefix)")],
    group: Annotated[
        str, typer.Option(help="Outlet group: outlets of one group share the work")
    ] = "lake",
    inventory: Annotated[
        Path | None, typer.Option(help="Inventory YAML: exporter IP → device and site")
    ] = None,
    chunk_seconds: Annotated[
        float, typer.Option(help="Publish lake files (and acknowledge) this often")
    ] = 5.0,
    ack_wait_seconds: Annotated[
        float,
        typer.Option(help="Redeliver what an outlet has not acknowledged after this long"),
    ] = 60.0,
    metrics: MetricsOption = "127.0.0.1:9157",
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: until Ctrl-C)")
    ] = None,
) -> None:
    """Decode jflow datagrams published by `collect flow --inlet` and write them to the lake."""
    if chunk_seconds <= 0:
        raise fail("--chunk-seconds must be positive")
    if ack_wait_seconds < 2 * chunk_seconds:
        raise fail("--ack-wait-seconds must be at least twice --chunk-seconds")
    if not group.replace("-", "").replace("_", "").isalnum():
        raise fail(f"--group {group!r}: use letters, digits, '-' and '_' only")
    try:
        config = BusConfig(bus, "flow")
        inv = load_inventory(inventory) if inventory is not None else None
        store = LakeStore(lake)
        store.ensure_root()
        outlet = FlowOutlet(
            store,
            config,
            group=group,
            exporters=exporter_map(inv),
            chunk_s=chunk_seconds,
            ack_wait_s=ack_wait_seconds,
        )
        asyncio.run(_run(outlet, config, metrics, duration))
    except (AssuranceError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}") from None


async def _run(
    outlet: FlowOutlet, config: BusConfig, metrics_listen: str, duration: float | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    task = asyncio.create_task(outlet.run(stop))
    ready = asyncio.create_task(outlet.ready.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()  # raises the reason it could not start
        return
    serve_metrics(metrics_listen, outlet.collector.metrics.registry)
    err.print(
        f"outlet {outlet.group} consuming flow from {config.redacted()} "
        f"(stream {config.stream}) → {outlet.store.root}",
        highlight=False,
    )
    await task
    s = outlet.stats
    err.print(
        f"done: {s.messages:,} messages, {s.datagrams:,} datagrams, "
        f"{total(outlet.collector.metrics.records):,.0f} records in {s.chunks:,} chunks; "
        f"redelivered {s.redelivered:,}, duplicate rows skipped {s.duplicate_rows_skipped:,}",
        highlight=False,
    )
