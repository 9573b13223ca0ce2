"""``wanassure policy``: propose, review, approve, push and roll back path-policy changes.

The composition root for ``assurance.policy`` at a terminal: one loop step over a lake
(``plan``), the list and one action in detail with its Junos diff (``list``, ``show``), the
operator steps (``approve``, ``reject``, ``apply``, ``rollback``) and the closed loop in the
network twin (``simulate``). Errors are one clear line and exit code 2, never a traceback;
NETCONF credentials come from the environment only.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.markup import escape
from rich.table import Table

from assurance.cli.sle import LakeOption, _inventory, parse_time
from assurance.cli.ui import fail, out
from assurance.errors import AssuranceError
from assurance.lake.store import LakeStore

if TYPE_CHECKING:
    from assurance.policy.config import PolicyConfig
    from assurance.policy.loop import LoopSettings, Mode

app = typer.Typer(
    help="Path-policy feedback: proposals, approvals, pushes, verification, rollback.",
    no_args_is_help=True,
)

IdArg = Annotated[str, typer.Argument(help="Action id (pol-…)", show_default=False)]
ActorOption = Annotated[
    str | None, typer.Option(help="Who is doing this (default: $WANASSURE_ACTOR or your login)")
]
NoteOption = Annotated[str, typer.Option(help="Why (kept in the audit trail)")]
DriverOption = Annotated[
    str, typer.Option("--driver", help="netconf, sim or dry-run (records only)")
]
MODES = ("recommend", "auto")
CONFIG_ENV = "WANASSURE_POLICY_CONFIG"
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help=f"Policy settings YAML (default: ${CONFIG_ENV})")
]


def _config(path: Path | None) -> PolicyConfig:
    from assurance.policy.config import PolicyConfig, load_policy_config

    chosen = path or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    if chosen is None:
        return PolicyConfig()
    try:
        return load_policy_config(chosen)
    except AssuranceError as exc:
        # every problem of the file, one per line, like the other configuration errors
        raise fail(escape(str(exc))) from None


def _settings(config: PolicyConfig, mode: str | None, apps: list[str] | None) -> LoopSettings:
    from dataclasses import replace

    settings = config.loop_settings()
    if mode is not None:
        if mode not in MODES:
            raise fail(f"--mode {mode!r} is not one of: {', '.join(MODES)}")
        settings = replace(settings, mode=cast("Mode", mode))
    if apps:
        settings = replace(settings, limits=replace(settings.limits, apps=tuple(apps)))
    return settings


def _failed(exc: AssuranceError) -> typer.Exit:
    return fail(escape(str(exc).splitlines()[0]))


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return os.environ.get("WANASSURE_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _inventory_or_none(path: Path | None, lake: str) -> object | None:
    try:
        return _inventory(path, lake)
    except typer.Exit:
        return None


@app.command("plan")
def plan_cmd(
    lake: LakeOption,
    mode: Annotated[
        str | None, typer.Option(help="recommend (wait for approval) or auto [default: config]")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="Plan as of this time (default: end of data)")
    ] = None,
    driver: DriverOption = "dry-run",
    inventory: Annotated[Path | None, typer.Option(help="Inventory YAML")] = None,
    apps: Annotated[
        list[str] | None, typer.Option("--app", help="Only steer these applications")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Verify pushed changes, propose new ones; in auto mode also approve and push them."""
    from assurance.policy import evidence, service
    from assurance.policy.loop import step

    cfg = _config(config)
    settings = _settings(cfg, mode, apps)
    if not LakeStore(lake).exists():
        raise fail(f"no lake at {lake} (folder does not exist)")
    inv = _inventory(inventory, lake)
    try:
        when = parse_time(at, "--at") or evidence.data_end(lake)
        if when is None:
            raise fail(f"no SLE minutes in {lake}: run `wanassure sle compute` first")
        netconf = cfg.netconf.model_dump()
        drv = service.driver_for(driver, inv, netconf)
        result = step(
            lake, inv, when, drv, settings, lambda name: service.driver_for(name, inv, netconf)
        )
    except AssuranceError as exc:
        raise _failed(exc) from None
    out.print(
        f"policy step at {when:%Y-%m-%d %H:%M} UTC ({settings.mode}, driver {driver})",
        highlight=False,
    )
    for label, items in (
        ("verified", result.verified),
        ("rolled back", result.rolled_back),
        ("proposed", result.proposed),
        ("pushed", result.pushed),
        ("failed", result.failed),
    ):
        for a in items:
            out.print(
                f"  {label:<11} {a.action_id}  {a.site}  {a.kind}  {a.note}",
                highlight=False,
                markup=False,
            )
    for a in result.waiting:
        out.print(
            f"  waiting     {a.action_id}  {a.site}  pushed with another driver; "
            "its device-side commit confirmed timer still runs",
            highlight=False,
        )
    for p in result.held:
        c = p.change
        out.print(f"  held        {c.site}  {c.kind} {c.app}: {p.held}", markup=False)
    if not (result.proposed or result.verified or result.rolled_back or result.held):
        out.print("  nothing to do: no application is hurt by its path")


