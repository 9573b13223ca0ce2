"""``wanassure collect jti``: stream JTI (gRPC dial-in and native UDP) and gNMI into the lake.

The composition root for the telemetry collector: the targets file (an inventory file; every
gateway or switch with a ``telemetry.jti`` or ``telemetry.gnmi`` block is dialled) → plain
``collectors.jti.Target`` values with secrets resolved from the environment variables the file
names, the lake writer, the collector, a Prometheus ``/metrics`` endpoint, and a clean shutdown on
SIGINT/SIGTERM that decodes what was received and flushes the lake. Register with
``register(collect.app)``.
"""

from __future__ import annotations

import os

# gRPC's core prints its own INFO lines (handshake failures, GOAWAYs) for every reconnect
# attempt; the session log already says each of those once. Must precede the first grpc import.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from assurance.cli.collect import (
    DurationOption,
    LakeOption,
    MetricsOption,
    exporter_map,
    listen_address,
    run_until_stopped,
    serve_metrics,
)
from assurance.cli.ui import err, fail
from assurance.config import Inventory, TelemetryTarget, load_inventory
from assurance.config.telemetry import Gnmi, Jti, Tls, secret
from assurance.errors import AssuranceError
from assurance.lake import LakeStore, LakeWriter
from collectors.errors import CollectorError
from collectors.jti.collector import TelemetryCollector
from collectors.jti.target import Sensor, Target, TlsSettings

JTI_HELP = """Stream JTI and gNMI telemetry from devices into the lake.

Dials every device of the targets file (an inventory file) that has a
telemetry.jti or telemetry.gnmi block: login, subscribe to its sensors,
resubscribe when a stream goes quiet, reconnect with backoff. With --udp
it also receives native JTI (GPB over UDP). Writes telemetry,
interface_stats, device_health, sla_metrics, vpn_tunnels and rejects.
Credentials come from the environment variables the file names.
"""


class TargetError(AssuranceError):
    """A target cannot be dialled as configured (e.g. its secret is not in the environment)."""


def _tls(tls: Tls | None, base: Path) -> TlsSettings | None:
    if tls is None:
        return None

    def resolve(name: str | None) -> str | None:
        return None if name is None else str(base / name)  # absolute names stay as they are

    return TlsSettings(
        resolve(tls.ca_file), resolve(tls.cert_file), resolve(tls.key_file), tls.server_name
    )


def _credentials(device: str, block: str, settings: Jti | Gnmi) -> tuple[str | None, str | None]:
    values = []
    for field in ("username_env", "password_env"):
        name = getattr(settings, field)
        value = secret(name)
        if name is not None and value is None:
            raise TargetError(f"{device}: telemetry.{block}.{field}: ${name} is not set")
        values.append(value)
    return values[0], values[1]


def targets_from_inventory(inventory: Inventory, base: Path) -> list[Target]:
    """Every JTI and gNMI target of the inventory as plain collector targets."""
    targets: list[Target] = []
    for tt in inventory.telemetry_targets():
        targets += _targets(tt, base)
    return targets


def _targets(tt: TelemetryTarget, base: Path) -> list[Target]:
    out = []
    ref, s = tt.ref, tt.settings
    if s.jti is not None:
        user, password = _credentials(ref.device, "jti", s.jti)
        out.append(
            Target(
                device=ref.device,
                site=ref.site,
                address=tt.address,
                port=s.jti.port,
                protocol="jti",
                username=user,
                password=password,
                client_id=s.jti.client_id,
                tls=_tls(s.jti.tls, base),
                sensors=tuple(Sensor(x.path, x.frequency_ms) for x in s.jti.sensors),
                quiet_after_s=s.jti.quiet_after_s,
            )
        )
    if s.gnmi is not None:
        user, password = _credentials(ref.device, "gnmi", s.gnmi)
        out.append(
            Target(
                device=ref.device,
                site=ref.site,
                address=tt.address,
                port=s.gnmi.port,
                protocol="gnmi",
                username=user,
                password=password,
                tls=_tls(s.gnmi.tls, base),
                sensors=tuple(Sensor(x.path, x.frequency_ms) for x in s.gnmi.sensors),
                encoding=s.gnmi.encoding,
            )
        )
    return out


def jti(
    targets: Annotated[Path, typer.Option(help="Targets file: an inventory with telemetry blocks")],
    lake: LakeOption,
    metrics: MetricsOption = "127.0.0.1:9157",
    udp: Annotated[
        str, typer.Option(help="Also receive native JTI (GPB) on this UDP address, e.g. :50000")
    ] = "",
    duration: DurationOption = None,
) -> None:
    try:
        udp_address = listen_address(udp)
        inventory = load_inventory(targets)
        dial = targets_from_inventory(inventory, targets.parent)
        if not dial and udp_address is None:
            raise fail(f"{targets}: no device has a telemetry.jti or telemetry.gnmi block")
        store = LakeStore(lake)
        store.ensure_root()
        writer = LakeWriter(store)
        collector = TelemetryCollector(
            writer, dial, udp=udp_address, exporters=exporter_map(inventory)
        )
        _show_session_logs()
        asyncio.run(_run(collector, writer, store, metrics, duration))
    except (AssuranceError, CollectorError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}") from None


def _show_session_logs() -> None:
    """Session state changes and data problems are printed on stderr (once each)."""
    logger = logging.getLogger("collectors.jti")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


async def _run(
    collector: TelemetryCollector,
    writer: LakeWriter,
    store: LakeStore,
    metrics_listen: str,
    duration: float | None,
) -> None:
    writer.start_background_flush()
    await collector.start()
    serve_metrics(metrics_listen, collector.metrics.registry)
    udp = f"; native JTI on udp {collector.udp[0]}:{collector.udp[1]}" if collector.udp else ""
    err.print(
        f"streaming telemetry from {len(collector.sessions)} device session(s) → {store.root}"
        + udp
        + (f"; metrics on http://{metrics_listen}/metrics" if metrics_listen else ""),
        highlight=False,
    )

    def status() -> None:
        streaming = sum(s.streaming for s in collector.sessions)
        totals = collector.pipeline.totals.values()
        err.print(
            f"{streaming}/{len(collector.sessions)} streaming, "
            f"{sum(t.values for t in totals):,} values, "
            f"{sum(t.rejects for t in totals):,} rejects, "
            f"queue {len(collector.frames):,} (dropped {collector.frames.overflow:,})",
            highlight=False,
        )

    await run_until_stopped(duration, status)
    err.print("stopping: decoding what was received and flushing the lake…", highlight=False)
    await collector.stop()
    writer.close()
    err.print(
        f"done: {writer.stats.rows:,} rows in {writer.stats.files:,} files; "
        f"queue drops {collector.frames.overflow:,}",
        highlight=False,
    )
    if collector.failure is not None:
        raise fail(f"decoding failed: {collector.failure}")


def register(collect_app: typer.Typer) -> None:
    """Add ``jti`` to ``wanassure collect``."""
    collect_app.command("jti", help=JTI_HELP)(jti)
