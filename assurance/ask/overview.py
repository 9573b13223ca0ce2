"""Answers over many things at once: worst sites or apps for an SLE, ISPs or links compared,
what changed or broke in a range, open incidents, path-policy actions, and what a classifier
means (with how many bad minutes it explains).

Owns one function per such intent, each returning ``troubleshoot.Parts``. Reads through
``assurance.query``. Must not write to the lake.
"""

from __future__ import annotations

from typing import Any

from assurance.ask import links
from assurance.ask.evidence import Ctx, causes, incidents, target
from assurance.ask.troubleshoot import Parts, cause_lines, pct
from assurance.ask.understand import Understanding
from assurance.query import SleQuery
from assurance.query.actions import ActionQuery
from assurance.query.apps import AppQuery
from assurance.query.links import LinkQuery, inventory_links
from assurance.query.org import OrgQuery

#: What each classifier means, in a sentence (the signal behind it is in assurance/sle/SIGNALS.md).
MEANING: dict[str, str] = {
    "disconnected": "the device stopped sending telemetry while others kept reporting",
    "power": "a power supply reported down, failed or absent",
    "temperature": "a component ran hotter than the threshold",
    "cpu": "CPU above the threshold (control or data plane)",
    "memory": "memory use above the threshold",
    "session-table": "the flow session table is nearly full",
    "interface": "the WAN port was down, had cable errors or dropped packets in its queue",
    "isp-reachability": "probes over the link got no answer at all (ISP unreachable)",
    "network": "lasting loss, latency or jitter on the link, or its overlay tunnel down",
    "bandwidth": "the user's link was near its capacity",
    "loss": "packet loss above the application's SLA",
    "latency": "round-trip time above the application's SLA",
    "jitter": "jitter above the application's SLA",
    "application-services": "the server did not answer or reset the sessions",
    "queue-drops": "the link's egress queue dropped packets",
    "headroom": "link utilisation above the headroom threshold",
    "port-errors": "CRC or other errors on the client's switch port",
    "speed-mismatch": "the port negotiated a speed below the minimum",
    "congestion": "the port's traffic was near its speed or it discarded packets",
    "authorization": "802.1X / authentication failed",
    "dhcp": "the client got no address from DHCP",
    "dns": "name resolution failed",
    "uplink": "the switch's uplink port was down or had errors",
    "poe": "a PoE fault on the port",
    "association": "the client could not associate with the AP",
    "ip-services": "DNS took too long during the connection",
    "weak-signal": "the client's signal (RSSI) was below the coverage threshold",
    "failed-roam": "a roam between APs failed",
    "slow-11r-roam": "an 802.11r fast roam took longer than the threshold",
    "slow-okc-roam": "an OKC fast roam took longer than the threshold",
    "slow-standard-roam": "a full roam took longer than the threshold",
    "coverage": "throughput was low because the signal was weak",
    "interference": "throughput was low because of interference on the channel",
    "capacity": "throughput was low because the channel was busy",
    "device-capability": (
        "throughput was low because of the client's own radio (2.4 GHz, low rates)"
    ),
    "network-issues": "throughput was low with a good radio: look upstream",
    "non-wifi-interference": "the channel was busy with non-Wi-Fi energy",
    "wifi-interference": "the channel was busy with other networks' Wi-Fi",
    "ap-load": "the AP's own clients kept the channel busy",
    "ap-disconnected": "the AP's switch port or LLDP went down",
    "ap-reboot": "the AP rebooted or its port flapped",
    "low-power": "the AP's PoE budget was faulted",
    "ethernet-errors": "errors on the AP's switch port",
}


