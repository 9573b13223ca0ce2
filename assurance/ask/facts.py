"""Reads the read API does not have yet, built on ``assurance.query.reader``: one client's SLE
minutes (good, bad and the classifiers of the bad ones) and the time span of the lake's SLE data.

Owns ``ClientQuery``. Fixed SQL with bound parameters only. Must not write to the lake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assurance.query.reader import LakeReader, where
from assurance.sle.catalog import SLES


class ClientQuery(LakeReader):
    """Per-client answers."""

    def client_sles(
        self, client_id: str, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """Per SLE the client had minutes in: total, bad, SLE %, top classifier of the bad."""
        cond, params = where(None, start, end, time_column="minute")
        params["cid"] = client_id
        cols = ", ".join(
            f"count({s.name}_ok), count(*) FILTER (WHERE NOT {s.name}_ok), "
            f"mode({s.name}_classifier) FILTER (WHERE NOT {s.name}_ok)"
            for s in SLES
        )
        row = self._rows(
            f"SELECT {cols}, any_value(site), any_value(ap), any_value(switch_port), "  # noqa: S608
            "mode(application), mode(wan_link) FROM user_minutes "
            f"WHERE client_id = $cid AND {cond}",
            params,
        )[0]
        out = []
        for i, s in enumerate(SLES):
            total, bad, top = row[3 * i], row[3 * i + 1], row[3 * i + 2]
            if total:
                out.append(
                    {
                        "sle": s.key,
                        "total_user_minutes": int(total),
                        "degraded_user_minutes": int(bad),
                        "sle_pct": 100.0 * (int(total) - int(bad)) / int(total),
                        "top_classifier": (top or "").replace("_", "-") or None,
                    }
                )
        return out

    def span(self) -> tuple[datetime, datetime] | None:
        """First and last minute with SLE data (None for a lake without SLEs)."""
        lo, hi = self._rows("SELECT min(hour_start), max(hour_start) FROM sle_hours")[0]
        return None if lo is None else (lo, hi)
