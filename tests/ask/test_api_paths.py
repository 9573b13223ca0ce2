"""Every API call an answer names is a GET route of the REST API (``assurance.api``), so the
link an answer gives can be followed: checked over the answers to the whole evaluation set."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from fastapi.routing import APIRoute

from assurance.api.app import PREFIX
from assurance.api.routes import ROUTERS
from assurance.ask import answer
from assurance.ask.evaluate import load_cases
from tests.ask.conftest import QUESTIONS


def test_answers_name_real_routes(lake: str) -> None:
    patterns = [
        re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", PREFIX + route.path) + "$")
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    ]
    seen: set[str] = set()
    for case in load_cases(QUESTIONS)[::3]:  # every third question: all intents, a third the time
        got = answer(case.question, lake=lake, now=case.now)
        if got.choices:
            continue
        method, _, url = got.api_call.partition(" ")
        path = urlsplit(url).path
        assert method == "GET", got.api_call
        segments = "/".join(unquote(s).replace("/", "_") for s in path.split("/"))
        assert any(p.match(segments) for p in patterns), (case.question, got.api_call)
        seen.add(re.sub(r"sites/[^/]+", "sites/{site}", path))
    assert len(seen) >= 8  # the answers use many different endpoints
