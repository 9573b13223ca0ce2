"""``POST /ask``: a question in plain language, answered from the lake by ``assurance.ask``
within the token's scope (another tenant's sites are neither matched nor named).

Owns the request and response shape of the endpoint: the answer's text, intent, entities, time
range, ranked causes, numbers, dashboard link, the API call it stands for, and the choices of
an ambiguous question. A question the engine cannot read at all is a 400 problem. Must not:
interpret questions itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from assurance.api.auth import Reader, state_of
from assurance.api.pages import body, window
from assurance.api.problems import ApiProblem

router = APIRouter(tags=["Questions"])


class Question(BaseModel):
    """What to ask; ``now`` anchors relative times ("yesterday afternoon"), default the clock."""

    question: str = Field(min_length=1, max_length=500)
    now: datetime | None = None
    tz: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")


@router.post("/ask", summary="A question in plain language: answer, causes, evidence, links")
def ask(request: Request, who: Reader, q: Question) -> dict[str, Any]:
    from assurance.ask import AskError, answer

    now, _ = window(q.now, None)
    try:
        found = answer(
            q.question,
            lake=state_of(request).lake,
            scope=who.scoper if who.restricted else None,
            now=now,
            tz=q.tz,
        )
    except AskError as exc:
        raise ApiProblem(400, str(exc).splitlines()[0], kind="bad-question") from None
    return body(found.to_dict())
