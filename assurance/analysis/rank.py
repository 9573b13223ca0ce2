"""Ranking the candidate causes of one incident across Wi-Fi, LAN, WAN, application and gateway.

Owns turning an incident's leaf cube (bad and total user minutes per SLE, classifier and scope
dimension) into candidate causes and ordering them: each bad leaf votes for the cause its
classifier points at (``knowledge``), weighted by its bad minutes *beyond* what the site usually
has, by how directly its SLE observes that cause, and by how well one scope value (one link, one
AP…) concentrates the cause's minutes; a cause whose minutes began first gets a precedence
bonus. Confidence is each cause's share of the total weight. Must not read the lake.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from assurance.analysis.knowledge import DIRECTNESS, KINDS, SCOPE_DIMENSION, cause_for

#: Bonus for the cause whose bad minutes began first (temporal precedence).
PRECEDENCE_BONUS = 0.5
#: Minutes within which two causes count as starting together.
PRECEDENCE_SLACK_S = 90.0


@dataclass
class Cause:
    kind: str
    scope_value: str
    site: str | None
    weight: float
    bad: float
    first_bad: datetime | None
    sles: set[str] = field(default_factory=set)
    concentration: float = 1.0
    confidence: float = 0.0
    sites: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Device facts behind the cause (``link``, ``port``, ``probe``), beside user minutes.
    facts: set[str] = field(default_factory=set)

    @property
    def layer(self) -> str:
        return KINDS[self.kind].layer

    @property
    def scope(self) -> str:
        return KINDS[self.kind].scope

    def label(self) -> str:
        """``link:lab-12/isp-a isp_degradation`` — scope, value and kind in one string."""
        where = self.scope_value
        if self.scope in ("link", "gateway", "ap", "port") and self.site:
            where = f"{self.site}/{self.scope_value}"
        return f"{self.scope}:{where} {self.kind}"


def port_name(name: str | None) -> str | None:
    """``ge-0/0/3.0`` → ``ge-0/0/3``: a logical unit belongs to its physical port."""
    if name is None:
        return None
    return name.split(".", 1)[0]


def _scope_value(kind: str, row: Mapping[Any, object], site: str) -> str | None:
    scope = KINDS[kind].scope
    if scope == "site":
        return site
    value = row.get(SCOPE_DIMENSION[scope])
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return port_name(text) if scope == "port" else text


def candidates(
    leaves: pd.DataFrame, baseline: Mapping[tuple[str, str], float], site: str
) -> list[Cause]:
    """Candidate causes of a site incident from its leaves, ranked, with confidences."""
    found: dict[tuple[str, str], Cause] = {}
    kind_bad: dict[str, float] = {}
    for row in leaves.to_dict("records"):
        bad = float(row["bad"])
        if bad <= 0:
            continue
        sle = str(row["sle"])
        kind = cause_for(sle, _text(row["classifier"]), _text(row["sub_classifier"]))
        if kind is None:
            continue
        expected = baseline.get((site, sle), 0.0) * float(row["total"])
        excess = max(bad - expected, 0.0)
        if excess <= 0:
            continue
        weight = excess * DIRECTNESS.get(sle, 0.5)
        value = _scope_value(kind, row, site)
        kind_bad[kind] = kind_bad.get(kind, 0.0) + weight
        if value is None:
            continue
        first = row.get("first_bad")
        first_bad = None if first is None or pd.isna(first) else pd.Timestamp(first).to_pydatetime()
        cause = found.setdefault((kind, value), Cause(kind, value, site, 0.0, 0.0, first_bad))
        cause.weight += weight
        cause.bad += bad
        cause.sles.add(sle)
        if first_bad is not None and (cause.first_bad is None or first_bad < cause.first_bad):
            cause.first_bad = first_bad
    causes = list(found.values())
    for cause in causes:
        # A cause concentrated on one link/AP/port is more specific than one smeared over many.
        cause.concentration = cause.weight / max(kind_bad.get(cause.kind, cause.weight), 1e-9)
        cause.weight *= 0.5 + 0.5 * cause.concentration
    return finish(causes)


def merge(causes: list[Cause]) -> list[Cause]:
    """Fold causes naming the same kind at the same place (seen by users and by the device)."""
    out: dict[tuple[str, str], Cause] = {}
    for cause in causes:
        have = out.get((cause.kind, cause.scope_value))
        if have is None:
            out[(cause.kind, cause.scope_value)] = cause
            continue
        have.weight += cause.weight
        have.bad += cause.bad
        have.sles |= cause.sles
        have.notes += cause.notes
        have.facts |= cause.facts
        if cause.first_bad is not None and (
            have.first_bad is None or cause.first_bad < have.first_bad
        ):
            have.first_bad = cause.first_bad
    return list(out.values())


def finish(causes: list[Cause]) -> list[Cause]:
    """Apply the precedence bonus, order by weight and turn weights into confidences."""
    starts = [c.first_bad for c in causes if c.first_bad is not None]
    if starts:
        earliest = min(starts)
        for cause in causes:
            if (
                cause.first_bad is not None
                and (cause.first_bad - earliest).total_seconds() <= PRECEDENCE_SLACK_S
            ):
                cause.weight *= 1.0 + PRECEDENCE_BONUS
    causes.sort(key=lambda c: (-c.weight, c.kind, c.scope_value))
    total = sum(c.weight for c in causes)
    for cause in causes:
        cause.confidence = round(cause.weight / total, 3) if total > 0 else 0.0
    return causes


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


__all__ = ["Cause", "candidates", "finish", "merge", "port_name"]
