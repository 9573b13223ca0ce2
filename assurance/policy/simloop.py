"""The closed loop against the network twin: the simulator as the device, the lake as the eyes.

Owns ``TwinSession`` (a scenario run a few minutes at a time into a lake, one shard for all
sites), ``SimDriver`` (applies rendered Junos ``set`` lines to the twin: a group's routing
instance preferences reorder the links of every application of that group at the site; it
keeps commit-confirmed semantics in simulated minutes, so an unconfirmed push reverts by
itself) and ``run`` (advance, compute SLEs for the new minutes, one loop step, repeat), which
returns the figures: when each action was proposed, pushed and judged, and the bad
Application Health user-minutes per site and application. Must not: plan or judge (``loop``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assurance.analysis.pipeline import analyze
from assurance.config.inventory import Inventory
from assurance.lake.store import LakeStore
from assurance.policy import evidence, ledger
from assurance.policy.drivers import Request
from assurance.policy.errors import DriverError
from assurance.policy.loop import LoopSettings, StepResult, step
from assurance.policy.render import parse_set
from assurance.sim.lake import ShardRun, shard_jobs
from assurance.sim.physics import NO_LINK
from assurance.sim.scenario import Scenario
from assurance.sim.truth import write_truth
from assurance.sim.world import World
from assurance.sle.compute import compute

AUTO = LoopSettings(mode="auto")


class TwinSession:
    """A scenario written into ``lake`` as it runs; ``advance`` moves it on."""

    def __init__(self, scenario: Scenario, lake: str) -> None:
        self.scenario = scenario
        world = World(scenario)
        store = LakeStore(lake)
        store.ensure_root()
        write_truth(store, world)
        self.inventory: Inventory = world.inventory()
        job = shard_jobs(scenario, lake, world, sites_per_shard=len(world.sites))[0]
        self.run = ShardRun(job)

    @property
    def minute(self) -> int:
        return self.run.minute

    @property
    def now(self) -> datetime:
        return self.scenario.start + timedelta(minutes=self.run.minute)

    @property
    def done(self) -> bool:
        return self.run.minute >= self.scenario.minutes

    def advance(self, minutes: int) -> None:
        self.run.advance(minutes)

    def close(self) -> None:
        self.run.close()

    def order(self, site: str, app: str) -> list[str]:
        """The twin's current link order for ``app`` at ``site``."""
        twin = self.run.twin
        n = twin.local[twin.world.by_name[site].index]
        links = twin.sites[n].links
        row = twin.preference[n, twin.app_index[app]]
        return [links[int(k)].profile.name for k in row if k != NO_LINK]


