"""``wanassure collect snmp`` and ``wanassure collect traps``: the SNMP composition root.

Owns: turning inventory ``telemetry.snmp`` blocks into the collector's plain ``Target``s and
credentials (secrets read from the environment variables the inventory names, at start), and
running the poller or the trap receiver into the lake with a Prometheus ``/metrics`` endpoint
until interrupted. Must not: talk SNMP itself (that is ``collectors.snmp``).
Registered on the ``collect`` group by ``register(app)``.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
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
from assurance.cli.ui import err, fail, total
from assurance.config import Inventory, Snmp, load_inventory, secret
from assurance.errors import AssuranceError
from assurance.lake import LakeStore, LakeWriter
from collectors.errors import CollectorError
from collectors.snmp.client import V3, Credentials, V2c
from collectors.snmp.poller import SnmpPoller, Target
from collectors.snmp.traps import TrapReceiver


@dataclass
class Resolved:
    """Poll targets built from an inventory, and the devices left out (with the reason)."""

    targets: list[Target] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def credentials(snmp: Snmp, env: Callable[[str | None], str | None] = secret) -> Credentials:
    """The credentials of an inventory ``snmp`` block; ValueError names a missing variable."""

    def needed(name: str | None, what: str) -> str:
        value = env(name)
        if not value:
            raise ValueError(f"environment variable {name} ({what}) is not set")
        return value

    if snmp.version == "2c":
        return V2c(needed(snmp.community_env, "SNMP community"))
    v3 = snmp.v3
    if v3 is None:  # the inventory model refuses this already
        raise ValueError("version 3 without a v3 block")
    priv_key = None
    if v3.priv_protocol != "none":
        priv_key = needed(v3.priv_key_env, "SNMPv3 privacy key")
    return V3(
        v3.user,
        v3.auth_protocol,
        needed(v3.auth_key_env, "SNMPv3 auth key"),
        v3.priv_protocol,
        priv_key,
    )


def snmp_targets(
    inventory: Inventory, env: Callable[[str | None], str | None] = secret
) -> Resolved:
    """Every inventory device with a ``telemetry.snmp`` block as a poll ``Target``."""
    out = Resolved()
    for t in inventory.telemetry_targets():
        snmp = t.settings.snmp
        if snmp is None:
            continue
        try:
            creds = credentials(snmp, env)
        except ValueError as exc:
            out.problems.append(f"{t.ref.device}: {exc}")
            continue
        out.targets.append(
            Target(
                t.address,
                creds,
                port=snmp.port,
                interval_s=snmp.interval_s,
                timeout_s=snmp.timeout_s,
                retries=snmp.retries,
                device=t.ref.device,
                site=t.ref.site,
            )
        )
    return out


def tune_gc() -> None:
    """Polling allocates millions of short-lived pyasn1 objects a minute: collect the young
    generation less often and never rescan what exists at start (pysnmp's MIB modules).
    Saves about 15 % of the poller's CPU (benchmarks/snmp_poll.py --gc-threshold)."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


SNMP_HELP = """Poll SNMP (v2c, v3) from every device of an inventory with a telemetry.snmp block.

IF-MIB, Juniper operating/SPU/RPM/IKE-IPsec tables go to interface_stats,
device_health, sla_metrics, vpn_tunnels and (every number) telemetry. Each
device is polled on its own interval_s with its timeout_s and retries;
secrets come from the environment variables the inventory names.
"""


def snmp(
    targets: Annotated[Path, typer.Option(help="Inventory YAML: devices with telemetry.snmp")],
    lake: LakeOption,
    metrics: MetricsOption = "127.0.0.1:9161",
    duration: DurationOption = None,
) -> None:
    try:
        resolved = snmp_targets(load_inventory(targets))
    except (AssuranceError, ValueError) as exc:
        raise fail(str(exc)) from None
    for problem in resolved.problems:
        err.print(f"[yellow]not polled[/] {problem}", highlight=False)
    if not resolved.targets:
        raise fail(f"{targets}: no device with a usable telemetry.snmp block")
    try:
        store = LakeStore(lake)
        store.ensure_root()
        asyncio.run(_run_snmp(store, resolved.targets, metrics, duration))
    except (AssuranceError, CollectorError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}") from None


async def _run_snmp(
    store: LakeStore, targets: list[Target], metrics_listen: str, duration: float | None
) -> None:
    writer = LakeWriter(store)
    writer.start_background_flush()
    poller = SnmpPoller(writer, targets)
    tune_gc()
    await poller.start()
    serve_metrics(metrics_listen, poller.metrics.registry)
    err.print(
        f"polling {len(targets)} devices over SNMP → {store.root}"
        + (f" (metrics on http://{metrics_listen}/metrics)" if metrics_listen else ""),
        highlight=False,
    )
    m = poller.metrics

    def status() -> None:
        up = sum(
            1
            for t in targets
            if m.registry.get_sample_value("wanassure_snmp_device_up", {"device": t.label}) == 1
        )
        err.print(
            f"{up}/{len(targets)} devices answering; {total(m.polls):,.0f} polls, "
            f"{total(m.errors):,.0f} errors, {total(m.missed_intervals):,.0f} missed intervals, "
            f"{total(m.rows):,.0f} rows",
            highlight=False,
        )

    await run_until_stopped(duration, status)
    err.print("stopping: flushing the lake…", highlight=False)
    await poller.stop()
    writer.close()
    err.print(
        f"done: {total(m.polls):,.0f} polls; {writer.stats.rows:,} rows in "
        f"{writer.stats.files:,} files",
        highlight=False,
    )


TRAPS_HELP = """Receive SNMP traps and informs (v1, v2c, v3) into device_events.

Undecodable datagrams and ones with a community or v3 user/keys that are not
accepted go to rejects. Accepted v1/v2c communities: --community-env, else
those the inventory's snmp blocks name, else any. SNMPv3 users come from the
inventory's snmp.v3 blocks (from any sender engine ID).
"""


def traps(
    lake: LakeOption,
    listen: Annotated[str, typer.Option(help="UDP address to receive traps on")] = ":162",
    inventory: Annotated[
        Path | None, typer.Option(help="Inventory YAML: sender IP → device and site, v3 users")
    ] = None,
    community_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the accepted community")
    ] = None,
    metrics: MetricsOption = "127.0.0.1:9162",
    duration: DurationOption = None,
) -> None:
    try:
        address = listen_address(listen)
        if address is None:
            raise ValueError("--listen is empty")
        inv = load_inventory(inventory) if inventory is not None else None
        communities, users, problems = _trap_credentials(inv, community_env)
    except (AssuranceError, ValueError) as exc:
        raise fail(str(exc)) from None
    for problem in problems:
        err.print(f"[yellow]not accepted[/] {problem}", highlight=False)
    if communities is None:
        err.print(
            "accepting any v1/v2c community (give --community-env to accept only one)",
            highlight=False,
        )
    try:
        store = LakeStore(lake)
        store.ensure_root()
        writer = LakeWriter(store)
        receiver = TrapReceiver(
            writer,
            host=address[0],
            port=address[1],
            communities=communities,
            users=users,
            exporters=exporter_map(inv),
        )
        asyncio.run(_run_traps(receiver, writer, store, metrics, duration))
    except (AssuranceError, CollectorError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot listen on {listen}: {exc.strerror or exc}") from None


def _trap_credentials(
    inv: Inventory | None, community_env: str | None
) -> tuple[list[str] | None, list[V3], list[str]]:
    """(communities or None for any, v3 users, problems) from the option and the inventory."""
    problems: list[str] = []
    communities: list[str] = []
    users: dict[str, V3] = {}
    if community_env is not None:
        value = secret(community_env)
        if not value:
            raise ValueError(f"--community-env: environment variable {community_env} is not set")
        communities.append(value)
    for t in inv.telemetry_targets() if inv is not None else []:
        snmp = t.settings.snmp
        if snmp is None:
            continue
        try:
            creds = credentials(snmp)
        except ValueError as exc:
            problems.append(f"{t.ref.device}: {exc}")
            continue
        if isinstance(creds, V3):
            users.setdefault(creds.user, creds)
        elif community_env is None and creds.community not in communities:
            communities.append(creds.community)
    return (communities or None), list(users.values()), problems


async def _run_traps(
    receiver: TrapReceiver,
    writer: LakeWriter,
    store: LakeStore,
    metrics_listen: str,
    duration: float | None,
) -> None:
    writer.start_background_flush()
    await receiver.start()
    serve_metrics(metrics_listen, receiver.metrics.registry)
    err.print(
        f"receiving SNMP traps on udp {receiver.host}:{receiver.port} → {store.root} "
        f"({len(receiver.exporters)} known sender IPs"
        + (f"; metrics on http://{metrics_listen}/metrics)" if metrics_listen else ")"),
        highlight=False,
    )
    m = receiver.metrics

    def status() -> None:
        err.print(
            f"{total(m.notifications):,.0f} notifications, {total(m.rejects):,.0f} rejects, "
            f"kernel drops {receiver.kernel_drops() or 0:,}",
            highlight=False,
        )

    await run_until_stopped(duration, status)
    err.print("stopping: decoding what is queued and flushing the lake…", highlight=False)
    await receiver.stop()
    writer.close()
    err.print(
        f"done: {total(m.notifications):,.0f} notifications, {total(m.rejects):,.0f} rejects; "
        f"{writer.stats.rows:,} rows in {writer.stats.files:,} files",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``snmp`` and ``traps`` to the ``collect`` command group."""
    app.command("snmp", help=SNMP_HELP)(snmp)
    app.command("traps", help=TRAPS_HELP)(traps)
