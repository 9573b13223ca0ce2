"""Applications: Application Health SLE, users, RTT and volume per application, per site, and
the hourly trend of each application."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboards.context import AppQuery, current, query
from dashboards.widgets import INT, MS, PCT, frame, num, sle_bars, timeline

ctx = current()
apps_q = query(AppQuery)
st.title("Applications")
site = ctx.site_param()
if "site" in st.query_params and site is None:
    st.stop()
scope = [site] if site else ctx.scope
apps = apps_q.apps(scope, ctx.start, ctx.end)
if not apps:
    st.info("No application traffic in this time range.")
    st.stop()
st.caption(
    "Application Health SLE: share of user-minutes whose application met its latency, loss and "
    "jitter targets" + (f" · site {site}" if site else "")
)
coarse = any(a.get("rtt_p95_basis") == "client-hours" for a in apps)
config = {
    "sle_pct": num("App health SLE", PCT),
    "rtt_ms": num("RTT (mean)", MS),
    "rtt_p95_ms": num("RTT p95 (of client-hour means)" if coarse else "RTT p95", MS),
    "megabytes": num("volume", "%.0f MB"),
    "users": num("users", INT),
    "user_minutes": num("user-minutes", INT),
    "degraded_user_minutes": num("degraded user-minutes", INT),
    "top_classifier": "top classifier",
}
left, right = st.columns([2, 3])
with left:
    sle_bars(
        [{**a, "sle": a["application"], "total_user_minutes": a["user_minutes"]} for a in apps]
    )
with right:
    cols = ["application", "sle_pct", "users", "user_minutes", "degraded_user_minutes", "rtt_ms",
            "rtt_p95_ms", "megabytes", "top_classifier"]  # fmt: skip
    st.dataframe(frame(apps, cols), hide_index=True, width="stretch", column_config=config)

span = ctx.end - ctx.start if ctx.start is not None and ctx.end is not None else None
interval, label = ("day", "day")
if span is not None and span <= timedelta(hours=6):
    interval, label = ("15m", "15 minutes")
elif span is not None and span <= timedelta(days=7):
    interval, label = ("hour", "hour")
st.subheader(f"Trend (per {label})")
trend = apps_q.trend(scope, ctx.start, ctx.end, interval=interval)
timeline(trend, y="sle_pct", y_title="App health SLE %", color="application", domain=(0, 100))

st.subheader("Per site")
per_site = apps_q.apps(scope, ctx.start, ctx.end, by_site=True, p95=False)  # no p95 column
cols = [
    "application",
    "site",
    "sle_pct",
    "users",
    "degraded_user_minutes",
    "rtt_ms",
    "top_classifier",
]
st.dataframe(frame(per_site, cols), hide_index=True, width="stretch", column_config=config)
