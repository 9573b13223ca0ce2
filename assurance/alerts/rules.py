"""Rule evaluation: read the lake through its declared tables and say which alerts fire now.

One function per rule kind, each a parameterized DuckDB query over the catalog's views followed
by per-site overrides: ``sle_below`` (``sle_minutes``: good/total over the last ``for`` below the
threshold, per site or per scope value, or org-wide); ``incident`` (an incident whose latest
version is open, or whose last impacted minute is not over at the evaluation time, so a batch
analysis that wrote only the resolved version still replays as opened then resolved);
``anomaly`` (series with ``is_anomaly`` rows in ``anomalies`` in the last ``for``); ``action``
(actions whose latest state is one of ``states``); ``link_down`` (last interface state from
``device_events`` and ``interface_stats`` is down and has been for ``for``; one alert per WAN
link, labelled with its ISP, when an inventory names the links); ``device_down`` (a device seen
in the last ``lookback`` has sent nothing for ``for``) and ``collector_health`` (at least
``max_rejects`` undecodable inputs per source and exporter in the last ``for``). Empty tables
give no alerts. Must not: write anything or decide notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from assurance.alerts.config import AlertsConfig, Rule
from assurance.alerts.links import dashboard_link
from assurance.alerts.model import ALERTNAME, Alert, Severity
from assurance.config import Inventory
from assurance.sle.catalog import BY_NAME

#: Raw tables whose rows show that a device is alive.
LIVENESS_TABLES = ("device_health", "interface_stats", "syslog_events", "telemetry", "sla_metrics")


@dataclass(frozen=True)
class Context:
    at: datetime
    config: AlertsConfig
    inventory: Inventory | None = None


@dataclass(frozen=True)
class Effective:
    enabled: bool
    severity: Severity
    threshold: float | None
    for_s: float


def effective(config: AlertsConfig, rule: Rule, site: str | None) -> Effective:
    """The rule's settings at ``site`` after every matching override, in file order."""
    eff = Effective(rule.enabled, rule.severity, rule.threshold, rule.for_)
    for o in config.overrides:
        if o.applies(rule.name, site):
            eff = Effective(
                o.enabled if o.enabled is not None else eff.enabled,
                o.severity or eff.severity,
                o.threshold if o.threshold is not None else eff.threshold,
                o.for_ if o.for_ is not None else eff.for_s,
            )
    return eff


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    return con.execute(sql, params).fetchall()


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _labels(rule: Rule, **values: str | None) -> dict[str, str]:
    out = {ALERTNAME: rule.name, **rule.labels}
    out.update({k: v for k, v in values.items() if v})
    return out


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min"


# -- sle_below ----------------------------------------------------------------------------------


