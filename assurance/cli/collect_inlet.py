"""``wanassure collect flow|syslog --inlet --bus URL``: receive and publish to the bus.

The composition root of an inlet. Flow: the embedded collector's UDP receiver
(``collectors.receive``) hands batches to a ``BusInlet`` instead of a decoder. Syslog: the
embedded ``SyslogCollector`` runs with ``BusLineParser``, which publishes instead of parsing.
Status lines and the stop summary report what was published and every datagram or line lost
(kernel drops, queue overflow, refused at shutdown). Must not decode or write the lake.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge

from assurance.bus.config import BusConfig
from assurance.bus.inlet import BusInlet
from assurance.bus.syslog_bus import BusLineParser, NoLake
from assurance.cli.collect import _Rate, run_until_stopped, serve_metrics
from assurance.cli.ui import err, fail
from assurance.config import split_listen
from assurance.errors import AssuranceError
from collectors.errors import CollectorError
from collectors.receive import kernel_drops, open_udp
from collectors.syslog.listener import SyslogCollector


def run_flow_inlet(bus: str, listen: str, metrics: str, duration: float | None) -> None:
    try:
        config = BusConfig(bus, "flow")
        host, port = split_listen(listen)
        asyncio.run(_run(config, host, port, metrics, duration))
    except (AssuranceError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot listen on {listen}: {exc.strerror or exc}") from None


def _registry(inlet: BusInlet) -> CollectorRegistry:
    registry = CollectorRegistry()
    Gauge(
        "wanassure_bus_queue_overflow",
        "Datagrams dropped because the bus was slower than the senders",
        registry=registry,
    ).set_function(lambda: inlet.overflow)
    Gauge(
        "wanassure_bus_published", "Datagrams the bus stored so far", registry=registry
    ).set_function(lambda: inlet.stats.datagrams)
    Gauge(
        "wanassure_bus_refused", "Publishes the bus refused (each is retried)", registry=registry
    ).set_function(lambda: inlet.stats.refused)
    return registry


async def _run(
    config: BusConfig, host: str, port: int, metrics_listen: str, duration: float | None
) -> None:
    inlet = BusInlet(config)
    await asyncio.to_thread(inlet.start)
    transport, receiver = await open_udp(host, port, inlet, rcvbuf_bytes=256 * 1024 * 1024)
    sock = transport.get_extra_info("socket")
    bound = int(transport.get_extra_info("sockname")[1])
    serve_metrics(metrics_listen, _registry(inlet))
    err.print(
        f"inlet: jflow on udp {host}:{bound} → {config.redacted()} stream {config.stream}",
        highlight=False,
    )
    rate = _Rate(lambda: float(inlet.stats.datagrams))

    def status() -> None:
        per_s, published = rate()
        err.print(
            f"{per_s:,.0f} datagrams/s published, {published:,.0f} total, "
            f"queue {len(inlet.queue):,}, overflow {inlet.overflow:,}, "
            f"refused {inlet.stats.refused:,}, kernel drops {kernel_drops(sock) or 0:,}",
            highlight=False,
        )

    await run_until_stopped(duration, status)
    drops = kernel_drops(sock) or 0
    transport.close()
    await asyncio.sleep(0)
    err.print("stopping: publishing what is queued…", highlight=False)
    await asyncio.to_thread(inlet.stop)
    s = inlet.stats
    err.print(
        f"done: {receiver.datagrams:,} datagrams received, {s.datagrams:,} published in "
        f"{s.messages:,} messages; lost: kernel drops {drops:,}, queue overflow "
        f"{inlet.overflow:,}, abandoned {s.abandoned:,}",
        highlight=False,
    )


def run_syslog_inlet(
    bus: str,
    addresses: dict[str, tuple[str, int] | None],
    cert: Path | None,
    key: Path | None,
    client_ca: Path | None,
    metrics: str,
    duration: float | None,
) -> None:
    try:
        config = BusConfig(bus, "syslog")
        inlet = BusInlet(config, max_datagrams=200_000)
        collector = SyslogCollector(
            NoLake(),
            udp=addresses["--udp"],
            tcp=addresses["--tcp"],
            tls=addresses["--tls"],
            certfile=cert,
            keyfile=key,
            cafile=client_ca,
            parser=BusLineParser(inlet),
        )
        asyncio.run(_run_syslog(config, inlet, collector, metrics, duration))
    except (AssuranceError, CollectorError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}") from None


async def _run_syslog(
    config: BusConfig,
    inlet: BusInlet,
    collector: SyslogCollector,
    metrics_listen: str,
    duration: float | None,
) -> None:
    await asyncio.to_thread(inlet.start)
    await collector.start()
    serve_metrics(metrics_listen, _registry(inlet))
    listening = ", ".join(
        f"{name} {addr[0]}:{addr[1]}"
        for name, addr in (("udp", collector.udp), ("tcp", collector.tcp), ("tls", collector.tls))
        if addr is not None
    )
    err.print(
        f"inlet: syslog on {listening} → {config.redacted()} stream {config.stream}",
        highlight=False,
    )
    rate = _Rate(lambda: float(inlet.stats.datagrams))

    def status() -> None:
        per_s, published = rate()
        err.print(
            f"{per_s:,.0f} lines/s published, {published:,.0f} total, "
            f"connections {len(collector.connections)}, line queue drops "
            f"{collector.queue.overflow:,}, refused {inlet.stats.refused:,}",
            highlight=False,
        )

    await run_until_stopped(duration, status)
    err.print("stopping: publishing what is queued…", highlight=False)
    await collector.stop()
    drops = collector.kernel_drops() or 0
    await asyncio.to_thread(inlet.stop)
    s = inlet.stats
    err.print(
        f"done: {s.datagrams:,} lines published in {s.messages:,} messages; lost: kernel drops "
        f"{drops:,}, queue overflow {collector.queue.overflow + inlet.overflow:,}, "
        f"abandoned {s.abandoned:,}",
        highlight=False,
    )
