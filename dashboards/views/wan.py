"""WAN links: latency, jitter, loss and utilisation per link and per ISP, one link over time,
and path changes (applications moving between links, links going down and up)."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboards.context import LinkQuery, current, fmt_time, query
from dashboards.widgets import INT, MBPS, MS, PCT, frame, num, timeline, utc

ctx = current()
links_q = query(LinkQuery)
st.title("WAN links")
sites = ctx.sites
site = ctx.site_param()
if "site" in st.query_params and site is None:
    st.stop()
if site is not None:
    sites = [site]
refs = [r for r in ctx.links if r.site in set(sites)]
links = links_q.links(sites if (ctx.restricted or site) else None, ctx.start, ctx.end, refs)
if not links:
    st.info("No WAN link measurements in this time range.")
    st.stop()

st.subheader("Per ISP")
st.dataframe(
    frame(links_q.by_isp(links)),
    hide_index=True,
    width="stretch",
    column_config={
        "isp": "ISP",
        "latency_ms": num("latency", MS),
        "jitter_ms": num("jitter", MS),
        "loss_pct": num("loss", "%.2f %%"),
        "down_minutes": num("down (min)", INT),
    },
)

st.subheader("Per link")
hourly_p95 = any(r["latency_p95_basis"] != "minutes" for r in links)
# what an engineer scans for first (loss, delay, load, outages) before the link's particulars
cols = [
    "site", "link", "isp", "loss_pct", "latency_ms", "jitter_ms", "peak_util_pct", "down_minutes",
    "loss_max_pct", "latency_p95_ms", "in_mbps", "out_mbps", "capacity_mbps", "type", "interface",
]  # fmt: skip
st.dataframe(
    frame(links, cols),
    hide_index=True,
    width="stretch",
    column_config={
        "isp": "ISP",
        "capacity_mbps": num("capacity", "%.0f Mb/s"),
        "latency_ms": num("latency", MS),
        "latency_p95_ms": num("latency p95" + (" (of hourly p95s)" if hourly_p95 else ""), MS),
        "jitter_ms": num("jitter", MS),
        "loss_pct": num("loss", "%.2f %%"),
        "loss_max_pct": num("loss max", "%.1f %%"),
        "in_mbps": num("in (mean)", MBPS),
        "out_mbps": num("out (mean)", MBPS),
        "peak_util_pct": num("peak utilisation", PCT),
        "down_minutes": num("down (min)", INT),
    },
)

st.subheader("One link over time")
labels = [f"{r['site']} · {r['link']} ({r['isp'] or r['interface']})" for r in links]
wanted = st.query_params.get("link")
worst = max(range(len(links)), key=lambda i: links[i]["loss_pct"] or 0.0)  # the one to look at
index = next(
    (
        i
        for i, r in enumerate(links)
        if wanted in (r["link"], r["interface"]) and r["site"] == (site or r["site"])
    ),
    worst,
)
choice = st.selectbox("Link", range(len(links)), index=index, format_func=lambda i: labels[i])
chosen = links[choice]
long = ctx.start is None or ctx.end is None or ctx.end - ctx.start > timedelta(hours=6)
bucket, means = ("1h", "hourly means") if long else ("5m", "5-minute means")
series = links_q.series(
    chosen["site"],
    chosen["interface"],
    ctx.start,
    ctx.end,
    gateway=chosen["gateway"],
    bucket=bucket,
)
left, right = st.columns(2)
with left:
    delays = [
        {"time": s["time"], "metric": m, "ms": s[k]}
        for s in series
        for m, k in (("latency", "latency_ms"), ("jitter", "jitter_ms"))
        if s[k] is not None
    ]
    st.caption(f"Latency and jitter (ms, {means})")
    timeline(delays, y="ms", y_title="ms", color="metric")
    st.caption(f"Loss (%, {means})")
    timeline(
        [{"time": s["time"], "loss %": s["loss_pct"]} for s in series if s["loss_pct"] is not None],
        y="loss %",
        y_title="loss %",
    )
with right:
    traffic = [
        {"time": s["time"], "direction": d, "Mb/s": s[k]}
        for s in series
        for d, k in (("in", "in_mbps"), ("out", "out_mbps"))
        if s[k] is not None
    ]
    cap = chosen["capacity_mbps"]
    st.caption(
        f"Traffic (Mb/s, {means}; capacity {cap:.0f} Mb/s)" if cap else f"Traffic (Mb/s, {means})"
    )
    timeline(traffic, y="Mb/s", y_title="Mb/s", color="direction")

# the newest changes are the ones to act on: over a long range, the range's last day
recent = ctx.start
if long and ctx.end is not None:
    recent = max(ctx.start or ctx.end - timedelta(days=1), ctx.end - timedelta(days=1))
st.subheader("Path changes" + (" (last 24 h of the range)" if recent != ctx.start else ""))
changes = links_q.path_changes(sites if (ctx.restricted or site) else None, recent, ctx.end)
if changes:
    df = frame(ctx.scoper.rows(changes), ["time", "site", "event", "application", "detail"])
    st.dataframe(df, hide_index=True, width="stretch", column_config={"time": utc("time")})
else:
    st.caption("No path changes in this time range.")
st.caption(f"{fmt_time(ctx.start) or 'start of data'} → {fmt_time(ctx.end) or 'end of data'}")
