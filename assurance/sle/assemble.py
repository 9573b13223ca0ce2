"""Assembling a job's outputs from the per-SLE verdict tables ``v_<sle>``.

Owns the SQL that joins every SLE's verdict onto the window's user minutes (``user_minutes``:
one row per client-minute, five columns per SLE) and the roll-ups (``sle_minutes``: good and
total user minutes per SLE, site, scope and classifier, and its hourly sum). The statements are
generated from the SLE catalogue and the table declarations only — names, never user text.
Must not judge minutes (the ``.sql`` files do).
"""

from __future__ import annotations

import duckdb

from assurance.sle import sqlfiles
from assurance.sle.catalog import SLE_NAMES
from assurance.tables import USER_MINUTES

_IDENTITY = (
    "minute",
    "site",
    "client_id",
    "client_mac",
    "client_ip",
    "username",
    "hostname",
    "os",
    "ssid",
    "band",
    "wireless",
    "gateway",
    "wan_link",
    "overlay_path",
    "application",
    "ap",
    "switch",
    "switch_port",
    "bytes_up",
    "bytes_down",
    "flows",
    "evidence_sources",
)
_SCOPE = ("gateway", "wan_link", "application", "ap", "switch", "switch_port", "band")


def user_minutes_sql() -> str:
    """The ``user_minutes`` rows of one hour, ``[$a, $b)``: every verdict table is read for
    that hour only (a verdict's minute is its user minute's), so publishing a long window hour
    by hour joins each row once."""
    select = [f"u.{c}" for c in _IDENTITY]
    joins = []
    for i, sle in enumerate(SLE_NAMES):
        a = f"v{i}"
        select += [
            f"{a}.ok AS {sle}_ok",
            f"{a}.classifier AS {sle}_classifier",
            f"{a}.sub AS {sle}_sub",
            f"{a}.value AS {sle}_value",
            f"{a}.evidence AS {sle}_evidence",
        ]
        joins.append(
            f"LEFT JOIN (SELECT * FROM v_{sle} WHERE minute >= $a AND minute < $b) {a} "  # noqa: S608
            f"ON {a}.rid = u.rid"
        )
    assert [c.split(" AS ")[-1].split(".")[-1] for c in select] == list(USER_MINUTES.column_names)
    return (
        "SELECT "  # noqa: S608
        + ", ".join(select)
        + " FROM (SELECT * FROM uw WHERE minute >= $a AND minute < $b) u "
        + " ".join(joins)
    )


#: The scope dimensions kept in ``sle_minutes`` for each SLE (the others are null there), so
#: that a minute of a site collapses to a few rows: WAN SLEs by gateway, link and app, wired by
#: switch port, wireless by AP and band. Per-client detail stays in ``user_minutes``.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "gateway_health": ("gateway",),
    "wan_link_health": ("gateway", "wan_link"),
    "application_health": ("gateway", "wan_link", "application"),
    "gateway_bandwidth": ("gateway", "wan_link"),
    "wired_throughput": ("switch", "switch_port"),
    "wired_successful_connects": ("switch", "switch_port"),
    "switch_health": ("switch",),
    "time_to_connect": ("ap", "band"),
    "successful_connects": ("ap", "band"),
    "coverage": ("ap", "band"),
    "roaming": ("ap", "band"),
    "wireless_throughput": ("ap", "band"),
    "capacity": ("ap", "band"),
    "ap_health": ("ap", "switch", "switch_port"),
}


def sle_minutes_sql() -> str:
    scope = ", ".join(_SCOPE)
    parts = []
    for sle in SLE_NAMES:
        dims = ", ".join(c if c in DIMENSIONS[sle] else f"NULL::VARCHAR AS {c}" for c in _SCOPE)
        parts.append(
            f"SELECT minute, site, '{sle}' AS sle, {dims}, classifier, "  # noqa: S608
            f"sub AS sub_classifier, ok, value FROM v_{sle}"
        )
    return (
        "CREATE OR REPLACE TEMP TABLE out_sle_minutes AS "  # noqa: S608
        f"SELECT minute, site, sle, {scope}, classifier, sub_classifier, "
        "count(*)::UINTEGER AS total, count(*) FILTER (WHERE ok)::UINTEGER AS good, "
        "round(fsum(value), 6) AS value_sum, count(value)::UINTEGER AS value_count "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL"
    )


def rollup_sql(source: str, target: str, time_in: str, time_out: str, grain: str) -> str:
    """Sum ``source`` (sle_minutes or sle_hours rows) into ``grain`` buckets as ``target``."""
    scope = ", ".join(_SCOPE)
    return (
        f"CREATE OR REPLACE TEMP TABLE {target} AS "  # noqa: S608
        f"SELECT date_trunc('{grain}', {time_in}) AS {time_out}, site, sle, {scope}, "
        "classifier, sub_classifier, sum(total)::UBIGINT AS total, sum(good)::UBIGINT AS good, "
        "round(fsum(value_sum), 6) AS value_sum, sum(value_count)::UBIGINT AS value_count "
        f"FROM {source} GROUP BY ALL"
    )


def run(con: duckdb.DuckDBPyConnection) -> None:
    """The roll-ups as tables (``user_minutes`` is read hour by hour with ``user_minutes_sql``)."""
    sqlfiles.execute(con, sle_minutes_sql())
    sqlfiles.execute(
        con, rollup_sql("out_sle_minutes", "out_sle_hours", "minute", "hour_start", "hour")
    )
