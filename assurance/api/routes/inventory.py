"""Sites, devices and WAN links: what the inventory declares, with per-link measurements.

Owns the paths ``/sites``, ``/sites/{site_id}``, ``/sites/{site_id}/devices``, ``/devices``,
``/devices/{device_id}``, ``/wan_links`` and ``/sites/{site_id}/wan_links``. A site or device of
another tenant is "not found", word for word as one that does not exist. Must not: write
anything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from assurance.api.auth import Caller, Reader, state_of
from assurance.api.pages import End, Limit, Page, PageNo, Start, clean, page, window
from assurance.api.problems import not_found
from assurance.config.inventory import Site
from assurance.query.links import LinkQuery, inventory_links

router = APIRouter(tags=["Sites, devices and WAN links"])
SiteId = Annotated[str, Path(min_length=1, max_length=128, description="Site name")]
PageArg = Annotated[PageNo, Query(alias="page")]
Body = dict[str, Any]


def _site_body(site: Site | None, name: str) -> Body:
    if site is None:  # SLE data but not in the inventory
        return {
            "name": name,
            "description": "",
            "timezone": None,
            "in_inventory": False,
            "gateways": 0,
            "switches": 0,
            "aps": 0,
            "wan_links": 0,
        }
    return {
        "name": site.name,
        "description": site.description,
        "timezone": site.timezone,
        "in_inventory": True,
        "gateways": len(site.gateways),
        "switches": len(site.switches),
        "aps": len(site.aps),
        "wan_links": sum(len(g.wan) for g in site.gateways),
    }


def _sites(request: Request) -> dict[str, Site]:
    inv = state_of(request).inventory
    return {} if inv is None else {s.name: s for s in inv.sites}


def _devices(site: Site) -> list[Body]:
    out: list[Body] = []
    for gw in site.gateways:
        out.append(
            {
                "name": gw.name,
                "site": site.name,
                "type": "gateway",
                "model": gw.model,
                "role": gw.role,
                "mgmt_ip": str(gw.mgmt_ip),
                "wan_links": [link.name for link in gw.wan],
            }
        )
    for sw in site.switches:
        out.append(
            {
                "name": sw.name,
                "site": site.name,
                "type": "switch",
                "model": sw.model,
                "role": None,
                "mgmt_ip": str(sw.mgmt_ip),
                "ports": len(sw.ports),
            }
        )
    for ap in site.aps:
        out.append(
            {
                "name": ap.name,
                "site": site.name,
                "type": "ap",
                "model": ap.model,
                "role": None,
                "mgmt_ip": None if ap.ip is None else str(ap.ip),
                "mac": str(ap.mac),
                "switch": ap.switch,
                "switch_port": ap.switch_port,
            }
        )
    return out


def _visible_devices(request: Request, who: Caller) -> list[Body]:
    known = _sites(request)
    return [d for name in who.sites if name in known for d in _devices(known[name])]


@router.get("/sites", summary="The sites this token may see")
def sites(request: Request, who: Reader, limit: Limit = 100, page_no: PageArg = 1) -> Page:
    known = _sites(request)
    rows = [_site_body(known.get(name), name) for name in who.sites]
    return Page(**page(request, rows, limit, page_no))


@router.get("/sites/{site_id}", summary="One site with its device counts")
def site(request: Request, who: Reader, site_id: SiteId) -> Body:
    return _site_body(_sites(request).get(who.site(site_id)), site_id)


@router.get("/sites/{site_id}/devices", summary="A site's gateways, switches and APs")
def site_devices(
    request: Request, who: Reader, site_id: SiteId, limit: Limit = 100, page_no: PageArg = 1
) -> Page:
    found = _sites(request).get(who.site(site_id))
    rows = [] if found is None else _devices(found)
    return Page(**page(request, rows, limit, page_no))


@router.get("/devices", summary="Every device of the sites this token may see")
def devices(
    request: Request,
    who: Reader,
    type: Annotated[str | None, Query(pattern="^(gateway|switch|ap)$")] = None,
    limit: Limit = 100,
    page_no: PageArg = 1,
) -> Page:
    rows = [d for d in _visible_devices(request, who) if type is None or d["type"] == type]
    return Page(**page(request, rows, limit, page_no))


@router.get("/devices/{device_id}", summary="One device")
def device(
    request: Request,
    who: Reader,
    device_id: Annotated[str, Path(min_length=1, max_length=128)],
) -> Body:
    for d in _visible_devices(request, who):
        if d["name"] == device_id:
            return d
    raise not_found("device", device_id)


def _links(request: Request, sites: list[str] | None, start: Any, end: Any) -> list[Body]:
    a, b = window(start, end)
    state = state_of(request)
    refs = inventory_links(state.inventory) if state.inventory is not None else []
    with state.read(LinkQuery) as q:
        rows: list[dict[str, Any]] = clean(q.links(sites, a, b, refs))
    return rows


@router.get("/wan_links", summary="WAN links: latency, jitter, loss, traffic, utilisation")
def wan_links(
    request: Request,
    who: Reader,
    start: Start = None,
    end: End = None,
    isp: Annotated[str | None, Query(max_length=128)] = None,
    limit: Limit = 100,
    page_no: PageArg = 1,
) -> Page:
    rows = _links(request, who.sites, start, end)
    if isp is not None:
        rows = [r for r in rows if r["isp"] == isp]
    return Page(**page(request, rows, limit, page_no))


@router.get("/sites/{site_id}/wan_links", summary="A site's WAN links with their measurements")
def site_wan_links(
    request: Request,
    who: Reader,
    site_id: SiteId,
    start: Start = None,
    end: End = None,
    limit: Limit = 100,
    page_no: PageArg = 1,
) -> Page:
    rows = _links(request, [who.site(site_id)], start, end)
    return Page(**page(request, rows, limit, page_no))
