"""Links from an alert to the dashboard page of its scope: the one place that knows the scheme.

The dashboard serves a site page at ``{dashboard_url}/site`` taking ``site``, ``sle``, ``from``
and ``to`` query parameters (ISO 8601 UTC). Must not know anything else about the dashboard.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

DEFAULT_DASHBOARD_URL = "http://localhost:8501"


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dashboard_link(
    base: str,
    *,
    site: str | None = None,
    sle: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> str:
    """``{base}/site?site=..&sle=..&from=..&to=..`` with only the parts that are known."""
    params: dict[str, str] = {}
    if site:
        params["site"] = site
    if sle:
        params["sle"] = sle
    if start is not None:
        params["from"] = _iso(start)
    if end is not None:
        params["to"] = _iso(end)
    query = urlencode(params)
    return f"{base.rstrip('/')}/site" + (f"?{query}" if query else "")
