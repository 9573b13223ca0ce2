"""Site view: one SLE at one site — timeline, classifiers and sub-classifiers, where the bad
minutes were (WAN link, application, AP, switch port, gateway), impacted users and apps."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboards.context import OrgQuery, SleQuery, current, fmt_time, query
from dashboards.widgets import INT, PCT, bars, frame, num, sle_bars, timeline

ctx = current()
sleq = query(SleQuery)
st.title("Site")
site = ctx.pick_site()
if site is None:
    st.stop()

with st.expander("All service levels at this site", expanded=True):
    sle_bars(query(OrgQuery).overview([site], ctx.start, ctx.end))

metrics = [m["name"] for m in sleq.metrics()]
wanted = (st.query_params.get("sle") or "wan-link-health").replace("_", "-")
if wanted not in metrics:
    st.warning(f"Unknown SLE {wanted!r}; showing wan-link-health.")
    wanted = "wan-link-health"
sle = st.selectbox("SLE", metrics, index=metrics.index(wanted))
st.query_params["sle"] = sle
scope = sleq.scope("site", site, start=ctx.start, end=ctx.end)
summary = sleq.summary(sle, scope)

st.header(f"{site} · {sle}")
c1, c2, c3 = st.columns(3)
c1.metric("SLE", "—" if summary["sle"] is None else f"{summary['sle']:.1f} %")
c2.metric("user-minutes", f"{summary['total_user_minutes']:,}")
c3.metric("degraded user-minutes", f"{summary['degraded_user_minutes']:,}")
if summary["total_user_minutes"] == 0:
    st.info(f"No {sle} user-minutes at {site} in this time range.")
    st.stop()

span = (ctx.end - ctx.start) if ctx.start and ctx.end else None
interval = "day"  # like the overview: a month reads as 30 daily points, not 720 hourly ones
if span is not None and span <= timedelta(hours=6):
    interval = "minute"
elif span is not None and span <= timedelta(days=7):
    interval = "hour"
trend = sleq.trend(sle, scope, interval=interval)["samples"]
st.subheader(f"Timeline (per {interval})")
timeline(
    [{"time": s["time"], "SLE %": s["sle"]} for s in trend],
    y="SLE %",
    y_title="SLE %",
    domain=(0, 100),
)

left, right = st.columns(2)
with left:
    st.subheader("Classifiers")
    classes = summary["classifiers"]
    bars(
        [
            {"classifier": c["name"], "degraded user-minutes": c["degraded_user_minutes"]}
            for c in classes
        ],
        x="degraded user-minutes",
        y="classifier",
        x_title="degraded user-minutes",
        color="#c62828",
    )
with right:
    st.subheader("Sub-classifiers")
    subs = [
        {
            "classifier": c["name"],
            "sub-classifier": s["name"] or "(none)",
            "degraded user-minutes": s["degraded_user_minutes"],
            "share of degraded": 100.0
            * s["degraded_user_minutes"]
            / summary["degraded_user_minutes"]
            if summary["degraded_user_minutes"]
            else 0.0,
        }
        for c in classes
        for s in c["sub_classifiers"]
    ]
    if subs:
        st.dataframe(
            frame(subs),
            hide_index=True,
            width="stretch",
            column_config={"share of degraded": num("share of degraded", PCT)},
        )
    else:
        st.success("No degraded minutes.")

st.subheader("Where the degraded minutes were")
kinds = {
    "WAN link": "wan_links",
    "Application": "applications",
    "AP": "aps",
    "Switch port": "switch_ports",
    "Gateway": "gateways",
}
for tab, (label, kind) in zip(st.tabs(list(kinds)), kinds.items(), strict=True):
    with tab:
        rows = sleq.impacted(sle, kind, scope, limit=20)
        if not rows:
            st.caption(f"No degraded minutes attributed to a {label.lower()}.")
            continue
        bars(
            [{label: r["name"], "degraded user-minutes": r["degraded_user_minutes"]} for r in rows],
            x="degraded user-minutes",
            y=label,
            x_title="degraded user-minutes",
        )

st.subheader("Impacted users")
users = sleq.impacted(sle, "users", scope, limit=50)
if users:
    st.dataframe(
        frame(
            [
                {
                    "client": u["hostname"] or u["client_id"],
                    "MAC": u["mac"] or "",
                    "IP": u["ip"] or "",
                    "degraded user-minutes": u["degraded_user_minutes"],
                    "active minutes": u["total_user_minutes"],
                    "degraded %": 100.0 * u["degraded_user_minutes"] / u["total_user_minutes"],
                }
                for u in users
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "degraded user-minutes": num("degraded user-minutes", INT),
            "degraded %": num("degraded %", PCT),
        },
    )
else:
    st.success("No impacted users.")
st.caption(f"{fmt_time(ctx.start) or 'start of data'} → {fmt_time(ctx.end) or 'end of data'}")
