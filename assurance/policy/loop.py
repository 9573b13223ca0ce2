"""The closed loop: plan, approve (auto mode), push, verify, confirm or roll back, record.

Owns the order of a step at time ``at``: (1) verify every pushed action whose verification
window has passed: compare the application's bad share at the site after the push (skipping a
settling period) with the window before it; confirm it on the device and mark it ``verified``
when it improved enough, roll it back and mark it ``rolled_back`` when it did not or got
worse; (2) build the situation and plan; (3) record proposals; (4) in ``auto`` mode approve and
push proposals within the limits (and any approved action waiting). Every step is a row in
``actions`` with the actor, the device's reply and the figures behind a verdict. Must not:
know Junos syntax or how a driver talks to a device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from assurance.config.inventory import Inventory
from assurance.policy import evidence, ledger
from assurance.policy.drivers import Driver, Request
from assurance.policy.errors import DriverError, PolicyError
from assurance.policy.model import ACTOR_PLANNER, Thresholds
from assurance.policy.planner import Limits, Proposal, plan
from assurance.policy.render import render

Mode = Literal["recommend", "auto"]
ACTOR_AUTO = "auto"
ACTOR_VERIFY = "verifier"


@dataclass(frozen=True)
class LoopSettings:
    mode: Mode = "recommend"
    window: timedelta = evidence.WINDOW  # evidence before planning and before a push
    settle: timedelta = timedelta(minutes=2)  # minutes after a push not judged
    verify: timedelta = timedelta(minutes=10)  # verification window after settling
    confirm_minutes: int = 30  # device-side commit confirmed timer
    min_gain: float = 0.5  # verified when the bad share fell by at least this fraction …
    good_share: float = 0.05  # … or is at most this
    limits: Limits = field(default_factory=Limits)
    device_sla: dict[tuple[str, str], Thresholds] = field(default_factory=dict)


@dataclass
class StepResult:
    at: datetime
    proposed: list[ledger.Action] = field(default_factory=list)
    held: list[Proposal] = field(default_factory=list)
    pushed: list[ledger.Action] = field(default_factory=list)
    failed: list[ledger.Action] = field(default_factory=list)
    verified: list[ledger.Action] = field(default_factory=list)
    rolled_back: list[ledger.Action] = field(default_factory=list)
    waiting: list[ledger.Action] = field(default_factory=list)  # pushed by a driver not here


def request(action: ledger.Action, confirm_minutes: int = 30) -> Request:
    return Request(
        action.action_id,
        action.site,
        action.device or action.site,
        action.change_set,
        action.rollback_set,
        confirm_minutes,
    )


def record(lake: str, proposals: list[Proposal], at: datetime) -> list[ledger.Action]:
    """Write a ``proposed`` row per proposal that may proceed; the actions written."""
    kept = [p for p in proposals if p.held is None]
    rows: list[dict[str, Any]] = []
    for p in kept:
        c = p.change
        rendered = render(c)
        rows.append(
            {
                "updated_at": at,
                "action_id": ledger.action_id(c.site, c.app, c.kind, at),
                "incident_id": p.incident_id,
                "site": c.site,
                "device": c.device,
                "kind": c.kind,
                "state": "proposed",
                "change_set": rendered.set_text,
                "rollback_set": rendered.rollback_set,
                "predicted_benefit": p.predicted_benefit,
                "risk": p.risk,
                "actor": ACTOR_PLANNER,
                "note": f"[{c.app}] {p.reason}; affects {p.users} users",
            }
        )
    ledger.write(lake, rows)
    return [
        ledger.Action(**r, app=p.change.app, proposed_at=at)
        for r, p in zip(rows, kept, strict=True)
    ]


def push(
    lake: str,
    action: ledger.Action,
    driver: Driver,
    actor: str,
    at: datetime,
    confirm_minutes: int = 30,
) -> ledger.Action:
    """Push an approved action through ``driver``: ``pushed`` with the reply, or ``failed``."""
    try:
        reply = driver.push(request(action, confirm_minutes))
    except DriverError as exc:  # incl. a session lost after commit confirmed: it undoes itself
        return ledger.transition(lake, action, "failed", actor, f"[{driver.name}] {exc}", at)
    return ledger.transition(lake, action, "pushed", actor, f"[{driver.name}] {reply}", at)


def verify(
    lake: str, action: ledger.Action, driver: Driver, settings: LoopSettings, at: datetime
) -> ledger.Action | None:
    """Judge a pushed action once its window has passed; None while it is still too early."""
    pushed = action.pushed_at
    if pushed is None or at < pushed + settings.settle + settings.verify:
        return None
    bad0, total0 = evidence.bad_share(
        lake, action.site, action.app, pushed - settings.window, pushed
    )
    bad1, total1 = evidence.bad_share(lake, action.site, action.app, pushed + settings.settle, at)
    before = bad0 / total0 if total0 else 0.0
    after = bad1 / total1 if total1 else 0.0
    figures = (
        f"{action.app} bad share {100 * before:.0f}% ({bad0}/{total0} user-minutes) before, "
        f"{100 * after:.0f}% ({bad1}/{total1}) after"
    )
    if action.kind == "steer_app":
        helped = total1 > 0 and (
            after <= settings.good_share or after <= before * (1 - settings.min_gain)
        )
    else:  # SLA tuning and restores must not make things worse
        helped = after <= max(before, settings.good_share) + 0.05
    try:
        if helped:
            reply = driver.confirm(request(action, settings.confirm_minutes))
            return ledger.transition(
                lake, action, "verified", ACTOR_VERIFY, f"{figures}; {reply}", at
            )
        reply = driver.rollback(request(action, settings.confirm_minutes))
    except DriverError as exc:
        return ledger.transition(lake, action, "failed", ACTOR_VERIFY, f"{figures}; {exc}", at)
    return ledger.transition(
        lake, action, "rolled_back", ACTOR_VERIFY, f"{figures}: did not help; {reply}", at
    )


def pushed_by(action: ledger.Action) -> str | None:
    """The driver named in a ``pushed`` action's note (``[name] device reply``)."""
    note = action.note or ""
    if action.state == "pushed" and note.startswith("[") and "]" in note:
        return note[1 : note.index("]")]
    return None


