"""``wanassure outlet flow|syslog``: consume inlets' messages from the bus and write the lake.

The composition root of an outlet: bus URL and group, lake, inventory → exporter map, metrics,
clean shutdown on SIGINT/SIGTERM that publishes the chunk in hand and acknowledges it. Must not
decode anything itself.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer
from prometheus_client import CollectorRegistry

from assurance.bus.config import BusConfig
from assurance.bus.flow_outlet import FlowOutlet
from assurance.bus.outlet import Outlet
from assurance.bus.syslog_bus import SyslogOutlet
from assurance.cli.collect import MetricsOption, exporter_map, serve_metrics
from assurance.cli.ui import err, fail
from assurance.config import load_inventory
from assurance.errors import AssuranceError
from assurance.lake import LakeStore

app = typer.Typer(
    help="Consume collector messages from a NATS JetStream bus.", no_args_is_help=True
)

BusOption = Annotated[str, typer.Option(help="The bus: nats://host:4222")]
LakeOption = Annotated[str, typer.Option(help="Lake folder (or s3://bucket/prefix)")]
GroupOption = Annotated[str, typer.Option(help="Outlet group: outlets of one group share the work")]
InventoryOption = Annotated[
    Path | None, typer.Option(help="Inventory YAML: exporter IP → device and site")
]
ChunkOption = Annotated[float, typer.Option(help="Publish lake files (and acknowledge) this often")]
AckWaitOption = Annotated[
    float, typer.Option(help="Redeliver what an outlet has not acknowledged after this long")
]
DurationOption = Annotated[
    float | None, typer.Option(help="Stop after this many seconds (default: until Ctrl-C)")
]


@app.command("flow")
def flow(
    bus: BusOption,
    lake: LakeOption,
    group: GroupOption = "lake",
    inventory: InventoryOption = None,
    chunk_seconds: ChunkOption = 5.0,
    ack_wait_seconds: AckWaitOption = 60.0,
    metrics: MetricsOption = "127.0.0.1:9157",
    duration: DurationOption = None,
) -> None:
    """Decode jflow datagrams published by `collect flow --inlet` and write them to the lake."""
    _serve("flow", bus, lake, group, inventory, chunk_seconds, ack_wait_seconds, metrics, duration)


@app.command("syslog")
def syslog(
    bus: BusOption,
    lake: LakeOption,
    group: GroupOption = "lake",
    inventory: InventoryOption = None,
    chunk_seconds: ChunkOption = 5.0,
    ack_wait_seconds: AckWaitOption = 60.0,
    metrics: MetricsOption = "127.0.0.1:9158",
    duration: DurationOption = None,
) -> None:
    """Parse syslog lines published by `collect syslog --inlet` and write them to the lake."""
    _serve(
        "syslog", bus, lake, group, inventory, chunk_seconds, ack_wait_seconds, metrics, duration
    )


def _serve(
    kind: str,
    bus: str,
    lake: str,
    group: str,
    inventory: Path | None,
    chunk_seconds: float,
    ack_wait_seconds: float,
    metrics: str,
    duration: float | None,
) -> None:
    if chunk_seconds <= 0:
        raise fail("--chunk-seconds must be positive")
    if ack_wait_seconds < 2 * chunk_seconds:
        raise fail("--ack-wait-seconds must be at least twice --chunk-seconds")
    if not group.replace("-", "").replace("_", "").isalnum():
        raise fail(f"--group {group!r}: use letters, digits, '-' and '_' only")
    try:
        config = BusConfig(bus, kind)
        inv = load_inventory(inventory) if inventory is not None else None
        store = LakeStore(lake)
        store.ensure_root()
        outlet: Outlet
        registry: CollectorRegistry
        if kind == "flow":
            outlet = flow_outlet = FlowOutlet(
                store,
                config,
                group=group,
                exporters=exporter_map(inv),
                chunk_s=chunk_seconds,
                ack_wait_s=ack_wait_seconds,
            )
            registry = flow_outlet.collector.metrics.registry
        else:
            outlet = syslog_outlet = SyslogOutlet(
                store,
                config,
                group=group,
                exporters=exporter_map(inv),
                chunk_s=chunk_seconds,
                ack_wait_s=ack_wait_seconds,
            )
            registry = syslog_outlet.collector.metrics.registry
        asyncio.run(_run(outlet, registry, metrics, duration))
    except (AssuranceError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}") from None


async def _run(
    outlet: Outlet, registry: CollectorRegistry, metrics_listen: str, duration: float | None
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
    serve_metrics(metrics_listen, registry)
    config = outlet.config
    err.print(
        f"outlet {outlet.group} consuming {config.kind} from {config.redacted()} "
        f"(stream {config.stream}) → {outlet.store.root}",
        highlight=False,
    )
    await task
    s = outlet.stats
    unit = "datagrams" if config.kind == "flow" else "lines"
    err.print(
        f"done: {s.messages:,} messages, {s.items:,} {unit}, {s.records:,} records in "
        f"{s.chunks:,} chunks; redelivered {s.redelivered:,}, duplicate rows skipped "
        f"{s.duplicate_rows_skipped:,}",
        highlight=False,
    )
