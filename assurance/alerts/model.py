"""What an alert is: labels, severity, timing, and the fingerprint that names it across cycles.

Owns the ``Alert`` value, the identity rule (a stable fingerprint from the sorted identifying
labels) and the group key derived from a rule's ``group_by`` labels. Pure values: must not read
the lake, the clock or the network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal

Severity = Literal["critical", "major", "minor", "info"]
SEVERITIES: tuple[str, ...] = ("critical", "major", "minor", "info")
Status = Literal["firing", "resolved"]

#: The label every alert carries with its rule's name (Alertmanager's spelling).
ALERTNAME = "alertname"


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable identity for a label set: SHA-256 over the labels sorted by name, 32 hex digits.

    Name and value are separated by a byte that never occurs in text (0xff), so
    ``{"a": "b=c"}`` and ``{"a=b": "c"}`` differ; the order the labels were given in does not
    matter.
    """
    digest = hashlib.sha256()
    for name in sorted(labels):
        digest.update(name.encode())
        digest.update(b"\xff")
        digest.update(str(labels[name]).encode())
        digest.update(b"\xfe")
    return digest.hexdigest()[:32]


def group_labels(labels: Mapping[str, str], group_by: Iterable[str]) -> dict[str, str]:
    """The ``group_by`` labels of an alert (absent labels group as the empty string)."""
    return {name: labels.get(name, "") for name in group_by}


@dataclass(frozen=True)
class Alert:
    """One alert as a rule evaluation sees it.

    ``labels`` identify it (they include ``alertname`` and, when it has one, ``site``);
    ``annotations`` describe it (summary, value, threshold…) and may change between cycles
    without making it a new alert. ``severity`` is kept out of the identity so a per-site
    severity override does not turn one alert into two.
    """

    labels: Mapping[str, str]
    severity: Severity
    summary: str
    starts_at: datetime
    annotations: Mapping[str, str] = field(default_factory=dict)
    link: str = ""
    status: Status = "firing"
    ends_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.labels[ALERTNAME]

    @property
    def site(self) -> str | None:
        return self.labels.get("site") or None

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.labels)
