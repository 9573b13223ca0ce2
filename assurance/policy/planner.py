"""The planner: from what users and probes measured, propose path-policy changes (pure).

Owns the rules. ``steer_app``: an application whose Application Health is bad at a site while
its current link breaks the application's SLA moves to the best other link that is up, not
saturated and itself healthy by a margin (hysteresis); the predicted benefit is the share of
bad minutes now less the share of the target's probe results that broke the SLA.
``adjust_sla``: when the path breaks the SLA but the gateway's AppQoE thresholds are looser
than the application needs, tighten them.
``restore_preference``: a verified steer is undone once its original link has met the SLA with
margin for the whole hold-down period. Guards: one open action per (site, application), a
cool-down after every action, maintenance windows (no proposals at a site under planned
work), per-site and per-org rate limits and a blast-radius cap (sites changed per hour).
Proposals beyond a limit are returned as held, with the reason. Input is plain data (built by
``evidence``); output is ``Proposal`` objects. Must not: read the lake, render, or push.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assurance.policy.model import Change, Hop, Thresholds

OPEN_STATES = ("proposed", "approved", "pushed")


@dataclass(frozen=True)
class Limits:
    min_bad_share: float = 0.2  # Application Health bad share that calls for action
    min_user_minutes: int = 4
    margin: float = 0.7  # a target link must be within margin × every SLA threshold
    max_util: float = 0.8  # never steer onto a link busier than this
    hold_down: timedelta = timedelta(minutes=30)
    retry_after: timedelta = timedelta(hours=2)  # a target a steer was rolled back from
    cool_down: timedelta = timedelta(minutes=20)
    per_site_per_hour: int = 2
    per_org_per_hour: int = 20
    max_sites_per_hour: int = 10  # blast radius: distinct sites changed in an hour
    maintenance: tuple[tuple[str, datetime, datetime], ...] = ()  # (site or "*", start, end)
    apps: tuple[str, ...] = ()  # applications under policy control (empty: every one)


@dataclass(frozen=True)
class LinkHealth:
    site: str
    link: str
    rtt_ms: float
    jitter_ms: float
    loss_pct: float
    up: bool = True
    util: float | None = None
    type: str = "broadband"
    #: probe results in the window, (rtt ms, jitter ms, loss %) each
    samples: tuple[tuple[float, float, float], ...] = ()

    def violating(self, sla: Thresholds) -> float:
        """Share of the window's probe results that broke ``sla`` (0 without samples)."""
        if not self.samples:
            return 0.0
        bad = sum(sla.violated_by(r, j, loss) for r, j, loss in self.samples)
        return bad / len(self.samples)

    def meets(self, sla: Thresholds, margin: float = 1.0) -> bool:
        return (
            self.rtt_ms <= sla.rtt_ms * margin
            and self.jitter_ms <= sla.jitter_ms * margin
            and self.loss_pct <= sla.loss_pct * margin
        )

    def score(self, sla: Thresholds) -> float:
        """Lower is better: the worst metric as a fraction of its threshold."""
        return max(
            self.rtt_ms / sla.rtt_ms,
            self.jitter_ms / max(sla.jitter_ms, 1e-9),
            self.loss_pct / max(sla.loss_pct, 1e-9),
        )


@dataclass(frozen=True)
class AppHealth:
    site: str
    app: str
    group: str
    link: str  # the link carrying most of its user-minutes in the window
    total: int  # user-minutes in the window
    bad: int
    users: int = 0

    @property
    def bad_share(self) -> float:
        return self.bad / self.total if self.total else 0.0


@dataclass(frozen=True)
class PastAction:
    action_id: str
    site: str
    app: str
    kind: str
    state: str
    updated_at: datetime
    proposed_at: datetime
    order_before: tuple[str, ...] = ()  # for steers: the links whose order the rollback restores
    order_after: tuple[str, ...] = ()  # … and their order while the steer is in force


