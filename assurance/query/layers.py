"""Reading a time range from the coarsest table that answers each part of it.

Owns the split of [start, end) into whole days (``sle_days`` or a daily roll-up of
``assurance.rollups``), whole hours (``sle_hours`` or an hourly roll-up) and the minutes at its
edges (the minute tables), each part bounded by what the coarser table actually covers (its
first and last partition), and the ``UNION ALL`` subqueries that read them with the time bounds
on the ``date`` partition key too, so DuckDB opens only the files of the range. Sums over the
union equal sums over the minutes; the daily roll-ups keep the hourly keys (client, app, AP,
port…), so distinct counts over the union equal those over the minutes too. Also creates the
roll-up views on a connection. Must not write to the lake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from assurance.lake.catalog import SPEC_SCHEMA, create_view, data_glob, sql_string
from assurance.lake.layout import Partition
from assurance.lake.store import LakeStore
from assurance.rollups.tables import DAILY, ROLLUPS, Rollup

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_ROOT = f"{SPEC_SCHEMA}.lake_root"
#: Columns every SLE count table has (time column apart).
SLE_COLUMNS = ("site, sle, gateway, wan_link, application, ap, switch, switch_port, band, "
               "classifier, sub_classifier, total, good, value_sum, value_count")  # fmt: skip


def attach(con: duckdb.DuckDBPyConnection, lake: str) -> None:
    """Add the roll-up views and remember the lake's root (for coverage checks)."""
    store = LakeStore(lake)
    for rollup in ROLLUPS:
        _rollup_view(con, store, rollup)
    con.execute(f"CREATE OR REPLACE TABLE {_ROOT} AS SELECT $root AS root", {"root": store.root})


def _rollup_view(con: duckdb.DuckDBPyConnection, store: LakeStore, rollup: Rollup) -> None:
    """Like the lake's own views, but without unifying every file's schema at each query: the
    builder writes every roll-up file with the declared schema, so the first file's will do
    (binding a month of hourly files by name costs about 0.2 s per query)."""
    create_view(con, store, rollup.spec)
    spec = rollup.spec
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {SPEC_SCHEMA}.{spec.name}").fetchall()}
    columns = ", ".join(
        f'CAST("{name}" AS {types[name]}) AS "{name}"'
        for name in (*spec.column_names, "date", "hour")
    )
    files = (
        f"read_parquet({sql_string(data_glob(store, spec.name))}, hive_partitioning = true, "
        "hive_types = {'date': 'DATE', 'hour': 'INTEGER'})"
    )
    if not store.list_dirs(spec.name):
        return  # no file yet: keep the empty typed view
    # DDL cannot take bound parameters: names come from the declaration, the path is escaped
    con.execute(
        f"CREATE OR REPLACE VIEW {spec.name} AS SELECT {columns} FROM {files}"  # noqa: S608
    )


def _store(con: duckdb.DuckDBPyConnection) -> LakeStore | None:
    try:
        row = con.execute(f"SELECT root FROM {_ROOT}").fetchall()  # noqa: S608
    except duckdb.Error:
        return None
    return LakeStore(row[0][0]) if row else None


def coverage(
    con: duckdb.DuckDBPyConnection, table: str, grain: str = "hour"
) -> tuple[datetime, datetime] | None:
    """First hour and end of the last hour that ``table`` has a partition with files for (of
    a daily table, ``grain="day"``: the first day and the end of the last day)."""
    store = _store(con)
    if store is None:
        return None
    days = store.list_dirs(table)
    if not days:
        return None

    def edge(day_dirs: list[str], last: bool) -> datetime | None:
        for day_dir in reversed(day_dirs) if last else day_dirs:
            hours = store.list_dirs(day_dir)
            for hour_dir in reversed(hours) if last else hours:
                part = Partition.parse(hour_dir)
                if part is not None and store.list_files(hour_dir):
                    if not last:
                        return part.start
                    return part.start + DAY if grain == "day" else part.end
        return None

    first, end = edge(days, False), edge(days, True)
    return None if first is None or end is None else (first, end)


def floor(t: datetime, step: timedelta) -> datetime:
    t = t.astimezone(UTC)
    if step == DAY:
        return t.replace(hour=0, minute=0, second=0, microsecond=0)
    return t.replace(minute=0, second=0, microsecond=0)


def ceil(t: datetime, step: timedelta) -> datetime:
    f = floor(t, step)
    return f if f == t else f + step


@dataclass(frozen=True)
class Part:
    """[start, end) read from ``grain`` ("day", "hour" or "minute"); None = unbounded."""

    grain: str
    start: datetime | None
    end: datetime | None


def split(
    start: datetime | None,
    end: datetime | None,
    hours: tuple[datetime, datetime] | None,
    days: tuple[datetime, datetime] | None = None,
) -> list[Part]:
    """The parts of [start, end): whole days inside ``days`` coverage, whole hours inside
    ``hours`` coverage, minutes elsewhere. Empty parts are left out."""
    if hours is None:
        return [Part("minute", start, end)]
    h0 = max(ceil(start, HOUR), hours[0]) if start is not None else hours[0]
    h1 = min(floor(end, HOUR), hours[1]) if end is not None else hours[1]
    if h1 <= h0:
        return [Part("minute", start, end)]
    parts = [Part("minute", start, h0), Part("minute", h1, end)]
    mid = [Part("hour", h0, h1)]
    if days is not None:
        d0 = max(ceil(h0, DAY), days[0])
        d1 = min(floor(h1, DAY), days[1])
        if d1 > d0:
            mid = [Part("hour", h0, d0), Part("day", d0, d1), Part("hour", d1, h1)]
    return [
        p
        for p in (*mid, *parts)
        if p.start is None or p.end is None or p.end > p.start
        if not (p.grain == "minute" and p.start is not None and p.start == p.end)
    ]