@app.command("list")
def list_cmd(lake: LakeOption) -> None:
    """Every path-policy action in its latest state, most recent first."""
    from assurance.policy import ledger

    try:
        actions = ledger.actions(lake)
    except AssuranceError as exc:
        raise _failed(exc) from None
    if not actions:
        out.print("no path-policy actions")
        return
    table = Table()
    for name in ("action", "updated (UTC)", "site", "kind", "app", "state", "risk", "gain"):
        table.add_column(name, no_wrap=name in ("action", "state", "kind"))
    for a in actions:
        gain = "-" if a.predicted_benefit is None else f"{a.predicted_benefit:.1f} pp"
        table.add_row(
            a.action_id,
            f"{a.updated_at:%Y-%m-%d %H:%M}",
            a.site,
            a.kind,
            a.app,
            a.state,
            a.risk or "-",
            gain,
        )
    out.print(table)


@app.command("show")
def show_cmd(
    action_id: IdArg,
    lake: LakeOption,
    xml: Annotated[bool, typer.Option("--xml", help="Also print the Junos XML")] = False,
) -> None:
    """One action: what, where, why, its configuration diff and rollback, and its history."""
    from assurance.policy import ledger
    from assurance.policy.render import set_to_xml

    try:
        a = ledger.get(lake, action_id)
        hist = ledger.history(lake, action_id)
    except AssuranceError as exc:
        raise _failed(exc) from None
    gain = "-" if a.predicted_benefit is None else f"+{a.predicted_benefit:.1f} pp"
    out.print(
        f"[bold]{a.action_id}[/]  {escape(f'{a.kind} {a.app} at {a.site} ({a.device})')}  "
        f"state {a.state}, risk {a.risk or '-'}, predicted Application Health {gain}",
        highlight=False,
        soft_wrap=True,
    )
    if a.incident_id:
        out.print(f"incident {a.incident_id}", highlight=False)
    out.print("\n[bold]change[/] (set, against the configuration in force)", highlight=False)
    for line in a.change_set.splitlines():
        out.print(f"[green]+ {escape(line)}[/]", highlight=False, soft_wrap=True)
    out.print("\n[bold]rollback[/]", highlight=False)
    for line in a.rollback_set.splitlines():
        out.print(f"[red]- {escape(line)}[/]", highlight=False, soft_wrap=True)
    if xml:
        out.print("\n[bold]change (XML)[/]", highlight=False)
        out.print(set_to_xml(a.change_set), highlight=False, markup=False)
    out.print("\n[bold]history[/]", highlight=False)
    for h in hist:
        out.print(
            f"  {h['at']:%Y-%m-%d %H:%M:%S}  {h['state']:<11} {h['actor'] or '-':<10} "
            f"{h['note'] or ''}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@app.command("approve")
def approve_cmd(
    action_id: IdArg, lake: LakeOption, actor: ActorOption = None, note: NoteOption = ""
) -> None:
    """Approve a proposed change (then push it with: wanassure policy apply ID)."""
    from assurance.policy import service

    try:
        service.approve(lake, action_id, _actor(actor), note)
    except AssuranceError as exc:
        raise _failed(exc) from None
    out.print(f"{action_id} approved", highlight=False)


@app.command("reject")
def reject_cmd(
    action_id: IdArg, lake: LakeOption, actor: ActorOption = None, note: NoteOption = ""
) -> None:
    """Reject a proposed or approved change."""
    from assurance.policy import service

    try:
        service.reject(lake, action_id, _actor(actor), note)
    except AssuranceError as exc:
        raise _failed(exc) from None
    out.print(f"{action_id} rejected", highlight=False)


@app.command("apply")
def apply_cmd(
    action_id: IdArg,
    lake: LakeOption,
    driver: DriverOption = "dry-run",
    actor: ActorOption = None,
    confirm_minutes: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Commit confirmed timer on the device, minutes [default: 30]"
        ),
    ] = None,
    inventory: Annotated[
        Path | None, typer.Option(help="Inventory YAML (gateway addresses)")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Push an approved change with commit confirmed; the next policy plan verifies it."""
    from assurance.config.inventory import Inventory
    from assurance.policy import service

    cfg = _config(config)
    inv = _inventory_or_none(inventory, lake)
    minutes = confirm_minutes or cfg.confirm_minutes
    try:
        drv = service.driver_for(
            driver, inv if isinstance(inv, Inventory) else None, cfg.netconf.model_dump()
        )
        done = service.apply(lake, action_id, _actor(actor), drv, confirm_minutes=minutes)
    except AssuranceError as exc:
        raise _failed(exc) from None
    if done.state == "failed":
        raise fail(escape(f"{action_id} failed: {done.note}"))
    out.print(f"{action_id} pushed: {done.note}", highlight=False, markup=False)


@app.command("rollback")
def rollback_cmd(
    action_id: IdArg,
    lake: LakeOption,
    actor: ActorOption = None,
    note: NoteOption = "",
    config: ConfigOption = None,
) -> None:
    """Undo a pushed or verified change on the device (with the driver that pushed it)."""
    from assurance.config.inventory import Inventory
    from assurance.policy import service

    cfg = _config(config)
    inv = _inventory_or_none(None, lake)
    try:
        service.rollback(
            lake,
            action_id,
            _actor(actor),
            note,
            inventory=inv if isinstance(inv, Inventory) else None,
            netconf=cfg.netconf.model_dump(),
        )
    except AssuranceError as exc:
        raise _failed(exc) from None
    out.print(f"{action_id} rolled back", highlight=False)


@app.command("simulate")
def simulate_cmd(
    scenario: Annotated[Path, typer.Option(help="Scenario YAML", show_default=False)],
    lake: LakeOption,
    mode: Annotated[str, typer.Option(help="recommend or auto")] = "auto",
    apps: Annotated[
        list[str] | None, typer.Option("--app", help="Only steer these applications")
    ] = None,
    tick: Annotated[int, typer.Option(min=1, max=60, help="Minutes between loop steps")] = 5,
    analyze: Annotated[
        bool, typer.Option("--analyze", help="Run the analysis every step (incidents)")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Play a scenario in the twin with the loop in charge (the sim driver pushes into it)."""
    from assurance.policy.simloop import run
    from assurance.sim.scenario import load_scenario

    settings = _settings(_config(config), mode, apps)
    try:
        sc = load_scenario(scenario)
        report = run(
            sc, lake, settings=settings, tick_minutes=tick, analyze_every=1 if analyze else 0
        )
    except AssuranceError as exc:
        raise _failed(exc) from None
    out.print(
        f"played {sc.name} ({sc.minutes} min) in {report.seconds:.1f} s: "
        f"{len(report.actions)} actions",
        highlight=False,
    )
    for a in sorted(report.actions, key=lambda a: a.proposed_at or a.updated_at):
        why = f" (incident {a.incident_id})" if a.incident_id else ""
        out.print(
            f"  {a.action_id}  {a.site}  {a.kind} {a.app}: {a.state}{why}",
            highlight=False,
            markup=False,
        )