@dataclass(frozen=True)
class Situation:
    at: datetime
    apps: tuple[AppHealth, ...]
    links: dict[tuple[str, str], LinkHealth]  # (site, link) → recent health
    links_hold: dict[tuple[str, str], LinkHealth]  # (site, link) → health over the hold-down
    sla: dict[str, Thresholds]  # app → SLA
    gateways: dict[str, tuple[str, tuple[Hop, ...]]]  # site → (gateway, its links in order)
    actions: tuple[PastAction, ...] = ()
    incidents: dict[tuple[str, str], str] = field(default_factory=dict)  # (site, app) → id
    #: AppQoE thresholds in force per (site or "*", application group)
    device_sla: dict[tuple[str, str], Thresholds] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    change: Change
    predicted_benefit: float  # percentage points of Application Health
    risk: str
    reason: str
    users: int
    incident_id: str | None = None
    held: str | None = None  # why it was held back (limits), None when it may proceed


def _order(current: str, target: str, hops: tuple[Hop, ...]) -> tuple[str, ...]:
    rest = [h.link for h in hops if h.link not in (current, target)]
    return (target, current, *rest)


def _home(current: str, hops: tuple[Hop, ...]) -> tuple[str, ...]:
    return (current, *(h.link for h in hops if h.link != current))


def _in_maintenance(site: str, at: datetime, limits: Limits) -> bool:
    return any(s in (site, "*") and a <= at < b for s, a, b in limits.maintenance)


def _risk(target: LinkHealth) -> str:
    """How likely the move hurts: metered/backup or busy targets are high, unknown load medium."""
    if target.type == "lte" or (target.util is not None and target.util > 0.6):
        return "high"
    if target.util is None or target.util > 0.4:
        return "medium"
    return "low"


def plan(s: Situation, limits: Limits = Limits()) -> list[Proposal]:
    """Proposals for the situation, most beneficial first; held ones carry ``held``."""
    busy = {(a.site, a.app) for a in s.actions if a.state in OPEN_STATES}
    # a link a steer for this (site, app) was rolled back from is not tried again for a while
    failed = {
        (a.site, a.app, a.order_after[0])
        for a in s.actions
        if a.kind == "steer_app"
        and a.state == "rolled_back"
        and a.order_after
        and s.at - a.updated_at < limits.retry_after
    }
    last: dict[tuple[str, str], datetime] = {}
    for a in s.actions:
        key = (a.site, a.app)
        last[key] = max(last.get(key, a.updated_at), a.updated_at)
    found: list[Proposal] = []
    for app in s.apps:
        key = (app.site, app.app)
        if key in busy or app.site not in s.gateways or app.app not in s.sla:
            continue
        if limits.apps and app.app not in limits.apps:
            continue
        if key in last and s.at - last[key] < limits.cool_down:
            continue
        if _in_maintenance(app.site, s.at, limits):
            continue
        if app.total < limits.min_user_minutes or app.bad_share < limits.min_bad_share:
            continue
        sla = s.sla[app.app]
        here = s.links.get((app.site, app.link))
        if here is None or here.meets(sla):
            continue  # the path is fine: not a path problem
        device, hops = s.gateways[app.site]
        targets = [
            h
            for link in hops
            if link.link != app.link
            and (h := s.links.get((app.site, link.link))) is not None
            and h.up
            and (app.site, app.app, link.link) not in failed
            and (h.util is None or h.util < limits.max_util)
            and h.meets(sla, limits.margin)
        ]
        incident = s.incidents.get(key) or s.incidents.get((app.site, "*"))
        users = app.users
        if targets:
            best = min(targets, key=lambda h: (h.score(sla), h.type == "lte", h.link))
            change = Change(
                "steer_app",
                app.site,
                device,
                app.app,
                app.group,
                hops,
                _order(app.link, best.link, hops),
                _home(app.link, hops),
            )
            # users move to the target: expect its own rate of SLA breaches instead of today's
            gain = max(0.0, app.bad_share - best.violating(sla))
            found.append(
                Proposal(
                    change,
                    round(100 * gain, 1),
                    _risk(best),
                    f"{app.app} at {app.site}: {100 * app.bad_share:.0f}% of {app.total} "
                    f"user-minutes bad on {app.link} (rtt {here.rtt_ms:.0f} ms, jitter "
                    f"{here.jitter_ms:.0f} ms, loss {here.loss_pct:.1f}%); {best.link} meets "
                    f"the SLA (rtt {best.rtt_ms:.0f} ms, jitter {best.jitter_ms:.0f} ms, "
                    f"loss {best.loss_pct:.1f}%)",
                    users,
                    incident,
                )
            )
        device_sla = s.device_sla.get((app.site, app.group)) or s.device_sla.get(("*", app.group))
        if device_sla is not None and not device_sla.violated_by(
            here.rtt_ms, here.jitter_ms, here.loss_pct
        ):
            change = Change(
                "adjust_sla",
                app.site,
                device,
                app.app,
                app.group,
                sla=sla,
                sla_before=device_sla,
            )
            found.append(
                Proposal(
                    change,
                    round(100 * app.bad_share * 0.5, 1),
                    "medium",
                    f"{app.app} at {app.site}: the gateway's AppQoE thresholds (rtt "
                    f"{device_sla.rtt_ms:g} ms, jitter {device_sla.jitter_ms:g} ms, loss "
                    f"{device_sla.loss_pct:g}%) do not flag what users suffer; tighten them to "
                    f"the application's SLA",
                    users,
                    incident,
                )
            )
    found += _restores(s, limits, busy)
    found.sort(key=lambda p: -p.predicted_benefit)
    return _limit(found, s, limits)