def sle_below(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    sle = BY_NAME[rule.sle_name or ""]
    scope = rule.scope_column
    org = rule.scope.replace("-", "_") == "org"
    end = ctx.at.replace(second=0, microsecond=0)
    windows = {rule.for_} | {o.for_ for o in ctx.config.overrides if o.for_ is not None}
    site_expr = "NULL" if org else "site"
    scope_expr = scope if scope else "NULL"
    sql = (
        f"SELECT {site_expr} AS site, {scope_expr} AS scope_value, "  # noqa: S608
        "sum(total)::BIGINT, sum(good)::BIGINT FROM sle_minutes "
        "WHERE sle = $sle AND minute >= $start AND minute < $end"
        " AND date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)"
        + (f" AND {scope} IS NOT NULL" if scope else "")
        + " GROUP BY ALL"
    )
    by_window: dict[float, list[tuple[Any, ...]]] = {
        w: _rows(con, sql, {"sle": sle.name, "start": end - timedelta(seconds=w), "end": end})
        for w in windows
    }
    links = _site_links(ctx.inventory)
    alerts = []
    for site, scope_value, total, good in by_window[rule.for_]:
        eff = effective(ctx.config, rule, site)
        if not eff.enabled or eff.threshold is None:
            continue
        if eff.for_s != rule.for_:
            match = [r for r in by_window[eff.for_s] if r[0] == site and r[1] == scope_value]
            if not match:
                continue
            _, _, total, good = match[0]
        if total is None or total < rule.min_user_minutes:
            continue
        pct = 100.0 * good / total
        if pct >= eff.threshold:
            continue
        start = end - timedelta(seconds=eff.for_s)
        where = (site or "org") + (f" {scope}={scope_value}" if scope else "")
        extra = {scope: str(scope_value)} if scope else {}
        if scope == "wan_link":  # the link's ISP, so an ISP outage can group across sites
            extra.update(links.get((site, str(scope_value)), {}))
        alerts.append(
            Alert(
                labels=_labels(rule, site=site, sle=sle.name, **extra),
                severity=eff.severity,
                summary=(
                    f"{sle.key} SLE {pct:.1f}% below {eff.threshold:g}% at {where} "
                    f"over {_minutes(eff.for_s)}"
                ),
                starts_at=start,
                annotations={
                    "value_pct": f"{pct:.2f}",
                    "threshold_pct": f"{eff.threshold:g}",
                    "user_minutes": str(total),
                    "degraded_user_minutes": str(total - good),
                },
                link=dashboard_link(
                    ctx.config.dashboard_url, site=site, sle=sle.name, start=start, end=end
                ),
            )
        )
    return alerts


# -- incidents and actions ----------------------------------------------------------------------


def incident(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    rows = _rows(
        con,
        "SELECT incident_id, site, started_at, sle, root_cause, confidence, impacted_users, "
        "suggested_action FROM (SELECT *, row_number() OVER (PARTITION BY incident_id "
        "ORDER BY updated_at DESC, rank) AS rn FROM incidents "
        "WHERE updated_at >= $since AND date >= CAST($since AS DATE)) "
        "WHERE rn = 1 AND started_at <= $at AND coalesce(confidence, 1) >= $conf "
        "AND (status = 'open' OR ended_at + INTERVAL 1 MINUTE > $at) "
        "ORDER BY started_at, incident_id",
        {
            "at": ctx.at,
            "since": ctx.at - timedelta(seconds=rule.lookback),
            "conf": rule.min_confidence,
        },
    )
    alerts = []
    for iid, site, started, sle, cause, conf, users, action in rows:
        eff = effective(ctx.config, rule, site)
        if not eff.enabled:
            continue
        notes = {"root_cause": cause, "sle": sle or "", "suggested_action": action or ""}
        if conf is not None:
            notes["confidence"] = f"{conf:.2f}"
        if users is not None:
            notes["impacted_users"] = str(users)
        alerts.append(
            Alert(
                labels=_labels(rule, site=site, incident_id=iid),
                severity=eff.severity,
                summary=f"Incident at {site or 'org'}: {cause}",
                starts_at=_utc(started),
                annotations={k: v for k, v in notes.items() if v},
                link=dashboard_link(
                    ctx.config.dashboard_url, site=site, sle=sle, start=_utc(started), end=ctx.at
                ),
            )
        )
    return alerts


def action(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    rows = _rows(
        con,
        "SELECT action_id, site, state, kind, device, incident_id, predicted_benefit, risk, note, "
        "updated_at FROM (SELECT *, row_number() OVER (PARTITION BY action_id "
        "ORDER BY updated_at DESC) AS rn FROM actions WHERE updated_at <= $at "
        "AND updated_at >= $since"
        " AND date BETWEEN CAST($since AS DATE) AND CAST($at AS DATE))"
        " WHERE rn = 1 AND list_contains($states, state) "
        "ORDER BY updated_at, action_id",
        {
            "at": ctx.at,
            "since": ctx.at - timedelta(seconds=rule.lookback),
            "states": list(rule.states),
        },
    )
    alerts = []
    for aid, site, state, kind, device, iid, benefit, risk, note, updated in rows:
        eff = effective(ctx.config, rule, site)
        if not eff.enabled:
            continue
        notes = {
            "kind": kind,
            "device": device or "",
            "incident_id": iid or "",
            "risk": risk or "",
            "note": note or "",
            "predicted_benefit_pp": "" if benefit is None else f"{benefit:.1f}",
        }
        alerts.append(
            Alert(
                labels=_labels(rule, site=site, action_id=aid, state=state),
                severity=eff.severity,
                summary=f"Action {kind} at {site} is {state}",
                starts_at=_utc(updated),
                annotations={k: v for k, v in notes.items() if v},
                link=dashboard_link(ctx.config.dashboard_url, site=site, end=ctx.at),
            )
        )
    return alerts


def anomaly(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    """Series flagged anomalous in the last ``for``; resolved once a window passes without."""
    rows = _rows(
        con,
        "SELECT site, scope, metric, max(score), arg_max(value, event_time),"
        " arg_max(expected, event_time), min(event_time), arg_max(detector, score)"
        " FROM anomalies WHERE is_anomaly AND score >= $min AND event_time > $since"
        ""
        " AND date BETWEEN CAST($since AS DATE) AND CAST($at AS DATE)"
        " AND event_time <= $at GROUP BY site, scope, metric ORDER BY 1, 2, 3",
        {"at": ctx.at, "since": ctx.at - timedelta(seconds=rule.for_), "min": rule.min_score},
    )
    alerts = []
    for site, scope, metric, score, value, expected, first, detector in rows:
        eff = effective(ctx.config, rule, site)
        if not eff.enabled:
            continue
        notes = {"score": f"{score:.3f}", "detector": detector}
        if value is not None:
            notes["value"] = f"{value:.4g}"
        if expected is not None:
            notes["expected"] = f"{expected:.4g}"
        seen = (
            f" (value {value:.3g}, expected {expected:.3g})"
            if None not in (value, expected)
            else ""
        )
        alerts.append(
            Alert(
                labels=_labels(rule, site=site, scope=scope, metric=metric),
                severity=eff.severity,
                summary=f"Anomaly in {metric} of {scope} at {site or 'org'}{seen}",
                starts_at=_utc(first),
                annotations=notes,
                link=dashboard_link(
                    ctx.config.dashboard_url, site=site, start=_utc(first), end=ctx.at
                ),
            )
        )
    return alerts


# -- links and devices --------------------------------------------------------------------------


def _parent(name: str) -> str:
    return name.split(".", 1)[0]


def _wan_links(inventory: Inventory | None) -> dict[tuple[str, str], dict[str, str]]:
    """(gateway, interface or its parent) -> labels of the WAN link."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    if inventory is None:
        return found
    for site in inventory.sites:
        for gw in site.gateways:
            for link in gw.wan:
                labels = {
                    "wan_link": link.name,
                    "isp": link.isp,
                    "link_type": link.type,
                    "interface": link.interface,
                }
                found[(gw.name, link.interface)] = labels
                found.setdefault((gw.name, _parent(link.interface)), labels)
    return found


def _site_links(inventory: Inventory | None) -> dict[tuple[str, str], dict[str, str]]:
    """(site, WAN link name) -> its ISP and type, as ``sle_minutes.wan_link`` names links."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for site in inventory.sites if inventory is not None else ():
        for gw in site.gateways:
            for link in gw.wan:
                found.setdefault((site.name, link.name), {"isp": link.isp, "link_type": link.type})
    return found


def link_down(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    rows = _rows(
        con,
        "WITH ev AS ("
        " SELECT coalesce(site, '') AS site, coalesce(device, exporter) AS device,"
        " interface AS if_name, state, event_time FROM device_events"
        " WHERE category = 'interface' AND interface IS NOT NULL AND state IN ('up', 'down')"
        " AND event_time >= $since AND event_time <= $at"
        " AND date BETWEEN CAST($since AS DATE) AND CAST($at AS DATE)"
        " UNION ALL"
        " SELECT coalesce(site, ''), coalesce(device, exporter), if_name, oper_status, event_time"
        " FROM interface_stats WHERE oper_status IN ('up', 'down')"
        " AND event_time >= $since AND event_time <= $at"
        " AND date BETWEEN CAST($since AS DATE) AND CAST($at AS DATE)),"
        " g AS (SELECT site, device, if_name, arg_max(state, event_time) AS state,"
        " max(event_time) FILTER (WHERE state = 'up') AS last_up FROM ev GROUP BY ALL)"
        " SELECT g.site, g.device, g.if_name, min(ev.event_time) AS down_since FROM g JOIN ev"
        " ON ev.site = g.site AND ev.device = g.device AND ev.if_name = g.if_name"
        " WHERE g.state = 'down' AND ev.state = 'down'"
        " AND (g.last_up IS NULL OR ev.event_time > g.last_up)"
        " GROUP BY ALL ORDER BY 1, 2, 3",
        {"at": ctx.at, "since": ctx.at - timedelta(seconds=rule.lookback)},
    )
    wan = _wan_links(ctx.inventory)
    # one alert per WAN link (its physical and logical interfaces report separately), else per
    # interface; down since the earliest report
    merged: dict[tuple[str | None, str, str], tuple[datetime, dict[str, str]]] = {}
    for site, device, if_name, since in rows:
        link = wan.get((device, if_name)) or wan.get((device, _parent(if_name)))
        if rule.wan_only and wan and link is None:
            continue
        key = (site or None, device, link["wan_link"] if link else if_name)
        labels = {**link, "interface": link["interface"]} if link else {"interface": if_name}
        down_since = _utc(since)
        if key not in merged or down_since < merged[key][0]:
            merged[key] = (down_since, labels)
    alerts = []
    for (site, device, _), (down_since, extra) in sorted(merged.items(), key=lambda kv: kv[0][1:]):
        eff = effective(ctx.config, rule, site)
        if not eff.enabled or (ctx.at - down_since).total_seconds() < eff.for_s:
            continue
        what = (
            f"WAN link {extra['wan_link']} ({extra['isp']})"
            if "wan_link" in extra
            else f"interface {extra['interface']}"
        )
        alerts.append(
            Alert(
                labels=_labels(rule, site=site, device=device, **extra),
                severity=eff.severity,
                summary=f"{what} on {device} at {site or 'unknown site'} is down",
                starts_at=down_since,
                annotations={"down_since": down_since.strftime("%Y-%m-%dT%H:%M:%SZ")},
                link=dashboard_link(
                    ctx.config.dashboard_url,
                    site=site,
                    sle="wan_link_health",
                    start=down_since,
                    end=ctx.at,
                ),
            )
        )
    return alerts


def device_down(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    union = " UNION ALL ".join(
        f"SELECT site, device, event_time FROM {t} WHERE device IS NOT NULL "  # noqa: S608
        "AND event_time >= $since AND event_time <= $at"
        " AND date BETWEEN CAST($since AS DATE) AND CAST($at AS DATE)"
        for t in LIVENESS_TABLES
    )
    rows = _rows(
        con,
        f"SELECT site, device, max(event_time) FROM ({union}) GROUP BY ALL ORDER BY 1, 2",  # noqa: S608
        {"at": ctx.at, "since": ctx.at - timedelta(seconds=rule.lookback)},
    )
    alerts = []
    for site, device, last in rows:
        eff = effective(ctx.config, rule, site)
        last_seen = _utc(last)
        if not eff.enabled or (ctx.at - last_seen).total_seconds() < eff.for_s:
            continue
        alerts.append(
            Alert(
                labels=_labels(rule, site=site, device=device),
                severity=eff.severity,
                summary=f"{device} at {site or 'unknown site'} has sent nothing since "
                f"{last_seen:%Y-%m-%d %H:%M} UTC",
                starts_at=last_seen,
                annotations={"last_seen": last_seen.strftime("%Y-%m-%dT%H:%M:%SZ")},
                link=dashboard_link(
                    ctx.config.dashboard_url,
                    site=site,
                    sle="gateway_health",
                    start=last_seen,
                    end=ctx.at,
                ),
            )
        )
    return alerts


def collector_health(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    rows = _rows(
        con,
        "SELECT source, exporter, any_value(site), count(*)::BIGINT, arg_max(error, event_time),"
        " arg_max(reason, event_time) FROM rejects WHERE event_time > $since"
        " AND date BETWEEN CAST($since AS DATE) AND CAST($at AS DATE)"
        " AND event_time <= $at GROUP BY source, exporter ORDER BY 1, 2",
        {"at": ctx.at, "since": ctx.at - timedelta(seconds=rule.for_)},
    )
    alerts = []
    for source, exporter, site, count, error, reason in rows:
        eff = effective(ctx.config, rule, site)
        if not eff.enabled or count < rule.max_rejects:
            continue
        alerts.append(
            Alert(
                labels=_labels(rule, site=site, source=source, exporter=exporter),
                severity=eff.severity,
                summary=(
                    f"{count} undecodable {source} input(s) from {exporter} in the last "
                    f"{_minutes(eff.for_s)} (latest: {error}: {reason})"
                ),
                starts_at=ctx.at - timedelta(seconds=rule.for_),
                annotations={"rejects": str(count), "error": error, "reason": reason[:500]},
                link=dashboard_link(ctx.config.dashboard_url, site=site, end=ctx.at),
            )
        )
    return alerts


EVALUATORS: dict[str, Callable[[duckdb.DuckDBPyConnection, Rule, Context], list[Alert]]] = {
    "sle_below": sle_below,
    "incident": incident,
    "anomaly": anomaly,
    "action": action,
    "link_down": link_down,
    "device_down": device_down,
    "collector_health": collector_health,
}


def evaluate(con: duckdb.DuckDBPyConnection, rule: Rule, ctx: Context) -> list[Alert]:
    """The alerts ``rule`` fires at ``ctx.at`` (raises ``duckdb.Error`` on a broken lake)."""
    return EVALUATORS[rule.kind](con, rule, ctx)
