"""The vocabulary of path policy: changes, thresholds, action states and their transitions.

Owns the ``Change`` a planner proposes (what to steer or adjust, where, from what to what), the
SLA thresholds an AppQoE metrics profile holds, the action states of the ``actions`` table and
which transitions are legal. Pure data: no I/O, no Junos text (``render`` owns that).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assurance.policy.errors import PolicyError

Kind = Literal["steer_app", "adjust_sla", "restore_preference"]
KINDS: tuple[str, ...] = ("steer_app", "adjust_sla", "restore_preference")
ACTOR_PLANNER = "planner"

#: Every state a path-policy action can be in, and the states it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("approved", "rejected"),
    "approved": ("pushed", "failed", "rejected"),
    "pushed": ("verified", "rolled_back", "failed"),
    "verified": ("rolled_back",),
    "rolled_back": (),
    "rejected": (),
    "failed": (),
}
STATES: tuple[str, ...] = tuple(TRANSITIONS)


def check_transition(action_id: str, current: str, new: str) -> None:
    """Raise ``PolicyError`` unless ``current`` → ``new`` is a legal step."""
    allowed = TRANSITIONS.get(current, ())
    if new not in allowed:
        can = ", ".join(allowed) or "nothing (final state)"
        raise PolicyError(f"action {action_id} is {current}; it can move to {can}, not {new}")


@dataclass(frozen=True)
class Thresholds:
    """AppQoE SLA thresholds: round-trip time and jitter in ms, loss in percent."""

    rtt_ms: float
    jitter_ms: float
    loss_pct: float

    def violated_by(self, rtt_ms: float, jitter_ms: float, loss_pct: float) -> bool:
        return rtt_ms > self.rtt_ms or jitter_ms > self.jitter_ms or loss_pct > self.loss_pct


@dataclass(frozen=True)
class Hop:
    """A WAN link of a gateway and the next hop that reaches it (overlay tunnel or interface)."""

    link: str
    next_hop: str


@dataclass(frozen=True)
class Change:
    """One proposed configuration change on one gateway.

    ``steer_app`` and ``restore_preference`` reorder the links of an application group (its
    routing instance's qualified next hops); ``adjust_sla`` replaces the group's metrics-profile
    thresholds and violation count.
    """

    kind: Kind
    site: str
    device: str
    app: str
    group: str
    hops: tuple[Hop, ...] = ()
    order: tuple[str, ...] = ()  # links, preferred first
    before: tuple[str, ...] = ()  # the order in force now (empty: not configured)
    sla: Thresholds | None = None
    sla_before: Thresholds | None = None
    violation_count: int | None = None
    violation_count_before: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PolicyError(f"unknown change kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.kind == "adjust_sla":
            if self.sla is None:
                raise PolicyError("adjust_sla needs new thresholds (sla)")
            return
        links = {h.link for h in self.hops}
        if not self.order:
            raise PolicyError(f"{self.kind} needs a link order")
        unknown = [link for link in (*self.order, *self.before) if link not in links]
        if unknown:
            raise PolicyError(f"{self.kind}: no next hop known for link(s) {', '.join(unknown)}")
        if len(set(self.order)) != len(self.order):
            raise PolicyError(f"{self.kind}: a link appears twice in {list(self.order)}")

    @property
    def target(self) -> str | None:
        return self.order[0] if self.order else None

    def hop_of(self, link: str) -> str:
        return next(h.next_hop for h in self.hops if h.link == link)

    def link_of(self, next_hop: str) -> str | None:
        return next((h.link for h in self.hops if h.next_hop == next_hop), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Change:
        try:
            return cls(
                kind=doc["kind"],
                site=str(doc["site"]),
                device=str(doc["device"]),
                app=str(doc["app"]),
                group=str(doc["group"]),
                hops=tuple(Hop(str(h["link"]), str(h["next_hop"])) for h in doc.get("hops", ())),
                order=tuple(doc.get("order", ())),
                before=tuple(doc.get("before", ())),
                sla=Thresholds(**doc["sla"]) if doc.get("sla") else None,
                sla_before=Thresholds(**doc["sla_before"]) if doc.get("sla_before") else None,
                violation_count=doc.get("violation_count"),
                violation_count_before=doc.get("violation_count_before"),
                extra={str(k): str(v) for k, v in (doc.get("extra") or {}).items()},
            )
        except (KeyError, TypeError) as exc:
            raise PolicyError(f"malformed change: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> Change:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"malformed change JSON: {exc.msg} at {exc.pos}") from None
        if not isinstance(doc, dict):
            raise PolicyError("malformed change JSON: not an object")
        return cls.from_dict(doc)


__all__ = [
    "KINDS",
    "STATES",
    "TRANSITIONS",
    "Change",
    "Hop",
    "Thresholds",
    "check_transition",
]