def _restores(s: Situation, limits: Limits, busy: set[tuple[str, str]]) -> list[Proposal]:
    out: list[Proposal] = []
    done: set[tuple[str, str]] = set()
    for a in sorted(s.actions, key=lambda a: a.updated_at, reverse=True):
        key = (a.site, a.app)
        if key in done:
            continue
        done.add(key)  # only the latest action per (site, app) counts
        if a.kind != "steer_app" or a.state != "verified" or key in busy:
            continue
        if s.at - a.updated_at < limits.hold_down or not a.order_before:
            continue
        if a.site not in s.gateways or a.app not in s.sla:
            continue
        home = s.links_hold.get((a.site, a.order_before[0]))
        if home is None or not home.up or not home.meets(s.sla[a.app], limits.margin):
            continue
        device, hops = s.gateways[a.site]
        group = next((x.group for x in s.apps if x.app == a.app), "")
        known = {h.link for h in hops}
        order = tuple(x for x in a.order_before if x in known)
        before = tuple(x for x in a.order_after if x in known)
        if not group or not order or set(order) != set(before):
            continue
        change = Change("restore_preference", a.site, device, a.app, group, hops, order, before)
        out.append(
            Proposal(
                change,
                0.0,
                "low",
                f"{a.app} at {a.site}: {a.order_before[0]} has met the SLA for "
                f"{limits.hold_down.total_seconds() / 60:.0f} min; restore the original "
                f"preference (undoes {a.action_id})",
                0,
            )
        )
    return out


def _limit(found: list[Proposal], s: Situation, limits: Limits) -> list[Proposal]:
    hour = s.at - timedelta(hours=1)
    recent = [a for a in s.actions if hour <= a.proposed_at <= s.at and a.state != "rejected"]
    per_site = Counter(a.site for a in recent)
    org = len(recent)
    sites = {a.site for a in recent}
    out: list[Proposal] = []
    for p in found:
        site = p.change.site
        held = None
        if per_site[site] >= limits.per_site_per_hour:
            held = f"rate limit: {limits.per_site_per_hour} changes per hour at {site}"
        elif org >= limits.per_org_per_hour:
            held = f"rate limit: {limits.per_org_per_hour} changes per hour in the org"
        elif site not in sites and len(sites) >= limits.max_sites_per_hour:
            held = f"blast radius: at most {limits.max_sites_per_hour} sites changed per hour"
        if held is None:
            per_site[site] += 1
            org += 1
            sites.add(site)
        out.append(Proposal(**{**p.__dict__, "held": held}))
    return out


__all__ = ["AppHealth", "Limits", "LinkHealth", "PastAction", "Proposal", "Situation", "plan"]
