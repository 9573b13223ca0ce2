"""``wanassure collect``: run a collector into the lake until interrupted.

The composition root for one collector: inventory → exporter map, lake writer (age-based flush
in the background), the collector, a Prometheus ``/metrics`` endpoint, clean shutdown on
SIGINT/SIGTERM that decodes what is queued, flushes the lake and saves collector state.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from prometheus_client import start_http_server

from assurance.cli.ui import err, fail
from assurance.config import Inventory, load_inventory, split_listen
from assurance.errors import AssuranceError, ConfigError
from assurance.lake import LakeStore, LakeWriter
from collectors.flow.listener import FlowCollector

app = typer.Typer(help="Run collectors into the lake.", no_args_is_help=True)

STATUS_EVERY_S = 10.0


def exporter_map(inventory: Inventory | None) -> dict[str, tuple[str, str]]:
    if inventory is None:
        return {}
    return {ip: (ref.device, ref.site) for ip, ref in inventory.device_index().items()}


@app.command("flow")
def flow(
    lake: Annotated[str, typer.Option(help="Lake folder")],
    listen: Annotated[str, typer.Option(help="UDP address to receive jflow on")] = "0.0.0.0:2055",
    inventory: Annotated[
        Path | None, typer.Option(help="Inventory YAML: exporter IP → device and site")
    ] = None,
    metrics: Annotated[
        str, typer.Option(help="Serve Prometheus /metrics on host:port ('' to disable)")
    ] = "127.0.0.1:9155",
    state_file: Annotated[
        Path | None,
        typer.Option(help="Template state file (default: <lake>/_state/flow-<port>.json)"),
    ] = None,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: run until Ctrl-C)")
    ] = None,
) -> None:
    """Receive IPFIX / NetFlow v9 / v5 on UDP and write flows, options and rejects to the lake."""
    try:
        host, port = split_listen(listen)
        inv = load_inventory(inventory) if inventory is not None else None
        store = LakeStore(lake)
        store.ensure_root()
        if state_file is None and store.is_local:
            state_file = Path(store.root) / "_state" / f"flow-{port}.json"
        if state_file is not None:
            state_file.parent.mkdir(parents=True, exist_ok=True)
        asyncio.run(_run_flow(store, host, port, exporter_map(inv), state_file, metrics, duration))
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except (AssuranceError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot listen on {listen}: {exc.strerror or exc}") from None


async def _run_flow(
    store: LakeStore,
    host: str,
    port: int,
    exporters: dict[str, tuple[str, str]],
    state_file: Path | None,
    metrics_listen: str,
    duration: float | None,
) -> None:
    writer = LakeWriter(store)
    writer.start_background_flush()
    collector = FlowCollector(
        writer, host=host, port=port, exporters=exporters, state_file=state_file
    )
    await collector.start()
    if metrics_listen:
        m_host, m_port = split_listen(metrics_listen)
        start_http_server(m_port, m_host, registry=collector.metrics.registry)
    err.print(
        f"collecting jflow on udp {host}:{collector.port} → {store.root} "
        f"({len(exporters)} known exporter IPs"
        + (f"; metrics on http://{metrics_listen}/metrics)" if metrics_listen else ")"),
        highlight=False,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    last_records, last_time = 0.0, time.monotonic()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), STATUS_EVERY_S)
        except TimeoutError:
            records = _total(collector.metrics.records)
            now = time.monotonic()
            err.print(
                f"{(records - last_records) / (now - last_time):,.0f} records/s, "
                f"{records:,.0f} total, rejects {_total(collector.metrics.decode_errors):,.0f}, "
                f"kernel drops {collector.kernel_drops() or 0:,}",
                highlight=False,
            )
            last_records, last_time = records, now
    err.print("stopping: decoding what is queued and flushing the lake…", highlight=False)
    await collector.stop()
    writer.close()
    err.print(
        f"done: {writer.stats.rows:,} rows in {writer.stats.files:,} files; "
        f"kernel drops {collector.kernel_drops() or 0:,}",
        highlight=False,
    )


def _total(counter: object) -> float:
    """Sum of a labelled Prometheus counter over all its label values."""
    return sum(
        sample.value
        for family in counter.collect()  # type: ignore[attr-defined]
        for sample in family.samples
        if sample.name.endswith("_total")
    )
