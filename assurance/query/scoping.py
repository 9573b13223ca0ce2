"""Tenant scoping of read-API answers: keep what a user may see, and remove every other site's
name from what is left.

Owns ``Scoper``: given every site name the lake knows and the sites a user may see, it filters
incidents, actions and alerts, and rewrites org-wide answers (an ISP outage over many sites) so
the user sees only their own sites and never another tenant's names, even inside evidence and
free text. Pure functions over plain dicts: must not read the lake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: What another tenant's site name is replaced with.
HIDDEN = "another site"


class Scoper:
    """Filters and redactions for a user who may see ``allowed`` out of ``every`` site."""

    def __init__(self, every: Iterable[str], allowed: Iterable[str] | None) -> None:
        self.allowed: frozenset[str] | None = None if allowed is None else frozenset(allowed)
        hidden = sorted(set(every) - (self.allowed or set()), key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])" for s in hidden))
            if hidden and self.allowed is not None
            else None
        )

    @property
    def everything(self) -> bool:
        return self.allowed is None

    def sees(self, site: str | None) -> bool:
        return self.allowed is None or (site is not None and site in self.allowed)

    def text(self, value: str) -> str:
        return value if self._pattern is None else self._pattern.sub(HIDDEN, value)

    def redact(self, value: Any) -> Any:
        """``value`` with every hidden site name replaced, recursively through dicts/lists."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.redact(v) for v in value)
        return value

    def incidents(self, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Incidents at a visible site, or org-wide ones touching one, with only the visible
        sites listed and causes naming only visible sites (others dropped or redacted)."""
        if self.allowed is None:
            return incidents
        out = []
        for inc in incidents:
            mine = [s for s in inc["sites"] if s in self.allowed]
            if not (self.sees(inc["site"]) or mine):
                continue
            inc = dict(inc)
            if inc["site"] is None:
                scope = inc["causes"][0]["evidence"].get("scope", "org") if inc["causes"] else "org"
                value = inc["causes"][0]["evidence"].get("scope_value", "") if inc["causes"] else ""
                inc["where"] = f"{scope}:{value} ({len(mine)} of your sites)"
            inc["sites"] = mine
            causes = []
            for cause in inc["causes"]:
                label = str(cause.get("root_cause", ""))
                if self.text(label) != label:
                    continue  # a cause located at another tenant's site
                cause = dict(cause)
                evidence = dict(cause["evidence"])
                if "sites" in evidence:
                    evidence["sites"] = ",".join(mine)
                cause["evidence"] = self.redact(evidence)
                cause["title"] = self.text(str(cause.get("title", "")))
                causes.append(cause)
            inc["causes"] = [{**c, "rank": i} for i, c in enumerate(causes, 1)]
            inc["suggested_action"] = self.text(inc.get("suggested_action", ""))
            out.append(inc)
        return out

    def rows(self, rows: list[dict[str, Any]], key: str = "site") -> list[dict[str, Any]]:
        """Rows whose ``key`` is a visible site (org-wide rows with no site are redacted)."""
        if self.allowed is None:
            return rows
        return [self.redact(r) for r in rows if r.get(key) is None or r[key] in self.allowed]
