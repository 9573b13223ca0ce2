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


def to_matrix(
    frame: pd.DataFrame, key_columns: Sequence[str], start: datetime, end: datetime
) -> Matrix:
    """Dense matrices from long rows (``minute``, key columns, ``bad``, ``total``)."""
    minutes = minute_grid(start, end)
    if frame.empty:
        empty = np.zeros((len(minutes), 0))
        return Matrix(minutes, [], empty, empty.copy())
    keys_frame = frame[list(key_columns)].astype(str)
    key_tuples = list(map(tuple, keys_frame.to_numpy()))
    codes, uniques = pd.factorize(pd.Series(key_tuples, dtype=object))
    stamps = pd.to_datetime(frame["minute"], utc=True).dt.tz_localize(None)
    rows = (stamps.to_numpy().astype("datetime64[m]") - minutes[0]) // np.timedelta64(1, "m")
    rows = rows.astype(np.int64)
    keep = (rows >= 0) & (rows < len(minutes))
    bad = np.zeros((len(minutes), len(uniques)))
    total = np.zeros_like(bad)
    np.add.at(bad, (rows[keep], codes[keep]), frame["bad"].to_numpy(np.float64)[keep])
    np.add.at(total, (rows[keep], codes[keep]), frame["total"].to_numpy(np.float64)[keep])
    return Matrix(minutes, [tuple(k) for k in uniques], bad, total)


def site_series(
    con: duckdb.DuckDBPyConnection, sites: Sequence[str], start: datetime, end: datetime
) -> Matrix:
    """Bad and total user minutes per (site, SLE) and minute."""
    frame = con.execute(
        "SELECT minute, site, sle, sum(total - good)::DOUBLE AS bad, sum(total)::DOUBLE AS total "
        "FROM sle_minutes WHERE minute >= $a AND minute < $b AND list_contains($sites, site) "
        "GROUP BY ALL",
        {"a": start, "b": end, "sites": list(sites)},
    ).df()
    return to_matrix(frame, ("site", "sle"), start, end)


def app_series(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> Matrix:
    """Bad and total Application Health minutes per application over every site."""
    frame = con.execute(
        "SELECT minute, application, 'application_health' AS sle, "
        "sum(total - good)::DOUBLE AS bad, sum(total)::DOUBLE AS total "
        "FROM sle_minutes WHERE minute >= $a AND minute < $b "
        "AND sle = 'application_health' AND application IS NOT NULL GROUP BY ALL",
        {"a": start, "b": end},
    ).df()
    return to_matrix(frame, ("application", "sle"), start, end)


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


def link_down(
    con: duckdb.DuckDBPyConnection, links: pd.DataFrame, start: datetime, end: datetime
) -> pd.DataFrame:
    """Minutes in which a gateway reported an inventory WAN interface down (``links``:
    ``site``, ``gateway``, ``interface``, ``link``); ``bad`` = 1 per such minute."""
    con.register("wan_ifl", links)
    try:
        return con.execute(
            "SELECT DISTINCT l.site, l.gateway || '/' || l.link AS link, "
            "date_trunc('minute', i.event_time) AS minute, 1.0 AS bad, 1.0 AS total "
            "FROM interface_stats i JOIN wan_ifl l ON i.device = l.gateway "
            "AND i.if_name = l.interface WHERE i.event_time >= $a AND i.event_time < $b "
            "AND i.oper_status = 'down'",
            {"a": start, "b": end},
        ).df()
    finally:
        con.unregister("wan_ifl")


def port_errors(
    con: duckdb.DuckDBPyConnection, sites: Sequence[str], start: datetime, end: datetime
) -> pd.DataFrame:
    """Per device port and minute: input errors and packets (counter deltas, resets skipped)."""
    return con.execute(
        "WITH s AS (SELECT site, device, if_name, date_trunc('minute', event_time) AS minute, "
        "in_errors, in_crc_errors, in_pkts, counter_reset, "
        "lag(in_errors) OVER w AS prev_err, lag(in_pkts) OVER w AS prev_pkts "
        "FROM interface_stats WHERE event_time >= $a AND event_time < $b "
        "AND list_contains($sites, site) AND in_errors IS NOT NULL "
        "WINDOW w AS (PARTITION BY device, if_name ORDER BY event_time)) "
        "SELECT site, device, if_name, minute, "
        "greatest(in_errors::BIGINT - prev_err::BIGINT, 0)::DOUBLE AS errors, "
        "greatest(in_pkts::BIGINT - prev_pkts::BIGINT, 0)::DOUBLE AS pkts FROM s "
        "WHERE prev_err IS NOT NULL AND NOT coalesce(counter_reset, false) "
        "AND in_errors >= prev_err",
        {"a": start, "b": end, "sites": list(sites)},
    ).df()
