"""Alerts: every notification's delivery state per receiver, and the dead letters."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import streamlit as st

from dashboards.context import AlertQuery, current, iso, query
from dashboards.widgets import frame, utc

ctx = current()
alq = query(AlertQuery)
st.title("Alerts")
site = ctx.site_param()
if "site" in st.query_params and site is None:
    st.stop()
alerts = ctx.scoper.rows(alq.alerts([site] if site else ctx.scope, ctx.start, ctx.end))
counts = AlertQuery.counts(alerts)
cols = st.columns(4)
for col, state in zip(cols, ("delivered", "pending", "retrying", "dead"), strict=True):
    col.metric(state, counts.get(state, 0))
if not alerts:
    st.success("No alert notifications in this time range.")
    st.stop()


def _view(a: dict) -> str | None:  # type: ignore[type-arg]
    """The site page around the alert's time (an hour before to 30 minutes after)."""
    if not a["site"]:
        return None
    t = a["updated_at"]
    return (
        f"./site?site={quote(a['site'])}&sle={quote(a['labels'].get('sle') or 'wan-link-health')}"
        f"&from={iso(t - timedelta(hours=1))}&to={iso(t + timedelta(minutes=30))}"
    )


def _rows(rows: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [
        {
            "time": a["updated_at"],
            "event": a["event_id"],
            "alert": a["name"],
            "site": a["site"] or "(org-wide)",
            "severity": a["severity"],
            "status": a["status"],
            "receiver": a["receiver"] or "",
            "delivery": a["delivery"] or "",
            "attempts": a["attempts"],
            "last error": a["last_error"] or "",
            "view": _view(a),
        }
        for a in rows
    ]


config = {
    "view": st.column_config.LinkColumn("view", display_text="open site"),
    "time": utc("time"),
}
dead = [a for a in alerts if a["delivery"] == "dead"]
st.subheader("Dead letters")
if dead:
    st.caption("Gave up after the retry budget; `wanassure alerts resend EVENT_ID` re-queues one.")
    st.dataframe(frame(_rows(dead)), hide_index=True, width="stretch", column_config=config)
else:
    st.caption("None.")
st.subheader("All notifications")
st.dataframe(frame(_rows(alerts)), hide_index=True, width="stretch", column_config=config)
