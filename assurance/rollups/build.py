"""Writing the hourly roll-ups: for every hour whose source files are newer than its roll-up
file (or that has none), sum the source hour and publish one file in its place.

Owns the roll-up file names (``<table>/date=/hour=/part-rollup-00000000.parquet``, one per hour,
replaced whole in one atomic step of the ``LakeStore``, deleted when the hour has no rows). Runs
after the SLE engine and the collectors have written an hour, any number of times (an up-to-date
hour is skipped; a rebuilt hour gives the same rows). Must not change any other table.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assurance.lake.catalog import connect
from assurance.lake.conform import conform
from assurance.lake.layout import Partition, data_file_name
from assurance.lake.store import LakeStore
from assurance.rollups.tables import ROLLUPS, Rollup

FILE = data_file_name("rollup", 0)
HOUR_TICK = timedelta(microseconds=1)
#: Hours summed by one statement (bounds memory on a big lake).
BATCH_HOURS = 24


@dataclass(frozen=True)
class Built:
    """What one roll-up table's build did."""

    table: str
    hours_checked: int
    hours_written: int
    rows: int
    seconds: float


def _hours(store: LakeStore, table: str) -> dict[datetime, float]:
    """Hour partitions of ``table`` with the newest modification time of their files."""
    out: dict[datetime, float] = {}
    for day_dir in store.list_dirs(table):
        for hour_dir in store.list_dirs(day_dir):
            part = Partition.parse(hour_dir)
            files = store.list_files(hour_dir) if part is not None else []
            if part is not None and files:
                out[part.start] = max(f.mtime for f in files)
    return out


def stale_hours(
    store: LakeStore, rollup: Rollup, start: datetime | None = None, end: datetime | None = None
) -> tuple[list[datetime], list[datetime]]:
    """(hours to build, hours checked): source hours in [start, end) whose roll-up file is
    missing or older than their newest source file, and roll-up hours whose source is gone."""
    source = _hours(store, rollup.source)
    done = _hours(store, rollup.name)
    keep = [
        h
        for h in sorted(set(source) | set(done))
        if (start is None or h >= start) and (end is None or h < end)
    ]
    todo = [h for h in keep if h not in done or h not in source or source[h] > done[h]]
    return todo, keep


def _batches(hours: list[datetime]) -> Iterable[tuple[datetime, datetime, list[datetime]]]:
    """Runs of consecutive hours, at most ``BATCH_HOURS`` long: (start, end, hours)."""
    run: list[datetime] = []
    for h in hours:
        if run and (h - run[-1] != timedelta(hours=1) or len(run) >= BATCH_HOURS):
            yield run[0], run[-1] + timedelta(hours=1), run
            run = []
        run.append(h)
    if run:
        yield run[0], run[-1] + timedelta(hours=1), run


def _publish(store: LakeStore, rollup: Rollup, hours: list[datetime], rows: pa.Table) -> int:
    rows = conform(rollup.spec, rows)
    times = rows.column("hour_start")
    written = 0
    for hour in hours:
        part = Partition(rollup.name, hour.date(), hour.hour)
        path = f"{part.path}/{FILE}"
        chunk = rows.filter(pc.equal(times, pa.scalar(part.start, times.type)))
        if chunk.num_rows == 0:
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
    """Bring every roll-up up to date over [start, end) (None: all the data)."""
    store = LakeStore(lake)
    con = connect(store)
    con.execute("SET enable_progress_bar = false")
    out = []
    try:
        for rollup in rollups:
            began = time.perf_counter()
            todo, checked = stale_hours(store, rollup, start, end)
            written = rows = 0
            for a, b, hours in _batches(todo):
                t = rollup.source_time
                # only bound values reach the statement; ``t`` is a declared column name
                table = con.sql(
                    rollup.sql(f"{t} >= $a AND {t} < $b AND date >= $da AND date <= $db"),
                    params={"a": a, "b": b, "da": a.date(), "db": (b - HOUR_TICK).date()},
                ).to_arrow_table()
                rows += table.num_rows
                written += _publish(store, rollup, hours, table)
            out.append(Built(rollup.name, len(checked), written, rows, time.perf_counter() - began))
    finally:
        con.close()
    return out


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (UTC if no zone); ValueError names the text otherwise."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
