"""Looking after the lake's files: inventory of tables, compaction of small files, retention.

Works on published files through ``LakeStore`` only. Compaction rewrites the small files of one
partition into one file and then deletes the originals; the new file records the names it
replaces in its Parquet metadata, so a compaction interrupted between publish and delete is
finished by the next run instead of leaving duplicate rows. Partitions still being written (the
current hour by default) are left alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from assurance.errors import LakeError
from assurance.lake.conform import conform
from assurance.lake.layout import Partition, data_file_name, new_writer_id
from assurance.lake.store import LakeStore, StoredFile
from assurance.tables import REGISTRY
from collectors.schema import TableSpec

#: Parquet key/value metadata listing the files a compacted file replaces.
REPLACES_KEY = b"wanassure.replaces"

Progress = Callable[[int, int], None]
#: Footers read at once from an object store by ``lake_info``.
FOOTER_THREADS = 16


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class TableInfo:
    """Summary of one table's published files."""

    table: str
    partitions: int
    files: int
    rows: int
    bytes: int
    newest_event: datetime | None
    unreadable: int


def partition_files(store: LakeStore, table: str) -> dict[Partition, list[StoredFile]]:
    """Published files of ``table`` grouped by partition; files outside the layout are ignored."""
    grouped: dict[Partition, list[StoredFile]] = defaultdict(list)
    for stored in store.list_files(table):
        folder = stored.path.rsplit("/", 1)[0]
        partition = Partition.parse(folder)
        if partition is not None and partition.table == table:
            grouped[partition].append(stored)
    return dict(sorted(grouped.items()))


def lake_info(
    store: LakeStore,
    tables: Mapping[str, TableSpec] = REGISTRY,
    progress: Progress = _no_progress,
) -> list[TableInfo]:
    """Tables, partitions, files, rows, bytes and newest event time, read from Parquet footers.

    On an object store the footers are fetched by a few threads at once (each is a round trip).
    """
    grouped = {name: partition_files(store, name) for name in tables}
    paths = [f.path for parts in grouped.values() for fs in parts.values() for f in fs]
    footers: dict[str, pq.FileMetaData | None] = {}
    threads = 1 if store.is_local else FOOTER_THREADS
    with ThreadPoolExecutor(max_workers=threads) as pool:
        metas = pool.map(lambda path: _footer_or_none(store, path), paths)
        for done, (path, meta) in enumerate(zip(paths, metas, strict=True), start=1):
            footers[path] = meta
            progress(done, len(paths))
    summary = []
    for name, parts in grouped.items():
        rows = nbytes = unreadable = files = 0
        newest: datetime | None = None
        for stored in (f for fs in parts.values() for f in fs):
            files += 1
            nbytes += stored.size
            meta = footers[stored.path]
            if meta is None:
                unreadable += 1
                continue
            rows += meta.num_rows
            latest = _max_of(meta, tables[name].time_column)
            if latest is not None and (newest is None or latest > newest):
                newest = latest
        summary.append(TableInfo(name, len(parts), files, rows, nbytes, newest, unreadable))
    return summary


def _footer_or_none(store: LakeStore, path: str) -> pq.FileMetaData | None:
    try:
        return _footer(store, path)
    except LakeError:
        return None


def _footer(store: LakeStore, path: str) -> pq.FileMetaData:
    try:
        with store.open_input(path) as source:
            return pq.read_metadata(source)
    except (OSError, pa.ArrowInvalid) as exc:
        raise LakeError(f"{store.abspath(path)}: unreadable Parquet file: {exc}") from exc


def _max_of(meta: pq.FileMetaData, column: str) -> datetime | None:
    names = meta.schema.names
    if column not in names:
        return None
    index = names.index(column)
    latest = None
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(index).statistics
        if stats is not None and stats.has_min_max:
            value = stats.max
            if isinstance(value, datetime):
                value = value if value.tzinfo else value.replace(tzinfo=UTC)
                latest = value if latest is None or value > latest else latest
    return latest


@dataclass(frozen=True)
class CompactionResult:
    partitions: int
    files_in: int
    files_out: int
    rows: int
    temp_removed: int


