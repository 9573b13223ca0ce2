"""The every-minute cycle of a running service: SLEs, analysis, path policy, alerts.

Owns the order of the batch stages over the newest data and their bookkeeping: each cycle
recomputes the SLEs of the current (and, right after the hour turns, the previous) hour — SLE
compute replaces whole hour partitions, so this is idempotent — analyzes incrementally, takes
one path-policy step (recommend mode unless configured otherwise) and runs one alerts cycle.
A stage that fails is counted and logged; the others still run and the next cycle retries.
Must not open sockets or parse command lines (``assurance.cli.serve`` does).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge

from assurance.config import Inventory
from assurance.errors import AssuranceError

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)
STAGES = ("sle", "analysis", "policy", "alerts")


@dataclass
class SchedulerMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.runs = Counter(
            "wanassure_stage_runs", "Scheduler stage runs", ["stage"], registry=self.registry
        )
        self.failures = Counter(
            "wanassure_stage_failures",
            "Scheduler stage runs that failed",
            ["stage"],
            registry=self.registry,
        )
        self.seconds = Gauge(
            "wanassure_stage_seconds",
            "Wall seconds of the stage's last run",
            ["stage"],
            registry=self.registry,
        )
        self.last_cycle = Gauge(
            "wanassure_last_cycle_timestamp_seconds",
            "When the last scheduler cycle ended (Unix time)",
            registry=self.registry,
        )


@dataclass
class Scheduler:
    """Runs the stages for one lake; ``alerts`` and ``policy`` are optional hooks."""

    lake: str
    inventory: Inventory
    alerts: Callable[[datetime], object] | None = None
    policy: Callable[[datetime], object] | None = None
    metrics: SchedulerMetrics = field(default_factory=SchedulerMetrics)
    last_errors: dict[str, str] = field(default_factory=dict)
    last_cycle: datetime | None = None

    def _stage(self, name: str, run: Callable[[], object]) -> None:
        began = time.perf_counter()
        self.metrics.runs.labels(name).inc()
        try:
            run()
            self.last_errors.pop(name, None)
        except AssuranceError as exc:
            message = str(exc).splitlines()[0]
            self.metrics.failures.labels(name).inc()
            self.last_errors[name] = message
            log.error("%s stage failed: %s", name, message)
        finally:
            self.metrics.seconds.labels(name).set(time.perf_counter() - began)

    def cycle(self, now: datetime | None = None) -> None:
        """One pass over every stage at ``now`` (default: the wall clock)."""
        from assurance.analysis.pipeline import analyze
        from assurance.rollups import build
        from assurance.sle.compute import compute

        now = now or datetime.now(UTC)
        hour = now.replace(minute=0, second=0, microsecond=0)
        # Late data for the previous hour still arrives in its first minutes.
        first = hour - HOUR if now - hour < timedelta(minutes=5) else hour
        self._stage(
            "sle", lambda: compute(self.lake, self.inventory, first, hour + HOUR, workers=1)
        )
        self._stage("rollups", lambda: build(self.lake, start=first, end=hour + HOUR))
        self._stage("analysis", lambda: self._analyze(analyze))
        if self.policy is not None:
            hook = self.policy
            self._stage("policy", lambda: hook(now))
        if self.alerts is not None:
            alerts = self.alerts
            self._stage("alerts", lambda: alerts(now))
        self.last_cycle = now
        self.metrics.last_cycle.set(time.time())

    def _analyze(self, analyze: Callable[..., object]) -> None:
        from assurance.analysis.pipeline import sle_range

        if sle_range(self.lake) is not None:  # nothing to analyze before the first SLE minute
            analyze(self.lake, self.inventory, workers=1)

    def health(self) -> dict[str, object]:
        return {
            "last_cycle": self.last_cycle.isoformat() if self.last_cycle else None,
            "failing_stages": dict(self.last_errors),
        }
