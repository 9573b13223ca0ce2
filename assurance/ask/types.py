"""The shapes a plain-language question turns into: the ``Answer`` (text, intent, entities, time
range, ranked causes, numbers, dashboard link, API call, clarifying choices) and its parts.

Owns the vocabulary of intents (``INTENTS``) and entity kinds (``ENTITY_KINDS``) and ``AskError``.
Pure data: must not read the lake or parse text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from assurance.errors import AssuranceError

#: Every intent ``answer`` recognises (the evaluation set covers each one).
INTENTS: tuple[str, ...] = (
    "troubleshoot_site",
    "troubleshoot_client",
    "troubleshoot_app",
    "troubleshoot_link",
    "troubleshoot_ap",
    "troubleshoot_port",
    "troubleshoot_device",
    "worst_sites",
    "worst_apps",
    "compare_isps",
    "compare_links",
    "what_changed",
    "list_incidents",
    "list_actions",
    "explain_classifier",
)

#: Entity kinds and the canonical form of their values.
ENTITY_KINDS: dict[str, str] = {
    "site": "site name (br-nyc-012)",
    "app": "application name (Salesforce)",
    "isp": "ISP name (Comcast Business); a list when several are compared",
    "link": "site/link (br-nyc-012/isp-a); a list when several are compared",
    "link_name": "a link name across sites (mpls, isp-a); a list when compared",
    "gateway": "gateway name (br-nyc-012-gw1)",
    "switch": "switch name (br-nyc-012-sw1)",
    "ap": "AP name (br-chi-027-ap1)",
    "port": "switch/port (br-nyc-012-sw1/ge-0/0/4)",
    "client": "client id as the lake keeps it (MAC, else IP)",
    "sle": "SLE in Mist spelling (application-health)",
    "classifier": "classifier in Mist spelling (isp-reachability)",
    "status": "incident status (open, resolved)",
}


class AskError(AssuranceError):
    """A question that cannot be answered at all (empty text, unreadable lake, bad ``now``)."""


@dataclass(frozen=True)
class TimeRange:
    """A half-open UTC range ``[start, end)`` and the words it was read from."""

    start: datetime
    end: datetime
    phrase: str = ""

    def iso(self) -> tuple[str, str]:
        return (_iso(self.start), _iso(self.end))


@dataclass(frozen=True)
class Choice:
    """One way to read an ambiguous question: what it picks and the question that picks it."""

    kind: str
    value: str
    label: str
    question: str


@dataclass(frozen=True)
class Answer:
    """What ``answer`` returns. ``choices`` is non-empty when the question needs clarifying;
    then ``causes`` and ``numbers`` are empty and ``text`` asks which one was meant."""

    text: str
    intent: str
    entities: dict[str, Any]
    time_range: TimeRange | None
    causes: list[dict[str, Any]] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    dashboard_url: str = ""
    api_call: str = ""
    choices: list[Choice] = field(default_factory=list)
    #: The range actually read: ``time_range``, or when the question names none, the last
    #: ``DEFAULT_WINDOW`` of data (lists of incidents and actions: everything, ``None``).
    window: TimeRange | None = None

    @property
    def needs_clarification(self) -> bool:
        return bool(self.choices)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 UTC strings."""
        data = asdict(self)
        for key in ("time_range", "window"):
            tr = getattr(self, key)
            data[key] = (
                None
                if tr is None
                else {"from": _iso(tr.start), "to": _iso(tr.end), "phrase": tr.phrase}
            )
        return _jsonable(data)  # type: ignore[no-any-return]


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)
