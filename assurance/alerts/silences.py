"""Silences and maintenance windows: whether an alert is muted at a given time.

A silence mutes alerts whose labels match all of its matchers while ``starts_at <= now <
ends_at``; a maintenance window mutes the alerts of its sites (shell-style patterns) and rules
during ``[start, end)``. A muted alert is still tracked (so it does not fire anew when the mute
ends) but is left out of notifications. Must not: read the lake or the clock.
"""

from __future__ import annotations

import fnmatch
from datetime import datetime

from assurance.alerts.config import AlertsConfig
from assurance.alerts.model import Alert


def muted(alert: Alert, config: AlertsConfig, now: datetime) -> bool:
    labels = dict(alert.labels)
    for silence in config.silences:
        if silence.starts_at <= now < silence.ends_at and all(
            m.matches(labels) for m in silence.matchers
        ):
            return True
    site = alert.site or ""
    for window in config.maintenance:
        if (
            window.start <= now < window.end
            and any(fnmatch.fnmatchcase(site, p) for p in window.sites)
            and any(fnmatch.fnmatchcase(alert.name, p) for p in window.rules)
        ):
            return True
    return False
