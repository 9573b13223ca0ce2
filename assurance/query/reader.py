"""The plumbing every read-API class shares: one DuckDB connection over the lake, rows with
errors as ``QueryError``, and the bound filters for a set of sites and a time range.

Owns ``LakeReader`` and ``sites_filter``. Must not write to the lake or know any table's
meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import duckdb

from assurance.errors import AssuranceError
from assurance.lake.catalog import connect
from assurance.query.layers import attach
from assurance.query.sle import QueryError

Q = TypeVar("Q")


def where(
    sites: Sequence[str] | None,
    start: datetime | None,
    end: datetime | None,
    *,
    time_column: str,
    site_column: str = "site",
) -> tuple[str, dict[str, Any]]:
    """A WHERE clause (without the keyword) and its parameters: site in ``sites`` (None = all),
    ``start <= time < end``. Column names come from the caller's code, never from input."""
    if start is not None and end is not None and end <= start:
        raise QueryError("the time range is empty (end must be after start)")
    clauses = ["true"]
    params: dict[str, Any] = {}
    if sites is not None:
        clauses.append(f"list_contains(CAST($sites AS VARCHAR[]), {site_column})")
        params["sites"] = list(sites)
    # every lake table is partitioned by the UTC date of its time column: bounding ``date``
    # too lets DuckDB skip whole partitions instead of opening every file's footer
    if start is not None:
        clauses.append(f"{time_column} >= $start AND date >= $start_date")
        params["start"] = start
        params["start_date"] = start.astimezone(UTC).date()
    if end is not None:
        clauses.append(f"{time_column} < $end AND date <= $end_date")
        params["end"] = end
        params["end_date"] = end.astimezone(UTC).date()
    return " AND ".join(clauses), params


class LakeReader:
    """A read-only DuckDB connection over one lake."""

    def __init__(self, lake: str) -> None:
        try:
            self.con = connect(lake)
            attach(self.con, lake)
        except AssuranceError as exc:
            raise QueryError(str(exc)) from None

    def close(self) -> None:
        self.con.close()

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        try:
            return self.con.execute(sql, params or {}).fetchall()
        except duckdb.Error as exc:
            raise QueryError(str(exc).splitlines()[0]) from None

    def _dicts(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            cur = self.con.execute(sql, params or {})
            names = [d[0] for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except duckdb.Error as exc:
            raise QueryError(str(exc).splitlines()[0]) from None


def shared(lake: str) -> duckdb.DuckDBPyConnection:
    """A connection with the lake's views, to hand out cursors from (``share``)."""
    try:
        con = connect(lake)
        attach(con, lake)
        return con
    except AssuranceError as exc:
        raise QueryError(str(exc)) from None


def share(cls: type[Q], con: duckdb.DuckDBPyConnection) -> Q:
    """A read-API object (``SleQuery``, ``IncidentQuery``, any ``LakeReader``) over a cursor of
    ``con`` instead of a connection of its own: opening the lake's views once per process, not
    once per object. Each of those classes keeps its whole state in ``con``."""
    obj = cls.__new__(cls)
    obj.con = con.cursor()  # type: ignore[attr-defined]
    return obj
