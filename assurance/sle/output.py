"""Publishing one job's outputs: one file per output table, hour and site shard, replaced whole.

Owns the file names of SLE outputs (``part-sle-<shard>-00000000.parquet`` in each hourly
partition) and the replacement rule: recomputing a (shard, hour) publishes its new file over the
old one in one atomic step, or deletes the old file when the hour now has no rows. Files of other
shards are never touched here (``prune`` removes files of shards that no longer exist). All I/O
goes through the ``LakeStore``. Must not compute anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assurance.lake.conform import conform
from assurance.lake.layout import Partition, data_file_name
from assurance.lake.store import LakeStore
from assurance.tables import REGISTRY

PREFIX = "part-sle-"
#: Columns whose min/max statistics are written: those readers prune files on (the time, the
#: site a shard's files are cut by, the SLE). Other columns span their whole range in every
#: file, and their string statistics cost a seventh of writing ``user_minutes``.
STATISTICS = ("site", "sle")


def file_name(shard: str) -> str:
    return data_file_name(f"sle-{shard}", 0)


def publish_hours(
    store: LakeStore, table: str, shard: str, hours: list[datetime], rows: pa.Table
) -> tuple[int, int]:
    """Replace the shard's file of every hour in ``hours`` with that hour's rows of ``rows``
    (every hour at once, split here by the table's time column); (files written, rows)."""
    spec = REGISTRY[table]
    rows = conform(spec, rows)
    times = rows.column(spec.time_column)

    def hour_rows(start: datetime, end: datetime) -> pa.Table:
        a, b = pa.scalar(start, times.type), pa.scalar(end, times.type)
        return rows.filter(pc.and_(pc.greater_equal(times, a), pc.less(times, b)))

    return _publish(store, table, shard, hours, hour_rows)


def publish_tables(
    store: LakeStore,
    table: str,
    shard: str,
    hours: list[datetime],
    rows_of: Callable[[datetime, datetime], pa.Table],
) -> tuple[int, int]:
    """Like ``publish_hours`` with each hour's rows made by ``rows_of(hour start, hour end)``
    (one hour in memory at a time); (files written, rows)."""
    spec = REGISTRY[table]
    return _publish(store, table, shard, hours, lambda a, b: conform(spec, rows_of(a, b)))


def _publish(
    store: LakeStore,
    table: str,
    shard: str,
    hours: list[datetime],
    rows_of: Callable[[datetime, datetime], pa.Table],
) -> tuple[int, int]:
    """Write (or, when empty, delete) the shard's file of each hour; (files written, rows)."""
    spec = REGISTRY[table]
    statistics = [c for c in spec.schema.names if c == spec.time_column or c in STATISTICS]
    written = total = 0
    for hour in hours:
        part = Partition(table, hour.date(), hour.hour)
        path = f"{part.path}/{file_name(shard)}"
        rows = rows_of(part.start, part.end)
        if rows.num_rows == 0:
            store.delete(path)
            continue
        sink = pa.BufferOutputStream()
        pq.write_table(rows, sink, compression="zstd", write_statistics=statistics)
        store.publish(path, sink.getvalue())
        written += 1
        total += rows.num_rows
    return written, total


def prune(store: LakeStore, tables: list[str], hours: list[datetime], keep: set[str]) -> int:
    """Delete SLE files in ``hours`` whose shard is not in ``keep``; files deleted.

    Used when every site is recomputed, so that an earlier run with another shard layout (or a
    compaction) cannot leave rows counted twice.
    """
    keep_names = {file_name(shard) for shard in keep}
    deleted = 0
    for table in tables:
        for hour in hours:
            part = Partition(table, hour.date(), hour.hour)
            for f in store.list_files(part.path):
                if f.path.rsplit("/", 1)[-1] not in keep_names:
                    store.delete(f.path)
                    deleted += 1
    return deleted
