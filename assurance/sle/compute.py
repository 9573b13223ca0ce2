"""Computing SLEs over a lake: plan the partitions, run them, roll hours up into days.

Owns cutting a request (lake, inventory, time range, sites) into pure partition jobs — site
shards × hour-aligned windows — running them through ``assurance.runner``, then the day roll-up
jobs (one per shard and day that no job's window covered whole, reading that shard's hourly
outputs), and removing outputs of shards that no longer exist when every site is recomputed.
Must not contain SQL or judge minutes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from assurance import runner
from assurance.config.inventory import Inventory
from assurance.errors import AssuranceError
from assurance.lake.catalog import open_duckdb
from assurance.lake.layout import Partition
from assurance.lake.store import LakeStore
from assurance.sle import assemble, filesites, output, sqlfiles
from assurance.sle.context import Context, build_context
from assurance.sle.inputs import INPUTS, files_for, hours_between, telemetry_horizon
from assurance.sle.job import Job, JobResult, input_ranges, run_job

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
OUTPUT_TABLES = ["user_minutes", "sle_minutes", "sle_hours"]
#: Raw tables whose partitions say which hours have data to compute.
ACTIVITY_TABLES = ("flows", "sessions", "client_events")


class SleError(AssuranceError):
    """A request the SLE engine cannot serve (no lake, unknown site, empty range…)."""


@dataclass(frozen=True)
class DayJob:
    lake: str
    shard: str
    day: datetime


@dataclass(frozen=True)
class Summary:
    """What a compute run did."""

    start: datetime
    end: datetime
    jobs: int
    user_minutes: int
    sle_rows: int
    files: int
    pruned: int
    seconds: float
    #: Every partition job's result (its worker and run time), in partition order.
    results: tuple[JobResult, ...] = ()
    #: Wall seconds of the partition jobs alone (from the first submitted to the last done).
    jobs_seconds: float = 0.0


def floor_hour(t: datetime) -> datetime:
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def ceil_hour(t: datetime) -> datetime:
    floored = floor_hour(t)
    return floored if floored == t.astimezone(UTC) else floored + HOUR


def data_range(store: LakeStore) -> tuple[datetime, datetime] | None:
    """First and last hour (end exclusive) holding raw activity data, from partition names."""
    hours: list[datetime] = []
    for table in ACTIVITY_TABLES:
        for day_dir in store.list_dirs(table):
            for hour_dir in store.list_dirs(day_dir):
                part = Partition.parse(hour_dir)
                if part is not None and store.list_files(hour_dir):
                    hours.append(part.start)
    if not hours:
        return None
    return min(hours), max(hours) + HOUR


def shard_sites(sites: Sequence[str], shards: int) -> list[tuple[str, tuple[str, ...]]]:
    """Sites split into ``shards`` named groups of consecutive names (sorted): a job's sites
    then lie in few of the files that writers cut by site ranges, and its scans skip the rest."""
    ordered = sorted(sites)
    count = max(1, min(shards, len(ordered)))
    n = len(ordered)
    return [
        (f"{i:03d}of{count:03d}", tuple(ordered[i * n // count : (i + 1) * n // count]))
        for i in range(count)
    ]


#: Site-hours one job covers when the engine chooses the partitioning: large enough that the
#: look-backs every job reads again (client events 1 h, the path baseline 24 h) are a small part
#: of its work, small enough that a job's tables stay well inside its memory limit.
JOB_SITE_HOURS = 1000
#: The longest window the engine chooses by itself.
MAX_WINDOW = timedelta(hours=24)


def partitioning(sites: int, hours: int, workers: int) -> tuple[timedelta, int]:
    """Window and site shards for ``sites`` × ``hours``: long windows (the look-backs are read
    once per window), as many shards as keep a job near ``JOB_SITE_HOURS``, and at least one
    job per worker when there are enough sites."""
    window_hours = max(1, min(hours, MAX_WINDOW // HOUR))
    windows = -(-hours // window_hours)
    shards = max(1, -(-sites * window_hours // JOB_SITE_HOURS))
    if windows == 1:
        # every job then covers the same hours: a multiple of the workers keeps them all busy
        shards = -(-shards // workers) * workers
    elif windows * shards < workers:
        shards = -(-workers // windows)
    shards = min(shards, max(1, sites))
    return timedelta(hours=window_hours), shards


def plan(
    lake: str,
    context: Context,
    start: datetime,
    end: datetime,
    *,
    shards: int = 1,
    window: timedelta = HOUR,
    threads: int = 1,
    memory_limit: str = "1500MB",
    horizon: datetime | None = None,
) -> list[Job]:
    """The partition jobs covering [start, end) (hour-aligned) for the context's sites."""
    if window < HOUR or window % HOUR:
        raise SleError("the window must be a whole number of hours")
    jobs = []
    t = start
    while t < end:
        stop = min(t + window, end)
        for shard, sites in shard_sites(context.site_names, shards):
            jobs.append(
                Job(lake, shard, context.for_sites(sites), t, stop, threads, memory_limit, horizon)
            )
        t = stop
    return jobs


