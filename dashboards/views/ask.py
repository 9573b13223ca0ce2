"""Ask: questions in plain language ("why is teams slow at br 12 since 9am?") answered from the
lake through ``assurance.ask``, scoped to the sites the user may see; the answer's dashboard
link and API call under it, and a button per choice when the question is ambiguous."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from assurance.ask import AskError, answer
from dashboards.context import OrgQuery, current, query

ctx = current()
st.title("Ask")
st.caption(
    "Ask about a site, client, application, WAN link, ISP, AP or switch port; the worst sites "
    "or apps; ISPs or links compared; what changed; incidents and actions; or what a "
    "classifier means. Answers come from this lake only, by fixed rules (no hosted model)."
)
bounds = query(OrgQuery).time_range()
newest = bounds[1] if bounds is not None else None
relative_to_data = st.toggle(
    "Read 'today', 'since 9am'… relative to the newest data",
    value=newest is not None and datetime.now(UTC) - newest > timedelta(hours=1),
    help=f"Newest data: {newest:%Y-%m-%d %H:%M} UTC" if newest else "No SLE data yet",
)
now = newest if relative_to_data and newest is not None else datetime.now(UTC)
history: list[tuple[str, str]] = st.session_state.setdefault("ask_history", [])
pending = st.session_state.pop("ask_pending", None)
question = st.chat_input("Ask a question") or pending

for role, body in history:
    with st.chat_message(role):
        st.markdown(body)

if question:
    history.append(("user", question))
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        try:
            got = answer(question, lake=ctx.lake, scope=ctx.scoper, now=now)
        except AskError as exc:
            st.error(str(exc))
            history.append(("assistant", f"**Cannot answer:** {exc}"))
            st.stop()
        st.text(got.text)
        body = f"```\n{got.text}\n```"
        st.session_state["ask_choices"] = [(c.label, c.question) for c in got.choices]
        if not got.choices:
            st.markdown(f"[Open in the dashboard]({got.dashboard_url})")
            st.code(got.api_call, language="http")
            body += f"\n\n[Open in the dashboard]({got.dashboard_url}) · `{got.api_call}`"
        history.append(("assistant", body))

for i, (label, follow_up) in enumerate(st.session_state.get("ask_choices", [])):
    if st.button(label, key=f"ask-choice-{i}"):
        st.session_state["ask_choices"] = []
        st.session_state["ask_pending"] = follow_up
        st.rerun()
