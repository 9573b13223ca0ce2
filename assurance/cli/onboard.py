"""``wanassure junos-config`` and ``wanassure doctor``: onboard a fleet and check what arrives."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from assurance.cli.sle import LakeOption, _inventory, parse_time
from assurance.cli.ui import fail, out
from assurance.config.loader import load_inventory
from assurance.errors import AssuranceError


def junos_config(
    inventory: Annotated[Path, typer.Option(help="Inventory YAML", show_default=False)],
    collector: Annotated[
        str,
        typer.Option(help="Address the devices send to (this deployment, as they reach it)"),
    ],
    site: Annotated[str | None, typer.Option(help="Only this site's devices")] = None,
    device: Annotated[str | None, typer.Option(help="Only this device")] = None,
    flow_port: Annotated[int, typer.Option(min=1, max=65535, help="IPFIX UDP port")] = 2055,
    syslog_port: Annotated[int, typer.Option(min=1, max=65535, help="Syslog port")] = 601,
    syslog_transport: Annotated[
        Literal["tcp", "tls"], typer.Option(help="Syslog over TCP or TLS (RFC 5425)")
    ] = "tcp",
    jti_udp_port: Annotated[int, typer.Option(min=1, max=65535, help="Native JTI port")] = 50000,
    trap_port: Annotated[int, typer.Option(min=1, max=65535, help="SNMP trap port")] = 162,
    sampling_rate: Annotated[int, typer.Option(min=1, help="Sample 1 packet in N")] = 1,
    with_secrets: Annotated[
        bool,
        typer.Option(
            help="Fill SNMP keys and communities from the environment variables the inventory"
            " names (default: ${VAR} placeholders)"
        ),
    ] = False,
) -> None:
    """Print the Junos `set` commands that make each device stream to this deployment."""
    from assurance.onboard.junos import Deployment, environment_secrets, render

    try:
        inv = load_inventory(inventory)
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None
    if site is not None and site not in {s.name for s in inv.sites}:
        raise fail(f"no site {site!r} in {inventory}")
    if device is not None and inv.device(device) is None:
        raise fail(f"no device {device!r} in {inventory}")
    dep = Deployment(
        collector=collector,
        flow_port=flow_port,
        syslog_port=syslog_port,
        syslog_transport=syslog_transport,
        jti_udp_port=jti_udp_port,
        trap_port=trap_port,
        sampling_rate=sampling_rate,
    )
    secrets = environment_secrets(os.environ) if with_secrets else None
    rendered = render(inv, dep, site=site, device=device, secrets=secrets)
    if not rendered:
        raise fail(f"site {site!r} has no devices")
    typer.echo("\n".join(r.text() for r in rendered), nl=False)


_MARK = {"ok": "[green]ok[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}


def doctor(
    lake: LakeOption,
    inventory: Annotated[
        Path | None, typer.Option(help="Inventory YAML (default: the lake's)")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(help="Judge as of this time (default: the newest receive time in the lake)"),
    ] = None,
    window_minutes: Annotated[int, typer.Option(min=1, help="Look back this far")] = 60,
    stale_minutes: Annotated[int, typer.Option(min=1, help="A stream older is stale")] = 10,
    max_skew_s: Annotated[float, typer.Option(min=0, help="Tolerated clock skew (s)")] = 30.0,
    collector: Annotated[str, typer.Option(help="Collector address named in fixes")] = (
        "the collector"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document")] = False,
) -> None:
    """Per device of the inventory: what has arrived, what is missing or wrong, and the fix.

    Exits 1 when a device or an unknown exporter needs attention.
    """
    from datetime import timedelta

    from assurance.lake import connect
    from assurance.onboard.doctor import DoctorSettings, diagnose, newest_receive_time

    inv = _inventory(inventory, lake)
    try:
        con = connect(lake)
    except AssuranceError as exc:
        raise fail(str(exc)) from None
    at = parse_time(now, "--now") or newest_receive_time(con)
    if at is None:
        if now is None:
            at = datetime.now(UTC)
        else:  # pragma: no cover - parse_time returns a value for any given text
            raise fail("--now could not be read")
    settings = DoctorSettings(
        window=timedelta(minutes=window_minutes),
        stale_after=timedelta(minutes=stale_minutes),
        max_skew_s=max_skew_s,
        collector=collector,
    )
    result = diagnose(con, inv, at, settings)
    if as_json:
        typer.echo(json.dumps(asdict(result), default=str, indent=2))
        raise typer.Exit(1 if result.level == "fail" else 0)
    out.print(
        f"as of {result.now:%Y-%m-%d %H:%M:%S} UTC, last {window_minutes} min, "
        f"{len(result.devices)} devices in the inventory"
    )
    grid = Table(title_justify="left", show_lines=False)
    for name in ("site", "device", "kind", "state", "last seen per stream", "skew"):
        grid.add_column(name)
    for d in result.devices:
        streams = ", ".join(
            f"{name} {s.last_seen:%H:%M:%S}" if s.last_seen else f"{name} never"
            for name, s in d.streams.items()
        )
        skew = f"{d.skew_s:+.0f} s" if d.skew_s is not None else "-"
        grid.add_row(d.site, d.device, d.kind, _MARK[d.level], streams, skew)
    out.print(grid)
    for d in result.devices:
        for f in d.findings:
            out.print(f"{_MARK[f.level]} {d.device}: {f.problem}\n      fix: {f.fix}")
    for u in result.unknown:
        out.print(
            f"{_MARK['fail']} {u.exporter} is not in the inventory but sent {u.rows} input(s)"
            f" ({', '.join(u.streams)})\n      fix: add it to its device's `mgmt_ip` or"
            " `exporter_ips` in the inventory (or stop it sending here)"
        )
    if result.level == "ok":
        out.print("every device sends everything it should")
    raise typer.Exit(1 if result.level == "fail" else 0)


def register(app: typer.Typer) -> None:
    app.command("junos-config")(junos_config)
    app.command("doctor")(doctor)
