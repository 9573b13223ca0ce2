"""Path-policy actions with their change set, rollback set and audit trail, and the operator
decisions on them: approve, reject, roll back.

Owns ``/actions``, ``/actions/{action_id}`` and ``/actions/{action_id}/{approve,reject,rollback}``.
Decisions go through ``assurance.policy.service`` (which writes the audit trail) with the
token's name as the actor (``api:<name>``); a viewer gets 403 before anything is looked up, an
action of another tenant 404, a decision the action's state does not allow 409. Must not:
change an action any other way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from assurance.api.auth import Caller, Reader, Writer, state_of
from assurance.api.pages import Limit, Page, PageNo, body, page
from assurance.api.problems import ERRORS, ApiProblem, not_found
from assurance.policy import service
from assurance.policy.errors import PolicyError
from assurance.query.actions import ActionQuery

router = APIRouter(tags=["Actions"])
ActionId = Annotated[str, Path(min_length=1, max_length=128)]
STATES = "proposed|approved|rejected|pushed|verified|failed|rolled_back|resolved|validated|open"


class Decision(BaseModel):
    """Why (kept in the audit trail)."""

    note: str = Field(default="", max_length=2000)


def _visible(request: Request, who: Caller, action_id: str | None = None) -> list[dict[str, Any]]:
    with state_of(request).read(ActionQuery) as q:
        rows = q.actions(who.scope, action_id=action_id)
    return [r for r in rows if who.sees(r["site"])]


def _one(request: Request, who: Caller, action_id: str) -> dict[str, Any]:
    found = _visible(request, who, action_id)
    if not found:
        raise not_found("action", action_id)
    return found[0]


@router.get("/actions", summary="Actions, most recently updated first, with their audit trail")
def actions(
    request: Request,
    who: Reader,
    site: Annotated[str | None, Query(max_length=128)] = None,
    state: Annotated[str | None, Query(pattern=f"^({STATES})$")] = None,
    limit: Limit = 100,
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Page:
    if site is not None:
        who.site(site)
    rows = [
        r
        for r in _visible(request, who)
        if (site is None or r["site"] == site) and (state is None or r["state"] == state)
    ]
    return Page(**page(request, rows, limit, page_no))


@router.get("/actions/{action_id}", summary="One action: change, rollback, risk, audit trail")
def action(request: Request, who: Reader, action_id: ActionId) -> dict[str, Any]:
    return body(_one(request, who, action_id))


def _decide(request: Request, who: Caller, action_id: str, verb: str, note: str) -> dict[str, Any]:
    _one(request, who, action_id)
    state = state_of(request)
    try:
        if verb == "rollback":
            service.rollback(state.lake, action_id, who.actor, note, inventory=state.inventory)
        else:
            getattr(service, verb)(state.lake, action_id, who.actor, note)
    except PolicyError as exc:
        raise ApiProblem(409, str(exc).splitlines()[0], kind="conflict") from None
    return body(_one(request, who, action_id))


_WRITE: dict[int | str, dict[str, Any]] = {
    409: {**ERRORS[400], "description": "Not possible in the action's state"}
}


@router.post("/actions/{action_id}/approve", summary="Approve a proposed action", responses=_WRITE)
def approve(
    request: Request, who: Writer, action_id: ActionId, decision: Decision | None = None
) -> dict[str, Any]:
    return _decide(request, who, action_id, "approve", (decision or Decision()).note)


@router.post(
    "/actions/{action_id}/reject", summary="Reject a proposed or approved action", responses=_WRITE
)
def reject(
    request: Request, who: Writer, action_id: ActionId, decision: Decision | None = None
) -> dict[str, Any]:
    return _decide(request, who, action_id, "reject", (decision or Decision()).note)


@router.post(
    "/actions/{action_id}/rollback",
    summary="Roll back a pushed or verified action",
    responses=_WRITE,
)
def rollback(
    request: Request, who: Writer, action_id: ActionId, decision: Decision | None = None
) -> dict[str, Any]:
    return _decide(request, who, action_id, "rollback", (decision or Decision()).note)
