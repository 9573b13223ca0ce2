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


def simulate_shard(job: ShardJob) -> ShardResult:
    """Simulate every minute of the scenario for the shard's sites and publish its files."""
    began = time.perf_counter()
    world = World(job.scenario)
    twin = Twin(world, job.sites)
    emitter = Emitter(twin)
    parser = SyslogParser()
    exporters = job.exporters
    writer = LakeWriter(
        LakeStore(job.lake),
        flush_rows=1 << 62,
        flush_bytes=1 << 62,
        flush_age_s=float("inf"),
        writer_id=f"sim{job.shard:05d}",
    )
    counts: dict[str, int] = defaultdict(int)
    hour: dict[str, list[pa.Table]] = defaultdict(list)
    lines: list[Line] = []

    def publish() -> None:
        if lines:
            parsed = parser.parse_batch(lines)
            for name, rows in parsed.tables.items():
                hour[name].append(attach_origin(rows, exporters))
            lines.clear()
        for name in sorted(hour):
            table = pa.concat_tables(hour[name])
            if table.num_rows:
                writer.write(name, table)
                counts[name] += table.num_rows
        writer.flush()
        hour.clear()

    for minute in range(job.scenario.minutes):
        m = twin.step(minute)
        for name, table in emitter.flow_tables(m).items():
            hour[name].append(attach_origin(table, exporters) if name != "flows" else table)
        for name, table in emitter.telemetry(m).items():
            hour[name].append(table)
        received_us = (m.epoch_s + 60) * 1_000_000
        outs, rssi = emitter.syslog_for_lake(m)
        for out in outs:
            lines += [Line(raw, out.sender, received_us, "tcp") for raw in out.lines]
        for name, table in rssi.rows(received_us).items():
            hour[name].append(attach_origin(table, exporters))
        if (minute + 1) % 60 == 0:
            publish()
    publish()
    writer.close()
    stats = writer.stats
    return ShardResult(
        job.shard,
        len(job.sites),
        dict(counts),
        stats.files,
        stats.bytes,
        time.perf_counter() - began,
    )


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
    count = len(world.sites)
    index = world.inventory().device_index()
    jobs = []
    for n, at in enumerate(range(0, count, sites_per_shard)):
        sites = tuple(range(at, min(at + sites_per_shard, count)))
        names = {world.sites[i].name for i in sites}
        exporters = {ip: (r.device, r.site) for ip, r in index.items() if r.site in names}
        jobs.append(ShardJob(scenario, lake, n, sites, exporters))
    results = []
    for result in runner.run(simulate_shard, jobs, workers=workers):
        results.append(result)
        if on_shard is not None:
            on_shard(result)
    return results


__all__ = ["ShardJob", "ShardResult", "simulate_shard", "simulate_to_lake"]
