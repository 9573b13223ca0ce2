"""Reading what analysis needs from the lake: SLE minute series, incident leaves, port errors.

Owns the SQL (parameters only) that turns ``sle_minutes`` into dense minute × series matrices of
bad and total user minutes, the leaf rows of one incident's cube, per-application org series
and per-port error counts from ``interface_stats``. Must not score, rank or write anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

#: SLEs whose minutes are sparse (events, not traffic): judged over a rolling window.
SPARSE_SLES = frozenset(
    {"roaming", "successful_connects", "wired_successful_connects", "time_to_connect"}
)


@dataclass(frozen=True)
class Matrix:
    """Minute × series counts: ``bad[t, j]`` and ``total[t, j]`` for series ``keys[j]``."""

    minutes: npt.NDArray[np.datetime64]
    keys: list[tuple[str, str]]
    bad: npt.NDArray[np.float64]
    total: npt.NDArray[np.float64]


def minute_grid(start: datetime, end: datetime) -> npt.NDArray[np.datetime64]:
    first = np.datetime64(start.replace(tzinfo=None), "m")
    last = np.datetime64(end.replace(tzinfo=None), "m")
    return np.arange(first, last, np.timedelta64(1, "m"))


def _dense(
    minutes: npt.NDArray[np.datetime64],
    rows: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    keys: list[tuple[str, str]],
    values: pd.DataFrame | dict[str, npt.NDArray[np.float64]],
) -> Matrix:
    keep = (rows >= 0) & (rows < len(minutes))
    bad = np.zeros((len(minutes), len(keys)))
    total = np.zeros_like(bad)
    np.add.at(bad, (rows[keep], codes[keep]), np.asarray(values["bad"], np.float64)[keep])
    np.add.at(total, (rows[keep], codes[keep]), np.asarray(values["total"], np.float64)[keep])
    return Matrix(minutes, keys, bad, total)


def query_matrix(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, object],
    key_columns: tuple[str, str],
    start: datetime,
    end: datetime,
) -> Matrix:
    """Dense minute × series matrices of a query's rows (``minute``, the two key columns,
    ``bad``, ``total``), with the minute index and the series codes computed by DuckDB."""
    a, b = key_columns
    got = con.execute(
        f"SELECT (epoch(minute)::BIGINT - epoch($_t0)::BIGINT) // 60 AS _t, "  # noqa: S608
        f"(dense_rank() OVER (ORDER BY {a}, {b}) - 1)::BIGINT AS _j, {a}::VARCHAR AS _a, "
        f"{b}::VARCHAR AS _b, bad, total FROM ({sql}) q",
        {**params, "_t0": start},
    ).fetchnumpy()
    minutes = minute_grid(start, end)
    codes = np.asarray(got["_j"], np.int64)
    _, first = np.unique(codes, return_index=True)
    keys = [(str(got["_a"][i]), str(got["_b"][i])) for i in first]
    values = {"bad": np.asarray(got["bad"]), "total": np.asarray(got["total"])}
    return _dense(minutes, np.asarray(got["_t"], np.int64), codes, keys, values)


def site_series(
    con: duckdb.DuckDBPyConnection, sites: Sequence[str], start: datetime, end: datetime
) -> Matrix:
    """Bad and total user minutes per (site, SLE) and minute."""
    return query_matrix(
        con,
        "SELECT minute, site, sle, sum(total - good)::DOUBLE AS bad, sum(total)::DOUBLE AS total "
        "FROM sle_minutes WHERE minute >= $a AND minute < $b AND list_contains($sites, site) "
        "GROUP BY ALL",
        {"a": start, "b": end, "sites": list(sites)},
        ("site", "sle"),
        start,
        end,
    )


def app_series(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> Matrix:
    """Bad and total Application Health minutes per application over every site."""
    return query_matrix(
        con,
        "SELECT minute, application, 'application_health' AS sle, "
        "sum(total - good)::DOUBLE AS bad, sum(total)::DOUBLE AS total "
        "FROM sle_minutes WHERE minute >= $a AND minute < $b "
        "AND sle = 'application_health' AND application IS NOT NULL GROUP BY ALL",
        {"a": start, "b": end},
        ("application", "sle"),
        start,
        end,
    )


def flagged(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> Matrix:
    """The anomalous minutes step 1 published, per (site, ``scope|metric``): ``bad`` = 1 where
    flagged, ``total`` = the score."""
    return query_matrix(
        con,
        "SELECT event_time AS minute, coalesce(site, '') AS site, scope || '|' || metric AS key, "
        "1.0 AS bad, score AS total FROM anomalies "
        "WHERE is_anomaly AND event_time >= $a AND event_time < $b",
        {"a": start, "b": end},
        ("site", "key"),
        start,
        end,
    )


def register_windows(con: duckdb.DuckDBPyConnection, windows: pd.DataFrame) -> None:
    """Make ``windows`` (``wid``, ``site``, ``sle``, ``start``, ``end``, ``base_start``,
    ``base_end``: one row per incident window and SLE) joinable as ``w`` by the queries below."""
    con.register("w", windows)


def leaves(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every window's cube: bad/total minutes per SLE, classifier and scope dimension, with
    the first bad minute of each leaf (windows from ``register_windows``)."""
    return con.execute(
        "SELECT w.wid, s.site, s.sle, classifier, sub_classifier, gateway, wan_link, "
        "application, ap, switch_port, band, sum(total - good)::DOUBLE AS bad, "
        "sum(total)::DOUBLE AS total, min(minute) FILTER (WHERE total > good) AS first_bad "
        "FROM sle_minutes s JOIN w ON s.site = w.site AND s.sle = w.sle "
        "AND s.minute >= w.start AND s.minute < w.end GROUP BY ALL"
    ).df()