def bounds(part: Part, time_column: str, key: str) -> tuple[str, dict[str, Any]]:
    """The time condition of ``part`` (also on the ``date`` partition key) and its params."""
    clauses = ["true"]
    params: dict[str, Any] = {}
    if part.start is not None:
        clauses.append(f"{time_column} >= ${key}_a AND date >= ${key}_da")
        params[f"{key}_a"] = part.start
        params[f"{key}_da"] = part.start.astimezone(UTC).date()
    if part.end is not None:
        clauses.append(f"{time_column} < ${key}_b AND date <= ${key}_db")
        params[f"{key}_b"] = part.end
        params[f"{key}_db"] = part.end.astimezone(UTC).date()
    return " AND ".join(clauses), params


_SLE_TABLES = {"day": ("sle_days", "day_start"), "hour": ("sle_hours", "hour_start"),
               "minute": ("sle_minutes", "minute")}  # fmt: skip


def sle_source(
    con: duckdb.DuckDBPyConnection,
    start: datetime | None,
    end: datetime | None,
    filters: str,
    params: dict[str, Any],
    *,
    coarsest: str = "day",
) -> tuple[str, dict[str, Any]]:
    """A subquery of (t, site, sle, scope…, classifier, sub_classifier, total, good, value_sum,
    value_count) rows covering [start, end) exactly, from the coarsest SLE table per part;
    ``filters`` (a condition on non-time columns, with ``params``) applies to every part."""
    if coarsest == "minute":
        parts = [Part("minute", start, end)]
    else:
        hours = coverage(con, "sle_hours")
        days = coverage(con, "sle_days", "day") if coarsest == "day" else None
        parts = split(start, end, hours, days)
    selects = []
    out = dict(params)
    for i, part in enumerate(parts):
        table, column = _SLE_TABLES[part.grain]
        cond, p = bounds(part, column, f"p{i}")
        out.update(p)
        selects.append(
            f"SELECT {column} AS t, {SLE_COLUMNS} FROM {table} "  # noqa: S608
            f"WHERE {cond} AND {filters}"
        )
    return " UNION ALL ".join(selects), out


def rollup_source(
    con: duckdb.DuckDBPyConnection,
    rollup: Rollup,
    start: datetime | None,
    end: datetime | None,
    filters: str,
    params: dict[str, Any],
    *,
    coarsest: str = "day",
) -> tuple[str, dict[str, Any]] | None:
    """A subquery of rows covering [start, end) from the hourly roll-up ``rollup``: whole days
    from its daily roll-up (``coarsest="day"``, when it has one), whole hours from it, the edges
    summed from its source table on the fly. Rows have ``t`` (their day, hour) and the value
    columns of the coarsest table read (hourly rows lifted into the daily shape). None when
    the roll-up covers no whole hour of the range (read the minutes instead)."""
    day = DAILY.get(rollup.name) if coarsest == "day" else None
    days = coverage(con, day.name, "day") if day is not None else None
    parts = split(start, end, coverage(con, rollup.name), days)
    if not any(p.grain != "minute" for p in parts):
        return None
    shape = day.lift if day is not None else tuple((c, c) for c in rollup.value_columns)
    lifted = ", ".join(f"{expr} AS {name}" for name, expr in shape)
    selects = []
    out = dict(params)
    for i, part in enumerate(parts):
        if part.grain == "day" and day is not None:
            cond, p = bounds(part, day.time_column, f"r{i}")
            cols = ", ".join(day.value_columns)
            selects.append(
                f"SELECT day_start AS t, {cols} FROM {day.name} "  # noqa: S608
                f"WHERE {cond} AND {filters}"
            )
        elif part.grain == "hour":
            cond, p = bounds(part, "hour_start", f"r{i}")
            selects.append(
                f"SELECT hour_start AS t, {lifted} FROM {rollup.name} "  # noqa: S608
                f"WHERE {cond} AND {filters}"
            )
        else:
            cond, p = bounds(part, rollup.source_time, f"r{i}")
            selects.append(
                f"SELECT hour_start AS t, {lifted} "  # noqa: S608
                f"FROM ({rollup.sql(f'{cond} AND {filters}')})"
            )
        out.update(p)
    return " UNION ALL ".join(selects), out


#: Ranges longer than this are read from the roll-ups (shorter ones, such as an alert link's
#: hour and a half, from the minute tables, which give exact percentiles).
LONG = timedelta(hours=2)


def long_range(start: datetime | None, end: datetime | None) -> bool:
    """Whether [start, end) is read from roll-ups where the answer allows (over ``LONG``)."""
    return start is None or end is None or end - start > LONG


def sites_filter(sites: list[str] | None, column: str = "site") -> tuple[str, dict[str, Any]]:
    """``column`` in ``sites`` (None: every site), as a condition and its params."""
    if sites is None:
        return "true", {}
    return f"list_contains(CAST($sites AS VARCHAR[]), {column})", {"sites": list(sites)}
