"""``wanassure simulate``: run the network twin into a lake, or list the faults it can inject."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assurance.cli.runner_option import RunnerOption
from assurance.cli.ui import fail, human_bytes, out, progress
from assurance.errors import AssuranceError
from assurance.sim.faults import describe
from assurance.sim.scenario import Scenario, load_scenario

app = typer.Typer(
    help="Simulate a multi-site SRX SD-WAN org with faults (lake mode or on the wire).",
    invoke_without_command=True,
)


def _load(path: Path, hours: float | None) -> Scenario:
    scenario = load_scenario(path)
    if hours is not None:
        scenario = Scenario.model_validate({**scenario.model_dump(by_alias=True), "hours": hours})
    return scenario


@app.callback()
def simulate(
    ctx: typer.Context,
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario file (see data/samples/scenarios/)")
    ] = None,
    lake: Annotated[str | None, typer.Option(help="Lake folder to write (lake mode)")] = None,
    send: Annotated[
        str | None,
        typer.Option(
            help="Wire mode: collectors to send to, e.g. flow=127.0.0.1:2055,"
            "syslog=127.0.0.1:5514,jti=127.0.0.1:50000,trap=127.0.0.1:1162,grpc=:32767,"
            "snmp=:1161 "
            "(IPFIX over UDP, syslog over TCP, native JTI over UDP as `wanassure collect jti "
            "--udp` receives it, SNMPv2c traps as `wanassure collect traps` receives them; "
            "grpc: every gateway and switch serves JTI gRPC on its own loopback address at "
            "that port for `wanassure collect jti --targets` with the twin's inventory; snmp: "
            "they answer SNMPv2c polls there for `wanassure collect snmp --targets`, community "
            "from WANASSURE_TWIN_COMMUNITY, default public)"
        ),
    ] = None,
    hours: Annotated[
        float | None, typer.Option(help="Simulated hours (default: the scenario's)", min=0.02)
    ] = None,
    speed: Annotated[
        float, typer.Option(help="Wire mode: simulated seconds per wall second", min=1)
    ] = 60.0,
    workers: Annotated[
        int | None, typer.Option(help="Lake mode: worker processes (default: one per CPU)", min=1)
    ] = None,
    runner: RunnerOption = None,
) -> None:
    """Lake mode (--lake) writes the scenario's raw tables directly; wire mode (--send)
    emits IPFIX, syslog, native JTI telemetry and SNMP traps to running collectors, serves
    JTI gRPC to a dialling one and answers SNMP polls, on an accelerated clock."""
    if ctx.invoked_subcommand is not None:
        return
    if scenario is None or (lake is None) == (send is None):
        raise fail(
            "give --scenario FILE and exactly one of --lake PATH or --send ADDRESSES "
            "(or: wanassure simulate faults)"
        )
    try:
        loaded = _load(scenario, hours)
        if lake is not None:
            _lake_mode(loaded, lake, workers)
        else:
            _wire_mode(loaded, send or "", speed)
    except AssuranceError as exc:
        raise fail(str(exc)) from None


def _wire_mode(scenario: Scenario, send: str, speed: float) -> None:
    from assurance.sim.wire import parse_targets, run_wire

    targets = parse_targets(send)
    where = ", ".join(
        f"{kind} served on every gateway and switch at port {port}"
        if kind in ("grpc", "snmp")
        else f"{kind} → {host}:{port}"
        for kind, (host, port) in targets.items()
    )
    wall = scenario.hours * 3600 / speed
    out.print(
        f"{scenario.name}: {len(scenario.site_names())} sites, {scenario.hours:g} h at {speed:g}× "
        f"(about {wall:.0f} s); {where}; {len(scenario.faults)} faults scheduled",
        highlight=False,
    )
    stats = run_wire(scenario, targets, speed=speed, report=out.print)
    late = (
        f", {stats.late_minutes} minutes sent late (try a lower --speed)"
        if stats.late_minutes
        else ""
    )
    out.print(
        f"sent {stats.flow_records:,} flow records in {stats.datagrams:,} datagrams, "
        f"{stats.syslog_lines:,} syslog lines, {stats.jti_messages:,} JTI messages, "
        f"{stats.grpc_messages:,} JTI gRPC messages and {stats.traps:,} traps "
        f"({stats.snmp_minutes:,} minutes served over SNMP) in {stats.seconds:.1f} s{late}",
        highlight=False,
    )


def _lake_mode(scenario: Scenario, lake: str, workers: int | None) -> None:
    from assurance.sim.lake import SITES_PER_SHARD, simulate_to_lake

    sites = len(scenario.site_names())
    shards = -(-sites // SITES_PER_SHARD)
    began = time.perf_counter()
    done = 0
    totals: dict[str, int] = {}
    size = 0
    with progress(f"simulating {sites} sites × {scenario.hours:g} h") as advance:

        def on_shard(result: object) -> None:
            nonlocal done, size
            done += 1
            advance(done, shards)
            for name, n in result.rows.items():  # type: ignore[attr-defined]
                totals[name] = totals.get(name, 0) + n
            size += result.bytes  # type: ignore[attr-defined]

        simulate_to_lake(scenario, lake, workers=workers, on_shard=on_shard)
    seconds = time.perf_counter() - began
    grid = Table(
        title=f"{scenario.name}: {sites} sites, {scenario.hours:g} h from "
        f"{scenario.start:%Y-%m-%d %H:%M} UTC → {lake}",
        title_justify="left",
    )
    grid.add_column("table")
    grid.add_column("rows", justify="right")
    for name in sorted(totals):
        grid.add_row(name, f"{totals[name]:,}")
    out.print(grid)
    out.print(
        f"{sum(totals.values()):,} rows, {human_bytes(size)} in {seconds:.1f} s; "
        f"{len(scenario.faults)} faults in {lake}/_sim/ground_truth.jsonl, "
        f"inventory in {lake}/_sim/inventory.yaml",
        highlight=False,
    )


@app.command("faults")
def faults() -> None:
    """The fault catalogue: type, layer, where it is placed and the SLE it shows up in."""
    grid = Table(title="faults the twin can inject", title_justify="left")
    for name in ("type", "layer", "placed on", "SLE / classifier", "what happens", "params"):
        grid.add_column(name)
    for f in describe():
        params = ", ".join(f"{k}={v:g}" for k, v in f.params.items())
        grid.add_row(f.name, f.layer, f.scope, f"{f.sle} / {f.classifier}", f.doc, params)
    out.print(grid)


@app.command("inventory")
def inventory(
    scenario: Annotated[Path, typer.Option(help="Scenario file")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output")
    ] = None,
) -> None:
    """The inventory of the scenario's org, for collectors receiving wire mode."""
    import yaml

    from assurance.sim.world import World

    try:
        world = World(load_scenario(scenario))
    except AssuranceError as exc:
        raise fail(str(exc)) from None
    text = yaml.safe_dump(world.inventory_data(), sort_keys=False)
    if out_file is None:
        print(text, end="")
    else:
        out_file.write_text(text)
        out.print(f"inventory of {len(world.sites)} sites written to {out_file}", highlight=False)
