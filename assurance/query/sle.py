"""SLE reads shaped after Mist's SLE API: metrics, summary, trend, classifiers, histogram, impact.

Owns the questions and the shape of their answers (plain dicts and lists, JSON-ready). Keys —
metric, scope, classifier, impact kind — accept both ``-`` and ``_`` spellings. Scope columns
come from a fixed list and every value is bound as a parameter. Counts come from the coarsest
SLE table that answers each part of the range (``sle_days``, ``sle_hours``, ``sle_minutes`` at
the edges: the same sums as the minutes alone); impacted users from the ``user_days`` and
``user_hours`` roll-ups plus edge minutes when they cover whole hours of the range, else
``user_minutes``; measured-value histograms from ``user_minutes``. Must not write to the lake
or compute verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from assurance.errors import AssuranceError
from assurance.lake.catalog import connect
from assurance.query import layers
from assurance.rollups.tables import USER_HOURS
from assurance.sle.catalog import BY_NAME, SCOPES, SLES, Sle, normalise

#: Impact lists: Mist-style kind → the column it groups by.
IMPACT_KINDS: dict[str, str] = {
    "users": "client_id",
    "applications": "application",
    "apps": "application",
    "wan_links": "wan_link",
    "interfaces": "wan_link",
    "aps": "ap",
    "switch_ports": "switch_port",
    "switches": "switch",
    "gateways": "gateway",
    "bands": "band",
    "sites": "site",
}
_INTERVALS = {
    "minute": "minute",
    "1m": "minute",
    "hour": "hour",
    "1h": "hour",
    "day": "day",
    "1d": "day",
}


class QueryError(AssuranceError):
    """A question the read API cannot answer as asked (unknown key, bad range…)."""


@dataclass(frozen=True)
class Scope:
    """Where to look: a scope column and its value (org = everywhere), a site, a time range."""

    column: str | None
    value: str | None
    site: str | None
    start: datetime | None
    end: datetime | None


def _metric(key: str) -> Sle:
    found = BY_NAME.get(normalise(key))
    if found is None:
        raise QueryError(f"unknown SLE {key!r}; known: {', '.join(s.key for s in SLES)}")
    return found


class SleQuery:
    """SLE answers over one lake."""

    def __init__(self, lake: str) -> None:
        try:
            self.con = connect(lake)
            layers.attach(self.con, lake)
        except AssuranceError as exc:
            raise QueryError(str(exc)) from None

    def close(self) -> None:
        self.con.close()

    # -- plumbing --------------------------------------------------------------------------

    def _rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        try:
            return self.con.execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise QueryError(str(exc).splitlines()[0]) from None

    @staticmethod
    def scope(
        scope: str = "org",
        scope_id: str | None = None,
        *,
        site: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Scope:
        name = normalise(scope)
        if name not in SCOPES:
            raise QueryError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")
        if name != "org" and scope_id is None:
            raise QueryError(f"scope {scope!r} needs a scope id")
        if start is not None and end is not None and end <= start:
            raise QueryError("the time range is empty (end must be after start)")
        column = None if name == "org" else name
        return Scope(column, scope_id if column else None, site, start, end)

    @staticmethod
    def _where(s: Scope, time_column: str = "minute") -> tuple[str, dict[str, Any]]:
        clauses = ["true"]
        params: dict[str, Any] = {}
        if s.column is not None:
            clauses.append(f"{s.column} = $scope_id")
            params["scope_id"] = s.value
        if s.site is not None:
            clauses.append("site = $site")
            params["site"] = s.site
        # the ``date`` partition key too: DuckDB then opens only the range's files
        if s.start is not None:
            clauses.append(f"{time_column} >= $start AND date >= $start_date")
            params["start"] = s.start
            params["start_date"] = s.start.astimezone(UTC).date()
        if s.end is not None:
            clauses.append(f"{time_column} < $end AND date <= $end_date")
            params["end"] = s.end
            params["end_date"] = s.end.astimezone(UTC).date()
        return " AND ".join(clauses), params

    @staticmethod
    def _filters(s: Scope) -> tuple[str, dict[str, Any]]:
        """The scope's conditions on non-time columns."""
        clauses = ["true"]
        params: dict[str, Any] = {}
        if s.column is not None:
            clauses.append(f"{s.column} = $scope_id")
            params["scope_id"] = s.value
        if s.site is not None:
            clauses.append("site = $site")
            params["site"] = s.site
        return " AND ".join(clauses), params

    def _source(self, s: Scope, coarsest: str = "day") -> tuple[str, dict[str, Any]]:
        """SLE count rows of the scope over its range, from the coarsest table per part."""
        cond, params = self._filters(s)
        return layers.sle_source(self.con, s.start, s.end, cond, params, coarsest=coarsest)

    # -- questions ------------------------------------------------------------------------

    def metrics(self) -> list[dict[str, Any]]:
        """Every SLE with its family and classifiers (Mist's metric list)."""
        return [
            {
                "name": s.key,
                "family": s.family,
                "metric": s.metric,
                "classifiers": [c.replace("_", "-") for c in s.classifiers],
            }
            for s in SLES
        ]

    def summary(self, metric: str, s: Scope) -> dict[str, Any]:
        """Total and degraded user minutes, SLE %, and the classifier breakdown."""
        sle = _metric(metric)
        source, params = self._source(s)
        params["sle"] = sle.name
        row = self._rows(
            "SELECT coalesce(sum(total), 0), coalesce(sum(good), 0), sum(value_sum) / "  # noqa: S608
            f"nullif(sum(value_count), 0) FROM ({source}) WHERE sle = $sle",
            params,
        )[0]
        total, good, mean = int(row[0]), int(row[1]), row[2]
        return {
            "metric": sle.key,
            "scope": s.column or "org",
            "scope_id": s.value,
            "site": s.site,
            "start": s.start,
            "end": s.end,
            "total_user_minutes": total,
            "degraded_user_minutes": total - good,
            "sle": None if total == 0 else 100.0 * good / total,
            "mean_value": mean,
            "classifiers": self.classifiers(metric, s),
        }

    def overview(self, s: Scope) -> list[dict[str, Any]]:
        """One line per SLE with data: totals, SLE % and the top classifier."""
        source, params = self._source(s)
        rows = self._rows(
            f"SELECT sle, sum(total), sum(good) FROM ({source}) GROUP BY sle",  # noqa: S608
            params,
        )
        tops = self._rows(
            "SELECT sle, arg_max(classifier, (n, classifier)) FROM (SELECT sle, classifier, "  # noqa: S608
            f"sum(total - good) AS n FROM ({source}) WHERE classifier IS NOT NULL "
            "GROUP BY ALL) GROUP BY sle",
            params,
        )
        top = dict(tops)
        found = {sle: (int(t), int(g)) for sle, t, g in rows}
        out = []
        for sle in SLES:
            if sle.name not in found:
                continue
            total, good = found[sle.name]
            out.append(
                {
                    "metric": sle.key,
                    "family": sle.family,
                    "total_user_minutes": total,
                    "degraded_user_minutes": total - good,
                    "sle": None if total == 0 else 100.0 * good / total,
                    "top_classifier": (top.get(sle.name) or "").replace("_", "-") or None,
                }
            )
        return out

    def classifiers(self, metric: str, s: Scope) -> list[dict[str, Any]]:
        """Degraded user minutes per classifier and sub-classifier, in precedence order."""
        sle = _metric(metric)
        source, params = self._source(s)
        params["sle"] = sle.name
        rows = self._rows(
            "SELECT classifier, sub_classifier, sum(total - good) "  # noqa: S608
            f"FROM ({source}) WHERE sle = $sle AND classifier IS NOT NULL GROUP BY ALL",
            params,
        )
        degraded = sum(int(n) for _, _, n in rows)
        out = []
        for name in sle.classifiers:
            subs = [(sub, int(n)) for c, sub, n in rows if c == name]
            n = sum(k for _, k in subs)
            out.append(
                {
                    "name": name.replace("_", "-"),
                    "degraded_user_minutes": n,
                    "percent_of_degraded": 0.0 if degraded == 0 else 100.0 * n / degraded,
                    "sub_classifiers": [
                        {"name": sub, "degraded_user_minutes": k}
                        for sub, k in sorted(subs, key=lambda x: (-x[1], x[0] or ""))
                    ],
                }
            )
        return out

    def trend(self, metric: str, s: Scope, interval: str = "hour") -> dict[str, Any]:
        """Total and degraded user minutes per interval (minute, hour or day)."""
        sle = _metric(metric)
        grain = _INTERVALS.get(interval.lower())
        if grain is None:
            raise QueryError(f"unknown interval {interval!r}; use minute, hour or day")
        source, params = self._source(s, coarsest=grain)
        params["sle"] = sle.name
        # sum per stored bucket first: date_trunc on a zoned timestamp is slow per row
        rows = self._rows(
            f"SELECT date_trunc('{grain}', t) AS t, sum(total), sum(good) FROM ("  # noqa: S608
            f"SELECT t, sum(total) AS total, sum(good) AS good FROM ({source}) "
            "WHERE sle = $sle GROUP BY t) GROUP BY 1 ORDER BY 1",
            params,
        )
        return {
            "metric": sle.key,
            "interval": grain,
            "samples": [
                {
                    "time": t,
                    "total_user_minutes": int(total),
                    "degraded_user_minutes": int(total - good),
                    "sle": 100.0 * int(good) / int(total) if total else None,
                }
                for t, total, good in rows
            ],
        }

    def histogram(self, metric: str, s: Scope, bins: int = 10) -> dict[str, Any]:
        """Distribution of the measured value behind the verdicts (equal-width bins)."""
        sle = _metric(metric)
        if not 1 <= bins <= 1000:
            raise QueryError("bins must be between 1 and 1000")
        where, params = self._where(s)
        value = f"{sle.name}_value"
        rows = self._rows(
            f"SELECT {value} FROM user_minutes WHERE {value} IS NOT NULL AND {where}",  # noqa: S608
            params,
        )
        values = [float(v) for (v,) in rows]
        data: list[dict[str, Any]] = []
        if values:
            lo, hi = min(values), max(values)
            width = (hi - lo) / bins if hi > lo else 1.0
            counts = [0] * bins
            for v in values:
                counts[min(int((v - lo) / width), bins - 1)] += 1
            data = [
                {"range": [lo + i * width, lo + (i + 1) * width], "user_minutes": n}
                for i, n in enumerate(counts)
            ]
        return {"metric": sle.key, "x_label": sle.metric, "y_label": "user_minutes", "data": data}

    def impacted(
        self,
        metric: str,
        kind: str,
        s: Scope,
        *,
        classifier: str | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Users, apps, WAN links, APs, switch ports or gateways with degraded minutes."""
        sle = _metric(metric)
        column = IMPACT_KINDS.get(normalise(kind))
        if column is None:
            raise QueryError(f"unknown impact kind {kind!r}; known: {', '.join(IMPACT_KINDS)}")
        where, params = self._where(s)
        params["limit"] = limit
        cls = normalise(classifier) if classifier else None
        if cls is not None and cls not in sle.classifiers:
            raise QueryError(f"{sle.key} has no classifier {classifier!r}")
        if column == "client_id" and cls is None:
            rolled = self._impacted_users(sle, s, limit)
            if rolled is not None:
                return rolled
        if column == "client_id":
            ok = f"{sle.name}_ok"
            bad = f"NOT {ok}" + (f" AND {sle.name}_classifier = $cls" if cls else "")
            if cls:
                params["cls"] = cls
            sql = (
                f"SELECT client_id, any_value(client_mac), any_value(client_ip), "  # noqa: S608
                f"any_value(hostname), count(*) FILTER (WHERE {bad}), count(*) "
                f"FROM user_minutes WHERE {ok} IS NOT NULL AND {where} GROUP BY client_id "
                f"HAVING count(*) FILTER (WHERE {bad}) > 0 ORDER BY 5 DESC, 1 LIMIT $limit"
            )
            return [
                {
                    "client_id": c,
                    "mac": mac,
                    "ip": ip,
                    "hostname": host,
                    "degraded_user_minutes": int(d),
                    "total_user_minutes": int(t),
                }
                for c, mac, ip, host, d, t in self._rows(sql, params)
            ]
        source, params = self._source(s)
        params.update(sle=sle.name, limit=limit)
        bad_expr = "total - good"
        if cls:
            bad_expr = "CASE WHEN classifier = $cls THEN total - good ELSE 0 END"
            params["cls"] = cls
        sql = (
            f"SELECT {column}, sum({bad_expr}), sum(total) FROM ({source}) "  # noqa: S608
            f"WHERE sle = $sle AND {column} IS NOT NULL GROUP BY 1 "
            f"HAVING sum({bad_expr}) > 0 ORDER BY 2 DESC, 1 LIMIT $limit"
        )
        return [
            {"name": name, "degraded_user_minutes": int(d), "total_user_minutes": int(t)}
            for name, d, t in self._rows(sql, params)
        ]

    def _impacted_users(self, sle: Sle, s: Scope, limit: int) -> list[dict[str, Any]] | None:
        """Impacted users from ``user_hours`` (whole hours) and the edge minutes; None when
        the roll-up covers no whole hour of the range."""
        cond, params = self._filters(s)
        found = layers.rollup_source(self.con, USER_HOURS, s.start, s.end, cond, params)
        if found is None:
            return None
        source, params = found
        params["limit"] = limit
        n, bad = f"{sle.name}_n", f"{sle.name}_bad"
        rows = self._rows(
            f"SELECT client_id, any_value(client_mac), any_value(client_ip), "  # noqa: S608
            f"any_value(hostname), sum({bad}), sum({n}) FROM ({source}) WHERE {n} > 0 "
            f"GROUP BY client_id HAVING sum({bad}) > 0 ORDER BY 5 DESC, 1 LIMIT $limit",
            params,
        )
        return [
            {
                "client_id": c,
                "mac": mac,
                "ip": ip,
                "hostname": host,
                "degraded_user_minutes": int(d),
                "total_user_minutes": int(t),
            }
            for c, mac, ip, host, d, t in rows
        ]
