"""Org overview: one bar per SLE with its % and hourly trend, the worst sites, open incidents."""

from __future__ import annotations

import math
from datetime import timedelta

import streamlit as st

from dashboards.context import IncidentQuery, OrgQuery, current, fmt_time, query
from dashboards.widgets import INT, PCT, frame, link, num, sle_bars, table_height, where_label

ctx = current()
org = query(OrgQuery)
name = ctx.inventory.org.name if ctx.inventory is not None and not ctx.restricted else None
st.title(f"Org overview{f' — {name}' if name else ''}")
st.caption(
    f"{len(ctx.sites)} site{'s' if len(ctx.sites) != 1 else ''} · "
    f"{fmt_time(ctx.start) or 'start'} → {fmt_time(ctx.end) or 'end'} · "
    "SLE = share of user-minutes that met the service level"
)

rows = org.overview(ctx.scope, ctx.start, ctx.end)
long = ctx.start is None or ctx.end is None or ctx.end - ctx.start > timedelta(days=3)
grain = "day" if long else "hour"
trend = org.trend(ctx.scope, ctx.start, ctx.end, interval=grain)
by_sle: dict[str, list[float]] = {}
for t in trend:
    by_sle.setdefault(t["sle"], []).append(t["sle_pct"] if t["sle_pct"] is not None else 100.0)

# a common floor just under the lowest hour, so dips show (and compare across SLEs)
lowest = min((v for vs in by_sle.values() for v in vs), default=100.0)
floor = max(0.0, 10.0 * math.floor((lowest - 1.0) / 10.0))

left, right = st.columns([1, 1])  # the trend table needs room for its sparklines
with left:
    st.subheader("Service levels")
    sle_bars(rows)
with right:
    st.subheader(f"Trend per {grain}")
    table = frame(
        [
            {
                "SLE": r["sle"],
                "SLE %": r["sle_pct"],
                "trend": by_sle.get(r["sle"], []),
                "top classifier": r["top_classifier"] or "",
                "degraded user-minutes": r["degraded_user_minutes"],
            }
            for r in rows
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=table_height(len(table)),
        column_config={
            "SLE %": num("SLE %", PCT),
            "trend": st.column_config.LineChartColumn(
                f"trend ({'daily' if long else 'hourly'}, {floor:.0f}–100 %)",
                width="medium",
                y_min=floor,
                y_max=100,
                color="#1565c0",
            ),
            "degraded user-minutes": num("degraded user-minutes", INT),
        },
    )

st.subheader("Worst sites")
scores = org.site_scores(ctx.scope, ctx.start, ctx.end)[:10]
st.dataframe(
    frame(
        [
            {
                "site": link(ctx, "site", site=s["site"], sle=s["worst_sle"]),
                "worst SLE": s["worst_sle"] or "",
                "worst SLE %": s["worst_sle_pct"],
                "degraded % (all SLEs)": s["degraded_pct"],
                "degraded user-minutes": s["degraded_user_minutes"],
            }
            for s in scores
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "site": st.column_config.LinkColumn("site", display_text=r"site=([^&]+)"),
        "worst SLE %": num("worst SLE %", PCT),
        "degraded % (all SLEs)": num("degraded % (all SLEs)", "%.2f %%"),
        "degraded user-minutes": num("degraded user-minutes", INT),
    },
)

st.subheader("Incidents")
incidents = ctx.scoper.incidents(query(IncidentQuery).incidents(start=ctx.start, end=ctx.end))
open_ = [i for i in incidents if i["status"] == "open"]
st.caption(f"{len(open_)} open, {len(incidents) - len(open_)} resolved in this time range")
shown = open_ or incidents[:10]
if not shown:
    st.success("No incidents in this time range.")
else:
    st.dataframe(
        frame(
            [
                {
                    "incident": link(ctx, "incidents", incident=i["incident_id"]),
                    "status": i["status"],
                    "where": where_label(i["where"]),
                    "SLEs": i["sles"].replace("_", "-").replace(",", ", "),
                    "most likely cause": i["causes"][0]["title"] if i["causes"] else "",
                    "confidence": 100.0 * i["causes"][0]["confidence"] if i["causes"] else None,
                    "impacted users": i["impacted_users"],
                    "started": fmt_time(i["started_at"]),
                }
                for i in shown
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "incident": st.column_config.LinkColumn("incident", display_text=r"incident=([^&]+)"),
            "confidence": num("confidence", "%.0f %%"),
        },
    )
