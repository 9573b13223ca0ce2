"""Application reads: who used which application where, how its Application Health SLE fared,
its round-trip time and volume, per application, per site and over time.

Owns ``AppQuery``. Reads ``user_minutes`` (users, bytes, measured RTT) and the SLE counts
(application-health by application, from the coarsest SLE table per part of the range). Ranges
over two hours read whole days from the ``user_days`` roll-up and whole hours from ``user_hours``:
the same counts (distinct users too), but the RTT p95 is then the 95th percentile of client-hour
mean RTTs (``rtt_p95_basis`` says which). Units are in
the keys. Must not write to the lake.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assurance.query import layers
from assurance.query.reader import LakeReader, where
from assurance.rollups.tables import USER_HOURS


class AppQuery(LakeReader):
    """Application answers for a set of sites (None = every site)."""

    def apps(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        *,
        by_site: bool = False,
        p95: bool = True,
    ) -> list[dict[str, Any]]:
        """Per application (and site with ``by_site``): users, user minutes, Application Health
        SLE %, mean and p95 RTT in ms (None without ``p95``: the costliest part over a month),
        MB transferred; worst SLE first."""
        if layers.long_range(start, end):
            rolled = self._apps_rolled(sites, start, end, by_site=by_site, p95=p95)
            if rolled is not None:
                return rolled
        cond, params = where(sites, start, end, time_column="minute")
        site = "site, " if by_site else ""
        rtt_p95 = "quantile_cont(application_health_value, 0.95)" if p95 else "NULL::DOUBLE"
        out = self._dicts(
            f"SELECT application, {site}count(DISTINCT client_id) AS users, "  # noqa: S608
            "count(*) AS user_minutes, "
            "count(*) FILTER (WHERE application_health_ok = false) AS degraded_user_minutes, "
            "100.0 * count(*) FILTER (WHERE application_health_ok) / "
            "nullif(count(application_health_ok), 0) AS sle_pct, "
            "avg(application_health_value) AS rtt_ms, "
            f"{rtt_p95} AS rtt_p95_ms, "
            "sum(coalesce(bytes_up, 0) + coalesce(bytes_down, 0)) / 1e6 AS megabytes, "
            "mode(application_health_classifier) FILTER (WHERE application_health_ok = false) "
            "AS top_classifier "
            f"FROM user_minutes WHERE application IS NOT NULL AND {cond} GROUP BY ALL "
            f"ORDER BY sle_pct NULLS LAST, application{', site' if by_site else ''}",
            params,
        )
        for row in out:
            row["rtt_p95_basis"] = "minutes"
        return out

    def _apps_rolled(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        *,
        by_site: bool,
        p95: bool,
    ) -> list[dict[str, Any]] | None:
        cond, params = layers.sites_filter(list(sites) if sites is not None else None)
        found = layers.rollup_source(self.con, USER_HOURS, start, end, cond, params)
        if found is None:
            return None
        source, params = found
        site = "site, " if by_site else ""
        rtt_p95 = "list_aggregate(flatten(list(app_rtt_means)), 'quantile_cont', 0.95)"
        out = self._dicts(
            f"SELECT application, {site}count(DISTINCT client_id) AS users, "  # noqa: S608
            "sum(minutes) AS user_minutes, "
            "sum(application_health_bad) AS degraded_user_minutes, "
            "100.0 * (sum(application_health_n) - sum(application_health_bad)) / "
            "nullif(sum(application_health_n), 0) AS sle_pct, "
            "sum(app_rtt_sum) / nullif(sum(app_rtt_count), 0) AS rtt_ms, "
            f"{rtt_p95 if p95 else 'NULL::DOUBLE'} AS rtt_p95_ms, "
            "sum(bytes) / 1e6 AS megabytes "
            f"FROM ({source}) WHERE application IS NOT NULL GROUP BY ALL "
            f"ORDER BY sle_pct NULLS LAST, application{', site' if by_site else ''}",
            params,
        )
        sle_cond, sle_params = layers.sites_filter(list(sites) if sites is not None else None)
        sle_source, sle_params = layers.sle_source(self.con, start, end, sle_cond, sle_params)
        tops = {
            tuple(r[:-1]): r[-1]
            for r in self._rows(
                f"SELECT application, {site}arg_max(classifier, (bad, classifier)) FROM ("  # noqa: S608
                f"SELECT application, {site}classifier, sum(total - good) AS bad "
                f"FROM ({sle_source}) WHERE sle = 'application_health' AND classifier IS NOT NULL "
                "AND application IS NOT NULL GROUP BY ALL HAVING sum(total - good) > 0) "
                "GROUP BY ALL",
                sle_params,
            )
        }
        for row in out:
            key = (row["application"], row["site"]) if by_site else (row["application"],)
            row["users"] = int(row["users"])
            row["user_minutes"] = int(row["user_minutes"])
            row["degraded_user_minutes"] = int(row["degraded_user_minutes"])
            row["top_classifier"] = tops.get(key) if row["degraded_user_minutes"] else None
            row["rtt_p95_basis"] = "client-hours"
        return out

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
        cond, params = layers.sites_filter(list(sites) if sites is not None else None)
        if application is not None:
            cond += " AND application = $app"
            params["app"] = application
        coarsest = {"15m": "minute", "day": "day"}.get(interval, "hour")
        source, params = layers.sle_source(self.con, start, end, cond, params, coarsest=coarsest)
        # sum per stored bucket first, then into the chart's buckets
        return self._dicts(
            f"SELECT time_bucket(INTERVAL '{width}', t) AS time, application, "  # noqa: S608
            "sum(total) AS user_minutes, sum(total - good) AS degraded_user_minutes, "
            "100.0 * sum(good) / nullif(sum(total), 0) AS sle_pct FROM ("
            "SELECT t, application, sum(total) AS total, sum(good) AS good "
            f"FROM ({source}) WHERE sle = 'application_health' AND application IS NOT NULL "
            "GROUP BY ALL) GROUP BY ALL ORDER BY 1, 2",
            params,
        )