def _driver_of(
    action: ledger.Action, driver: Driver, resolve: Callable[[str], Driver] | None
) -> Driver | None:
    name = pushed_by(action) or driver.name
    if name == driver.name:
        return driver
    if resolve is None:
        return None
    try:
        return resolve(name)
    except PolicyError:
        return None


def step(
    lake: str,
    inventory: Inventory,
    at: datetime,
    driver: Driver,
    settings: LoopSettings = LoopSettings(),
    resolve: Callable[[str], Driver] | None = None,
) -> StepResult:
    """One turn of the loop at ``at`` (see the module docstring). A pushed action is confirmed
    or rolled back by the driver that pushed it: ``driver`` when names match, else the one
    ``resolve`` gives; an action whose driver cannot be had here waits (its device-side timer
    still runs) and is listed in ``waiting``."""
    result = StepResult(at)
    for action in ledger.actions(lake):
        if action.state != "pushed":
            continue
        judge = _driver_of(action, driver, resolve)
        if judge is None:
            result.waiting.append(action)
            continue
        done = verify(lake, action, judge, settings, at)
        if done is not None:
            (result.verified if done.state == "verified" else result.rolled_back).append(done)
    sit = evidence.situation(
        lake,
        inventory,
        at,
        window=settings.window,
        hold_down=settings.limits.hold_down,
        device_sla=settings.device_sla,
    )
    proposals = plan(sit, settings.limits)
    result.held = [p for p in proposals if p.held is not None]
    result.proposed = record(lake, proposals, at)
    if settings.mode == "auto":
        waiting = [a for a in result.proposed if a.state == "proposed"]
        for action in waiting:
            approved = ledger.transition(
                lake, action, "approved", ACTOR_AUTO, "auto mode: within limits", at
            )
            done = push(lake, approved, driver, ACTOR_AUTO, at, settings.confirm_minutes)
            (result.pushed if done.state == "pushed" else result.failed).append(done)
        for action in ledger.actions(lake):
            if action.state == "approved":
                done = push(lake, action, driver, ACTOR_AUTO, at, settings.confirm_minutes)
                (result.pushed if done.state == "pushed" else result.failed).append(done)
    return result


__all__ = [
    "LoopSettings",
    "StepResult",
    "push",
    "pushed_by",
    "record",
    "request",
    "step",
    "verify",
]
