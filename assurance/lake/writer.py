"""The Parquet lake writer: the ``Sink`` the collectors and derived jobs write to.

Rows are buffered per table and flushed when a table's buffer reaches ``flush_rows`` rows,
``flush_bytes`` bytes or ``flush_age_s`` seconds. A flush splits rows into hourly Hive partitions
by event time, encodes each part as one Parquet file and publishes it atomically through the
``LakeStore``; when ``flush`` returns the rows are durable. A crash loses at most the open
buffers and never leaves a file a reader could trip on. This module does no querying.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assurance.errors import LakeError
from assurance.lake.conform import conform
from assurance.lake.layout import Partition, data_file_name, new_writer_id, split_by_hour
from assurance.lake.store import LakeStore
from assurance.tables import REGISTRY
from collectors.schema import TableSpec

log = logging.getLogger(__name__)

#: A column's dictionary stops growing at this size and the rest of the column chunk is plain
#: encoded: a column with few distinct values keeps its dictionary, a high-cardinality one (raw
#: text, timestamps, counters) stops paying for hashing every value early.
DICTIONARY_PAGE_LIMIT = 16 * 1024
#: String columns whose values average more than this many bytes (free text such as raw lines)
#: get no min/max statistics: nothing prunes on them, and computing them costs a pass over the
#: text.
LONG_TEXT_BYTES = 64


@dataclass
class _Buffer:
    parts: list[pa.Table] = field(default_factory=list)
    rows: int = 0
    nbytes: int = 0
    since: float = 0.0


@dataclass(frozen=True)
class WriterStats:
    """What a writer has published so far."""

    files: int
    rows: int
    bytes: int


class LakeWriter:
    """Buffered, crash-safe Parquet writer implementing ``collectors.sink.Sink``."""

    def __init__(
        self,
        lake: LakeStore | str,
        *,
        flush_rows: int = 1_000_000,
        flush_bytes: int = 256 * 1024 * 1024,
        flush_age_s: float = 60.0,
        compression: str = "zstd",
        compression_level: int | None = None,
        tables: Mapping[str, TableSpec] = REGISTRY,
        clock: Callable[[], float] = time.monotonic,
        writer_id: str | None = None,
    ) -> None:
        self.store = lake if isinstance(lake, LakeStore) else LakeStore(lake)
        self.store.ensure_root()
        self.flush_rows = flush_rows
        self.flush_bytes = flush_bytes
        self.flush_age_s = flush_age_s
        self.compression = compression
        self.compression_level = compression_level
        # a fixed id (with flushes at fixed points) makes file names reproducible
        self.writer_id = writer_id or new_writer_id()
        self._tables = tables
        self._clock = clock
        self._buffers: dict[str, _Buffer] = {}
        self._lock = threading.RLock()
        self._seq = 0
        self._files = self._rows = self._bytes = 0
        self._closed = False
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    # -- Sink ------------------------------------------------------------------------------

    def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
        spec = self._spec(table)
        rows = conform(spec, batch)
        if rows.num_rows == 0:
            return
        with self._lock:
            if self._closed:
                raise LakeError("lake writer is closed")
            buf = self._buffers.setdefault(table, _Buffer())
            if not buf.parts:
                buf.since = self._clock()
            buf.parts.append(rows)
            buf.rows += rows.num_rows
            buf.nbytes += rows.nbytes
            if buf.rows >= self.flush_rows or buf.nbytes >= self.flush_bytes:
                self._flush_table(table)

    def flush(self) -> None:
        with self._lock:
            for table in list(self._buffers):
                self._flush_table(table)

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join()
        with self._lock:
            if not self._closed:
                self.flush()
                self._closed = True

    def __enter__(self) -> LakeWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- age-based flushing ----------------------------------------------------------------

    def poll(self) -> None:
        """Flush every table whose oldest buffered row is older than ``flush_age_s``."""
        now = self._clock()
        with self._lock:
            for table, buf in list(self._buffers.items()):
                if buf.parts and now - buf.since >= self.flush_age_s:
                    self._flush_table(table)

    def start_background_flush(self, interval_s: float = 1.0) -> None:
        """Call ``poll`` every ``interval_s`` seconds on a daemon thread until ``close``."""
        if self._ticker is not None:
            return

        def tick() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.poll()
                except LakeError:
                    log.exception("age-based flush failed; rows stay buffered")

        self._ticker = threading.Thread(target=tick, name="lake-flush", daemon=True)
        self._ticker.start()

    # -- introspection ---------------------------------------------------------------------

    @property
    def stats(self) -> WriterStats:
        return WriterStats(self._files, self._rows, self._bytes)

    def buffered_rows(self, table: str) -> int:
        buf = self._buffers.get(table)
        return buf.rows if buf else 0

    # -- internals -------------------------------------------------------------------------

    def _spec(self, table: str) -> TableSpec:
        try:
            return self._tables[table]
        except KeyError:
            raise LakeError(f"unknown lake table {table!r}") from None

    def _flush_table(self, table: str) -> None:
        buf = self._buffers.get(table)
        if buf is None or not buf.parts:
            return
        spec = self._tables[table]
        parts = list(split_by_hour(pa.concat_tables(buf.parts), spec.time_column))
        self._buffers[table] = _Buffer()
        for done, (hour_index, part) in enumerate(parts):
            try:
                self._publish(Partition.from_hour_index(table, hour_index), part)
            except LakeError:
                # Keep exactly the rows not yet durable, so a retry neither loses nor repeats any.
                rest = [p for _, p in parts[done:]]
                self._buffers[table] = _Buffer(
                    rest, sum(p.num_rows for p in rest), sum(p.nbytes for p in rest), buf.since
                )
                raise

    def _publish(self, partition: Partition, rows: pa.Table) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(
            rows,
            sink,
            compression=self.compression,
            compression_level=self.compression_level,
            write_statistics=_statistics_columns(rows),
            dictionary_pagesize_limit=DICTIONARY_PAGE_LIMIT,
        )
        data = sink.getvalue()
        self._seq += 1
        self.store.publish(f"{partition.path}/{data_file_name(self.writer_id, self._seq)}", data)
        self._files += 1
        self._rows += rows.num_rows
        self._bytes += data.size


def _statistics_columns(rows: pa.Table) -> list[str]:
    """Columns that get Parquet min/max statistics: flat columns other than long text (nested
    columns and free text are never pruned on)."""
    out = []
    for name, column in zip(rows.column_names, rows.columns, strict=True):
        kind = column.type
        if pa.types.is_nested(kind):
            continue
        if pa.types.is_string(kind) or pa.types.is_binary(kind):
            size = pc.sum(pc.binary_length(column)).as_py() or 0
            if size > LONG_TEXT_BYTES * rows.num_rows:
                continue
        out.append(name)
    return out
