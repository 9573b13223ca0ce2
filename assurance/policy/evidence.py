"""What the planner sees, read from the lake: Application Health, link health, past actions.

Owns the SQL (bound parameters only) that turns ``sle_minutes``, ``user_minutes``,
``sla_metrics`` (RPM probes per WAN link), ``interface_stats``, ``incidents`` and ``actions``
into a planner ``Situation`` at a moment, with the inventory naming gateways, links, next hops
and application SLAs. Also measures an application's bad share over a window (verification).
Must not: decide anything (``planner``) or write.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import duckdb

from assurance.config.inventory import Inventory
from assurance.errors import AssuranceError
from assurance.lake.catalog import connect
from assurance.policy import ledger
from assurance.policy.errors import PolicyError
from assurance.policy.model import Hop, Thresholds
from assurance.policy.planner import AppHealth, LinkHealth, PastAction, Situation
from assurance.policy.render import parse_set
from assurance.tables import REGISTRY

WINDOW = timedelta(minutes=10)
RECENT = timedelta(minutes=5)


def gateways(inventory: Inventory) -> dict[str, tuple[str, tuple[Hop, ...]]]:
    """Site → (its first gateway with WAN links, the links and their next hops in order)."""
    out: dict[str, tuple[str, tuple[Hop, ...]]] = {}
    for site in inventory.sites:
        for gw in site.gateways:
            if gw.wan and gw.role == "spoke":
                hops = tuple(
                    Hop(link.name, link.overlay.tunnel if link.overlay else link.interface)
                    for link in gw.wan
                )
                out[site.name] = (gw.name, hops)
                break
    return out


_TABLES = ("sle_minutes", "user_minutes", "sla_metrics", "interface_stats", "incidents")


def _connect(lake: str) -> duckdb.DuckDBPyConnection:
    try:
        return connect(lake, tables={name: REGISTRY[name] for name in _TABLES})
    except AssuranceError as exc:
        raise PolicyError(str(exc)) from None


def _app_health(
    con: duckdb.DuckDBPyConnection, a: datetime, b: datetime, groups: dict[str, str]
) -> list[AppHealth]:
    rows = con.execute(
        "SELECT site, application, wan_link, sum(total) AS total, sum(total - good) AS bad, "
        "sum(total) FILTER (WHERE minute >= $r) AS recent FROM sle_minutes "
        "WHERE sle = 'application_health' AND minute >= $a AND minute < $b "
        "AND application IS NOT NULL AND wan_link IS NOT NULL GROUP BY ALL",
        {"a": a, "b": b, "r": b - RECENT},
    ).fetchall()
    users = dict(
        ((s, app), int(n))
        for s, app, n in con.execute(
            "SELECT site, application, count(DISTINCT client_id) FROM user_minutes "
            "WHERE minute >= $a AND minute < $b AND application IS NOT NULL GROUP BY ALL",
            {"a": a, "b": b},
        ).fetchall()
    )
    # the current path: the link with most user-minutes lately, then over the whole window
    per_link: dict[tuple[str, str], list[tuple[float, int, str, int]]] = defaultdict(list)
    for site, app, link, total, bad, recent in rows:
        if app in groups:
            per_link[(site, app)].append((float(recent or 0), int(total), str(link), int(bad)))
    out = []
    for (site, app), options in sorted(per_link.items()):
        _, total, link, bad = max(options)
        out.append(AppHealth(site, app, groups[app], link, total, bad, users.get((site, app), 0)))
    return out


def _links(
    con: duckdb.DuckDBPyConnection, inventory: Inventory, a: datetime, b: datetime
) -> dict[tuple[str, str], LinkHealth]:
    by_if: dict[tuple[str, str], tuple[str, str, str, float, float]] = {}
    for s in inventory.sites:
        for gw in s.gateways:
            for wan in gw.wan:
                cap = wan.capacity_mbps
                for name in (wan.interface, wan.overlay.tunnel if wan.overlay else None):
                    if name:
                        by_if[(gw.name, name)] = (
                            s.name,
                            wan.name,
                            wan.type,
                            cap.down * 1e6,
                            cap.up * 1e6,
                        )
    probes = con.execute(
        "SELECT device, interface, avg(rtt_ms), avg(jitter_ms), avg(loss_pct) FROM sla_metrics "
        "WHERE source = 'rpm' AND event_time >= $a AND event_time < $b GROUP BY ALL",
        {"a": a, "b": b},
    ).fetchall()
    samples: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    for device, ifname, rtt, jitter, loss in con.execute(
        "SELECT device, interface, rtt_ms, jitter_ms, loss_pct FROM sla_metrics "
        "WHERE source = 'rpm' AND event_time >= $a AND event_time < $b AND rtt_ms IS NOT NULL "
        "ORDER BY event_time",
        {"a": a, "b": b},
    ).fetchall():
        samples[(device, ifname)].append((float(rtt), float(jitter or 0.0), float(loss or 0.0)))
    stats = con.execute(
        "SELECT device, if_name, arg_max(oper_status, event_time), avg(in_bps), avg(out_bps) "
        "FROM interface_stats WHERE event_time >= $a AND event_time < $b GROUP BY ALL",
        {"a": a, "b": b},
    ).fetchall()
    state: dict[tuple[str, str], tuple[bool, float | None]] = {}
    for device, ifname, status, in_bps, out_bps in stats:
        ref = by_if.get((device, ifname))
        if ref is None:
            continue
        util = None
        if in_bps is not None and out_bps is not None:
            util = max(float(in_bps) / ref[3], float(out_bps) / ref[4])
        state[(ref[0], ref[1])] = (status != "down", util)
    out: dict[tuple[str, str], LinkHealth] = {}
    for device, ifname, rtt, jitter, loss in probes:
        ref = by_if.get((device, ifname))
        if ref is None or rtt is None:
            continue
        up, util = state.get((ref[0], ref[1]), (True, None))
        out[(ref[0], ref[1])] = LinkHealth(
            ref[0],
            ref[1],
            float(rtt),
            float(jitter or 0.0),
            float(loss or 0.0),
            up,
            util,
            ref[2],
            tuple(samples.get((device, ifname), ())),
        )
    # a link that reported no probe in the window but is known down
    for (site, link), (up, util) in state.items():
        if (site, link) not in out and not up:
            out[(site, link)] = LinkHealth(site, link, 1e9, 1e9, 100.0, False, util)
    return out


def preferences(text: str) -> dict[str, int]:
    """Next hop → preference set by ``set … qualified-next-hop <hop> preference <n>`` lines."""
    out: dict[str, int] = {}
    for verb, tokens in parse_set(text):
        words = set(tokens)
        if verb == "set" and tokens[-2:-1] == ("preference",) and "qualified-next-hop" in words:
            out[tokens[tokens.index("qualified-next-hop") + 1]] = int(tokens[-1])
    return out


def past_actions(
    actions: list[ledger.Action], hops: dict[str, tuple[str, tuple[Hop, ...]]]
) -> list[PastAction]:
    out: list[PastAction] = []
    for a in actions:
        before: tuple[str, ...] = ()
        after: tuple[str, ...] = ()
        if a.kind == "steer_app" and a.site in hops:
            link_of = {h.next_hop: h.link for h in hops[a.site][1]}
            after_p = preferences(a.change_set)
            before_p = preferences(a.rollback_set)
            after = tuple(link_of[h] for h in sorted(after_p, key=after_p.__getitem__))
            before = tuple(link_of[h] for h in sorted(before_p, key=before_p.__getitem__))
        out.append(
            PastAction(
                a.action_id,
                a.site,
                a.app,
                a.kind,
                a.state,
                a.updated_at,
                a.proposed_at or a.updated_at,
                before,
                after,
            )
        )
    return out


def _incidents(
    con: duckdb.DuckDBPyConnection, at: datetime, window: timedelta
) -> dict[tuple[str, str], str]:
    """(site, application) → the incident behind it, for incidents (latest version) at a site
    that overlap the window; (site, "*") for those that hurt Application Health at all."""
    rows = con.execute(
        "WITH latest AS (SELECT incident_id, max(updated_at) AS u FROM incidents "
        "GROUP BY 1) SELECT i.incident_id, i.site, i.sle, i.evidence['applications'] "
        "FROM incidents i JOIN latest l ON i.incident_id = l.incident_id AND i.updated_at = l.u "
        "WHERE i.rank = 1 AND i.site IS NOT NULL AND i.started_at <= $at "
        "AND coalesce(i.ended_at, $at) >= $a ORDER BY i.started_at",
        {"at": at, "a": at - window},
    ).fetchall()
    out: dict[tuple[str, str], str] = {}
    for iid, site, sles, apps in rows:
        for app in (apps or "").split(","):
            if app:
                out[(site, app)] = iid
        if "application_health" in (sles or ""):
            out[(site, "*")] = iid
    return out


def situation(
    lake: str,
    inventory: Inventory,
    at: datetime,
    *,
    window: timedelta = WINDOW,
    hold_down: timedelta = timedelta(minutes=30),
    device_sla: dict[tuple[str, str], Thresholds] | None = None,
) -> Situation:
    """Everything the planner needs at ``at``, measured over ``window`` before it."""
    groups = {app.name: app.category for app in inventory.apps}
    sla = {
        app.name: Thresholds(app.sla.rtt_ms, app.sla.jitter_ms, app.sla.loss_pct)
        for app in inventory.apps
    }
    gw = gateways(inventory)
    con = _connect(lake)
    try:
        apps = _app_health(con, at - window, at, groups)
        links = _links(con, inventory, at - window, at)
        links_hold = _links(con, inventory, at - hold_down, at)
        incidents = _incidents(con, at, window)
    except duckdb.Error as exc:
        raise PolicyError(f"cannot read the lake: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    # actions proposed after ``at`` did not exist yet (replaying an earlier moment)
    known = [a for a in ledger.actions(lake) if (a.proposed_at or a.updated_at) <= at]
    acts = past_actions(known, gw)
    return Situation(
        at,
        tuple(apps),
        links,
        links_hold,
        sla,
        gw,
        tuple(acts),
        incidents,
        dict(device_sla or {}),
    )


def bad_share(lake: str, site: str, app: str, a: datetime, b: datetime) -> tuple[int, int]:
    """(bad, total) Application Health user-minutes of ``app`` at ``site`` in [a, b)."""
    con = _connect(lake)
    try:
        row = con.execute(
            "SELECT coalesce(sum(total - good), 0), coalesce(sum(total), 0) FROM sle_minutes "
            "WHERE sle = 'application_health' AND site = $s AND application = $app "
            "AND minute >= $a AND minute < $b",
            {"s": site, "app": app, "a": a, "b": b},
        ).fetchone()
    finally:
        con.close()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def bad_by_minute(lake: str, site: str, app: str, a: datetime, b: datetime) -> dict[datetime, int]:
    con = _connect(lake)
    try:
        rows = con.execute(
            "SELECT minute, sum(total - good) FROM sle_minutes WHERE sle = 'application_health' "
            "AND site = $s AND application = $app AND minute >= $a AND minute < $b GROUP BY 1",
            {"s": site, "app": app, "a": a, "b": b},
        ).fetchall()
    finally:
        con.close()
    out: dict[datetime, int] = defaultdict(int)
    for minute, bad in rows:
        out[minute] += int(bad)
    return dict(out)


__all__ = ["bad_share", "data_end", "gateways", "past_actions", "preferences", "situation"]


def data_end(lake: str) -> datetime | None:
    """The minute after the last Application Health minute (the "now" of a finished lake)."""
    con = _connect(lake)
    try:
        row = con.execute(
            "SELECT max(minute) FROM sle_minutes WHERE sle = 'application_health'"
        ).fetchone()
    finally:
        con.close()
    if row is None or row[0] is None:
        return None
    last: datetime = row[0]
    return last.astimezone(UTC) + timedelta(minutes=1)
