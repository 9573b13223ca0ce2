"""``wanassure collect``: run a collector into the lake until interrupted.

The composition root for one collector: inventory → exporter map, lake writer (age-based flush
in the background), the collector, a Prometheus ``/metrics`` endpoint, clean shutdown on
SIGINT/SIGTERM that decodes what is queued, flushes the lake and saves collector state.
Commands: ``flow`` (jflow on UDP) and ``syslog`` (UDP, TCP and TLS).
"""

from __future__ import annotations

import asyncio
import functools
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from prometheus_client import CollectorRegistry, start_http_server

from assurance.cli.ui import err, fail, total
from assurance.config import Inventory, load_inventory, split_listen
from assurance.errors import AssuranceError, ConfigError
from assurance.lake import LakeStore, LakeWriter
from collectors.errors import CollectorError
from collectors.flow.listener import FlowCollector
from collectors.syslog.allocator import keep_freed_memory
from collectors.syslog.listener import SyslogCollector

app = typer.Typer(help="Run collectors into the lake.", no_args_is_help=True)

#: Options every ``collect`` command shares (each command picks its own metrics port).
LakeOption = Annotated[str, typer.Option(help="Lake folder or s3://bucket/prefix")]
MetricsOption = Annotated[
    str, typer.Option(help="Serve Prometheus /metrics on host:port ('' to disable)")
]
DurationOption = Annotated[
    float | None, typer.Option(help="Stop after this many seconds (default: run until Ctrl-C)")
]

STATUS_EVERY_S = 10.0


def exporter_map(inventory: Inventory | None) -> dict[str, tuple[str, str]]:
    if inventory is None:
        return {}
    return {ip: (ref.device, ref.site) for ip, ref in inventory.device_index().items()}


def listen_address(value: str) -> tuple[str, int] | None:
    """``"host:port"`` → ``(host, port)``; ``":514"`` means every IPv4 interface; ``""`` → None."""
    value = value.strip()
    if not value:
        return None
    return split_listen("0.0.0.0" + value if value.startswith(":") else value)


def serve_metrics(listen: str, registry: CollectorRegistry) -> None:
    """Serve ``registry`` on ``/metrics`` at ``listen`` (host:port) unless it is empty."""
    if listen:
        host, port = split_listen(listen)
        start_http_server(port, host, registry=registry)


async def run_until_stopped(duration: float | None, status: Callable[[], None]) -> None:
    """Wait for SIGINT/SIGTERM (or ``duration`` seconds), calling ``status`` periodically."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), STATUS_EVERY_S)
        except TimeoutError:
            status()


@app.command("flow")
def flow(
    lake: Annotated[
        str, typer.Option(help="Lake folder or s3://bucket/prefix (not with --inlet)")
    ] = "",
    listen: Annotated[str, typer.Option(help="UDP address to receive jflow on")] = "0.0.0.0:2055",
    inventory: Annotated[
        Path | None, typer.Option(help="Inventory YAML: exporter IP → device and site")
    ] = None,
    metrics: MetricsOption = "127.0.0.1:9155",
    state_file: Annotated[
        Path | None,
        typer.Option(
            help="Template state file (default: <lake>/_state/flow-<port>.json; for an s3:// "
            "lake, $XDG_STATE_HOME/wanassure/s3/<bucket>/<prefix>/flow-<port>.json)"
        ),
    ] = None,
    duration: DurationOption = None,
    inlet: Annotated[
        bool, typer.Option(help="Only receive: publish datagrams to --bus for outlets to decode")
    ] = False,
    bus: Annotated[str, typer.Option(help="With --inlet: the bus, nats://host:4222")] = "",
) -> None:
    """Receive IPFIX / NetFlow v9 / v5 on UDP and write flows, options and rejects to the lake.

    With --inlet --bus nats://host:4222 it only receives and publishes every datagram (exporter,
    port, receive time) to a JetStream stream; `wanassure outlet flow` decodes and writes.
    """
    if inlet or bus:
        if not (inlet and bus):
            raise fail("--inlet and --bus go together")
        if lake:
            raise fail("--inlet does not write a lake: the outlets do (drop --lake)")
        from assurance.cli.collect_inlet import run_flow_inlet

        run_flow_inlet(bus, listen, metrics, duration)
        return
    if not lake:
        raise fail("give --lake (or --inlet --bus nats://host:port)")
    try:
        host, port = split_listen(listen)
        inv = load_inventory(inventory) if inventory is not None else None
        store = LakeStore(lake)
        store.ensure_root()
        if state_file is None:  # <lake>/_state, or a local folder for an s3:// lake
            state_file = store.local_state_dir() / f"flow-{port}.json"
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
    serve_metrics(metrics_listen, collector.metrics.registry)
    err.print(
        f"collecting jflow on udp {host}:{collector.port} → {store.root} "
        f"({len(exporters)} known exporter IPs"
        + (f"; metrics on http://{metrics_listen}/metrics)" if metrics_listen else ")"),
        highlight=False,
    )
    rate = _Rate(lambda: total(collector.metrics.records))

    def status() -> None:
        per_s, records = rate()
        err.print(
            f"{per_s:,.0f} records/s, {records:,.0f} total, "
            f"rejects {total(collector.metrics.decode_errors):,.0f}, "
            f"kernel drops {collector.kernel_drops() or 0:,}",
            highlight=False,
        )

    await run_until_stopped(duration, status)
    err.print("stopping: decoding what is queued and flushing the lake…", highlight=False)
    await collector.stop()
    writer.close()
    err.print(
        f"done: {writer.stats.rows:,} rows in {writer.stats.files:,} files; "
        f"kernel drops {collector.kernel_drops() or 0:,}",
        highlight=False,
    )


SYSLOG_HELP = """Receive syslog on UDP, TCP and TLS and write it to the lake.

