"""Alert notifications with their delivery state, dead letters, and the operator steps on them:
silence an alert, resend a dead letter.

Owns ``/alerts``, ``/alerts/{event_id}``, ``/alerts/{event_id}/silence``, ``/silences``,
``/dead_letters`` and ``/dead_letters/{event_id}/resend``. Notifications are read from the
lake's ``alerts`` table (the outbox's mirror), dead letters from the outbox itself (its current
state); a resend puts the event back in the outbox under the same id. A silence mutes every
alert of the event's group (its rule and group labels) for the asked minutes, through
``assurance.alerts.stored_silences``. A tenant token sees and acts on its sites' alerts only
(org-wide notifications are listed with other tenants' names removed, but only an org-wide
token may silence them); anything else is "not found". Must not: deliver anything.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from assurance.alerts import stored_silences
from assurance.alerts.config import Matcher, Silence
from assurance.alerts.model import ALERTNAME
from assurance.alerts.outbox import Event, Outbox, outbox_path
from assurance.api.auth import Caller, Reader, Writer, state_of
from assurance.api.pages import End, Limit, Page, PageNo, Start, body, page, window
from assurance.api.problems import ApiProblem, not_found
from assurance.query.alerts import AlertQuery

router = APIRouter(tags=["Alerts"])
EventId = Annotated[str, Path(min_length=1, max_length=128)]
PageArg = Annotated[PageNo, Query(alias="page")]
_ALL = 1_000_000


class SilenceRequest(BaseModel):
    """How long to mute the alert's group, and why."""

    minutes: int = Field(default=60, ge=1, le=30 * 24 * 60)
    comment: str = Field(default="", max_length=2000)


def _alerts(
    request: Request, who: Caller, start: Any = None, end: Any = None
) -> list[dict[str, Any]]:
    a, b = window(start, end)
    with state_of(request).read(AlertQuery) as q:
        return q.alerts(who.scope, a, b, limit=_ALL)


def _event(request: Request, who: Caller, event_id: str) -> dict[str, Any]:
    for row in _alerts(request, who):
        if row["event_id"] == event_id:
            return row
    raise not_found("alert", event_id)


@router.get("/alerts", summary="Notifications, newest first, with their delivery state")
def alerts(
    request: Request,
    who: Reader,
    site: Annotated[str | None, Query(max_length=128)] = None,
    delivery: Annotated[str | None, Query(pattern="^(pending|retrying|delivered|dead)$")] = None,
    start: Start = None,
    end: End = None,
    limit: Limit = 100,
    page_no: PageArg = 1,
) -> Page:
    if site is not None:
        who.site(site)
    rows = [
        r
        for r in _alerts(request, who, start, end)
        if (site is None or r["site"] == site) and (delivery is None or r["delivery"] == delivery)
    ]
    return Page(**page(request, who.scoper.rows(rows), limit, page_no))


@router.get("/alerts/{event_id}", summary="One notification")
def alert(request: Request, who: Reader, event_id: EventId) -> dict[str, Any]:
    return body(who.scoper.redact(_event(request, who, event_id)))


@router.post("/alerts/{event_id}/silence", summary="Mute the alert's group for some minutes")
def silence(
    request: Request, who: Writer, event_id: EventId, wanted: SilenceRequest | None = None
) -> dict[str, Any]:
    ask = wanted or SilenceRequest()
    row = _event(request, who, event_id)
    if row["site"] is None and who.restricted:
        raise ApiProblem(403, "an org-wide alert can be silenced only by an org-wide token")
    labels = {ALERTNAME: row["name"], **{k: v for k, v in row["labels"].items() if v}}
    if row["site"] is not None:
        labels.setdefault("site", row["site"])
    now = datetime.now(UTC)
    made = Silence(
        matchers=tuple(Matcher(name=k, op="=", value=str(v)) for k, v in sorted(labels.items())),
        starts_at=now,
        ends_at=now + timedelta(minutes=ask.minutes),
        comment=ask.comment or f"silenced through the API by {who.actor}",
    )
    record = stored_silences.add(state_of(request).lake, made, who.actor, now)
    return body(_silence_body(record))


def _silence_body(record: dict[str, Any]) -> dict[str, Any]:
    s: Silence = record["silence"]
    return {
        "id": record["id"],
        "created_by": record["created_by"],
        "created_at": record["created_at"],
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "comment": s.comment,
        "matchers": [m.model_dump() for m in s.matchers],
    }


@router.get("/silences", summary="Silences made through the API that are still in force")
def silences(request: Request, who: Reader, limit: Limit = 100, page_no: PageArg = 1) -> Page:
    now = datetime.now(UTC)
    rows = []
    for record in stored_silences.load(state_of(request).lake):
        s: Silence = record["silence"]
        site = next((m.value for m in s.matchers if m.name == "site" and m.op == "="), None)
        if s.ends_at > now and ((site is not None and who.sees(site)) or not who.restricted):
            rows.append(_silence_body(record))
    return Page(**page(request, rows, limit, page_no))


def _dead(request: Request, who: Caller) -> list[Event]:
    path = outbox_path(state_of(request).lake)
    if not path.exists():
        return []
    with Outbox(path) as box:
        found = box.events("dead")
    return [e for e in found if (e.site is not None and who.sees(e.site)) or not who.restricted]


def _dead_body(e: Event) -> dict[str, Any]:
    return {
        "event_id": e.event_id,
        "receiver": e.receiver,
        "rule": e.rule,
        "site": e.site,
        "severity": e.severity,
        "status": e.status,
        "delivery": e.state,
        "attempts": e.attempts,
        "last_error": e.last_error,
        "created_at": datetime.fromtimestamp(e.created_at, UTC),
        "updated_at": datetime.fromtimestamp(e.updated_at, UTC),
    }


@router.get("/dead_letters", summary="Notifications that ran out of delivery attempts")
def dead_letters(request: Request, who: Reader, limit: Limit = 100, page_no: PageArg = 1) -> Page:
    rows = [_dead_body(e) for e in _dead(request, who)]
    return Page(**page(request, rows, limit, page_no))


@router.post("/dead_letters/{event_id}/resend", summary="Queue a dead letter for delivery again")
def resend(request: Request, who: Writer, event_id: EventId) -> dict[str, Any]:
    if not any(e.event_id == event_id for e in _dead(request, who)):
        raise not_found("dead letter", event_id)
    with Outbox(outbox_path(state_of(request).lake)) as box:
        event = box.resend(event_id)
    return body(_dead_body(event))
