"""Where an answer points: the dashboard view (its URL filters: ``/site?site=..&sle=..&from=..
&to=..``) and the REST call (``/api/v1/...``, Mist-shaped) that give the same figures.

Owns ``dashboard`` and ``api``: pure string building with every value URL-encoded. Must not
read the lake.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from assurance.ask.types import TimeRange


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _query(params: dict[str, str | None], tr: TimeRange | None, keys: tuple[str, str]) -> str:
    clean = {k: v for k, v in params.items() if v}
    if tr is not None:
        clean[keys[0]], clean[keys[1]] = _iso(tr.start), _iso(tr.end)
    return ("?" + urlencode(clean, quote_via=quote, safe="/:")) if clean else ""


def dashboard(page: str, tr: TimeRange | None, **params: str | None) -> str:
    """``/page?key=value&from=..&to=..`` for one dashboard page."""
    return f"/{page}" + _query(params, tr, ("from", "to"))


def api(path: str, tr: TimeRange | None, **params: str | None) -> str:
    """``GET /api/v1/<path>?..&start=..&end=..``; path segments are encoded one by one."""
    segments = "/".join(quote(p, safe="") for p in path.split("/"))
    return f"GET /api/v1/{segments}" + _query(params, tr, ("start", "end"))
