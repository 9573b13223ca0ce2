"""``wanassure serve``: the collectors and the every-minute scheduler in one long-running process.

The composition root for real use: from one config file (settings + inventory) it starts the
flow and syslog listeners, dials the inventory's JTI/gNMI targets, optionally receives traps,
writes everything to the lake, and every ``--interval`` flushes the lake and runs the scheduler
(SLEs → analysis → path policy → alerts). ``/metrics`` (every collector's and the scheduler's
Prometheus metrics) and ``/healthz`` (JSON) are served on one loopback port. SIGINT/SIGTERM stop
the listeners, flush every buffer and close cleanly. Errors are one clear line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated, Any

import typer
from prometheus_client import CollectorRegistry, generate_latest

from assurance.cli.collect import exporter_map
from assurance.cli.collect_telemetry import targets_from_inventory
from assurance.cli.ui import fail, out
from assurance.config import load_config
from assurance.config.settings import split_listen
from assurance.errors import AssuranceError
from assurance.lake import LakeStore, LakeWriter
from assurance.lake.s3 import configure as configure_s3
from assurance.scheduler import Scheduler
from collectors.errors import CollectorError

log = logging.getLogger(__name__)


class _Http:
    """``/metrics`` and ``/healthz`` on one port, from a list of registries and a health call."""

    def __init__(
        self,
        listen: str,
        registries: list[CollectorRegistry],
        health: Callable[[], dict[str, Any]],
    ) -> None:
        host, port = split_listen(listen)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/metrics":
                    body = b"".join(generate_latest(r) for r in registries)
                    kind = "text/plain; version=0.0.4"
                elif self.path == "/healthz":
                    state = health()
                    body = json.dumps(state).encode()
                    kind = "application/json"
                    self.send_response(200 if state["ok"] else 503)
                    self.send_header("Content-Type", kind)
                    self.end_headers()
                    self.wfile.write(body)
                    return
                else:
                    self.send_error(404, "try /metrics or /healthz")
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(
    config: Annotated[Path, typer.Option("--config", help="Settings + inventory YAML")],
    http: Annotated[
        str, typer.Option(help="Serve /metrics and /healthz on host:port")
    ] = "127.0.0.1:9100",
    interval: Annotated[float, typer.Option(min=5, help="Seconds between scheduler cycles")] = 60.0,
    alerts_config: Annotated[
        Path | None, typer.Option(help="Alerts YAML (receivers and rules); none: no alerts")
    ] = None,
    policy_mode: Annotated[
        str, typer.Option(help="Path policy: off, recommend (proposals wait) or auto")
    ] = "recommend",
    traps: Annotated[
        str | None, typer.Option(help="Receive SNMP traps on host:port (e.g. 0.0.0.0:162)")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (tests, trials)")
    ] = None,
    api: Annotated[
        str | None, typer.Option("--api", help="Serve the REST API on host:port (127.0.0.1:8600)")
    ] = None,
    api_tokens: Annotated[
        Path | None, typer.Option(help="API tokens file (default $WANASSURE_API_TOKENS)")
    ] = None,
    api_access: Annotated[
        Path | None, typer.Option(help="Access file with the API's tenants")
    ] = None,
) -> None:
    """Run the collectors and the every-minute SLE / analysis / policy / alerts cycle."""
    if policy_mode not in ("off", "recommend", "auto"):
        raise fail(f"--policy-mode {policy_mode!r}: use off, recommend or auto")
    try:
        cfg = load_config(config)
        alerts = None
        if alerts_config is not None:
            from assurance.alerts.config import load_alerts_config

            alerts = load_alerts_config(alerts_config)
        rest = None
        if api is not None:
            rest = _api_state(cfg, api, api_tokens, api_access)
        asyncio.run(_serve(cfg, http, interval, alerts, policy_mode, traps, duration, rest))
    except (AssuranceError, CollectorError, ValueError) as exc:
        raise fail(str(exc).splitlines()[0]) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'listen'}: {exc.strerror or exc}") from None


async def _serve(
    cfg: Any,
    http: str,
    interval: float,
    alerts: Any,
    policy_mode: str,
    traps: str | None,
    duration: float | None,
    rest: tuple[Any, str] | None = None,
) -> None:
    from collectors.flow.listener import FlowCollector
    from collectors.jti.collector import TelemetryCollector
    from collectors.syslog.listener import SyslogCollector

    settings, inventory = cfg.settings, cfg.inventory
    configure_s3(settings.s3)  # the file's s3 section, for this process and its job workers
    store = LakeStore(settings.lake.path)
    store.ensure_root()
    writer = LakeWriter(store)
    exporters = exporter_map(inventory)
    started: list[Any] = []
    registries: list[CollectorRegistry] = []
    if settings.collectors.flow.enabled:
        host, port = split_listen(settings.collectors.flow.listen)
        flow = FlowCollector(writer, host=host, port=port, exporters=exporters)
        await flow.start()
        started.append(flow)
        registries.append(flow.metrics.registry)
    if settings.collectors.syslog.enabled:
        address = split_listen(settings.collectors.syslog.listen)
        syslog = SyslogCollector(writer, udp=address, tcp=address, exporters=exporters)
        await syslog.start()
        started.append(syslog)
        registries.append(syslog.metrics.registry)
    dial = targets_from_inventory(inventory, cfg.source.parent if cfg.source else Path())
    if dial:
        jti = TelemetryCollector(writer, dial, exporters=exporters)
        await jti.start()
        started.append(jti)
        registries.append(jti.metrics.registry)
    if traps:
        from collectors.snmp.traps import TrapReceiver

        trap_host, trap_port = split_listen(traps)
        trap = TrapReceiver(writer, host=trap_host, port=trap_port, exporters=exporters)
        await trap.start()
        started.append(trap)
        registries.append(trap.metrics.registry)
    scheduler = Scheduler(store.url, inventory)
    if alerts is not None:
        scheduler.alerts = _alerts_hook(store.url, alerts, inventory)
    if policy_mode != "off":
        scheduler.policy = _policy_hook(store.url, inventory, policy_mode)
    registries.append(scheduler.metrics.registry)

    def health() -> dict[str, Any]:
        state = scheduler.health()
        state["collectors"] = [type(c).__name__ for c in started]
        state["ok"] = not state["failing_stages"]
        return state

    server = _Http(http, registries, health)
    api_server = None
    if rest is not None:
        from assurance.api.server import ApiServer

        api_server = ApiServer(*rest)
        await asyncio.to_thread(api_server.start)
        out.print(f"REST API on http://{rest[1]}/api/v1", highlight=False)
    out.print(
        f"serving {len(started)} collectors into {store.root}; scheduler every {interval:g} s; "
        f"metrics on http://{http.rsplit(':', 1)[0]}:{server.port}/metrics, health on /healthz "
        "(Ctrl-C to stop)",
        highlight=False,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                await asyncio.to_thread(writer.flush)
                await asyncio.to_thread(scheduler.cycle)
    finally:
        for collector in reversed(started):
            await collector.stop()
        writer.close()
        server.close()
        if api_server is not None:
            api_server.stop()
        out.print("stopped: every buffer flushed to the lake", highlight=False)


def _api_state(cfg: Any, listen: str, tokens: Path | None, access: Path | None) -> tuple[Any, str]:
    """The REST API's state over the service's lake and inventory, checked before anything
    starts (a bad tokens or access file is one line, like every config error)."""
    import os

    from assurance.api import build_state
    from assurance.cli.api import TOKENS_ENV

    split_listen(listen)
    chosen = tokens or (Path(os.environ[TOKENS_ENV]) if os.environ.get(TOKENS_ENV) else None)
    if chosen is None:
        raise ValueError(f"--api needs --api-tokens FILE (or ${TOKENS_ENV})")
    store = LakeStore(cfg.settings.lake.path)
    store.ensure_root()
    state = build_state(str(store.root), chosen, access=access, inventory=cfg.inventory)
    return state, listen


def _alerts_hook(lake: str, config: Any, inventory: Any) -> Callable[[datetime], object]:
    from assurance.alerts.engine import AlertEngine

    engine = AlertEngine(lake, config, inventory=inventory)

    def run(now: datetime) -> object:
        return engine.cycle(now)

    return run


def _policy_hook(lake: str, inventory: Any, mode: str) -> Callable[[datetime], object]:
    from assurance.policy.loop import LoopSettings, step
    from assurance.policy.service import driver_for

    driver = driver_for("dry-run", inventory)
    settings = LoopSettings(mode=mode)  # type: ignore[arg-type]

    def run(now: datetime) -> object:
        return step(lake, inventory, now, driver, settings)

    return run