def skip_foreign_files(store: LakeStore, jobs: Sequence[Job]) -> list[Job]:
    """The jobs with ``skip`` set to the raw files whose footers show none of their sites
    (each footer read once here instead of once per job)."""
    if not filesites.indexed(store):
        return list(jobs)
    listed: dict[tuple[str, datetime, datetime], list[str]] = {}
    for job in jobs:
        for name, (begin, until) in input_ranges(job).items():
            key = (INPUTS[name].table, begin, until)
            if key not in listed:
                listed[key] = files_for(store, *key)
    ranges = filesites.site_ranges({f for files in listed.values() for f in files})
    return [
        dataclasses.replace(job, skip=filesites.holding_none(ranges, job.context.site_names))
        for job in jobs
    ]


def rollup_day(job: DayJob) -> int:
    """Sum one shard's ``sle_hours`` files of one day into its ``sle_days`` file."""
    store = LakeStore(job.lake)
    hours = hours_between(job.day, job.day + DAY)
    paths = []
    for hour in hours:
        part = Partition("sle_hours", hour.date(), hour.hour)
        path = f"{part.path}/{output.file_name(job.shard)}"
        if any(f.path == path for f in store.list_files(part.path)):
            paths.append(store.abspath(path))
    con = open_duckdb(store)
    try:
        sqlfiles.execute(con, "SET TimeZone = 'UTC'")
        if paths:
            sqlfiles.execute(
                con, "CREATE TEMP TABLE src AS SELECT * FROM read_parquet($files)", {"files": paths}
            )
        else:
            sqlfiles.execute(
                con,
                "CREATE TEMP TABLE src AS SELECT * FROM (SELECT NULL::TIMESTAMPTZ AS hour_start, "
                "NULL AS site, NULL AS sle, NULL AS gateway, NULL AS wan_link, "
                "NULL AS application, NULL AS ap, NULL AS switch, NULL AS switch_port, "
                "NULL AS band, NULL AS classifier, NULL AS sub_classifier, 0::UBIGINT AS total, "
                "0::UBIGINT AS good, NULL::DOUBLE AS value_sum, 0::UBIGINT AS value_count) "
                "WHERE false",
            )
        sqlfiles.execute(con, assemble.rollup_sql("src", "days", "hour_start", "day_start", "day"))
        rows = con.sql("SELECT * FROM days").to_arrow_table()
    finally:
        con.close()
    return output.publish_hours(store, "sle_days", job.shard, [job.day], rows)[0]


def compute(
    lake: str,
    inventory: Inventory,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    sites: Sequence[str] | None = None,
    shards: int | None = None,
    window: timedelta | None = None,
    workers: int | None = None,
    threads: int = 1,
    memory_limit: str = "1500MB",
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Compute every SLE for [start, end) (widened to whole hours); default: all raw data.

    ``shards`` and ``window`` (site shards × hours per job) default to ``partitioning``'s
    choice; any choice gives the same rows.
    """
    began = time.perf_counter()
    store = LakeStore(lake)
    if not store.exists():
        raise SleError(f"no lake at {store.url} ({store.missing_reason()})")
    known = {s.name for s in inventory.sites}
    unknown = sorted(set(sites or ()) - known)
    if unknown:
        raise SleError(f"unknown site(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    if start is None or end is None:
        found = data_range(store)
        if found is None:
            raise SleError(f"no raw data in {store.root} (flows, sessions or client_events)")
        start = start or found[0]
        end = end or found[1]
    start, end = floor_hour(start), ceil_hour(end)
    if end <= start:
        raise SleError("the time range is empty (--to must be after --from)")
    context = build_context(inventory, sites)
    if shards is None or window is None:
        auto_window, auto_shards = partitioning(
            len(context.site_names), (end - start) // HOUR, workers or runner.default_workers()
        )
        window = window or auto_window
        shards = shards or auto_shards
    jobs = plan(
        lake,
        context,
        start,
        end,
        shards=shards,
        window=window,
        threads=threads,
        memory_limit=memory_limit,
        horizon=telemetry_horizon(store),
    )
    jobs = skip_foreign_files(store, jobs)
    results: list[JobResult] = []
    total = len(jobs)
    jobs_began = time.perf_counter()
    for result in runner.run(run_job, jobs, workers=workers):
        results.append(result)
        if progress:
            progress(len(results), total)
    jobs_seconds = time.perf_counter() - jobs_began
    shard_names = {j.shard for j in jobs}
    days = sorted({floor_hour(h).replace(hour=0) for h in hours_between(start, end)})
    # a job whose window covers a day whole has written that day's roll-up itself
    rolled = {(r.shard, day) for r in results for day in r.days}
    day_jobs = [
        DayJob(lake, shard, day)
        for shard in sorted(shard_names)
        for day in days
        if (shard, day) not in rolled
    ]
    files = sum(r.files for r in results)
    if day_jobs:
        files += sum(runner.run(rollup_day, day_jobs, workers=workers))
    pruned = 0
    if sites is None:
        hours = hours_between(start, end)
        pruned = output.prune(store, OUTPUT_TABLES, hours, shard_names)
        pruned += output.prune(store, ["sle_days"], days, shard_names)
    return Summary(
        start,
        end,
        len(jobs),
        sum(r.user_minutes for r in results),
        sum(r.sle_rows for r in results),
        files,
        pruned,
        time.perf_counter() - began,
        tuple(results),
        jobs_seconds,
    )