Every line lands in syslog_events (raw text and parsed header); session,
SLA, client, security and device events also go to their own tables, and
lines that cannot be parsed to rejects. Addresses are host:port or :port
(every IPv4 interface; IPv6 hosts in brackets); '' turns a listener off.

UDP: one message per datagram (RFC 5426). TCP and TLS: octet counting or
newline framing (RFC 6587 / RFC 5425), detected per connection from its
first byte; a full parse queue pauses reading instead of dropping.

With --inlet --bus nats://host:4222 lines are published to a JetStream
stream instead of parsed; `wanassure outlet syslog` parses and writes.
"""


@app.command("syslog", help=SYSLOG_HELP)
def syslog(
    lake: Annotated[
        str, typer.Option(help="Lake folder or s3://bucket/prefix (not with --inlet)")
    ] = "",
    udp: Annotated[str, typer.Option(help="UDP address ('' to disable)")] = ":514",
    tcp: Annotated[str, typer.Option(help="TCP address ('' to disable)")] = ":601",
    tls: Annotated[str, typer.Option(help="TLS address, e.g. :6514 (needs --cert)")] = "",
    cert: Annotated[
        Path | None, typer.Option(help="TLS certificate chain (PEM), server certificate first")
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="TLS private key (PEM); default: inside --cert")
    ] = None,
    client_ca: Annotated[
        Path | None, typer.Option(help="Require TLS client certificates signed by this CA")
    ] = None,
    inventory: Annotated[
        Path | None, typer.Option(help="Inventory YAML: sender IP → device and site")
    ] = None,
    metrics: MetricsOption = "127.0.0.1:9156",
    duration: DurationOption = None,
    inlet: Annotated[
        bool, typer.Option(help="Only receive: publish lines to --bus for outlets to parse")
    ] = False,
    bus: Annotated[str, typer.Option(help="With --inlet: the bus, nats://host:4222")] = "",
    decoders: Annotated[
        int,
        typer.Option(
            min=0,
            help="Parse and write in this many separate processes (0: threads of this one)",
        ),
    ] = 0,
) -> None:
    if (inlet or bus) and not (inlet and bus):
        raise fail("--inlet and --bus go together")
    if inlet and lake:
        raise fail("--inlet does not write a lake: the outlets do (drop --lake)")
    if not inlet and not lake:
        raise fail("give --lake (or --inlet --bus nats://host:port)")
    if inlet and decoders:
        raise fail("--decoders does not apply to --inlet (the outlets parse)")
    try:
        addresses = {
            name: listen_address(value)
            for name, value in (("--udp", udp), ("--tcp", tcp), ("--tls", tls))
        }
    except ValueError as exc:
        raise fail(str(exc)) from None
    if not any(addresses.values()):
        raise fail("nothing to listen on: give --udp, --tcp or --tls")
    if addresses["--tls"] is not None and cert is None:
        raise fail("--tls needs --cert (and --key unless the key is in the certificate file)")
    if inlet:
        from assurance.cli.collect_inlet import run_syslog_inlet

        run_syslog_inlet(bus, addresses, cert, key, client_ca, metrics, duration)
        return
    keep_freed_memory()  # batches reuse their multi-megabyte buffers (collectors.syslog.allocator)
    try:
        inv = load_inventory(inventory) if inventory is not None else None
        store = LakeStore(lake)
        store.ensure_root()
        writer = LakeWriter(store)
        collector = SyslogCollector(
            writer,
            udp=addresses["--udp"],
            tcp=addresses["--tcp"],
            tls=addresses["--tls"],
            certfile=cert,
            keyfile=key,
            cafile=client_ca,
            exporters=exporter_map(inv),
            decoders=decoders,
            sink_factory=functools.partial(decoder_sink, lake) if decoders else None,
        )
        asyncio.run(_run_syslog(collector, writer, store, metrics, duration))
    except (AssuranceError, CollectorError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}") from None


def decoder_sink(lake: str) -> LakeWriter:
    """The lake writer of one syslog decoder process (age-based flush in the background)."""
    writer = LakeWriter(LakeStore(lake))
    writer.start_background_flush()
    return writer


async def _run_syslog(
    collector: SyslogCollector,
    writer: LakeWriter,
    store: LakeStore,
    metrics_listen: str,
    duration: float | None,
) -> None:
    writer.start_background_flush()
    await collector.start()
    serve_metrics(metrics_listen, collector.metrics.registry)
    listening = ", ".join(
        f"{name} {addr[0]}:{addr[1]}"
        for name, addr in (("udp", collector.udp), ("tcp", collector.tcp), ("tls", collector.tls))
        if addr is not None
    )
    err.print(
        f"collecting syslog on {listening} → {store.root} "
        f"({len(collector.exporters)} known sender IPs"
        + (f"; metrics on http://{metrics_listen}/metrics)" if metrics_listen else ")"),
        highlight=False,
    )
    m = collector.metrics
    rate = _Rate(lambda: total(m.lines))

    def status() -> None:
        per_s, lines = rate()
        err.print(
            f"{per_s:,.0f} lines/s, {lines:,.0f} total, rejects {total(m.rejects):,.0f}, "
            f"connections {len(collector.connections)}, "
            f"kernel drops {collector.kernel_drops() or 0:,}, "
            f"queue drops {collector.queue.overflow:,}",
            highlight=False,
        )

    await run_until_stopped(duration, status)
    err.print("stopping: parsing what is queued and flushing the lake…", highlight=False)
    await collector.stop()
    writer.close()
    rows = f"{writer.stats.rows:,} rows in {writer.stats.files:,} files"
    if collector.decoders:
        cpu = ", ".join(f"{c:.1f}" if c is not None else "?" for c in collector.decoder_cpu_s)
        rows = f"{total(m.rows):,.0f} rows from {collector.decoders} decoders (CPU s: {cpu})"
    err.print(
        f"done: {total(m.lines):,.0f} lines; {rows}; "
        f"kernel drops {collector.kernel_drops() or 0:,}, queue drops {collector.queue.overflow:,}",
        highlight=False,
    )


class _Rate:
    """Per-second rate of a growing total between calls."""

    def __init__(self, total: Callable[[], float]) -> None:
        self.total = total
        self.last, self.since = 0.0, time.monotonic()

    def __call__(self) -> tuple[float, float]:
        value, now = self.total(), time.monotonic()
        per_s = (value - self.last) / max(now - self.since, 1e-9)
        self.last, self.since = value, now
        return per_s, value
