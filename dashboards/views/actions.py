"""Actions: path-policy proposals with their configuration change and rollback, the audit
trail of every state, and approve / reject / roll back for admins and operators.

Writes go only through ``assurance.policy.service`` (imported when a button is pressed); the
buttons are not drawn for viewers.
"""

from __future__ import annotations

import importlib
from typing import Any

import streamlit as st

from assurance.errors import AssuranceError
from dashboards.context import ActionQuery, current, fmt_time, query
from dashboards.widgets import frame

ctx = current()
aq = query(ActionQuery)
st.title("Actions")
if "_flash" in st.session_state:
    st.success(st.session_state.pop("_flash"))
site = ctx.site_param()
if "site" in st.query_params and site is None:
    st.stop()
actions = aq.actions([site] if site else ctx.scope)
if not actions:
    st.info("No actions yet.")
    st.stop()
# proposals waiting for a decision first, then the most recently updated
actions.sort(key=lambda a: a["state"] != "proposed")
waiting = sum(a["state"] == "proposed" for a in actions)
st.caption(f"{len(actions)} actions · {waiting} waiting for a decision")

st.dataframe(
    frame(
        [
            {
                "action": a["action_id"],
                "site": a["site"],
                "kind": a["kind"],
                "state": a["state"],
                "risk": a["risk"] or "",
                "predicted gain": a["predicted_benefit"],
                "incident": a["incident_id"] or "",
                "updated": fmt_time(a["updated_at"]),
            }
            for a in actions
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "predicted gain": st.column_config.NumberColumn("predicted gain", format="%+.1f SLE points")
    },
)

ids = [a["action_id"] for a in actions]
wanted = st.query_params.get("action")
if wanted is not None and wanted not in ids:
    st.error(f"Action {wanted!r} not found.")
chosen_id = st.selectbox("Action", ids, index=ids.index(wanted) if wanted in ids else 0)
st.query_params["action"] = chosen_id
act = next(a for a in actions if a["action_id"] == chosen_id)

st.header(f"{act['kind']} at {act['site']}")
c1, c2, c3 = st.columns(3)
c1.metric("state", act["state"])
c2.metric("risk", act["risk"] or "—")
gain = act["predicted_benefit"]
c3.metric("predicted gain", "—" if gain is None else f"{gain:+.1f} SLE points")
if act["device"]:
    st.caption(f"device {act['device']}")

st.subheader("Configuration change")
if act["change_set"] or act["rollback_set"]:
    diff = [f"- {line}" for line in (act["rollback_set"] or "").splitlines() if line.strip()]
    diff += [f"+ {line}" for line in (act["change_set"] or "").splitlines() if line.strip()]
    st.caption("+ lines are committed by the change; - lines are what a roll back commits")
    st.code("\n".join(diff), language="diff")
else:
    st.caption("This action carries no configuration change (advice only).")

st.subheader("Audit trail")
st.dataframe(
    frame(
        [
            {
                "time": fmt_time(h["at"]),
                "state": h["state"],
                "by": h["actor"] or "",
                "note": h["note"] or "",
            }
            for h in act["history"]
        ]
    ),
    hide_index=True,
    width="stretch",
)

#: What each button does and the states it applies to (the service enforces the same rules).
VERBS: dict[str, tuple[str, set[str]]] = {
    "approve": ("Approve", {"proposed"}),
    "reject": ("Reject", {"proposed", "approved"}),
    "rollback": ("Roll back", {"pushed", "verified"}),
}


def _service() -> Any | None:
    try:
        return importlib.import_module("assurance.policy.service")
    except ImportError:
        return None


if ctx.can_write and ctx.user is not None:
    st.subheader("Decide")
    possible = [v for v, (_, states) in VERBS.items() if act["state"] in states]
    if not possible:
        st.caption(f"Nothing to decide in state {act['state']!r}.")
    else:
        note = st.text_input("Note for the audit trail", key=f"note_{chosen_id}")
        cols = st.columns(len(possible))
        for col, verb in zip(cols, possible, strict=True):
            if col.button(VERBS[verb][0], key=f"{verb}_{chosen_id}"):
                service = _service()
                if service is None:
                    st.warning(
                        "The path-policy service (assurance.policy.service) is not installed "
                        "in this build, so nothing was changed."
                    )
                else:
                    try:
                        getattr(service, verb)(ctx.lake, chosen_id, ctx.user.name, note=note)
                    except AssuranceError as exc:
                        st.error(f"{VERBS[verb][0]} failed: {exc}")
                    else:
                        st.session_state["_flash"] = f"{VERBS[verb][0]}: done ({chosen_id})."
                        st.rerun()
elif ctx.user is not None:
    st.caption("Only admins and operators can approve, reject or roll back changes.")
else:
    st.caption("Read-only dashboard: log in as an admin or operator to decide on changes.")
