"""Incidents: the list, and one incident with its ranked causes and their evidence, the
affected users and a timeline of the SLE that dropped."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboards.context import IncidentQuery, SleQuery, current, fmt_time, parse_time, query
from dashboards.widgets import INT, frame, link, num, table_height, timeline, where_label

ctx = current()
iq = query(IncidentQuery)
st.title("Incidents")
site = ctx.site_param()
if "site" in st.query_params and site is None:
    st.stop()
status = st.segmented_control("Status", ["all", "open", "resolved"], default="all")
incidents = ctx.scoper.incidents(
    iq.incidents(
        site=site,
        status=None if status in (None, "all") else status,
        start=ctx.start,
        end=ctx.end,
    )
)
if not incidents:
    st.success("No incidents in this time range.")
    st.stop()

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
                "ended": fmt_time(i["ended_at"]),
            }
            for i in incidents
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "incident": st.column_config.LinkColumn("incident", display_text=r"incident=([^&]+)"),
        "confidence": num("confidence", "%.0f %%"),
    },
)

ids = [i["incident_id"] for i in incidents]
wanted = st.query_params.get("incident")
if wanted is not None and wanted not in ids:
    st.error(f"Incident {wanted!r} not found.")
index = ids.index(wanted) if wanted in ids else 0
labels = {
    i["incident_id"]: f"{i['incident_id']} · {where_label(i['where'])} · "
    + (i["causes"][0]["title"] if i["causes"] else "")
    for i in incidents
}
chosen_id = st.selectbox("Incident", ids, index=index, format_func=lambda x: labels[x])
st.query_params["incident"] = chosen_id
inc = next(i for i in incidents if i["incident_id"] == chosen_id)

st.header(labels[chosen_id].split(" · ", 1)[1])
c1, c2, c3, c4 = st.columns(4)
c1.metric("status", inc["status"])
c2.metric("impacted users", inc["impacted_users"])
c3.metric("impacted user-minutes", inc["impacted_minutes"])
c4.metric("sites", len(inc["sites"]) or 1)
st.caption(
    f"SLEs: {inc['sles'].replace('_', '-').replace(',', ', ')} · "
    f"started {fmt_time(inc['started_at'])} · ended {fmt_time(inc['ended_at']) or '—'}"
    + (f" · sites: {', '.join(inc['sites'])}" if inc["sites"] else "")
)
if inc["suggested_action"]:
    st.info(f"**Suggested action:** {inc['suggested_action']}")

#: Evidence keys shown in the one-line summary of a cause (the rest are behind "All evidence").
SUMMARY = ("scope", "scope_value", "bad_user_minutes", "first_bad_minute", "applications", "notes")
SKIP = {"title", "kind", "layer", "detected_at", "sles"}


def _value(key: str, value: object) -> str:
    text = str(value)
    if key.endswith(("_minute", "_at")):
        parsed = parse_time(text)
        return fmt_time(parsed) if parsed else text
    return text.replace(",", ", ")


st.subheader("Ranked causes")
for cause in inc["causes"]:
    ev = cause["evidence"]
    with st.container(border=True):
        st.markdown(f"**{cause['rank']}. {cause['title']}** — `{cause['root_cause']}`")
        confidence = min(max(cause["confidence"], 0.0), 1.0)
        st.progress(confidence, text=f"confidence {100 * confidence:.0f} %")
        facts = [
            f"{k.replace('_', ' ')}: **{_value(k, ev[k])}**"
            for k in SUMMARY
            if ev.get(k) not in (None, "")
        ]
        if facts:
            st.markdown(" · ".join(facts))
        rest = {k: v for k, v in ev.items() if k not in SKIP}
        with st.expander("All evidence"):
            st.dataframe(
                frame(
                    [
                        {"evidence": k.replace("_", " "), "value": _value(k, v)}
                        for k, v in sorted(rest.items())
                    ]
                ),
                hide_index=True,
                width="stretch",
                height=table_height(len(rest)),
            )

where_site = inc["site"] or (inc["sites"][0] if inc["sites"] else None)
if inc["site"] is None and len(inc["sites"]) > 1:
    where_site = st.selectbox("Site of the incident to look at", inc["sites"])
sles = [s for s in inc["sles"].split(",") if s]
if where_site and sles:
    sleq = query(SleQuery)
    start = inc["started_at"] - timedelta(minutes=60)
    end = (inc["ended_at"] or inc["started_at"]) + timedelta(minutes=60)
    scope = sleq.scope("site", where_site, start=start, end=end)
    st.subheader(f"Timeline at {where_site}")
    rows = [
        {"time": s["time"], "SLE %": s["sle"], "SLE": sle.replace("_", "-")}
        for sle in sles
        for s in sleq.trend(sle, scope, interval="minute")["samples"]
    ]
    marks = [(inc["started_at"], "incident start")]
    if inc["ended_at"] is not None:
        marks.append((inc["ended_at"], "incident end"))
    timeline(rows, y="SLE %", y_title="SLE %", color="SLE", marks=marks, domain=(0, 100))
    st.subheader("Affected users")
    in_incident = sleq.scope("site", where_site, start=inc["started_at"], end=end)
    users = sleq.impacted(sles[0], "users", in_incident, limit=100)
    if users:
        st.dataframe(
            frame(
                [
                    {
                        "client": u["hostname"] or u["client_id"],
                        "MAC": u["mac"] or "",
                        "IP": u["ip"] or "",
                        "degraded user-minutes": u["degraded_user_minutes"],
                    }
                    for u in users
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={"degraded user-minutes": num("degraded user-minutes", INT)},
        )
    else:
        st.caption("No affected users recorded.")
    st.page_link(
        "views/site.py",
        label=f"Open {where_site} · {sles[0].replace('_', '-')}",
        query_params={"site": where_site, "sle": sles[0].replace("_", "-")},
    )
