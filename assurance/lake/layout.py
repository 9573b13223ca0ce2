"""Where rows go in the lake: Hive partitions from event time and unique file names per writer.

Layout: ``<table>/date=YYYY-MM-DD/hour=HH/part-<writer>-<seq>.parquet``. This module is pure
(no I/O): it names partitions and files and splits a table by the hour of its event time.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_US_PER_HOUR = 3_600_000_000
_PARTITION_RE = re.compile(
    r"^(?P<table>[^/]+)/date=(?P<date>\d{4}-\d{2}-\d{2})/hour=(?P<hour>\d{2})$"
)


@dataclass(frozen=True, order=True)
class Partition:
    """One hour of one table."""

    table: str
    day: date
    hour: int

    @property
    def path(self) -> str:
        return f"{self.table}/date={self.day.isoformat()}/hour={self.hour:02d}"

    @property
    def start(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, self.hour, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=1)

    @classmethod
    def from_hour_index(cls, table: str, hour_index: int) -> Partition:
        start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hour_index)
        return cls(table, start.date(), start.hour)

    @classmethod
    def parse(cls, path: str) -> Partition | None:
        """The partition of a folder path like ``flows/date=2026-11-27/hour=09``, else None."""
        match = _PARTITION_RE.match(path.strip("/"))
        if match is None:
            return None
        try:
            day = date.fromisoformat(match["date"])
        except ValueError:
            return None
        hour = int(match["hour"])
        return cls(match["table"], day, hour) if hour < 24 else None


def new_writer_id() -> str:
    """A name unique to this writer process: host, pid and a random token."""
    host = re.sub(r"[^A-Za-z0-9]+", "", socket.gethostname())[:16] or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def data_file_name(writer_id: str, seq: int) -> str:
    return f"part-{writer_id}-{seq:08d}.parquet"


def split_by_hour(rows: pa.Table, time_column: str) -> Iterator[tuple[int, pa.Table]]:
    """Yield (hours since epoch, rows of that hour); a single slice when all share one hour."""
    if rows.num_rows == 0:
        return
    micros = rows.column(time_column).cast(pa.int64())
    bounds = pc.min_max(micros)
    first = bounds["min"].as_py() // _US_PER_HOUR
    last = bounds["max"].as_py() // _US_PER_HOUR
    if first == last:
        yield first, rows
        return
    hours = micros.to_numpy() // _US_PER_HOUR
    order = np.argsort(hours, kind="stable")
    sorted_rows = rows.take(pa.array(order))
    sorted_hours = hours[order]
    cuts = np.flatnonzero(np.diff(sorted_hours)) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [len(sorted_hours)]))
    for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield int(sorted_hours[begin]), sorted_rows.slice(begin, end - begin)
