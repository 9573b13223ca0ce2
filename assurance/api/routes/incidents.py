"""Incidents with their ranked root causes, confidence, evidence and suggested action.

Owns ``/incidents`` and ``/incidents/{incident_id}``. Answers go through the dashboard's
``Scoper``: a tenant sees its sites' incidents and the org-wide ones touching them, with every
other tenant's site name removed; any other incident is "not found". Must not: write anything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from assurance.api.auth import Caller, Reader, state_of
from assurance.api.pages import End, Limit, Page, PageNo, Start, body, page, window
from assurance.api.problems import not_found
from assurance.query.incidents import IncidentQuery

router = APIRouter(tags=["Incidents"])


def visible_incidents(
    request: Request,
    who: Caller,
    *,
    site: str | None = None,
    status: str | None = None,
    start: Any = None,
    end: Any = None,
) -> list[dict[str, Any]]:
    a, b = window(start, end)
    state = state_of(request)

    def run() -> list[dict[str, Any]]:
        with state.read(IncidentQuery) as q:
            return q.incidents(site=site, status=status, start=a, end=b)

    rows = state.cached(("incidents", site, status, a, b), run)
    # the scoper's rule of who sees an incident (its site, or one of its sites), checked cheaply
    # here; its redaction of names is paid by the caller for what it returns
    return [i for i in rows if who.sees(i["site"]) or any(who.sees(s) for s in i["sites"])]


@router.get("/incidents", summary="Incidents, most recently detected first")
def incidents(
    request: Request,
    who: Reader,
    site: Annotated[str | None, Query(max_length=128, description="Only this site")] = None,
    status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
    start: Start = None,
    end: End = None,
    limit: Limit = 100,
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Page:
    if site is not None:
        who.site(site)

    def run() -> dict[str, Any]:
        rows = visible_incidents(request, who, site=site, status=status, start=start, end=end)
        return page(request, rows, limit, page_no, shape=who.scoper.incidents)

    # a tenant's page is redacted for its sites: share it only with callers of the same scope
    scope = None if who.scope is None else tuple(who.scope)
    key = ("incident-page", scope, site, status, start, end, limit, page_no, request.url.path)
    return Page(**state_of(request).cached(key, run))


@router.get("/incidents/{incident_id}", summary="One incident with its ranked causes and evidence")
def incident(
    request: Request,
    who: Reader,
    incident_id: Annotated[str, Path(min_length=1, max_length=128)],
) -> dict[str, Any]:
    for row in visible_incidents(request, who):
        if row["incident_id"] == incident_id:
            return body(who.scoper.incidents([row])[0])
    raise not_found("incident", incident_id)
