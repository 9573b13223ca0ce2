"""``answer``: understand the question, then run the one handler its intent names and put the
answer together (short text, causes, numbers, dashboard link, API call), or return the
clarifying choices when the question is ambiguous.

Owns ``answer`` and the lake connection it reuses per lake (one DuckDB connection per process,
a cursor per question). Must not write to the lake or guess between equal readings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from assurance.ask import overview, troubleshoot
from assurance.ask.evidence import Ctx
from assurance.ask.troubleshoot import Parts
from assurance.ask.types import Answer, AskError, TimeRange
from assurance.ask.understand import Understanding
from assurance.ask.understand import understand as _understand
from assurance.ask.vocab import Vocabulary, vocabulary
from assurance.config import Inventory
from assurance.errors import AssuranceError
from assurance.query.reader import shared
from assurance.query.scoping import Scoper

HANDLERS: dict[str, Callable[[Ctx, Understanding], Parts]] = {
    "troubleshoot_site": troubleshoot.site,
    "troubleshoot_client": troubleshoot.client,
    "troubleshoot_app": troubleshoot.app,
    "troubleshoot_link": troubleshoot.link,
    "troubleshoot_ap": troubleshoot.ap,
    "troubleshoot_port": troubleshoot.port,
    "troubleshoot_device": troubleshoot.device,
    "worst_sites": overview.worst_sites,
    "worst_apps": overview.worst_apps,
    "compare_isps": overview.compare_isps,
    "compare_links": overview.compare_links,
    "what_changed": overview.what_changed,
    "list_incidents": overview.list_incidents,
    "list_actions": overview.list_actions,
    "explain_classifier": overview.explain_classifier,
}

#: A question that names no time reads the last day of data (a month of a big org is seconds of
#: scanning); lists of incidents and actions read everything.
DEFAULT_WINDOW = timedelta(hours=24)
WHOLE_HISTORY = frozenset({"list_incidents", "list_actions"})

_cons: dict[str, duckdb.DuckDBPyConnection] = {}
_lock = threading.Lock()


def _connection(lake: str) -> duckdb.DuckDBPyConnection:
    with _lock:
        con = _cons.get(lake)
        if con is None:
            con = _cons[lake] = shared(lake)
        return con


def _vocab(lake: str, inventory: Inventory | None = None) -> Vocabulary:
    try:
        return vocabulary(lake, inventory)
    except AssuranceError as exc:
        raise AskError(f"cannot read the lake {lake}: {str(exc).splitlines()[0]}") from None


def understand(
    question: str,
    *,
    lake: str,
    scope: Scoper | None = None,
    now: datetime | None = None,
    tz: str | None = None,
    inventory: Inventory | None = None,
) -> Understanding:
    """Intent, entities, time range and choices of ``question``, without reading any data
    beyond the lake's vocabulary."""
    vocab = _vocab(lake, inventory)
    return _understand(question, vocab, now=now or datetime.now(UTC), scope=scope, tz=tz)


def _describe(tr: TimeRange | None) -> str:
    if tr is None:
        return "over all data"
    span = f"{tr.start:%Y-%m-%d %H:%M} → {tr.end:%Y-%m-%d %H:%M} UTC"
    return f"{tr.phrase}: {span}" if tr.phrase.startswith("the last") else span


def answer(
    question: str,
    *,
    lake: str,
    scope: Scoper | None = None,
    now: datetime | None = None,
    tz: str | None = None,
    inventory: Inventory | None = None,
) -> Answer:
    """Answer ``question`` from ``lake`` as seen by ``scope`` (None: every site), reading
    relative times against ``now`` (default: the current time) in ``tz`` (default UTC).
    ``inventory``: the lake's inventory when the caller holds it (default: the one in the
    lake folder or ``$WANASSURE_INVENTORY``)."""
    u = understand(question, lake=lake, scope=scope, now=now, tz=tz, inventory=inventory)
    if u.choices:
        options = "; ".join(c.label for c in u.choices[:12])
        unknown = "".join(f"I know no {name!r} here. " for name in u.unknown[:3])
        return Answer(
            text=f"{unknown}Which one do you mean? {options}",
            intent=u.intent,
            entities=u.entities,
            time_range=u.time_range,
            choices=u.choices,
        )
    vocab = _vocab(lake, inventory)
    window = u.time_range
    if window is None and u.intent not in WHOLE_HISTORY and vocab.newest is not None:
        end = min(vocab.newest, now or datetime.now(UTC))
        window = TimeRange(end - DEFAULT_WINDOW, end, "the last 24 h of data")
    ctx = Ctx(_connection(lake).cursor(), vocab, scope, window)
    try:
        parts = HANDLERS[u.intent](ctx, u)
    except KeyError as exc:
        raise AskError(f"the question names something the lake lacks: {exc}") from None
    except AssuranceError as exc:
        raise AskError(str(exc).splitlines()[0]) from None
    finally:
        ctx.con.close()
    text = "\n".join([*parts.lines, f"({_describe(window)})"])
    if scope is not None:
        text = scope.text(text)
    numbers: dict[str, Any] = parts.numbers if scope is None else scope.redact(parts.numbers)
    return Answer(
        text=text,
        intent=u.intent,
        entities=u.entities,
        time_range=u.time_range,
        causes=parts.causes,
        numbers=numbers,
        dashboard_url=parts.dashboard_url,
        api_call=parts.api_call,
        window=window,
    )