def baseline_share(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str, str], float]:
    """Bad share per (window, site, SLE) over the reference span before each window."""
    rows = con.execute(
        "SELECT w.wid, s.site, s.sle, sum(total - good)::DOUBLE / greatest(sum(total), 1) "
        "FROM sle_minutes s JOIN w ON s.site = w.site AND s.sle = w.sle "
        "AND s.minute >= w.base_start AND s.minute < w.base_end GROUP BY ALL"
    ).fetchall()
    return {(int(r[0]), r[1], r[2]): float(r[3]) for r in rows}


def impacted_clients(
    con: duckdb.DuckDBPyConnection, sles: Sequence[str]
) -> dict[int, tuple[int, list[str]]]:
    """Per window: distinct clients with a bad minute on the window's SLEs, and up to ten
    applications they used."""
    parts = [
        f"SELECT w.wid, u.client_id, u.application FROM user_minutes u JOIN w "  # noqa: S608
        f"ON u.site = w.site AND w.sle = '{sle}' AND u.minute >= w.start "
        f"AND u.minute < w.end WHERE u.{sle}_ok = false"
        for sle in sles  # catalogue names, never user text
    ]
    if not parts:
        return {}
    union = " UNION ALL ".join(parts)
    rows = con.execute(
        "SELECT wid, count(DISTINCT client_id), list(DISTINCT application) FILTER "  # noqa: S608
        f"(WHERE application IS NOT NULL) FROM ({union}) GROUP BY wid"
    ).fetchall()
    return {int(r[0]): (int(r[1]), sorted(r[2] or [])[:10]) for r in rows}


def link_minutes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Minutes with an interface-down verdict per window and WAN link (for flap detection)."""
    return con.execute(
        "SELECT DISTINCT w.wid, s.wan_link, s.minute FROM sle_minutes s JOIN w "
        "ON s.site = w.site AND w.sle = 'wan_link_health' AND s.sle = 'wan_link_health' "
        "AND s.minute >= w.start AND s.minute < w.end "
        "WHERE s.classifier = 'interface' AND s.total > s.good ORDER BY 1, 2, 3"
    ).df()


def _per_link(
    con: duckdb.DuckDBPyConnection,
    links: pd.DataFrame,
    source: str,
    condition: str,
    start: datetime,
    end: datetime,
) -> Matrix:
    """Minutes in which a gateway's rows of ``source`` about an inventory WAN link (``links``:
    ``site``, ``gateway``, ``interface``, ``link``) meet ``condition``, per (site,
    ``gateway/link``). ``source``, its interface column and ``condition`` are fixed text of
    this module, never user input."""
    table, column = source.split(".")
    con.register("wan_ifl", links)
    try:
        return query_matrix(
            con,
            "SELECT DISTINCT l.site, l.gateway || '/' || l.link AS link, "  # noqa: S608
            "date_trunc('minute', x.event_time) AS minute, 1.0 AS bad, 1.0 AS total "
            f"FROM {table} x JOIN wan_ifl l ON x.device = l.gateway "
            f"AND x.{column} = l.interface WHERE x.event_time >= $a AND x.event_time < $b "
            f"AND {condition}",
            {"a": start, "b": end},
            ("site", "link"),
            start,
            end,
        )
    finally:
        con.unregister("wan_ifl")


def link_down(
    con: duckdb.DuckDBPyConnection, links: pd.DataFrame, start: datetime, end: datetime
) -> Matrix:
    """Minutes in which a gateway reported an inventory WAN interface down."""
    return _per_link(con, links, "interface_stats.if_name", "x.oper_status = 'down'", start, end)


def probes_lost(
    con: duckdb.DuckDBPyConnection, links: pd.DataFrame, start: datetime, end: datetime
) -> Matrix:
    """Minutes in which every RPM probe a gateway sent over an inventory WAN link was lost:
    nothing beyond the link answers, even with no user on it."""
    return _per_link(
        con, links, "sla_metrics.interface", "x.source = 'rpm' AND x.loss_pct >= 100", start, end
    )


def port_errors(
    con: duckdb.DuckDBPyConnection,
    sites: Sequence[str],
    start: datetime,
    end: datetime,
    min_errors: float,
    min_ratio: float,
) -> Matrix:
    """Minutes in which a port's input errors (counter delta, resets skipped) reached
    ``min_errors`` and ``min_ratio`` of its packets, per (site, ``device/port``);
    ``bad`` = the errors of such a minute."""
    return query_matrix(
        con,
        "WITH s AS (SELECT site, device, if_name, date_trunc('minute', event_time) AS minute, "
        "in_errors, in_pkts, counter_reset, "
        "lag(in_errors) OVER w AS prev_err, lag(in_pkts) OVER w AS prev_pkts "
        "FROM interface_stats WHERE event_time >= $a AND event_time < $b "
        "AND list_contains($sites, site) AND in_errors IS NOT NULL "
        "WINDOW w AS (PARTITION BY device, if_name ORDER BY event_time)), "
        "d AS (SELECT site, device || '/' || if_name AS port, minute, "
        "(in_errors::BIGINT - prev_err::BIGINT)::DOUBLE AS errors, "
        "greatest(in_pkts::BIGINT - prev_pkts::BIGINT, 1)::DOUBLE AS pkts FROM s "
        "WHERE prev_err IS NOT NULL AND NOT coalesce(counter_reset, false) "
        "AND in_errors >= prev_err AND in_pkts >= prev_pkts) "
        "SELECT site, port, minute, errors AS bad, 1.0 AS total FROM d "
        "WHERE errors >= $e AND errors >= $r * pkts",
        {"a": start, "b": end, "sites": list(sites), "e": min_errors, "r": min_ratio},
        ("site", "port"),
        start,
        end,
    )
