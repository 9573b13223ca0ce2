"""Pagination, time windows and JSON-safe values shared by every route.

Owns the paging contract: ``limit`` (1-1000, default 100) and ``page`` (1-based) query
parameters, answered in the body as ``{"results", "total", "limit", "page", "next"}`` where
``next`` is the relative URL of the following page or null; and ``start`` / ``end`` (ISO 8601,
UTC when no offset is given, ``end`` exclusive). Must not: read the lake.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel

from assurance.api.problems import ApiProblem

MAX_LIMIT = 1000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-1000)")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")]
Start = Annotated[datetime | None, Query(description="From (ISO 8601, UTC if no offset)")]
End = Annotated[datetime | None, Query(description="To, exclusive (ISO 8601)")]

_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class Page(BaseModel):
    """One page of a list."""

    results: list[dict[str, Any]]
    total: int | None
    limit: int
    page: int
    next: str | None


def _utc(t: datetime | None, name: str) -> datetime | None:
    if t is None:
        return None
    try:
        value = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiProblem(400, f"{name}: not a usable time", kind="bad-query") from None
    if not _EARLIEST <= value < _LATEST:
        raise ApiProblem(400, f"{name}: must be between 1970 and 2200", kind="bad-query")
    return value


def window(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    """``start`` and ``end`` in UTC, checked: within 1970-2200 and ``end`` after ``start``."""
    a, b = _utc(start, "start"), _utc(end, "end")
    if a is not None and b is not None and b <= a:
        raise ApiProblem(400, "the time range is empty: end must be after start", kind="bad-query")
    return a, b


def clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, times ISO 8601, decimals floats."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, datetime):
        t = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return t.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return clean(float(value))
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return clean(value.item())
    return value


def body(value: Any) -> dict[str, Any]:
    """``clean`` for an object answer."""
    out = clean(value)
    if not isinstance(out, dict):
        raise TypeError(f"expected an object, got {type(out).__name__}")
    return out


def page(
    request: Request,
    rows: Sequence[dict[str, Any]],
    limit: int,
    number: int,
    *,
    total: int | None = -1,
    shape: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Page ``number`` of ``rows`` (all of them, or the first ``number * limit + 1`` when
    ``total`` is None: the total is then unknown but ``next`` still tells if more follow);
    ``shape`` rewrites the page's items only (redaction is paid per page, not per list)."""
    first = (number - 1) * limit
    chunk = list(rows[first : first + limit])
    if shape is not None:
        chunk = shape(chunk)
    more = len(rows) > first + limit
    following = None
    if more:
        url = request.url.include_query_params(page=number + 1, limit=limit)
        following = f"{url.path}?{url.query}"
    return {
        "results": clean(list(chunk)),
        "total": len(rows) if total == -1 else total,
        "limit": limit,
        "page": number,
        "next": following,
    }
