"""The FastAPI application: every router under ``/api/v1``, the OpenAPI document at
``/api/v1/openapi.json`` (interactive docs at ``/api/v1/docs``), problem+json errors, and the
shared state built from a lake, an inventory, an access config (tenants) and a tokens file.

Owns ``create_app`` and ``build_state``. Must not: bind sockets (``assurance.api.server`` runs
uvicorn) or write to the lake except through the services the write routes call.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request

from assurance import __version__
from assurance.api.problems import ERRORS, ApiProblem, install
from assurance.api.routes import ROUTERS
from assurance.api.state import ApiState
from assurance.api.tokens import TokenStore
from assurance.config.access import AccessConfig, load_access_config
from assurance.config.inventory import Inventory
from assurance.config.loader import load_inventory

PREFIX = "/api/v1"
LAKE_INVENTORIES = ("inventory.yaml", "_sim/inventory.yaml")

DESCRIPTION = """
Read the SLEs, sites, devices, WAN links, incidents, actions and alerts of a wan-assurance lake,
and decide on path-policy actions, silence alerts and resend dead letters.

* **Authentication**: `Authorization: Bearer <token>`; tokens come from
  `wanassure api token create --role admin|operator|viewer [--tenant T] --tokens FILE`.
* **Scope**: a token of a tenant sees only that tenant's sites; anything else is 404, exactly
  like an object that does not exist. Viewers may only read (403 on write endpoints).
* **Pagination**: lists take `limit` (1-1000, default 100) and `page` (from 1) and answer
  `{"results": [...], "total": N, "limit", "page", "next": "<url of the next page>" | null}`
  (`total` is null where counting would mean reading everything, e.g. impacted users).
* **Times**: `start` / `end` in ISO 8601 (UTC when no offset is given), `end` exclusive.
* **Errors**: RFC 9457 `application/problem+json` documents.
"""


def single_values(request: Request) -> None:
    """Refuse a query parameter given more than once: every parameter of this API is one value,
    and silently taking the last of several would answer a question nobody asked."""
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen:
            raise ApiProblem(422, f"query.{key}: given more than once", kind="invalid-request")
        seen.add(key)


def create_app(state: ApiState) -> FastAPI:
    app = FastAPI(
        title="wan-assurance API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        dependencies=[Depends(single_values)],
    )
    app.state.api = state
    install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX, responses=ERRORS)
    return app


def build_state(
    lake: str,
    tokens: str | Path,
    *,
    access: str | Path | None = None,
    inventory: Inventory | None = None,
    cache_seconds: float = 10.0,
) -> ApiState:
    """The state for a lake: tokens from ``tokens`` (the file may not exist yet), tenants from
    ``access`` (the dashboard's access file), the inventory given or the lake's own."""
    if inventory is None:
        for name in LAKE_INVENTORIES:
            candidate = Path(lake) / name
            if candidate.is_file():
                inventory = load_inventory(candidate)
                break
    return ApiState(
        lake=lake,
        tokens=TokenStore(tokens),
        access=load_access_config(access) if access is not None else AccessConfig(),
        inventory=inventory,
        cache_seconds=cache_seconds,
    )
