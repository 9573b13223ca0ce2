"""The ``report`` job: one site's SLEs, incidents and impact over a time range as a single
self-contained HTML file (inline CSS, inline SVG plots, no scripts, nothing fetched).

Owns what a site report shows and how: ``collect_report`` asks ``assurance.query`` everything
(and nothing else), ``build_report`` renders those answers with their numbers formatted the way
the CLI prints them (SLE % to one decimal, user minutes with thousands separators). Must not
read the lake other than through ``assurance.query`` or write anything but the returned string.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from assurance import __version__
from assurance.batch.svg import bar_chart, line_chart
from assurance.errors import AssuranceError
from assurance.query import IncidentQuery, QueryError, SleQuery
from assurance.query.apps import AppQuery
from assurance.query.links import LinkQuery, LinkRef
from assurance.query.org import OrgQuery
from assurance.query.reader import share, shared

#: Impact lists shown per degraded SLE, and how many rows of each.
IMPACT_KINDS = ("users", "applications", "wan_links", "gateways", "aps", "switch_ports")
IMPACT_LIMIT = 5
#: A timeline keeps at most about this many points per SLE.
MAX_POINTS = 180


class ReportError(AssuranceError):
    """A report that cannot be made as asked (unknown site, no SLE data…)."""


@dataclass
class ReportData:
    """Everything a site report shows, as the read API answered it."""

    lake: str
    site: str
    start: datetime
    end: datetime
    generated_at: datetime
    overview: list[dict[str, Any]]
    #: SLE key → [(bucket start, SLE % or None)], and the bucket width in minutes.
    timeline: dict[str, list[tuple[datetime, float | None]]]
    bucket_minutes: int
    families: dict[str, str]
    details: list[dict[str, Any]] = field(default_factory=list)
    impacted: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    apps: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


def _bucket_minutes(span: timedelta) -> int:
    minutes = max(1, math.ceil(span.total_seconds() / 60))
    for width in (1, 5, 10, 15, 30, 60, 180, 360, 720, 1440):
        if minutes / width <= MAX_POINTS:
            return width
    return 1440


def _timeline(
    sle: SleQuery, metric: str, scope: Any, start: datetime, width: int
) -> list[tuple[datetime, float | None]]:
    interval = "minute" if width < 60 else "hour" if width < 1440 else "day"
    base = {"minute": 1, "hour": 60, "day": 1440}[interval]
    sums: dict[datetime, list[int]] = {}
    for s in sle.trend(metric, scope, interval)["samples"]:
        t = s["time"].astimezone(UTC)
        k = int((t - start).total_seconds() // 60) // width * width if width > base else None
        key = start + timedelta(minutes=k) if k is not None else t
        acc = sums.setdefault(key, [0, 0])
        acc[0] += s["total_user_minutes"]
        acc[1] += s["degraded_user_minutes"]
    return [
        (t, None if total == 0 else 100.0 * (total - bad) / total)
        for t, (total, bad) in sorted(sums.items())
    ]


def collect_report(
    lake: str,
    site: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    links: list[LinkRef] | None = None,
) -> ReportData:
    """Ask the read API everything the report shows (default range: all SLE data)."""
    con = shared(lake)
    try:
        org = share(OrgQuery, con)
        known = org.sites()
        if site not in known:
            shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
            raise ReportError(
                f"no SLE data for site {site!r} in {lake}; sites with data: {shown or 'none'} "
                "(run 'wanassure run' first)"
            )
        if start is None or end is None:
            found = org.time_range()
            if found is None:  # pragma: no cover - a site with data implies a range
                raise ReportError(f"no SLE data in {lake}")
            start = start or found[0]
            end = end or found[1]
        if end <= start:
            raise ReportError("the time range is empty (--to must be after --from)")
        sle = share(SleQuery, con)
        scope = sle.scope(site=site, start=start, end=end)
        overview = sle.overview(scope)
        width = _bucket_minutes(end - start)
        data = ReportData(
            lake=lake,
            site=site,
            start=start,
            end=end,
            generated_at=datetime.now(UTC),
            overview=overview,
            timeline={
                r["metric"]: _timeline(sle, r["metric"], scope, start, width) for r in overview
            },
            bucket_minutes=width,
            families={r["metric"]: r["family"] for r in overview},
        )
        for row in overview:
            if row["degraded_user_minutes"] == 0:
                continue
            data.details.append(sle.summary(row["metric"], scope))
            data.impacted[row["metric"]] = {
                kind: sle.impacted(row["metric"], kind, scope, limit=IMPACT_LIMIT)
                for kind in IMPACT_KINDS
            }
        inc = share(IncidentQuery, con)
        data.incidents = inc.incidents(site=site, start=start, end=end)
        ids = {i["incident_id"] for i in data.incidents}
        data.actions = [a for a in inc.actions(site=None) if a["incident_id"] in ids]
        data.apps = share(AppQuery, con).apps([site], start, end)
        data.links = share(LinkQuery, con).links([site], start, end, links or ())
        return data
    finally:
        con.close()


# -- rendering ------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:24px auto;max-width:1000px;
padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:14px;margin:16px 0 6px}.meta{color:#666;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 10px}th,td{padding:3px 10px;text-align:left;
border-bottom:1px solid #eee;vertical-align:top}th{background:#f5f5f5;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;width:120px;height:10px;background:#eee;vertical-align:middle}
.bar span{display:block;height:10px}.good{background:#2a9d55}.warn{background:#e0a800}
.bad{background:#d1495b}.open{color:#b00020;font-weight:600}.resolved{color:#2a7d46}
.incident{border:1px solid #ddd;border-radius:4px;padding:8px 12px;margin:10px 0}
.action{background:#f3f7ff;padding:4px 8px;border-left:3px solid #0072B2}
.muted{color:#777}figure{margin:8px 0}
"""


