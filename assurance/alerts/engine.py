"""One alerting cycle: evaluate the rules over the lake, group, enqueue, deliver, mirror.

The composition root of ``assurance.alerts``: wires the catalog (DuckDB views over the lake),
the rule evaluators, the grouper, the outbox under ``<lake>/_state/alerts.sqlite``, the
deliverer and the lake mirror. A rule whose evaluation fails is logged and left out of the cycle
(its alerts neither fire anew nor resolve); the other rules go on. Must not: parse command lines
or print.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import httpx

from assurance.alerts import drops
from assurance.alerts.config import AlertsConfig
from assurance.alerts.deliver import Deliverer, DeliveryStats
from assurance.alerts.grouping import CycleResult, Grouper
from assurance.alerts.mirror import mirror
from assurance.alerts.model import Alert
from assurance.alerts.outbox import Outbox
from assurance.alerts.rules import Context, evaluate
from assurance.alerts.stored_silences import with_stored
from assurance.config import Inventory
from assurance.errors import AssuranceError, LakeError
from assurance.lake.catalog import connect
from assurance.lake.store import LakeStore

log = logging.getLogger(__name__)


@dataclass
class CycleReport:
    """What one cycle did."""

    at: datetime
    grouping: CycleResult
    delivery: DeliveryStats
    mirrored: int
    failed_rules: list[tuple[str, str]] = field(default_factory=list)


class AlertEngine:
    """Rules, grouping, outbox and delivery over one lake."""

    def __init__(
        self,
        lake: str | LakeStore,
        config: AlertsConfig,
        *,
        inventory: Inventory | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.store = lake if isinstance(lake, LakeStore) else LakeStore(lake)
        if not self.store.exists():
            raise LakeError(f"no lake at {self.store.root} (folder does not exist)")
        self.config = config
        self.inventory = inventory
        self.clock = clock
        self.outbox = Outbox.for_lake(self.store)
        self.grouper = Grouper(self.outbox, config)
        self.deliverer = Deliverer(self.outbox, config, rng=rng, clock=clock)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._http = httpx.Client(follow_redirects=False)

    def close(self) -> None:
        self.deliverer.close()
        self._http.close()
        self.outbox.close()
        if self._con is not None:
            self._con.close()

    def __enter__(self) -> AlertEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = connect(self.store)
        return self._con

    def evaluate(self, at: datetime) -> tuple[dict[str, list[Alert]], list[tuple[str, str]]]:
        """Alerts per rule that evaluated cleanly, and (rule, error) for those that did not."""
        try:
            con = self._connection()
        except AssuranceError as exc:
            message = str(exc).splitlines()[0]
            log.error("cannot read the lake for alert rules: %s", message)
            return {}, [(rule.name, message) for rule in self.config.rules]
        ctx = Context(at=at, config=self.config, inventory=self.inventory)
        found: dict[str, list[Alert]] = {}
        failed: list[tuple[str, str]] = []
        for rule in self.config.rules:
            if not rule.enabled and not any(o.enabled for o in self.config.overrides):
                found[rule.name] = []
                continue
            try:
                if rule.kind == "collector_drops":
                    found[rule.name] = drops.evaluate(
                        self._http, self.outbox, rule, self.config, at
                    )
                else:
                    found[rule.name] = evaluate(con, rule, ctx)
            except (duckdb.Error, AssuranceError) as exc:
                message = str(exc).splitlines()[0]
                log.error("alert rule %s failed to evaluate: %s", rule.name, message)
                failed.append((rule.name, message))
        return found, failed

    def cycle(
        self,
        at: datetime | None = None,
        *,
        ignore_wait: bool = False,
        deliver: bool = True,
        wait: float = 0.0,
    ) -> CycleReport:
        """Evaluate at ``at`` (data time; default now), group, enqueue, deliver, mirror."""
        now = self.clock()
        when = at or datetime.fromtimestamp(now, UTC)
        found, failed = self.evaluate(when)
        # silences made through the REST API join the configured ones
        self.grouper.config = with_stored(self.config, self.store, when)
        grouping = self.grouper.step(found, data_time=when, now=now, ignore_wait=ignore_wait)
        delivery = self.deliverer.drain(wait) if deliver else DeliveryStats()
        mirrored = self.mirror()
        self.outbox.prune(self.clock() - self.config.retention)
        return CycleReport(when, grouping, delivery, mirrored, failed)

    def tick(self) -> DeliveryStats:
        """Between evaluations: notify groups whose wait ran out and deliver what is due."""
        self.grouper.step({}, data_time=datetime.fromtimestamp(self.clock(), UTC), now=self.clock())
        stats = self.deliverer.deliver_due()
        if stats.attempted:
            self.mirror()
        return stats

    def mirror(self) -> int:
        try:
            return mirror(self.outbox, self.store)
        except AssuranceError as exc:
            log.error("cannot mirror alert events to the lake: %s", str(exc).splitlines()[0])
            return 0
