"""Incident and action reads: the latest version of each, with ranked causes and evidence.

Owns the shape of incident answers (plain dicts, JSON-ready): where, when, status, SLEs, the
ranked causes with confidence and evidence, impact and the suggested action; and the state
history of actions. Filters are bound parameters. Must not write to the lake.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assurance.query.reader import LakeReader
from assurance.query.sle import QueryError

_STATUSES = ("open", "resolved")


class IncidentQuery(LakeReader):
    """Incident answers over one lake."""

    def incidents(
        self,
        *,
        site: str | None = None,
        status: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Incidents (latest version), most recently detected first; ``site`` also matches
        org-wide incidents that list the site among theirs."""
        if status is not None and status not in _STATUSES:
            raise QueryError(f"unknown status {status!r}; known: {', '.join(_STATUSES)}")
        # An incident shown for [start, end) was last updated at or after ``start`` (its end,
        # or its last update while open, is); so only versions from ``start`` on are read, and
        # the date partitions before it are skipped.
        recent = "updated_at >= $start AND date >= $start_date" if start is not None else "true"
        rows = self._rows(
            f"WITH v AS (SELECT * FROM incidents WHERE {recent}), "  # noqa: S608
            "latest AS (SELECT incident_id, max(updated_at) AS at FROM v "
            "GROUP BY 1) SELECT i.incident_id, i.site, i.status, i.started_at, i.ended_at, "
            "i.sle, i.rank, i.root_cause, i.confidence, i.impacted_users, i.impacted_minutes, "
            "i.evidence, i.suggested_action FROM v i JOIN latest l "
            "ON i.incident_id = l.incident_id AND i.updated_at = l.at "
            "WHERE ($status IS NULL OR i.status = $status) "
            "AND ($start IS NULL OR coalesce(i.ended_at, i.updated_at) >= $start) "
            "AND ($end IS NULL OR i.started_at < $end) ORDER BY i.incident_id, i.rank",
            {
                "status": status,
                "start": start,
                "end": end,
                **({"start_date": start.astimezone(UTC).date()} if start is not None else {}),
            },
        )
        found: dict[str, dict[str, Any]] = {}
        for (
            iid,
            isite,
            istatus,
            started,
            ended,
            sles,
            rank,
            label,
            conf,
            users,
            minutes,
            evidence,
            action,
        ) in rows:
            ev = dict(evidence or {})
            inc = found.get(iid)
            if inc is None:
                sites = [s for s in ev.get("sites", "").split(",") if s]
                inc = found[iid] = {
                    "incident_id": iid,
                    "site": isite,
                    "sites": sites,
                    "where": isite
                    or f"{ev.get('scope', 'org')}:{ev.get('scope_value', '')} ({len(sites)} sites)",
                    "status": istatus,
                    "started_at": started,
                    "ended_at": ended,
                    "detected_at": datetime.fromisoformat(ev["detected_at"])
                    if "detected_at" in ev
                    else started,
                    "sles": sles or "",
                    "impacted_users": int(users or 0),
                    "impacted_minutes": int(minutes or 0),
                    "suggested_action": action or "",
                    "causes": [],
                }
            inc["causes"].append(
                {
                    "rank": int(rank),
                    "root_cause": label,
                    "title": ev.get("title", label),
                    "layer": ev.get("layer"),
                    "kind": ev.get("kind"),
                    "confidence": float(conf or 0.0),
                    "evidence": ev,
                }
            )
        out = list(found.values())
        if site is not None:
            out = [i for i in out if i["site"] == site or site in i["sites"]]
        out.sort(key=lambda i: i["detected_at"], reverse=True)
        return out

    def actions(self, *, site: str | None = None) -> list[dict[str, Any]]:
        """Every action with its states in time order, latest state first in the list."""
        rows = self._rows(
            "SELECT action_id, incident_id, site, device, kind, state, updated_at, actor, note "
            "FROM actions WHERE ($site IS NULL OR site = $site) ORDER BY action_id, updated_at",
            {"site": site},
        )
        found: dict[str, dict[str, Any]] = {}
        for aid, iid, asite, device, kind, state, at, actor, note in rows:
            act = found.setdefault(
                aid,
                {
                    "action_id": aid,
                    "incident_id": iid,
                    "site": asite,
                    "device": device,
                    "kind": kind,
                    "history": [],
                },
            )
            act["history"].append({"state": state, "at": at, "actor": actor, "note": note})
            act["state"] = state
            act["updated_at"] = at
        return sorted(found.values(), key=lambda a: a["updated_at"], reverse=True)
