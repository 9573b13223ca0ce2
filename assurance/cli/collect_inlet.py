"""``wanassure collect flow --inlet --bus URL``: receive jflow and publish it to the bus.

The composition root of a flow inlet: the embedded collector's UDP receiver (``collectors.receive``)
hands batches to a ``BusInlet`` instead of a decoder; status lines and the stop summary report
what was published and every datagram lost (kernel drops, queue overflow, refused at shutdown).
Must not decode or write the lake.
"""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry, Gauge

from assurance.bus.config import BusConfig
from assurance.bus.inlet import BusInlet
from assurance.cli.collect import _Rate, run_until_stopped, serve_metrics
from assurance.cli.ui import err, fail
from assurance.config import split_listen
from assurance.errors import AssuranceError
from collectors.receive import kernel_drops, open_udp


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
