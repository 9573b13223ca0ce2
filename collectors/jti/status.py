"""Logging that says each thing once: session state changes, and rate-limited repeated events.

``SessionLog`` logs a device's session only when its state changes (streaming → auth failure →
streaming again), with how many attempts a failure lasted, never once per retry. ``Notices``
logs the first of a repeated event (a counter reset, a sequence gap, a malformed message) per
key and then at most once per interval with the number suppressed in between.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _State:
    state: str = "connecting"
    failures: int = 0


class SessionLog:
    """State-change logging for sessions, keyed by (protocol, device)."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._states: dict[tuple[str, str], _State] = {}

    def state(self, protocol: str, device: str) -> str:
        return self._states.get((protocol, device), _State()).state

    def streaming(self, protocol: str, device: str, endpoint: str) -> None:
        s = self._states.setdefault((protocol, device), _State())
        if s.state != "streaming":
            after = f" after {s.failures} failed attempt(s)" if s.failures else ""
            self.log.info("%s %s (%s): streaming%s", protocol, device, endpoint, after)
        s.state, s.failures = "streaming", 0

    def failed(self, protocol: str, device: str, reason: str, detail: str) -> None:
        s = self._states.setdefault((protocol, device), _State())
        s.failures += 1
        if s.state != reason:
            level = logging.INFO if reason == "quiet" else logging.WARNING
            self.log.log(level, "%s %s: %s: %s", protocol, device, reason, detail)
        s.state = reason

    def stopped(self, protocol: str, device: str) -> None:
        self._states.pop((protocol, device), None)


class Notices:
    """Rate-limited logging of repeated events, per key."""

    def __init__(
        self,
        log: logging.Logger,
        interval_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.interval_s = interval_s
        self.clock = clock
        self._last: dict[object, tuple[float, int]] = {}

    def notice(self, key: object, level: int, message: str, *args: object) -> bool:
        """Log unless ``key`` was logged less than ``interval_s`` ago; True when logged."""
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last[0] < self.interval_s:
            self._last[key] = (last[0], last[1] + 1)
            return False
        suppressed = last[1] if last is not None else 0
        if suppressed:
            message += " (%d more since the last report)"
            args = (*args, suppressed)
        self.log.log(level, message, *args)
        self._last[key] = (now, 0)
        return True

    def once(self, key: object, level: int, message: str, *args: object) -> bool:
        """Log the first time ``key`` is seen only."""
        if key in self._last:
            return False
        self._last[key] = (float("inf"), 0)
        self.log.log(level, message, *args)
        return True
