"""Org-level SLE reads over a set of sites: per-SLE totals with their top classifier, trends and
worst sites, from the hourly rollup (``sle_hours``) so they stay fast on a month of many sites.

Owns ``OrgQuery``: the answers a dashboard's overview needs for exactly the sites a user may see
(a tenant's sites, or all). Whole days inside a range are read from the daily rollup
(``sle_days``) and only the hours at its edges from ``sle_hours``, so a month costs about as much
as a day. Must not write to the lake or compute verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from assurance.query import layers
from assurance.query.reader import LakeReader, where
from assurance.sle.catalog import SLES

_ORDER = {s.name: i for i, s in enumerate(SLES)}
_FAMILY = {s.name: s.family for s in SLES}


def _pct(good: int, total: int) -> float | None:
    return None if total == 0 else 100.0 * good / total


def _ceil_day(t: datetime) -> datetime:
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    return day if day == t else day + timedelta(days=1)


class OrgQuery(LakeReader):
    """Org overview answers, restricted to a list of sites (None = every site)."""

    def _rolled(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> tuple[str, dict[str, Any]]:
        """A subquery of (t, site, sle, classifier, total, good) rows covering [start, end)
        exactly: whole days from ``sle_days``, the hours before and after them from
        ``sle_hours``."""
        cols = "site, sle, classifier, total, good"
        if start is None or end is None:
            bounds = self.time_range()
            if bounds is None:
                cond, params = where(sites, start, end, time_column="hour_start")
                return f"SELECT hour_start AS t, {cols} FROM sle_hours WHERE {cond}", params  # noqa: S608
            start, end = start or bounds[0], end or bounds[1]
        d0 = _ceil_day(start)
        d1 = end.replace(hour=0, minute=0, second=0, microsecond=0)
        cond, params = where(sites, start, end, time_column="hour_start")
        if d1 - d0 < timedelta(days=1):
            return f"SELECT hour_start AS t, {cols} FROM sle_hours WHERE {cond}", params  # noqa: S608
        params.update(d0=d0, d1=d1, d0_date=d0.date(), d1_date=d1.date())
        site_cond = where(sites, None, None, time_column="day_start")[0]
        return (
            f"SELECT hour_start AS t, {cols} FROM sle_hours WHERE {cond} "  # noqa: S608
            "AND (hour_start < $d0 OR hour_start >= $d1) "
            "AND (date < $d0_date OR date >= $d1_date) UNION ALL "
            f"SELECT day_start AS t, {cols} FROM sle_days WHERE {site_cond} "
            "AND day_start >= $d0 AND day_start < $d1 AND date >= $d0_date AND date < $d1_date",
            params,
        )

    def sites(self) -> list[str]:
        """Every site with SLE data, sorted."""
        return [s for (s,) in self._rows("SELECT DISTINCT site FROM sle_days ORDER BY 1")]

    def time_range(self) -> tuple[datetime, datetime] | None:
        """First hour and end of the last hour with SLE data, or None for an empty lake (from
        the hourly partitions present: no file is opened)."""
        found = layers.coverage(self.con, "sle_hours")
        if found is not None:
            return found
        lo, hi = self._rows("SELECT min(hour_start), max(hour_start) FROM sle_hours")[0]
        return None if lo is None else (lo, hi + timedelta(hours=1))

    def overview(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """One row per SLE with data: user minutes, SLE %, top classifier, in catalogue order."""
        source, params = self._rolled(sites, start, end)
        rows = self._rows(
            "SELECT sle, sum(total), sum(good), "  # noqa: S608
            "arg_max(classifier, (bad, classifier)) "
            "FILTER (WHERE classifier IS NOT NULL AND bad > 0) "
            "FROM (SELECT sle, classifier, sum(total) AS total, sum(good) AS good, "
            f"sum(total - good) AS bad FROM ({source}) GROUP BY ALL) GROUP BY sle",
            params,
        )
        out = [
            {
                "sle": sle.replace("_", "-"),
                "family": _FAMILY.get(sle, ""),
                "total_user_minutes": int(t),
                "degraded_user_minutes": int(t) - int(g),
                "sle_pct": _pct(int(g), int(t)),
                "top_classifier": (top or "").replace("_", "-") or None,
            }
            for sle, t, g, top in rows
        ]
        return sorted(out, key=lambda r: _ORDER.get(r["sle"].replace("-", "_"), 99))

    def trend(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        *,
        interval: str = "hour",
        sle: str | None = None,
    ) -> list[dict[str, Any]]:
        """SLE % per SLE and hour (or day): rows of time, sle, total, degraded, sle_pct."""
        if interval not in ("hour", "day"):
            interval = "hour"
        if interval == "day":
            source, params = self._rolled(sites, start, end)
        else:
            cond, params = where(sites, start, end, time_column="hour_start")
            source = f"SELECT hour_start AS t, sle, total, good FROM sle_hours WHERE {cond}"  # noqa: S608
        only = ""
        if sle is not None:
            only = "WHERE sle = $sle"
            params["sle"] = sle.replace("-", "_")
        # sum per bucket start first: date_trunc on a zoned timestamp is slow per row
        rows = self._rows(
            f"SELECT date_trunc('{interval}', t) AS t, sle, sum(total), sum(good) "  # noqa: S608
            f"FROM (SELECT t, sle, sum(total) AS total, sum(good) AS good FROM ({source}) "
            f"{only} GROUP BY ALL) GROUP BY ALL ORDER BY 1, 2",
            params,
        )
        return [
            {
                "time": t,
                "sle": s.replace("_", "-"),
                "total_user_minutes": int(total),
                "degraded_user_minutes": int(total) - int(good),
                "sle_pct": _pct(int(good), int(total)),
            }
            for t, s, total, good in rows
        ]

    def site_scores(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
    ) -> list[dict[str, Any]]:
        """Per site and SLE: user minutes and SLE %; worst first by their lowest SLE %, then by
        the share of degraded user minutes over all their SLEs."""
        source, params = self._rolled(sites, start, end)
        rows = self._rows(
            f"SELECT site, sle, sum(total), sum(good) FROM ({source}) GROUP BY ALL",  # noqa: S608
            params,
        )
        per: dict[str, dict[str, Any]] = {}
        for site, sle, total, good in rows:
            entry = per.setdefault(site, {"site": site, "total": 0, "degraded": 0, "sles": {}})
            entry["total"] += int(total)
            entry["degraded"] += int(total) - int(good)
            entry["sles"][sle.replace("_", "-")] = _pct(int(good), int(total))
        out = []
        for entry in per.values():
            worst = min(
                ((k, v) for k, v in entry["sles"].items() if v is not None),
                key=lambda kv: kv[1],
                default=(None, None),
            )
            out.append(
                {
                    "site": entry["site"],
                    "total_user_minutes": entry["total"],
                    "degraded_user_minutes": entry["degraded"],
                    "degraded_pct": 100.0 * entry["degraded"] / entry["total"]
                    if entry["total"]
                    else 0.0,
                    "worst_sle": worst[0],
                    "worst_sle_pct": worst[1],
                    "sles": entry["sles"],
                }
            )
        return sorted(
            out,
            key=lambda r: (
                100.0 if r["worst_sle_pct"] is None else r["worst_sle_pct"],
                -r["degraded_pct"],
                r["site"],
            ),
        )
