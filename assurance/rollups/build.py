"""Writing the roll-ups: for every hour (day) whose source files are newer than its roll-up
file (or that has none), sum the source hour (the hourly roll-up's day) and publish one file in
its place.

Owns the roll-up file names (``<table>/date=/hour=/part-rollup-00000000.parquet``, one per hour;
a daily roll-up's day in its ``hour=00`` folder, like ``sle_days``), replaced whole in one atomic
step of the ``LakeStore``, deleted when the hour (day) has no rows. Hourly roll-ups are built
before the daily ones, so a run over a lake that has minute tables but no roll-ups (or a new
roll-up table) fills every missing hour and day: a backfill. Runs after the SLE engine and the
collectors have written an hour, any number of times (an up-to-date hour or day is skipped; a
rebuilt one gives the same rows). Must not change any other table.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assurance.lake.catalog import connect, create_view, sql_string
from assurance.lake.conform import conform
from assurance.lake.layout import Partition, data_file_name
from assurance.lake.store import LakeStore
from assurance.rollups.tables import ROLLUPS, Rollup

FILE = data_file_name("rollup", 0)
HOUR_TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)
#: Hours (days) summed by one statement (bounds memory on a big lake).
BATCH = {"hour": 24, "day": 7}
STEP = {"hour": timedelta(hours=1), "day": DAY}


@dataclass(frozen=True)
class Built:
    """What one roll-up table's build did."""

    table: str
    partitions_checked: int  # hours of an hourly roll-up, days of a daily one
    partitions_written: int
    rows: int
    seconds: float


def _hours(store: LakeStore, table: str, grain: str = "hour") -> dict[datetime, float]:
    """Hour partitions of ``table`` (or the days they fall in) with the newest modification
    time of their files."""
    out: dict[datetime, float] = {}
    for day_dir in store.list_dirs(table):
        for hour_dir in store.list_dirs(day_dir):
            part = Partition.parse(hour_dir)
            files = store.list_files(hour_dir) if part is not None else []
            if part is not None and files:
                t = part.start if grain == "hour" else part.start.replace(hour=0)
                out[t] = max(out.get(t, 0.0), *(f.mtime for f in files))
    return out


def stale_hours(
    store: LakeStore, rollup: Rollup, start: datetime | None = None, end: datetime | None = None
) -> tuple[list[datetime], list[datetime]]:
    """(hours to build, hours checked): source hours (days of a daily roll-up) meeting
    [start, end) whose roll-up file is missing or older than their newest source file, and
    roll-up hours (days) whose source is gone. A daily roll-up also takes every day outside
    [start, end) that its hourly roll-up has and it lacks: the read API takes the daily table
    as whole from its first day to its last, so a gap (a lake whose hours predate the daily
    tables, then a scheduler cycle that builds only today) would lose those days."""
    source = _hours(store, rollup.source, rollup.grain)
    done = _hours(store, rollup.name)
    step = STEP[rollup.grain]
    keep = [
        h
        for h in sorted(set(source) | set(done))
        if ((start is None or h + step > start) and (end is None or h < end))
        or (rollup.grain == "day" and h not in done)
    ]
    todo = [h for h in keep if h not in done or h not in source or source[h] > done[h]]
    return todo, keep


def _batches(
    hours: list[datetime], grain: str = "hour"
) -> Iterable[tuple[datetime, datetime, list[datetime]]]:
    """Runs of consecutive hours (days), at most ``BATCH[grain]`` long: (start, end, hours)."""
    step, most = STEP[grain], BATCH[grain]
    run: list[datetime] = []
    for h in hours:
        if run and (h - run[-1] != step or len(run) >= most):
            yield run[0], run[-1] + step, run
            run = []
        run.append(h)
    if run:
        yield run[0], run[-1] + step, run


def _hourly_source(
    con: duckdb.DuckDBPyConnection, store: LakeStore, hourly: Rollup, days: list[datetime]
) -> None:
    """Point the view of the hourly roll-up ``hourly`` at the hour files of ``days`` only: the
    lake-wide view binds every hour file of the table (a month: 720) at each statement."""
    paths = [
        store.abspath(f.path)
        for day in days
        for hour_dir in store.list_dirs(f"{hourly.name}/date={day.date().isoformat()}")
        for f in store.list_files(hour_dir)
    ]
    if not paths:
        create_view(con, store, hourly.spec)  # no file: the empty, typed view
        return
    files = ", ".join(sql_string(p) for p in paths)
    # DDL cannot take bound parameters: the table name is declared, every path is escaped
    con.execute(
        f"CREATE OR REPLACE VIEW {hourly.name} AS SELECT * FROM read_parquet([{files}], "  # noqa: S608
        "hive_partitioning = true, union_by_name = true, "
        "hive_types = {'date': 'DATE', 'hour': 'INTEGER'})"
    )


def _publish(
    store: LakeStore, rollup: Rollup, hours: list[datetime], rows: pa.Table, gone: set[datetime]
) -> int:
    """Publish each hour's (day's) rows; an hour without rows loses its file (added to
    ``gone`` when it had one). Returns the files written."""
    rows = conform(rollup.spec, rows)
    times = rows.column(rollup.time_column)
    written = 0
    for hour in hours:
        part = Partition(rollup.name, hour.date(), hour.hour)  # a day: its hour 00
        path = f"{part.path}/{FILE}"
        chunk = rows.filter(pc.equal(times, pa.scalar(part.start, times.type)))
        if chunk.num_rows == 0:
            if any(f.path == path for f in store.list_files(part.path)):
                gone.add(hour)
            store.delete(path)
            continue
        sink = pa.BufferOutputStream()
        pq.write_table(chunk, sink, compression="zstd", write_statistics=True)
        store.publish(path, sink.getvalue())
        written += 1
    return written


def build(
    lake: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    rollups: Iterable[Rollup] = ROLLUPS,
) -> list[Built]:
    """Bring every roll-up up to date over [start, end) (None: all the data); a daily
    roll-up over every day that [start, end) meets."""
    store = LakeStore(lake)
    con = connect(store)
    con.execute("SET enable_progress_bar = false")
    out = []
    # hours whose roll-up file this run deleted, per hourly table: their days' files still
    # hold their rows and are not newer than any remaining source file, so they are rebuilt
    gone: dict[str, set[datetime]] = {}
    try:
        for rollup in rollups:
            began = time.perf_counter()
            todo, checked = stale_hours(store, rollup, start, end)
            if rollup.hourly is not None:
                lost = {h.replace(hour=0) for h in gone.get(rollup.hourly.name, set())}
                todo = sorted(set(todo) | lost)
                checked = sorted(set(checked) | lost)
            written = rows = 0
            for a, b, hours in _batches(todo, rollup.grain):
                if rollup.hourly is not None:  # its source, just brought up to date
                    _hourly_source(con, store, rollup.hourly, hours)
                t = rollup.source_time
                # only bound values reach the statement; ``t`` is a declared column name
                table = con.sql(
                    rollup.sql(f"{t} >= $a AND {t} < $b AND date >= $da AND date <= $db"),
                    params={"a": a, "b": b, "da": a.date(), "db": (b - HOUR_TICK).date()},
                ).to_arrow_table()
                rows += table.num_rows
                written += _publish(
                    store, rollup, hours, table, gone.setdefault(rollup.name, set())
                )
            out.append(Built(rollup.name, len(checked), written, rows, time.perf_counter() - began))
    finally:
        con.close()
    return out


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (UTC if no zone); ValueError names the text otherwise."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