def worst_sites(ctx: Ctx, u: Understanding) -> Parts:
    sle = u.entities.get("sle")
    if sle:
        s = SleQuery.scope(start=ctx.start, end=ctx.end)
        rows = ctx.q(SleQuery).impacted(sle, "sites", s, limit=1000)
        if ctx.scope is not None:
            rows = [r for r in rows if ctx.scope.sees(r["name"])]
        ranked = sorted(
            (
                {
                    "site": r["name"],
                    "sle_pct": 100.0
                    * (r["total_user_minutes"] - r["degraded_user_minutes"])
                    / r["total_user_minutes"],
                    "degraded_user_minutes": r["degraded_user_minutes"],
                }
                for r in rows
                if r["total_user_minutes"]
            ),
            key=lambda r: (r["sle_pct"], r["site"]),
        )
        lines = [
            f"{i}. {r['site']}: {sle} {pct(r['sle_pct'])} ({r['degraded_user_minutes']} bad "
            f"user-minutes)"
            for i, r in enumerate(ranked[:5], 1)
        ]
        api = links.api("org/sle/sites", ctx.tr)
    else:
        scores = ctx.q(OrgQuery).site_scores(ctx.sites, ctx.start, ctx.end)
        ranked = [
            {
                "site": r["site"],
                "sle_pct": r["worst_sle_pct"],
                "worst_sle": r["worst_sle"],
                "degraded_user_minutes": r["degraded_user_minutes"],
            }
            for r in scores
        ]
        lines = [
            f"{i}. {r['site']}: worst SLE {r['worst_sle']} {pct(r['sle_pct'])} "
            f"({r['degraded_user_minutes']} bad user-minutes over all SLEs)"
            for i, r in enumerate(ranked[:5], 1)
        ]
        api = links.api("org/sle/sites", ctx.tr)
    parts = Parts(
        [f"Worst sites{' for ' + sle if sle else ''}:"] + (lines or ["no SLE data."]),
        numbers={"sites": ranked[:10]},
    )
    parts.dashboard_url = links.dashboard("overview", ctx.tr, sle=sle)
    parts.api_call = api
    if ranked:
        found = incidents(ctx, site=ranked[0]["site"])
        parts.causes = causes(found)
        if parts.causes:
            parts.lines.append(f"At {ranked[0]['site']}:")
            parts.lines += cause_lines(parts.causes[:3])
    return parts


def worst_apps(ctx: Ctx, u: Understanding) -> Parts:
    sle = u.entities.get("sle") or "application-health"
    where = u.entities.get("site")
    sites = [where] if isinstance(where, str) else where or ctx.sites
    if sle == "application-health":
        rows = [
            r for r in ctx.q(AppQuery).apps(sites, ctx.start, ctx.end) if r["sle_pct"] is not None
        ]
        ranked = [
            {
                "app": r["application"],
                "sle_pct": r["sle_pct"],
                "users": r["users"],
                "degraded_user_minutes": r["degraded_user_minutes"],
                "top_classifier": r["top_classifier"],
            }
            for r in rows
        ]
    else:
        s = SleQuery.scope(
            site=where if isinstance(where, str) else None, start=ctx.start, end=ctx.end
        )
        rows = ctx.q(SleQuery).impacted(sle, "applications", s, limit=1000)
        ranked = sorted(
            (
                {
                    "app": r["name"],
                    "sle_pct": 100.0
                    * (r["total_user_minutes"] - r["degraded_user_minutes"])
                    / r["total_user_minutes"],
                    "degraded_user_minutes": r["degraded_user_minutes"],
                }
                for r in rows
                if r["total_user_minutes"]
            ),
            key=lambda r: (r["sle_pct"], r["app"]),
        )
    lines = [
        f"{i}. {r['app']}: {sle} {pct(r['sle_pct'])} ({r['degraded_user_minutes']} bad "
        f"user-minutes" + (f", mostly {r['top_classifier']})" if r.get("top_classifier") else ")")
        for i, r in enumerate(ranked[:5], 1)
    ]
    parts = Parts(
        [f"Worst applications for {sle}{' at ' + str(where) if where else ''}:"]
        + (lines or ["no application data."]),
        numbers={"apps": ranked[:10]},
    )
    parts.dashboard_url = links.dashboard(
        "apps", ctx.tr, site=where if isinstance(where, str) else None
    )
    parts.api_call = (
        links.api(f"sites/{where}/sle/{sle}/impacted/applications", ctx.tr)
        if isinstance(where, str)
        else links.api("org/sle/summary", ctx.tr)
    )
    if ranked:
        app = ranked[0]["app"]
        found = incidents(ctx, match=lambda i: any(target(c) == f"app:{app}" for c in i["causes"]))
        parts.causes = causes(found)
        parts.lines += cause_lines(parts.causes[:3])
    return parts


def _links(ctx: Ctx, u: Understanding) -> list[dict[str, Any]]:
    refs = inventory_links(ctx.vocab.inventory) if ctx.vocab.inventory is not None else []
    where = u.entities.get("site")
    wanted = [where] if isinstance(where, str) else where
    sites = wanted or ctx.sites
    if ctx.scope is not None:
        refs = [r for r in refs if ctx.scope.sees(r.site)]
    return ctx.q(LinkQuery).links(sites, ctx.start, ctx.end, refs)


