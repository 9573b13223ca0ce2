"""Charts and table formats the pages share: SLE bars, timelines, unit-carrying columns, links
that keep the time range.

Owns how numbers look (``%``, ``ms``, ``Mb/s``, ``dBm`` in every column header or format) and the
chart styles. Knows nothing about the lake.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from dashboards.context import Ctx, iso

GOOD, FAIR, BAD = "#2e7d32", "#f9a825", "#c62828"


def frame(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    if columns is not None:
        for c in columns:
            if c not in df:
                df[c] = None
        df = df[list(columns)]
    for c in df.columns:
        first = df[c].dropna().iloc[0] if len(df) and df[c].notna().any() else None
        if isinstance(first, datetime):
            df[c] = pd.to_datetime(df[c], utc=True)
        elif isinstance(first, str):
            df[c] = df[c].fillna("")
    return df


def table_height(rows: int) -> int:
    """Pixels for a dataframe that shows ``rows`` rows without scrolling."""
    return 35 * (rows + 1) + 3


def utc(label: str) -> Any:
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm:ss [UTC]")


def where_label(text: str) -> str:
    """An incident's place for reading: ``isp:Comcast Business (2 sites)`` → ``ISP Comcast
    Business (2 sites)``; a site name is left alone."""
    scope, sep, rest = text.partition(":")
    names = {"isp": "ISP", "app": "application", "wan_link": "WAN link"}
    return f"{names.get(scope, scope)} {rest}" if sep and " " not in scope else text


def num(label: str, fmt: str, help: str | None = None) -> Any:
    return st.column_config.NumberColumn(label, format=fmt, help=help)


PCT = "%.1f %%"
MS = "%.1f ms"
MBPS = "%.1f Mb/s"
DBM = "%.0f dBm"
INT = "%d"


def link(ctx: Ctx, page: str, **params: str | None) -> str:
    """A relative URL to ``page`` with ``params`` and the current time range."""
    query = {k: v for k, v in params.items() if v}
    if ctx.start is not None:
        query["from"] = iso(ctx.start)
    if ctx.end is not None:
        query["to"] = iso(ctx.end)
    return f"./{page}" + (f"?{urlencode(query)}" if query else "")


def sle_color(pct: float | None) -> str:
    if pct is None:
        return "#9e9e9e"
    return GOOD if pct >= 95 else FAIR if pct >= 90 else BAD


def sle_bars(rows: list[dict[str, Any]], *, label: str = "sle", height: int | None = None) -> None:
    """One horizontal bar per row: ``sle_pct`` from 0 to 100 %, coloured good / fair / bad."""
    if not rows:
        st.info("No SLE data in this time range.")
        return
    df = pd.DataFrame(
        [
            {
                "name": r[label],
                "SLE %": round(r["sle_pct"], 1) if r["sle_pct"] is not None else None,
                "degraded user-minutes": r.get("degraded_user_minutes", 0),
                "user-minutes": r.get("total_user_minutes", r.get("user_minutes", 0)),
                "color": sle_color(r["sle_pct"]),
                "text": "—" if r["sle_pct"] is None else f"{r['sle_pct']:.1f} %",
            }
            for r in rows
        ]
    )
    base = alt.Chart(df).encode(
        y=alt.Y("name:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=["name", "SLE %", "degraded user-minutes", "user-minutes"],
    )
    bars = base.mark_bar().encode(
        x=alt.X("SLE %:Q", scale=alt.Scale(domain=[0, 100]), title="SLE (% of user-minutes met)"),
        color=alt.Color("color:N", scale=None),
    )
    text = base.mark_text(align="left", dx=4).encode(x="SLE %:Q", text="text:N")
    chart = (bars + text).properties(height=height or alt.Step(24))
    st.altair_chart(chart, width="stretch")


def timeline(
    rows: list[dict[str, Any]],
    *,
    y: str,
    y_title: str,
    color: str | None = None,
    marks: Sequence[tuple[datetime, str]] = (),
    domain: tuple[float, float] | None = None,
    height: int = 240,
) -> None:
    """A line over time (``time`` column), one line per ``color`` value, with optional rules."""
    if not rows:
        st.info("No data in this time range.")
        return
    df = frame(rows)
    times = pd.to_datetime(df["time"])
    span = times.max() - times.min()
    # hours within a day; dates once the points are days apart (a month of daily points)
    fmt = (
        "%H:%M"
        if span <= pd.Timedelta(days=1)
        else "%b %d"
        if span > pd.Timedelta(days=3)
        else "%b %d %H:%M"
    )
    enc: dict[str, Any] = {
        "x": alt.X("time:T", title="time (UTC)", axis=alt.Axis(format=fmt)),
        "y": alt.Y(
            f"{y}:Q",
            title=y_title,
            scale=alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False),
        ),
        "tooltip": [
            alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"),
            alt.Tooltip(f"{y}:Q", format=".2f"),
        ],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None)
        enc["tooltip"].append(color)
    chart: Any = alt.Chart(df).mark_line(point=len(df) < 40).encode(**enc)
    if marks:
        m = pd.DataFrame([{"time": pd.Timestamp(t), "label": lab} for t, lab in marks])
        chart = chart + alt.Chart(m).mark_rule(color=BAD, strokeDash=[4, 3]).encode(
            x="time:T", tooltip=["label"]
        )
    st.altair_chart(chart.properties(height=height), width="stretch")


def bars(
    rows: list[dict[str, Any]], *, x: str, y: str, x_title: str, color: str = "#1565c0"
) -> None:
    """Horizontal bars of ``x`` per ``y``, in the given order."""
    if not rows:
        st.info("Nothing to show.")
        return
    df = frame(rows)
    chart = (
        alt.Chart(df)
        .mark_bar(color=color)
        .encode(
            y=alt.Y(f"{y}:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{x}:Q", title=x_title),
            tooltip=[y, x],
        )
        .properties(height=alt.Step(24))
    )
    st.altair_chart(chart, width="stretch")
