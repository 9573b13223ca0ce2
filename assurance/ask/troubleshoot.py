"""Answers to "why is X bad": a site, client, application, WAN link or ISP, AP, switch port,
gateway or switch. Each reads the SLEs of its scope and the incidents that explain them.

Owns one function per troubleshooting intent, each returning ``Parts`` (text lines, causes,
numbers, dashboard URL, API call). Reads through ``assurance.query`` and ``facts``. Must not
write to the lake or word an answer beyond the figures it read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assurance.ask import links
from assurance.ask.evidence import Ctx, causes, incidents, mentions_app, mentions_cause, target
from assurance.ask.facts import ClientQuery
from assurance.ask.understand import Understanding
from assurance.query import SleQuery
from assurance.query.apps import AppQuery
from assurance.query.links import LinkQuery, inventory_links
from assurance.query.wifi import WifiQuery
from assurance.sle.catalog import SLES

#: "Why is Wi-Fi bad at X" names no SLE but a family: its incidents come first.
_FAMILY_WORDS = {"wifi": "wireless", "wired": "wired", "lan": "wired", "wan": "wan"}


@dataclass
class Parts:
    lines: list[str]
    causes: list[dict[str, Any]] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    dashboard_url: str = ""
    api_call: str = ""


def pct(v: float | None) -> str:
    return "no data" if v is None else f"{v:.1f} %"


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def cause_lines(found: list[dict[str, Any]]) -> list[str]:
    out = []
    for c in found:
        out.append(
            f"{c['rank']}. {c['title']} — {c['root_cause']} ({c['confidence']:.0%} confidence; "
            f"{c['impacted_users']} users, {c['impacted_minutes']} bad user-minutes, "
            f"{c['status']}, {c['where']})"
        )
    if found:
        out.append(f"→ {found[0]['suggested_action']}")
    return out


def _overview(ctx: Ctx, scope: str, value: str | None, site: str | None) -> list[dict[str, Any]]:
    s = SleQuery.scope(scope, value, site=site, start=ctx.start, end=ctx.end)
    return ctx.q(SleQuery).overview(s)


def _worst_sle_lines(
    rows: list[dict[str, Any]], wanted: str | None
) -> tuple[list[str], dict[str, Any]]:
    rows = [r for r in rows if r["sle"] is not None]
    if wanted:
        rows = [r for r in rows if r["metric"] == wanted] or rows
    rows.sort(key=lambda r: r["sle"])
    numbers = {f"sle_pct.{r['metric']}": round(r["sle"], 2) for r in rows}
    lines = [
        f"{r['metric']}: {pct(r['sle'])} ({r['degraded_user_minutes']} of "
        f"{r['total_user_minutes']} user-minutes bad"
        + (f", mostly {r['top_classifier']})" if r["top_classifier"] else ")")
        for r in rows[:3]
    ]
    return lines, numbers


def _with_incidents(
    parts: Parts, found: list[dict[str, Any]], what: str, fallback: list[str]
) -> Parts:
    parts.causes = causes(found)
    parts.numbers["incidents"] = len(found)
    if parts.causes:
        n = len(found)
        parts.lines.append(
            f"Root causes ({n} incident{'s' if n != 1 else ''} {what}, worst first):"
        )
        parts.lines += cause_lines(parts.causes)
    else:
        parts.lines.append(f"No incident {what}.")
        parts.lines += fallback
    return parts


def site(ctx: Ctx, u: Understanding) -> Parts:
    name = _first(u.entities["site"])
    sle = u.entities.get("sle")
    lines, numbers = _worst_sle_lines(_overview(ctx, "site", name, None), sle)
    parts = Parts(
        [f"{name}: " + ("; ".join(lines) if lines else "no SLE data in range.")], numbers=numbers
    )
    parts.dashboard_url = links.dashboard("site", ctx.tr, site=name, sle=sle)
    parts.api_call = (
        links.api(f"sites/{name}/sle/{sle}/summary", ctx.tr)
        if sle
        else links.api(f"sites/{name}/sle", ctx.tr)
    )
    found = incidents(ctx, site=name)
    if sle:
        # the SLE asked about narrows the incidents (all of them when none touched it)
        key = sle.replace("-", "_")
        hit = [i for i in found if key in i["sles"].split(",")]
        if hit or not found:
            return _with_incidents(parts, hit, f"at {name} in {sle}", [])
        parts.lines.append(f"No incident at {name} in {sle}; the others there:")
    else:
        words = {t for t in (u.text or u.question.lower()).split()}
        family = next((f for w, f in _FAMILY_WORDS.items() if w in words), None)
        keys = {x.name for x in SLES if x.family == family}
        hit = [i for i in found if keys & set(i["sles"].split(","))]
        if hit:
            label = {"wireless": "Wi-Fi", "wired": "the wired LAN", "wan": "the WAN"}[family or ""]
            return _with_incidents(parts, hit, f"at {name} on {label}", [])
    return _with_incidents(parts, found, f"at {name}", [])


def device(ctx: Ctx, u: Understanding) -> Parts:
    kind = "gateway" if "gateway" in u.entities else "switch"
    name = _first(u.entities[kind])
    entry = ctx.vocab.find(kind, name)
    where = entry.site if entry else None
    sle = u.entities.get("sle") or ("gateway-health" if kind == "gateway" else "switch-health")
    s = SleQuery.scope(kind, name, start=ctx.start, end=ctx.end)
    summary = ctx.q(SleQuery).summary(sle, s)
    top = max(summary["classifiers"], key=lambda c: c["degraded_user_minutes"], default=None)
    parts = Parts(
        [
            f"{name} ({kind} at {where}): {sle} {pct(summary['sle'])} over "
            f"{summary['total_user_minutes']} user-minutes"
            + (f", mostly {top['name']}" if top and top["degraded_user_minutes"] else "")
            + "."
        ],
        numbers={
            f"sle_pct.{sle}": summary["sle"],
            "degraded_user_minutes": summary["degraded_user_minutes"],
        },
    )
    parts.dashboard_url = links.dashboard("site", ctx.tr, site=where, sle=sle)
    plural = "gateways" if kind == "gateway" else "switches"
    parts.api_call = links.api(f"sites/{where}/sle/{sle}/impacted/{plural}", ctx.tr)
    found = incidents(ctx, site=where) if where else []
    return _with_incidents(parts, found, f"at {where}", [])


def app(ctx: Ctx, u: Understanding) -> Parts:
    name = _first(u.entities["app"])
    where = _first(u.entities.get("site"))
    sites = [where] if where else ctx.sites
    rows = [r for r in ctx.q(AppQuery).apps(sites, ctx.start, ctx.end) if r["application"] == name]
    numbers: dict[str, Any] = {}
    if rows:
        r = rows[0]
        numbers = {
            "sle_pct.application-health": r["sle_pct"],
            "users": r["users"],
            "rtt_ms": r["rtt_ms"],
            "rtt_p95_ms": r["rtt_p95_ms"],
            "degraded_user_minutes": r["degraded_user_minutes"],
        }
        head = (
            f"{name}{' at ' + where if where else ''}: application health "
            f"{pct(r['sle_pct'])}, {r['users']} users, RTT {r['rtt_ms'] or 0:.0f} ms mean / "
            f"{r['rtt_p95_ms'] or 0:.0f} ms p95, {r['degraded_user_minutes']} bad "
            f"user-minutes"
            + (f", mostly {r['top_classifier']}" if r["top_classifier"] else "")
            + "."
        )
    else:
        head = f"{name}: no traffic seen{' at ' + where if where else ''} in range."
    parts = Parts([head], numbers=numbers)
    parts.dashboard_url = links.dashboard("apps", ctx.tr, app=name, site=where)
    parts.api_call = (
        links.api(f"sites/{where}/sle/application-health/impacted/applications", ctx.tr)
        if where
        else links.api("incidents", ctx.tr)
    )
    found = incidents(ctx, site=where, match=mentions_app(name))
    # incidents caused by the application itself first, then those it suffered from
    found.sort(key=lambda i: not any(target(c) == f"app:{name}" for c in i["causes"]))
    return _with_incidents(parts, found, f"touching {name}", [])


def link(ctx: Ctx, u: Understanding) -> Parts:
    refs = inventory_links(ctx.vocab.inventory) if ctx.vocab.inventory is not None else []
    value = _first(u.entities.get("link"))
    isp = _first(u.entities.get("isp"))
    where = _first(u.entities.get("site"))
    if value:
        where, name = value.split("/", 1)
        chosen = [r for r in refs if r.site == where and r.name == name]
    else:
        chosen = [
            r for r in refs if (isp is None or r.isp == isp) and (where is None or r.site == where)
        ]
        if u.entities.get("link_name"):
            chosen = [r for r in chosen if r.name == _first(u.entities["link_name"])]
    if ctx.scope is not None:
        chosen = [r for r in chosen if ctx.scope.sees(r.site)]
    sites = sorted({r.site for r in chosen}) or ([where] if where else ctx.sites)
    rows = ctx.q(LinkQuery).links(sites, ctx.start, ctx.end, chosen)
    lines = []
    numbers: dict[str, Any] = {}
    for r in rows[:6]:
        key = f"{r['site']}/{r['link']}"
        lines.append(
            f"{key} ({r['isp']}, {r['type']}): loss {r['loss_pct'] or 0:.2f} % mean / "
            f"{r['loss_max_pct'] or 0:.1f} % max, latency {r['latency_ms'] or 0:.0f} ms, jitter "
            f"{r['jitter_ms'] or 0:.1f} ms, down {r['down_minutes']} min, peak use "
            f"{r['peak_util_pct'] or 0:.0f} %"
        )
        numbers[key] = {
            k: r[k]
            for k in (
                "loss_pct",
                "loss_max_pct",
                "latency_ms",
                "jitter_ms",
                "down_minutes",
                "peak_util_pct",
            )
        }
    label = value or (isp if isp else "the links") + (f" at {where}" if where else "")
    head = [] if len(lines) == 1 else [f"{label}:"]
    parts = Parts(head + (lines or ["no probe or interface data in range."]), numbers=numbers)
    if value:
        parts.dashboard_url = links.dashboard("wan", ctx.tr, site=where, link=value.split("/")[1])
        parts.api_call = links.api(f"sites/{where}/wan_links", ctx.tr)
    else:
        parts.dashboard_url = links.dashboard("wan", ctx.tr, site=where, isp=isp)
        parts.api_call = (
            links.api(f"sites/{where}/wan_links", ctx.tr)
            if where
            else links.api("wan_links", ctx.tr, isp=isp)
        )
    prefixes = tuple(f"link:{r.site}/{r.name}" for r in chosen) + ((f"isp:{isp}",) if isp else ())
    found = incidents(ctx, site=where, match=mentions_cause(*prefixes)) if prefixes else []
    return _with_incidents(parts, found, f"on {label}", [])


def ap(ctx: Ctx, u: Understanding) -> Parts:
    name = _first(u.entities["ap"])
    entry = ctx.vocab.find("ap", name)
    where = entry.site if entry else _first(u.entities.get("site"))
    rows = [
        r
        for r in ctx.q(WifiQuery).aps([where] if where else ctx.sites, ctx.start, ctx.end)
        if r["ap"] == name
    ]
    if rows:
        r = rows[0]
        head = (
            f"{name} at {where}: coverage {pct(r['coverage_pct'])}, throughput "
            f"{pct(r['throughput_pct'])}, capacity {pct(r['capacity_pct'])}, {r['clients']} "
            f"clients, RSSI {r['rssi_dbm'] or 0:.0f} dBm mean / {r['rssi_p10_dbm'] or 0:.0f} "
            f"dBm p10, {r['failures']} failed connection steps."
        )
        numbers = {
            k: r[k]
            for k in (
                "coverage_pct",
                "throughput_pct",
                "capacity_pct",
                "clients",
                "rssi_dbm",
                "rssi_p10_dbm",
                "failures",
            )
        }
    else:
        head, numbers = f"{name}: no clients seen in range.", {}
    parts = Parts([head], numbers=numbers)
    parts.dashboard_url = links.dashboard("wifi-lan", ctx.tr, site=where)
    parts.api_call = links.api(f"sites/{where}/sle/coverage/impacted/aps", ctx.tr)
    found = incidents(ctx, site=where, match=mentions_cause(f"ap:{where}/{name}"))
    return _with_incidents(parts, found, f"on {name}", [])


def port(ctx: Ctx, u: Understanding) -> Parts:
    value = _first(u.entities["port"])
    switch, pname = value.split("/", 1)
    entry = ctx.vocab.find("port", value)
    where = entry.site if entry else None
    rows = [
        r
        for r in ctx.q(WifiQuery).switch_ports([where] if where else ctx.sites, ctx.start, ctx.end)
        if r["switch"] == switch and str(r["switch_port"]).split(".")[0] == pname
    ]
    if rows:
        r = rows[0]
        head = (
            f"{value} at {where}: wired throughput {pct(r['throughput_pct'])}, switch health "
            f"{pct(r['switch_health_pct'])}, {r['users']} users, errors {r['errors'] or 0}, "
            f"discards {r['discards'] or 0}."
        )
        numbers = {
            k: r[k] for k in ("throughput_pct", "switch_health_pct", "users", "errors", "discards")
        }
    else:
        head, numbers = f"{value}: no users seen on this port in range.", {}
    parts = Parts([head], numbers=numbers)
    parts.dashboard_url = links.dashboard("wifi-lan", ctx.tr, site=where)
    parts.api_call = links.api(f"sites/{where}/sle/wired-throughput/impacted/switch_ports", ctx.tr)
    found = incidents(
        ctx,
        site=where,
        match=mentions_cause(f"port:{where}/{switch}/{pname}", f"port:{switch}/{pname}"),
    )
    return _with_incidents(parts, found, f"on {value}", [])


def client(ctx: Ctx, u: Understanding) -> Parts:
    cid = _first(u.entities["client"])
    entry = ctx.vocab.find("client", cid)
    where = entry.site if entry else None
    rows = ctx.q(ClientQuery).client_sles(cid, ctx.start, ctx.end)
    wanted = u.entities.get("sle")
    bad = sorted(rows, key=lambda r: r["sle_pct"])
    if wanted:
        bad = [r for r in bad if r["sle"] == wanted] or bad
    label = entry.label if entry else cid
    lines = [
        f"{r['sle']}: {pct(r['sle_pct'])} ({r['degraded_user_minutes']} of "
        f"{r['total_user_minutes']} minutes bad"
        + (f", mostly {r['top_classifier']})" if r["top_classifier"] else ")")
        for r in bad[:3]
    ]
    parts = Parts(
        [f"{label}: " + ("; ".join(lines) if lines else "no minutes in range.")],
        numbers={f"sle_pct.{r['sle']}": round(r["sle_pct"], 2) for r in rows},
    )
    parts.dashboard_url = links.dashboard("site", ctx.tr, site=where, sle=wanted)
    parts.api_call = links.api(
        f"sites/{where}/sle/{wanted or 'application-health'}/impacted/users", ctx.tr
    )
    # the incidents at the client's site whose SLEs the client had bad minutes in
    hurt = {r["sle"].replace("-", "_") for r in rows if r["degraded_user_minutes"]}
    found = (
        incidents(ctx, site=where, match=lambda i: bool(hurt & set(i["sles"].split(","))))
        if where and hurt
        else []
    )
    return _with_incidents(parts, found, f"at {where} hurting this client", [])