def pct(value: float | None) -> str:
    """SLE % as the CLI prints it."""
    return "-" if value is None else f"{value:.1f}%"


def _n(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def _bar(value: float | None) -> str:
    if value is None:
        return ""
    cls = "good" if value >= 95 else "warn" if value >= 80 else "bad"
    return f'<span class="bar"><span class="{cls}" style="width:{value:.1f}%"></span></span>'


def _table(headers: list[str], rows: list[list[str]], numeric: Collection[int] = ()) -> str:
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _when(t: datetime | None) -> str:
    return "-" if t is None else f"{t.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _summary_section(d: ReportData) -> str:
    if not d.overview:
        return "<h2>SLE summary</h2><p>No SLE data for this site and time range.</p>"
    rows = [
        [
            escape(r["metric"]),
            escape(r["family"]),
            _n(r["total_user_minutes"]),
            _n(r["degraded_user_minutes"]),
            pct(r["sle"]),
            _bar(r["sle"]),
            escape(r["top_classifier"] or ""),
        ]
        for r in d.overview
    ]
    return "<h2>SLE summary</h2>" + _table(
        ["SLE", "family", "user minutes", "degraded", "SLE %", "", "top classifier"],
        rows,
        {2, 3, 4},
    )


def _timeline_section(d: ReportData) -> str:
    parts = [
        "<h2>SLE timeline</h2>",
        f'<p class="meta">SLE % per {d.bucket_minutes}-minute bucket (good / total user '
        "minutes in the bucket); a gap is a bucket without users; shaded spans are incidents.</p>",
    ]
    bands = [
        (
            i["started_at"],
            i["ended_at"] or d.end,
            f"incident {i['where']}: {i['causes'][0]['title'] if i['causes'] else ''}",
        )
        for i in d.incidents
        if i["started_at"] is not None
    ]
    for family in dict.fromkeys(d.families.values()):
        series = {k: v for k, v in d.timeline.items() if d.families[k] == family}
        values = [v for pts in series.values() for _, v in pts if v is not None]
        low = min(values, default=100.0)
        y_min = max(0.0, math.floor(min(low, 90.0) / 10) * 10)
        chart = line_chart(
            series,
            title=f"{family} SLEs at {d.site}",
            y_label="SLE %",
            y_min=y_min,
            bands=bands,
        )
        parts.append(f"<h3>{escape(family)}</h3><figure>{chart}</figure>")
    return "".join(parts)


def _classifier_section(d: ReportData) -> str:
    parts = ["<h2>Classifier breakdown</h2>"]
    if not d.details:
        return parts[0] + "<p>No degraded user minutes: every SLE met its thresholds.</p>"
    for s in d.details:
        parts.append(
            f"<h3>{escape(s['metric'])} — {pct(s['sle'])}, {_n(s['degraded_user_minutes'])} of "
            f"{_n(s['total_user_minutes'])} user minutes degraded</h3>"
        )
        items = [(c["name"], float(c["degraded_user_minutes"])) for c in s["classifiers"]]
        parts.append(
            "<figure>"
            + bar_chart(items, title=f"{s['metric']} classifiers", unit="user-min")
            + "</figure>"
        )
        subs = [
            [escape(c["name"]), escape(sub["name"] or "-"), _n(sub["degraded_user_minutes"])]
            for c in s["classifiers"]
            for sub in c["sub_classifiers"]
        ]
        if subs:
            parts.append(
                _table(["classifier", "sub-classifier", "degraded user minutes"], subs, {2})
            )
    return "".join(parts)


def _incident_section(d: ReportData) -> str:
    parts = ["<h2>Incidents</h2>"]
    if not d.incidents:
        return parts[0] + "<p>No incidents at this site in this time range.</p>"
    by_incident: dict[str, list[dict[str, Any]]] = {}
    for a in d.actions:
        by_incident.setdefault(a["incident_id"], []).append(a)
    for inc in d.incidents:
        status = escape(inc["status"])
        sles = escape(inc["sles"].replace(",", ", ") or "none (device telemetry only)")
        parts.append(
            '<div class="incident">'
            f"<b>{_when(inc['detected_at'])}</b> · {escape(inc['where'])} · "
            f'<span class="{status}">{status}</span> · {_n(inc["impacted_users"])} users, '
            f"{_n(inc['impacted_minutes'])} bad user-minutes"
            f'<div class="muted">from {_when(inc["started_at"])} to {_when(inc["ended_at"])}; '
            f"SLEs: {sles}</div>"
        )
        causes = [
            [
                str(c["rank"]),
                escape(c["title"] or ""),
                escape(c["root_cause"] or ""),
                escape(c["layer"] or ""),
                f"{c['confidence']:.0%}",
            ]
            for c in inc["causes"]
        ]
        parts.append(_table(["rank", "cause", "root cause", "layer", "confidence"], causes, {0, 4}))
        if inc["suggested_action"]:
            parts.append(
                f'<div class="action">Suggested action: {escape(inc["suggested_action"])}</div>'
            )
        for a in by_incident.get(inc["incident_id"], []):
            steps = " → ".join(
                f"{escape(h['state'])} ({h['at']:%H:%M}, {escape(h['actor'] or '')})"
                for h in a["history"]
            )
            parts.append(f'<div class="muted">action {escape(a["kind"])}: {steps}</div>')
        parts.append("</div>")
    return "".join(parts)


def _impact_section(d: ReportData) -> str:
    parts = ["<h2>Impacted users and applications</h2>"]
    if not d.impacted:
        parts.append("<p>No SLE had degraded user minutes.</p>")
    for metric, kinds in d.impacted.items():
        parts.append(f"<h3>{escape(metric)}</h3>")
        for kind, rows in kinds.items():
            if not rows:
                continue
            label = kind.replace("_", " ")
            body = [
                [
                    escape(str(r.get("hostname") or r.get("name") or r.get("client_id") or "")),
                    _n(r["degraded_user_minutes"]),
                    _n(r["total_user_minutes"]),
                ]
                for r in rows
            ]
            parts.append(_table([label, "degraded user minutes", "user minutes"], body, {1, 2}))
    if d.apps:
        parts.append("<h3>Applications (Application Health)</h3>")
        app_rows = [
            [
                escape(a["application"]),
                _n(a["users"]),
                _n(a["user_minutes"]),
                pct(a["sle_pct"]),
                _n(a["rtt_ms"]),
                _n(a["rtt_p95_ms"]),
                _n(a["megabytes"]),
                escape(a["top_classifier"] or ""),
            ]
            for a in d.apps
        ]
        parts.append(
            _table(
                [
                    "application",
                    "users",
                    "user minutes",
                    "SLE %",
                    "RTT ms",
                    "RTT p95 ms",
                    "MB",
                    "top classifier",
                ],
                app_rows,
                {1, 2, 3, 4, 5, 6},
            )
        )
    return "".join(parts)


def _link_section(d: ReportData) -> str:
    if not d.links:
        return ""
    rows = [
        [
            escape(f"{r['gateway']} {r['interface']}"),
            escape(r["link"]),
            escape(r["isp"] or ""),
            _n(r["latency_ms"]),
            _n(r["jitter_ms"]),
            "-" if r["loss_pct"] is None else f"{r['loss_pct']:.2f}",
            _n(r["peak_util_pct"]),
            _n(r["down_minutes"]),
        ]
        for r in d.links
    ]
    return "<h2>WAN links</h2>" + _table(
        [
            "interface",
            "link",
            "ISP",
            "latency ms",
            "jitter ms",
            "loss %",
            "peak util %",
            "down min",
        ],
        rows,
        {3, 4, 5, 6, 7},
    )


def build_report(d: ReportData) -> str:
    """The report as one HTML document (UTF-8, no external resources)."""
    title = f"WAN assurance report — {d.site}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{_when(d.start)} → {_when(d.end)} · lake {escape(d.lake)} · '
        f"generated {_when(d.generated_at)} by wan-assurance {escape(__version__)}</p>"
        + _summary_section(d)
        + _timeline_section(d)
        + _classifier_section(d)
        + _incident_section(d)
        + _impact_section(d)
        + _link_section(d)
        + "</body></html>\n"
    )


__all__ = ["QueryError", "ReportData", "ReportError", "build_report", "collect_report", "pct"]