def compare_isps(ctx: Ctx, u: Understanding) -> Parts:
    rows = LinkQuery.by_isp(_links(ctx, u))
    wanted = u.entities.get("isp")
    if wanted:
        names = [wanted] if isinstance(wanted, str) else wanted
        rows = [r for r in rows if r["isp"] in names]
    rows.sort(key=lambda r: (-(r["loss_pct"] or 0.0), r["isp"]))
    lines = [
        f"{r['isp']}: loss {r['loss_pct'] or 0:.2f} %, latency {r['latency_ms'] or 0:.0f} "
        f"ms, jitter {r['jitter_ms'] or 0:.1f} ms, down {r['down_minutes']} min over "
        f"{r['links']} links at {r['sites']} sites"
        for r in rows
    ]
    parts = Parts(["ISPs, most loss first:"] + (lines or ["no ISP data."]), numbers={"isps": rows})
    parts.dashboard_url = links.dashboard("wan", ctx.tr)
    parts.api_call = links.api("wan_links", ctx.tr)
    isps = {r["isp"] for r in rows}
    found = incidents(
        ctx,
        match=lambda i: any(
            (target(c).startswith("isp:") and target(c)[4:] in isps)
            or (c["evidence"].get("isp") in isps)
            for c in i["causes"]
        ),
    )
    parts.causes = causes(found)
    parts.lines += cause_lines(parts.causes[:3])
    return parts


def compare_links(ctx: Ctx, u: Understanding) -> Parts:
    rows = _links(ctx, u)
    picked = u.entities.get("link")
    names = u.entities.get("link_name")
    if picked:
        keys = [picked] if isinstance(picked, str) else picked
        rows = [r for r in rows if f"{r['site']}/{r['link']}" in keys]
    elif names:
        keys = [names] if isinstance(names, str) else names
        rows = [r for r in rows if r["link"] in keys or r["type"] in keys]
    rows.sort(key=lambda r: (-(r["loss_pct"] or 0.0), r["site"], r["link"]))
    lines = [
        f"{r['site']}/{r['link']} ({r['isp']}): loss {r['loss_pct'] or 0:.2f} %, latency "
        f"{r['latency_ms'] or 0:.0f} ms, jitter {r['jitter_ms'] or 0:.1f} ms, down "
        f"{r['down_minutes']} min"
        for r in rows[:8]
    ]
    parts = Parts(
        ["WAN links, most loss first:"] + (lines or ["no link data."]), numbers={"links": rows[:20]}
    )
    where = u.entities.get("site")
    parts.dashboard_url = links.dashboard(
        "wan", ctx.tr, site=where if isinstance(where, str) else None
    )
    parts.api_call = (
        links.api(f"sites/{where}/wan_links", ctx.tr)
        if isinstance(where, str)
        else links.api("wan_links", ctx.tr)
    )
    keys = {f"link:{r['site']}/{r['link']}" for r in rows}
    found = incidents(ctx, match=lambda i: any(target(c) in keys for c in i["causes"]))
    parts.causes = causes(found)
    parts.lines += cause_lines(parts.causes[:3])
    return parts


def what_changed(ctx: Ctx, u: Understanding) -> Parts:
    where = u.entities.get("site")
    site = where if isinstance(where, str) else None
    found = incidents(ctx, site=site)
    if ctx.tr is not None:
        found = [i for i in found if i["started_at"] >= ctx.tr.start]
    # path changes come from every minute of user_minutes: per site only (org-wide they cost
    # seconds on a big lake); the incidents say what broke everywhere
    moves = ctx.q(LinkQuery).path_changes([site], ctx.start, ctx.end, limit=50) if site else []
    if ctx.scope is not None:
        moves = ctx.scope.rows(moves)
    acts = [
        a
        for a in ctx.q(ActionQuery).actions([site] if site else ctx.sites)
        if ctx.tr is None or ctx.tr.start <= a["updated_at"] < ctx.tr.end
    ]
    paths = f"{len(moves)} path or link changes, " if site else ""
    lines = [
        f"{len(found)} incidents began, {paths}{len(acts)} actions moved"
        f"{' at ' + site if site else ''}."
    ]
    for inc in sorted(found, key=lambda i: i["started_at"])[:6]:
        top = inc["causes"][0] if inc["causes"] else None
        lines.append(
            f"- {inc['started_at']:%Y-%m-%d %H:%M} UTC {inc['where']}: "
            + (f"{top['title']} ({top['root_cause']})" if top else inc["sles"])
            + f", {inc['impacted_users']} users"
        )
    for mv in moves[:4]:
        lines.append(
            f"- {mv['time']:%H:%M} UTC {mv['site']}: {mv['event']} "
            f"{mv['application'] or ''} {mv['detail']}".rstrip()
        )
    parts = Parts(
        lines, numbers={"incidents": len(found), "path_changes": len(moves), "actions": len(acts)}
    )
    parts.causes = causes(found)
    parts.dashboard_url = links.dashboard("incidents", ctx.tr, site=site)
    parts.api_call = links.api("incidents", ctx.tr, site=site)
    return parts