class SimDriver:
    """Pushes rendered changes into the twin of a ``TwinSession``."""

    name = "sim"

    def __init__(self, session: TwinSession) -> None:
        self.session = session
        self.hops = evidence.gateways(session.inventory)
        self.pending: dict[str, tuple[int, Request]] = {}  # action → (revert minute, request)
        self.log: list[tuple[int, str, str]] = []

    def _apply(self, req: Request) -> str:
        return self._load(req.site, req.change_set)

    def _load(self, site: str, text: str) -> str:
        if site not in self.hops:
            raise DriverError(f"{site}: no gateway with WAN links in the twin")
        link_of = {h.next_hop: h.link for h in self.hops[site][1]}
        world = self.session.run.twin.world
        groups: dict[str, dict[str, int | None]] = {}
        sla_lines = 0
        for verb, tokens in parse_set(text):
            if tokens[0] == "routing-instances" and "qualified-next-hop" in tokens:
                group = tokens[1].removesuffix("-ri")
                hop = tokens[tokens.index("qualified-next-hop") + 1]
                if hop not in link_of:
                    raise DriverError(f"{site}: qualified-next-hop {hop}: no such link")
                value = int(tokens[-1]) if verb == "set" else None
                groups.setdefault(group, {})[link_of[hop]] = value
            elif tokens[:2] == ("security", "advance-policy-based-routing"):
                sla_lines += 1
            else:
                raise DriverError(f"{site}: the twin does not model {' '.join(tokens[:3])}")
        changed = []
        for group, prefs in groups.items():
            apps = [a.name for a in world.apps if a.category == group]
            for app in apps:
                current = self.session.order(site, app)
                rank = {link: n for n, link in enumerate(current, start=1)}
                for link, value in prefs.items():
                    rank[link] = value if value is not None else 1000 + rank.get(link, 0)
                order = sorted(rank, key=lambda k: (rank[k], current.index(k)))
                self.session.run.twin.apply_change(site, app, order)
                changed.append(f"{app}: {' > '.join(order)}")
        parts = changed + ([f"{sla_lines} AppQoE line(s) accepted"] if sla_lines else [])
        return f"twin {site}: " + "; ".join(parts or ["nothing to do"])

    def push(self, req: Request) -> str:
        reply = self._apply(req)
        self.pending[req.action_id] = (self.session.minute + req.confirm_minutes, req)
        self.log.append((self.session.minute, "push", req.action_id))
        return f"{reply} (commit confirmed {req.confirm_minutes} min)"

    def confirm(self, req: Request) -> str:
        self.pending.pop(req.action_id, None)
        self.log.append((self.session.minute, "confirm", req.action_id))
        return "twin: commit confirmed made permanent"

    def rollback(self, req: Request) -> str:
        self.pending.pop(req.action_id, None)
        self.log.append((self.session.minute, "rollback", req.action_id))
        return self._load(req.site, req.rollback_set) + " (rolled back)"

    def expire(self) -> list[str]:
        """Revert pushes whose confirm timer ran out, as the device would."""
        gone = [a for a, (until, _) in self.pending.items() if self.session.minute >= until]
        for action in gone:
            _, req = self.pending.pop(action)
            self._load(req.site, req.rollback_set)
            self.log.append((self.session.minute, "expired", action))
        return gone


@dataclass
class RunReport:
    lake: str
    steps: list[StepResult] = field(default_factory=list)
    actions: list[ledger.Action] = field(default_factory=list)
    seconds: float = 0.0
    sle_seconds: float = 0.0

    def bad_minutes(self, site: str, app: str, start: datetime, end: datetime) -> int:
        return evidence.bad_share(self.lake, site, app, start, end)[0]


def run(
    scenario: Scenario,
    lake: str,
    *,
    settings: LoopSettings = AUTO,
    tick_minutes: int = 5,
    loop: bool = True,
    analyze_every: int = 0,
    on_step: Callable[[StepResult], None] | None = None,
) -> RunReport:
    """Play ``scenario`` into ``lake`` with the loop in charge (``loop=False``: no loop, the
    baseline to compare with). ``analyze_every`` > 0 runs the analysis pipeline every that
    many steps, so proposals name the incident behind them."""
    began = time.perf_counter()
    session = TwinSession(scenario, lake)
    driver = SimDriver(session)
    report = RunReport(lake)
    ticks = 0
    try:
        while not session.done:
            session.advance(tick_minutes)
            driver.expire()
            at = session.now
            t = time.perf_counter()
            compute(lake, session.inventory, at - timedelta(minutes=tick_minutes), at, workers=1)
            report.sle_seconds += time.perf_counter() - t
            ticks += 1
            if analyze_every and ticks % analyze_every == 0:
                hour = at.replace(minute=0, second=0, microsecond=0)
                start = hour - timedelta(hours=1) if at == hour else hour
                analyze(lake, session.inventory, start, at, workers=1)
            if loop:
                result = step(lake, session.inventory, at, driver, settings)
                report.steps.append(result)
                if on_step is not None:
                    on_step(result)
    finally:
        session.close()
    report.actions = ledger.actions(lake)
    report.seconds = time.perf_counter() - began
    return report


__all__ = ["RunReport", "SimDriver", "TwinSession", "run"]
