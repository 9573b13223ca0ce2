"""Incidents as an answer's ranked root causes: the incidents of a scope (site, app, link, ISP,
AP, port) that the caller may see, worst first, flattened into causes with their evidence.

Owns ``Ctx`` (what one answer reads with: connection, vocabulary, scope, range) and ``causes``.
Incidents come from ``IncidentQuery`` and are scoped by ``Scoper.incidents``, so an answer's
causes are exactly those ``wanassure incidents`` shows for the same scope. Must not write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import duckdb

from assurance.ask.types import TimeRange
from assurance.ask.vocab import Vocabulary
from assurance.query import IncidentQuery
from assurance.query.reader import share
from assurance.query.scoping import Scoper

Q = TypeVar("Q")
_EVIDENCE_KEYS = (
    "scope",
    "scope_value",
    "sles",
    "bad_user_minutes",
    "concentration",
    "first_bad_minute",
    "applications",
    "notes",
    "loss_pct",
    "rtt_ms",
    "jitter_ms",
    "isp",
    "sites",
)


@dataclass
class Ctx:
    con: duckdb.DuckDBPyConnection
    vocab: Vocabulary
    scope: Scoper | None
    tr: TimeRange | None

    def q(self, cls: type[Q]) -> Q:
        return share(cls, self.con)

    @property
    def sites(self) -> list[str] | None:
        """The site filter for read-API calls (None: every site)."""
        if self.scope is None or self.scope.allowed is None:
            return None
        return sorted(self.scope.allowed)

    @property
    def start(self) -> Any:
        return None if self.tr is None else self.tr.start

    @property
    def end(self) -> Any:
        return None if self.tr is None else self.tr.end


def incidents(
    ctx: Ctx,
    *,
    site: str | None = None,
    status: str | None = None,
    match: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """Incidents of the scope the caller may see, most bad user-minutes first (then the most
    recently detected)."""
    found = ctx.q(IncidentQuery).incidents(site=site, status=status, start=ctx.start, end=ctx.end)
    if ctx.scope is not None:
        found = ctx.scope.incidents(found)
    if match is not None:
        found = [i for i in found if match(i)]
    found.sort(key=lambda i: i["detected_at"], reverse=True)
    found.sort(key=lambda i: i["impacted_minutes"], reverse=True)
    return found


def causes(found: list[dict[str, Any]], limit: int = 5) -> list[dict[str, Any]]:
    """The ranked causes of ``found`` incidents in their order, each root cause once."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for inc in found:
        for c in inc["causes"]:
            if c["root_cause"] in seen:
                continue
            seen.add(c["root_cause"])
            ev = c["evidence"]
            out.append(
                {
                    "rank": len(out) + 1,
                    "root_cause": c["root_cause"],
                    "title": c["title"],
                    "layer": c.get("layer"),
                    "kind": c.get("kind"),
                    "confidence": round(float(c["confidence"]), 3),
                    "incident_id": inc["incident_id"],
                    "where": inc["where"],
                    "status": inc["status"],
                    "started_at": inc["started_at"],
                    "ended_at": inc["ended_at"],
                    "impacted_users": inc["impacted_users"],
                    "impacted_minutes": inc["impacted_minutes"],
                    "suggested_action": inc["suggested_action"],
                    "evidence": {k: ev[k] for k in _EVIDENCE_KEYS if k in ev},
                }
            )
            if len(out) >= limit:
                return out
    return out


def target(cause: dict[str, Any]) -> str:
    """Where a cause points (``app:Salesforce``, ``link:br-nyc-012/isp-a``): its root-cause
    label without the trailing kind (``link:br-nyc-012/isp-a isp_degradation``)."""
    label = str(cause["root_cause"])
    kind = cause.get("kind")
    return label[: -len(kind) - 1] if kind and label.endswith(" " + str(kind)) else label


def mentions_app(app: str) -> Callable[[dict[str, Any]], bool]:
    def match(inc: dict[str, Any]) -> bool:
        for c in inc["causes"]:
            if target(c) == f"app:{app}":
                return True
            apps = str(c["evidence"].get("applications", "")).split(",")
            if app in apps and "application_health" in inc["sles"]:
                return True
        return False

    return match


def mentions_cause(*prefixes: str) -> Callable[[dict[str, Any]], bool]:
    """Incidents with a cause pointing at one of ``targets``."""

    def match(inc: dict[str, Any]) -> bool:
        return any(target(c) in prefixes for c in inc["causes"])

    return match
