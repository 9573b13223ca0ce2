"""Operator actions on path-policy changes: approve, reject, apply, roll back.

Owns what a person (through the dashboard or the CLI) may do to an action and the rows that
record it. Role checks happen in the caller. Every refusal is a ``PolicyError`` with one line
(unknown id, wrong state, no driver…). ``rollback`` of a pushed or verified action uses the
driver that pushed it (named in the ``pushed`` row); NETCONF credentials come from the
environment. Must not: plan or verify (``loop`` does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assurance.config.inventory import Inventory
from assurance.policy import ledger
from assurance.policy.drivers import Driver, DryRunDriver
from assurance.policy.errors import DriverError, PolicyError
from assurance.policy.loop import push, request
from assurance.policy.model import check_transition

DRIVERS = ("dry-run", "netconf", "sim")


def _actor(actor: str) -> str:
    actor = actor.strip()
    if not actor:
        raise PolicyError("an actor (who is doing this) is required")
    return actor


def approve(lake: str, action_id: str, actor: str, note: str = "") -> None:
    """Approve a proposed action (it is pushed by ``apply`` or by the loop in auto mode)."""
    action = ledger.get(lake, action_id)
    ledger.transition(lake, action, "approved", _actor(actor), note or "approved")


def reject(lake: str, action_id: str, actor: str, note: str = "") -> None:
    """Reject a proposed or approved action; it will never be pushed."""
    action = ledger.get(lake, action_id)
    ledger.transition(lake, action, "rejected", _actor(actor), note or "rejected")


def driver_for(
    name: str, inventory: Inventory | None = None, netconf: dict[str, Any] | None = None
) -> Driver:
    """The driver called ``name``. NETCONF reaches each gateway at its inventory address unless
    ``netconf`` (the policy file's non-secret settings) or the environment says otherwise."""
    if name == "dry-run":
        return DryRunDriver()
    if name == "netconf":
        from assurance.policy.drivers.netconf import NetconfDriver, NetconfSettings

        options = dict(netconf or {})
        hosts: dict[str, str] = {}
        if inventory is not None:
            hosts = {gw.name: str(gw.mgmt_ip) for s in inventory.sites for gw in s.gateways}
        options["hosts"] = {**hosts, **options.get("hosts", {})}
        return NetconfDriver(NetconfSettings.from_env(**options))
    if name == "sim":
        raise PolicyError(
            "the sim driver needs a running simulation: use `wanassure policy simulate`"
        )
    raise PolicyError(f"unknown driver {name!r}; known: {', '.join(DRIVERS)}")


def pushed_with(lake: str, action_id: str) -> str | None:
    """The driver that pushed an action, from its ``pushed`` row (``[name] reply``)."""
    for row in reversed(ledger.history(lake, action_id)):
        note = row["note"] or ""
        if row["state"] == "pushed" and note.startswith("[") and "]" in note:
            return str(note[1 : note.index("]")])
    return None


def apply(
    lake: str,
    action_id: str,
    actor: str,
    driver: Driver,
    *,
    confirm_minutes: int = 30,
    at: datetime | None = None,
) -> ledger.Action:
    """Push an approved action now; returns it ``pushed`` or ``failed``."""
    action = ledger.get(lake, action_id)
    check_transition(action_id, action.state, "pushed")
    return push(lake, action, driver, _actor(actor), at or _now(), confirm_minutes)


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


def rollback(
    lake: str,
    action_id: str,
    actor: str,
    note: str = "",
    *,
    driver: Driver | None = None,
    inventory: Inventory | None = None,
    netconf: dict[str, Any] | None = None,
) -> None:
    """Undo a pushed or verified action on the device and record ``rolled_back``."""
    who = _actor(actor)
    action = ledger.get(lake, action_id)
    check_transition(action_id, action.state, "rolled_back")
    if driver is None:
        name = pushed_with(lake, action_id) or "dry-run"
        driver = driver_for(name, inventory, netconf)
    try:
        reply = driver.rollback(request(action))
    except DriverError as exc:
        raise PolicyError(f"rollback of {action_id} failed: {exc}") from None
    text = f"[{driver.name}] {reply}" + (f"; {note}" if note else "")
    ledger.transition(lake, action, "rolled_back", who, text)


__all__ = [
    "DRIVERS",
    "PolicyError",
    "apply",
    "approve",
    "driver_for",
    "pushed_with",
    "reject",
    "rollback",
]
