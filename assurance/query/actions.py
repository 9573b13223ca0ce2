"""Path-policy action reads with what a reviewer needs: the configuration change and its
rollback (Junos set form), predicted benefit, risk, and the full audit trail of states.

Owns ``ActionQuery``. Complements ``IncidentQuery.actions`` (which gives the state history) with
the change sets, for a set of sites. Must not write to the lake or change any state (the path
policy service does that).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assurance.query.reader import LakeReader, where


class ActionQuery(LakeReader):
    """Action answers for a set of sites (None = every site)."""

    def actions(
        self, sites: Sequence[str] | None, *, action_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Every action, most recently updated first, with ``state`` (the latest), the last
        known change set, rollback set, predicted benefit (SLE points) and risk, and
        ``history``: every state with time, actor and note, oldest first."""
        cond, params = where(sites, None, None, time_column="updated_at")
        params["aid"] = action_id
        rows = self._rows(
            "SELECT action_id, updated_at, incident_id, site, device, kind, state, "  # noqa: S608
            "change_set, rollback_set, predicted_benefit, risk, actor, note FROM actions "
            f"WHERE {cond} AND ($aid IS NULL OR action_id = $aid) ORDER BY action_id, updated_at",
            params,
        )
        found: dict[str, dict[str, Any]] = {}
        for (
            aid,
            at,
            iid,
            site,
            device,
            kind,
            state,
            change,
            rollback,
            gain,
            risk,
            actor,
            note,
        ) in rows:
            act = found.setdefault(
                aid,
                {
                    "action_id": aid,
                    "incident_id": iid,
                    "site": site,
                    "device": device,
                    "kind": kind,
                    "change_set": None,
                    "rollback_set": None,
                    "predicted_benefit": None,
                    "risk": None,
                    "history": [],
                },
            )
            for key, value in (
                ("incident_id", iid),
                ("device", device),
                ("change_set", change),
                ("rollback_set", rollback),
                ("predicted_benefit", gain),
                ("risk", risk),
            ):
                if value is not None:
                    act[key] = value
            act["history"].append({"state": state, "at": at, "actor": actor, "note": note})
            act["state"] = state
            act["updated_at"] = at
        return sorted(found.values(), key=lambda a: a["updated_at"], reverse=True)
