"""SLE endpoints shaped after Mist's: the org summary, trend and worst sites over the sites a
token may see, and per site the summary of every SLE, and per SLE its summary, trend,
classifiers, histogram and impacted users, applications, WAN links, APs, switch ports,
switches, gateways and bands.

Owns the paths under ``/org/sle`` and ``/sites/{site_id}/sle``. Metric and impact names are
enumerations in the OpenAPI document; every value reaches SQL as a bound parameter through
``assurance.query``. Must not: write anything.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from assurance.api.auth import Reader, state_of
from assurance.api.pages import End, Limit, Page, PageNo, Start, body, page, window
from assurance.query.org import OrgQuery
from assurance.query.sle import Scope, SleQuery
from assurance.sle.catalog import SLES

router = APIRouter(tags=["SLE"])

Metric = Enum("Metric", {s.key.replace("-", "_"): s.key for s in SLES}, type=str)  # type: ignore[misc]
Impact = Enum(  # type: ignore[misc]
    "Impact",
    {
        k: k
        for k in (
            "users",
            "applications",
            "wan_links",
            "aps",
            "switch_ports",
            "switches",
            "gateways",
            "bands",
        )
    },
    type=str,
)
Interval = Enum("Interval", {k: k for k in ("hour", "day")}, type=str)  # type: ignore[misc]
SiteId = Annotated[str, Path(min_length=1, max_length=128, description="Site name")]
Body = dict[str, Any]


def _org(request: Request, what: str, sites: list[str] | None, *args: Any, **kw: Any) -> Any:
    """An ``OrgQuery`` answer, shared for a few seconds by callers with the same sites."""
    state = state_of(request)

    def run() -> Any:
        with state.read(OrgQuery) as org:
            return getattr(org, what)(sites, *args, **kw)

    key = ("org", what, None if sites is None else tuple(sites), args, tuple(sorted(kw.items())))
    return state.cached(key, run)


@router.get("/sles", summary="Every SLE with its family, metric and classifiers")
def sles(who: Reader) -> list[Body]:
    return SleQuery.metrics(None)  # type: ignore[arg-type]


@router.get("/org/sle/summary", summary="Org: per SLE user minutes, SLE % and top classifier")
def org_summary(request: Request, who: Reader, start: Start = None, end: End = None) -> Body:
    a, b = window(start, end)
    rows = _org(request, "overview", who.scope, a, b)
    return body({"start": a, "end": b, "sites": len(who.sites), "sles": rows})


@router.get("/org/sle/sites", summary="Org: sites worst first by their lowest SLE %")
def org_sites(
    request: Request,
    who: Reader,
    start: Start = None,
    end: End = None,
    limit: Limit = 100,
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Page:
    a, b = window(start, end)
    rows = _org(request, "site_scores", who.scope, a, b)
    return Page(**page(request, rows, limit, page_no))


@router.get("/org/sle/{metric}/trend", summary="Org: one SLE's user minutes and SLE % over time")
def org_trend(
    request: Request,
    who: Reader,
    metric: Metric,
    start: Start = None,
    end: End = None,
    interval: Interval = Interval.hour,  # type: ignore[attr-defined]
) -> Body:
    a, b = window(start, end)
    rows = _org(request, "trend", who.scope, a, b, interval=interval.value, sle=metric.value)
    return body({"metric": metric.value, "interval": interval.value, "samples": rows})


def _site_scope(who: Reader, site_id: SiteId, start: Start = None, end: End = None) -> Scope:
    """The site a caller may see (404 otherwise) over a checked time window."""
    a, b = window(start, end)
    return SleQuery.scope("site", who.site(site_id), site=site_id, start=a, end=b)


SiteScope = Annotated[Scope, Depends(_site_scope)]


def _ask(request: Request, ask: Callable[[SleQuery], Any]) -> Any:
    with state_of(request).read(SleQuery) as q:
        return ask(q)


@router.get("/sites/{site_id}/sle", summary="Site: every SLE with data, SLE % and top classifier")
def site_overview(request: Request, scope: SiteScope) -> Body:
    rows = _ask(request, lambda q: q.overview(scope))
    return body({"site": scope.site, "start": scope.start, "end": scope.end, "sles": rows})


@router.get("/sites/{site_id}/sle/{metric}/summary", summary="Site: one SLE with its classifiers")
def site_summary(request: Request, scope: SiteScope, metric: Metric) -> Body:
    return body(_ask(request, lambda q: q.summary(metric.value, scope)))


@router.get("/sites/{site_id}/sle/{metric}/trend", summary="Site: one SLE over time")
def site_trend(
    request: Request,
    scope: SiteScope,
    metric: Metric,
    interval: Annotated[str, Query(pattern="^(minute|hour|day)$")] = "hour",
) -> Body:
    return body(_ask(request, lambda q: q.trend(metric.value, scope, interval)))


@router.get(
    "/sites/{site_id}/sle/{metric}/classifiers",
    summary="Site: degraded user minutes per classifier and sub-classifier",
)
def site_classifiers(request: Request, scope: SiteScope, metric: Metric) -> Body:
    rows = _ask(request, lambda q: q.classifiers(metric.value, scope))
    return body({"metric": metric.value, "site": scope.site, "classifiers": rows})


@router.get(
    "/sites/{site_id}/sle/{metric}/histogram",
    summary="Site: distribution of the measured value behind the SLE",
)
def site_histogram(
    request: Request,
    scope: SiteScope,
    metric: Metric,
    bins: Annotated[int, Query(ge=1, le=1000)] = 10,
) -> Body:
    return body(_ask(request, lambda q: q.histogram(metric.value, scope, bins)))


@router.get(
    "/sites/{site_id}/sle/{metric}/impacted/{kind}",
    summary="Site: impacted users, applications, WAN links, APs, switch ports… worst first",
)
def site_impacted(
    request: Request,
    scope: SiteScope,
    metric: Metric,
    kind: Impact,
    classifier: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Page:
    rows = _ask(
        request,
        lambda q: q.impacted(
            metric.value, kind.value, scope, classifier=classifier, limit=page_no * limit + 1
        ),
    )
    return Page(**page(request, rows, limit, page_no, total=None))
