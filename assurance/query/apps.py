"""Application reads: who used which application where, how its Application Health SLE fared,
its round-trip time and volume, per application, per site and over time.

Owns ``AppQuery``. Reads ``user_minutes`` (users, bytes, measured RTT) and ``sle_minutes``
(application-health counts by application). Units are in the keys. Must not write to the lake.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assurance.query.reader import LakeReader, where


class AppQuery(LakeReader):
    """Application answers for a set of sites (None = every site)."""

    def apps(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        *,
        by_site: bool = False,
    ) -> list[dict[str, Any]]:
        """Per application (and site with ``by_site``): users, user minutes, Application Health
        SLE %, mean and p95 RTT in ms, MB transferred; worst SLE first."""
        cond, params = where(sites, start, end, time_column="minute")
        site = "site, " if by_site else ""
        return self._dicts(
            f"SELECT application, {site}count(DISTINCT client_id) AS users, "  # noqa: S608
            "count(*) AS user_minutes, "
            "count(*) FILTER (WHERE application_health_ok = false) AS degraded_user_minutes, "
            "100.0 * count(*) FILTER (WHERE application_health_ok) / "
            "nullif(count(application_health_ok), 0) AS sle_pct, "
            "avg(application_health_value) AS rtt_ms, "
            "quantile_cont(application_health_value, 0.95) AS rtt_p95_ms, "
            "sum(coalesce(bytes_up, 0) + coalesce(bytes_down, 0)) / 1e6 AS megabytes, "
            "mode(application_health_classifier) FILTER (WHERE application_health_ok = false) "
            "AS top_classifier "
            f"FROM user_minutes WHERE application IS NOT NULL AND {cond} GROUP BY ALL "
            f"ORDER BY sle_pct NULLS LAST, application{', site' if by_site else ''}",
            params,
        )

    def trend(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        *,
        interval: str = "hour",
        application: str | None = None,
    ) -> list[dict[str, Any]]:
        """Application Health SLE % per application and hour (or 15 minutes, or day)."""
        width = {"15m": "15 minutes", "hour": "1 hour", "day": "1 day"}.get(interval, "1 hour")
        cond, params = where(sites, start, end, time_column="minute")
        if application is not None:
            cond += " AND application = $app"
            params["app"] = application
        return self._dicts(
            f"SELECT time_bucket(INTERVAL '{width}', minute) AS time, application, "  # noqa: S608
            "sum(total) AS user_minutes, sum(total - good) AS degraded_user_minutes, "
            "100.0 * sum(good) / nullif(sum(total), 0) AS sle_pct FROM sle_minutes "
            f"WHERE sle = 'application_health' AND application IS NOT NULL AND {cond} "
            "GROUP BY ALL ORDER BY 1, 2",
            params,
        )