def compact(
    store: LakeStore,
    *,
    tables: Mapping[str, TableSpec] = REGISTRY,
    now: datetime | None = None,
    min_age: timedelta = timedelta(hours=1),
    small_file_bytes: int = 64 * 1024 * 1024,
    compression: str = "zstd",
    progress: Progress = _no_progress,
) -> CompactionResult:
    """Merge the small files of each settled partition into one file per partition."""
    now = now or datetime.now(UTC)
    writer_id = new_writer_id()
    work: list[tuple[TableSpec, Partition, list[StoredFile]]] = []
    temp_removed = 0
    for name, spec in tables.items():
        # Temp files of a writer that died mid-publish; live writers finish theirs in seconds.
        for stale in store.stale_temp_files(name, min_age.total_seconds(), now.timestamp()):
            store.delete(stale.path)
            temp_removed += 1
        for partition, files in partition_files(store, name).items():
            files = _finish_interrupted(store, files)
            small = [f for f in files if f.size < small_file_bytes]
            if len(small) > 1 and partition.end <= now - min_age:
                work.append((spec, partition, small))
    rows = files_in = 0
    for seq, (spec, partition, small) in enumerate(work, start=1):
        merged = pa.concat_tables([conform(spec, _read(store, f.path, spec)) for f in small])
        replaces = json.dumps([f.path.rsplit("/", 1)[-1] for f in small]).encode()
        merged = merged.replace_schema_metadata(
            {**(merged.schema.metadata or {}), REPLACES_KEY: replaces}
        )
        sink = pa.BufferOutputStream()
        pq.write_table(merged, sink, compression=compression, write_statistics=True)
        target = f"{partition.path}/{data_file_name(f'compact-{writer_id}', seq)}"
        store.publish(target, sink.getvalue())
        for stored in small:
            store.delete(stored.path)
        rows += merged.num_rows
        files_in += len(small)
        progress(seq, len(work))
    return CompactionResult(len(work), files_in, len(work), rows, temp_removed)


def _read(store: LakeStore, path: str, spec: TableSpec) -> pa.Table:
    try:
        with store.open_input(path) as source:
            rows = pq.read_table(source)
    except (OSError, pa.ArrowInvalid) as exc:
        raise LakeError(f"{store.abspath(path)}: unreadable Parquet file: {exc}") from exc
    known = [c for c in rows.column_names if spec.has_column(c)]
    return rows.select(known)


def _finish_interrupted(store: LakeStore, files: list[StoredFile]) -> list[StoredFile]:
    """Delete originals that a published compacted file already replaces; return what remains."""
    names = {f.path.rsplit("/", 1)[-1]: f for f in files}
    replaced: set[str] = set()
    for stored in files:
        if "-compact-" not in stored.path:
            continue
        meta = _footer(store, stored.path).metadata or {}
        if REPLACES_KEY in meta:
            replaced.update(n for n in json.loads(meta[REPLACES_KEY]) if n in names)
    for name in replaced:
        store.delete(names[name].path)
    return [f for n, f in names.items() if n not in replaced]


@dataclass(frozen=True)
class RetentionResult:
    partitions: int
    files: int
    bytes: int


def retain(
    store: LakeStore,
    days: float,
    *,
    tables: Iterable[str] = REGISTRY,
    now: datetime | None = None,
    progress: Progress = _no_progress,
) -> RetentionResult:
    """Delete whole partitions whose hour ended more than ``days`` days before ``now``."""
    if days <= 0:
        raise LakeError(f"retention must keep a positive number of days, got {days}")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    doomed = [
        (partition, files)
        for name in tables
        for partition, files in partition_files(store, name).items()
        if partition.end <= cutoff
    ]
    nfiles = nbytes = 0
    for done, (partition, files) in enumerate(doomed, start=1):
        for stored in files:
            store.delete(stored.path)
            nfiles += 1
            nbytes += stored.size
        store.delete_dir_if_empty(partition.path)
        store.delete_dir_if_empty(partition.path.rsplit("/", 1)[0])
        progress(done, len(doomed))
    return RetentionResult(len(doomed), nfiles, nbytes)
