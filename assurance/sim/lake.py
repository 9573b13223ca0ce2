"""Lake mode: the twin writes a scenario's raw tables straight into the lake.

Owns: splitting the org into site shards, one pure job per shard (every minute of the scenario
for its sites → that shard's hourly files, named ``part-sim<shard>-<seq>``), run through
``assurance.runner``. Flows and telemetry rows come from ``emit`` as Arrow (``flow_options``
from the real flow decoder reading each template refresh); syslog lines go through the real
syslog parser, exactly as the collector would, so both modes agree. Output is
byte-identical for the same scenario and seed. Must not: open sockets.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from assurance import runner
from assurance.lake.store import LakeStore
from assurance.lake.writer import LakeWriter
from assurance.sim.emit import Emitter
from assurance.sim.physics import Twin
from assurance.sim.scenario import Scenario
from assurance.sim.truth import write_truth
from assurance.sim.world import World
from collectors.origin import attach_origin
from collectors.syslog.model import Line
from collectors.syslog.parse import SyslogParser

SITES_PER_SHARD = 25


@dataclass(frozen=True)
class ShardJob:
    scenario: Scenario
    lake: str
    shard: int
    sites: tuple[int, ...]
    exporters: dict[str, tuple[str, str]]  # exporter IP → (device, site), from the inventory


@dataclass(frozen=True)
class ShardResult:
    shard: int
    sites: int
    rows: dict[str, int]
    files: int
    bytes: int
    seconds: float


class ShardRun:
    """A shard's simulation advanced a few minutes at a time (``advance``), publishing what it
    has at every hour boundary and at the end of each advance. Between advances the twin may
    take a path-policy change (``twin.apply_change``), as a policy driver does mid-run."""

    def __init__(self, job: ShardJob) -> None:
        self.job = job
        self.twin = Twin(World(job.scenario), job.sites)
        self.emitter = Emitter(self.twin)
        self.parser = SyslogParser()
        self.writer = LakeWriter(
            LakeStore(job.lake),
            flush_rows=1 << 62,
            flush_bytes=1 << 62,
            flush_age_s=float("inf"),
            writer_id=f"sim{job.shard:05d}",
        )
        self.counts: dict[str, int] = defaultdict(int)
        self.hour: dict[str, list[pa.Table]] = defaultdict(list)
        self.lines: list[Line] = []
        self.minute = 0

    def _publish(self) -> None:
        exporters = self.job.exporters
        if self.lines:
            parsed = self.parser.parse_batch(self.lines)
            for name, rows in parsed.tables.items():
                self.hour[name].append(attach_origin(rows, exporters))
            self.lines.clear()
        for name in sorted(self.hour):
            table = pa.concat_tables(self.hour[name])
            if table.num_rows:
                self.writer.write(name, table)
                self.counts[name] += table.num_rows
        self.writer.flush()
        self.hour.clear()

    def advance(self, minutes: int) -> None:
        """Simulate the next ``minutes`` minutes (at most to the scenario's end)."""
        exporters = self.job.exporters
        stop = min(self.job.scenario.minutes, self.minute + minutes)
        for minute in range(self.minute, stop):
            m = self.twin.step(minute)
            for name, table in self.emitter.flow_tables(m).items():
                self.hour[name].append(
                    attach_origin(table, exporters) if name != "flows" else table
                )
            for name, table in self.emitter.telemetry(m).items():
                self.hour[name].append(table)
            received_us = (m.epoch_s + 60) * 1_000_000
            outs, rssi = self.emitter.syslog_for_lake(m)
            for out in outs:
                self.lines += [Line(raw, out.sender, received_us, "tcp") for raw in out.lines]
            for name, table in rssi.rows(received_us).items():
                self.hour[name].append(attach_origin(table, exporters))
            if (minute + 1) % 60 == 0:
                self._publish()
        self.minute = stop
        self._publish()

    def close(self) -> None:
        self.writer.close()


def simulate_shard(job: ShardJob) -> ShardResult:
    """Simulate every minute of the scenario for the shard's sites and publish its files."""
    began = time.perf_counter()
    run = ShardRun(job)
    run.advance(job.scenario.minutes)
    run.close()
    stats = run.writer.stats
    return ShardResult(
        job.shard,
        len(job.sites),
        dict(run.counts),
        stats.files,
        stats.bytes,
        time.perf_counter() - began,
    )


def shard_jobs(
    scenario: Scenario, lake: str, world: World, sites_per_shard: int = SITES_PER_SHARD
) -> list[ShardJob]:
    """The scenario's site shards, each with the exporters of its sites from the inventory."""
    count = len(world.sites)
    index = world.inventory().device_index()
    jobs = []
    for n, at in enumerate(range(0, count, sites_per_shard)):
        sites = tuple(range(at, min(at + sites_per_shard, count)))
        names = {world.sites[i].name for i in sites}
        exporters = {ip: (r.device, r.site) for ip, r in index.items() if r.site in names}
        jobs.append(ShardJob(scenario, lake, n, sites, exporters))
    return jobs


def simulate_to_lake(
    scenario: Scenario,
    lake: str,
    *,
    workers: int | None = None,
    sites_per_shard: int = SITES_PER_SHARD,
    on_shard: Callable[[ShardResult], None] | None = None,
) -> list[ShardResult]:
    """Write the scenario into ``lake`` (raw tables plus ``_sim/`` truth and inventory)."""
    world = World(scenario)
    store = LakeStore(lake)
    store.ensure_root()
    write_truth(store, world)
    jobs = shard_jobs(scenario, lake, world, sites_per_shard)
    results = []
    for result in runner.run(simulate_shard, jobs, workers=workers):
        results.append(result)
        if on_shard is not None:
            on_shard(result)
    return results


__all__ = [
    "ShardJob",
    "ShardResult",
    "ShardRun",
    "shard_jobs",
    "simulate_shard",
    "simulate_to_lake",
]