def list_incidents(ctx: Ctx, u: Understanding) -> Parts:
    where = u.entities.get("site")
    site = where if isinstance(where, str) else None
    status = u.entities.get("status")
    found = incidents(ctx, site=site, status=status)
    found.sort(key=lambda i: i["detected_at"], reverse=True)
    label = f"{status + ' ' if status else ''}incidents{' at ' + site if site else ''}"
    lines = [f"{len(found)} {label}, most recent first:"]
    for inc in found[:8]:
        top = inc["causes"][0] if inc["causes"] else None
        lines.append(
            f"- {inc['detected_at']:%Y-%m-%d %H:%M} UTC {inc['where']} "
            f"[{inc['status']}] "
            + (f"{top['title']} — {top['root_cause']}" if top else inc["sles"])
            + f" ({inc['impacted_users']} users, {inc['impacted_minutes']} bad "
            "user-minutes)"
        )
    parts = Parts(
        lines,
        numbers={"incidents": len(found), "open": sum(1 for i in found if i["status"] == "open")},
    )
    parts.causes = causes(sorted(found, key=lambda i: i["impacted_minutes"], reverse=True))
    parts.dashboard_url = links.dashboard("incidents", ctx.tr, site=site)
    parts.api_call = links.api("incidents", ctx.tr, site=site, status=status)
    return parts


def list_actions(ctx: Ctx, u: Understanding) -> Parts:
    where = u.entities.get("site")
    site = where if isinstance(where, str) else None
    acts = ctx.q(ActionQuery).actions([site] if site else ctx.sites)
    if ctx.scope is not None:
        acts = ctx.scope.rows(acts)
    if ctx.tr is not None:
        acts = [a for a in acts if ctx.tr.start <= a["updated_at"] < ctx.tr.end]
    lines = [f"{len(acts)} actions{' at ' + site if site else ''}, latest first:"]
    for a in acts[:8]:
        gain = a["predicted_benefit"]
        lines.append(
            f"- {a['action_id']} {a['kind']} on {a['device'] or a['site']} "
            f"[{a['state']}]"
            + (f", predicted +{gain:.1f} SLE points" if gain else "")
            + (f", risk {a['risk']}" if a["risk"] else "")
        )
    states: dict[str, int] = {}
    for a in acts:
        states[a["state"]] = states.get(a["state"], 0) + 1
    parts = Parts(lines, numbers={"actions": len(acts), "by_state": states})
    parts.dashboard_url = links.dashboard("actions", ctx.tr, site=site)
    parts.api_call = links.api("actions", ctx.tr, site=site)
    return parts


def explain_classifier(ctx: Ctx, u: Understanding) -> Parts:
    sle = u.entities.get("sle")
    cls = u.entities["classifier"]
    meaning = MEANING.get(cls, "see assurance/sle/SIGNALS.md")
    lines = [f"{cls} ({sle or 'several SLEs'}): a bad minute is put here when {meaning}."]
    numbers: dict[str, Any] = {}
    if sle:
        where = u.entities.get("site")
        site = where if isinstance(where, str) else None
        # a user scoped to some sites gets the sum over those sites, never the org's figure
        sites: list[str | None] = [None]
        if site or ctx.sites:
            sites = [site] if site else [*(ctx.sites or [])]
        mine = total = 0
        for one in sites:
            s = SleQuery.scope(site=one, start=ctx.start, end=ctx.end)
            rows = ctx.q(SleQuery).classifiers(sle, s)
            mine += sum(r["degraded_user_minutes"] for r in rows if r["name"] == cls)
            total += sum(r["degraded_user_minutes"] for r in rows)
        share = 100.0 * mine / total if total else 0.0
        numbers = {"degraded_user_minutes": mine, "percent_of_degraded": round(share, 2)}
        lines.append(
            f"It explains {mine} bad user-minutes ({share:.0f} % of {sle}'s)"
            f"{' at ' + site if site else ''}."
        )
    parts = Parts(lines, numbers=numbers)
    parts.dashboard_url = links.dashboard("site", ctx.tr, sle=sle)
    parts.api_call = (
        links.api(f"sites/{u.entities['site']}/sle/{sle}/classifiers", ctx.tr)
        if sle and isinstance(u.entities.get("site"), str)
        else links.api("sles", None)
    )
    return parts
