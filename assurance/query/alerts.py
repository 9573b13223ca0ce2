"""Alert reads: the latest delivery state of every notification (per event and receiver), dead
letters, and counts by state, from the lake's ``alerts`` table (the outbox's mirror).

Owns ``AlertQuery``. Org-wide alerts (no site) are included only when asked, because their labels
may name many sites. Must not write to the lake or deliver anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assurance.query.reader import LakeReader, where


class AlertQuery(LakeReader):
    """Alert answers for a set of sites (None = every site)."""

    def alerts(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        *,
        org_wide: bool = True,
        delivery: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Latest state per (event, receiver), newest first: rule name, site, severity, firing
        or resolved, receiver, delivery state, attempts, last error, labels."""
        cond, params = where(None, start, end, time_column="updated_at")
        params["limit"] = limit
        site_ok = "true"
        if sites is not None:
            params["sites"] = list(sites)
            params["org_wide"] = org_wide
            site_ok = (
                "(list_contains(CAST($sites AS VARCHAR[]), site) OR (site IS NULL AND $org_wide))"
            )
        elif not org_wide:
            site_ok = "site IS NOT NULL"
        rows = self._dicts(
            "SELECT updated_at, event_id, fingerprint, name, site, severity, status, "  # noqa: S608
            "receiver, delivery, attempts, last_error, labels FROM alerts "
            f"WHERE {cond} AND {site_ok} "
            "QUALIFY row_number() OVER (PARTITION BY event_id, coalesce(receiver, '') "
            "ORDER BY updated_at DESC, coalesce(attempts, 0) DESC) = 1 "
            "ORDER BY updated_at DESC LIMIT $limit",
            params,
        )
        for row in rows:
            row["labels"] = dict(row["labels"] or {})
        if delivery is not None:
            rows = [r for r in rows if r["delivery"] == delivery]
        return rows

    @staticmethod
    def counts(alerts: list[dict[str, Any]]) -> dict[str, int]:
        """How many notifications are in each delivery state."""
        out: dict[str, int] = {}
        for a in alerts:
            key = a["delivery"] or "unknown"
            out[key] = out.get(key, 0) + 1
        return out
