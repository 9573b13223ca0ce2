"""Wi-Fi and LAN: per AP (clients, signal in dBm, coverage, throughput and capacity SLEs), the
signal distribution, connection failures by step, and per switch port."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboards.context import WifiQuery, current, query
from dashboards.widgets import DBM, INT, MBPS, PCT, frame, num

ctx = current()
wq = query(WifiQuery)
st.title("Wi-Fi and LAN")
site = ctx.site_param()
if "site" in st.query_params and site is None:
    st.stop()
scope = [site] if site else ctx.scope

st.subheader("Access points")
aps = wq.aps(scope, ctx.start, ctx.end)
if aps:
    cols = ["site", "ap", "clients", "user_minutes", "coverage_pct", "rssi_dbm", "rssi_p10_dbm",
            "snr_db", "throughput_pct", "capacity_pct", "failures"]  # fmt: skip
    st.dataframe(
        frame(aps, cols),
        hide_index=True,
        width="stretch",
        column_config={
            "ap": "AP",
            "user_minutes": num("user-minutes", INT),
            "coverage_pct": num("coverage SLE", PCT),
            "rssi_dbm": num("RSSI (mean)", DBM),
            "rssi_p10_dbm": num(
                "RSSI p10"
                + (" (5 dB bins)" if any(a["rssi_p10_basis"] != "samples" for a in aps) else ""),
                DBM,
            ),
            "snr_db": num("SNR (mean)", "%.0f dB"),
            "throughput_pct": num("throughput SLE", PCT),
            "capacity_pct": num("capacity SLE", PCT),
            "failures": num("connect failures", INT),
        },
    )
else:
    st.caption("No wireless clients in this time range.")

left, right = st.columns(2)
with left:
    st.subheader("Signal strength")
    hist = wq.rssi_histogram(scope, ctx.start, ctx.end)
    if hist:
        chart = (
            alt.Chart(frame(hist))
            .mark_bar()
            .encode(
                x=alt.X("rssi_dbm:O", title="RSSI (dBm, 5 dB bins)"),
                y=alt.Y("samples:Q", title="client samples", stack=True),
                color=alt.Color("band:N", title="band (GHz)"),
                tooltip=["rssi_dbm", "band", "samples"],
            )
            .properties(height=260)
        )
        st.altair_chart(chart, width="stretch")
    else:
        st.caption("No signal samples.")
with right:
    st.subheader("Connection steps")
    steps = wq.connect_failures(scope, ctx.start, ctx.end)
    if steps:
        st.dataframe(
            frame(steps),
            hide_index=True,
            width="stretch",
            column_config={
                "mean_duration_ms": num("mean duration", "%.0f ms"),
                "top_reason": "top failure reason",
            },
        )
    else:
        st.caption("No connection events.")

st.subheader("Switch ports")
ports = wq.switch_ports(scope, ctx.start, ctx.end)
if ports:
    for p in ports:  # a port whose users are all on Wi-Fi is an AP's uplink: no wired SLE
        p["role"] = "access" if p["throughput_pct"] is not None else "AP uplink"
    cols = ["site", "switch", "switch_port", "role", "users", "user_minutes", "throughput_pct",
            "switch_health_pct", "in_mbps", "out_mbps", "errors", "discards"]  # fmt: skip
    st.dataframe(
        frame(ports, cols),
        hide_index=True,
        width="stretch",
        column_config={
            "switch_port": "port",
            "user_minutes": num("user-minutes", INT),
            "throughput_pct": num("wired throughput SLE", PCT),
            "switch_health_pct": num("switch health SLE", PCT),
            "in_mbps": num("in (mean)", MBPS),
            "out_mbps": num("out (mean)", MBPS),
            "errors": num("input errors", INT),
            "discards": num("output discards", INT),
        },
    )
else:
    st.caption("No wired clients in this time range.")
