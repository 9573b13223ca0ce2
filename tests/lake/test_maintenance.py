"""lake_info, compaction (including an interrupted one) and retention on real files."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assurance.errors import LakeError
from assurance.lake import LakeStore, LakeWriter, connect
from assurance.lake.maintenance import REPLACES_KEY, compact, lake_info, retain
from tests.lake.helpers import T0, flow_rows


def write_files(lake: Path, batches: list[tuple[int, int]], step: timedelta = timedelta(0)) -> None:
    for first, count in batches:
        with LakeWriter(lake) as writer:  # one writer per batch: one small file per batch
            writer.write("flows", flow_rows(first, count, step=step))


def ids_in(lake: Path) -> list[int]:
    return sorted(
        connect(lake).execute("SELECT sequence FROM flows").fetchnumpy()["sequence"].tolist()
    )


def test_lake_info_counts_rows_bytes_and_newest_event(tmp_path: Path) -> None:
    write_files(tmp_path, [(0, 10), (10, 5)], step=timedelta(minutes=7))
    info = {t.table: t for t in lake_info(LakeStore(tmp_path))}
    files = sorted(tmp_path.rglob("*.parquet"))
    assert info["flows"].files == len(files) == 3  # 10 rows over 63 min → hours 08 and 09, + 1
    assert info["flows"].partitions == 2
    assert info["flows"].rows == 15
    assert info["flows"].bytes == sum(p.stat().st_size for p in files)
    assert info["flows"].newest_event == T0 + timedelta(minutes=63)
    assert info["sessions"].files == info["sessions"].rows == 0
    assert info["sessions"].newest_event is None


def test_lake_info_reports_unreadable_files(tmp_path: Path) -> None:
    write_files(tmp_path, [(0, 3)])
    folder = next(tmp_path.rglob("*.parquet")).parent
    (folder / "part-broken.parquet").write_bytes(b"PAR1 not really")
    info = {t.table: t for t in lake_info(LakeStore(tmp_path))}
    assert info["flows"].unreadable == 1 and info["flows"].rows == 3


def test_compaction_merges_small_files_of_settled_partitions_only(tmp_path: Path) -> None:
    write_files(tmp_path, [(0, 4), (4, 4), (8, 4)])
    store = LakeStore(tmp_path)
    before = ids_in(tmp_path)
    # The partition (08:00-09:00) has not settled at 09:30 with a one-hour minimum age.
    assert compact(store, now=T0 + timedelta(minutes=90)).partitions == 0
    result = compact(store, now=T0 + timedelta(hours=3))
    assert (result.partitions, result.files_in, result.files_out, result.rows) == (1, 3, 1, 12)
    assert len(list(tmp_path.rglob("*.parquet"))) == 1
    assert ids_in(tmp_path) == before == list(range(12))
    # Running it again changes nothing.
    assert compact(store, now=T0 + timedelta(hours=3)).partitions == 0


def test_interrupted_compaction_is_finished_without_duplicates(tmp_path: Path) -> None:
    write_files(tmp_path, [(0, 4), (4, 4)])
    originals = sorted(tmp_path.rglob("*.parquet"))
    merged = pa.concat_tables([pq.read_table(p) for p in originals])
    # What a compaction that died after publishing, before deleting, leaves behind.
    names = json.dumps([p.name for p in originals]).encode()
    merged = merged.replace_schema_metadata({**merged.schema.metadata, REPLACES_KEY: names})
    pq.write_table(merged, originals[0].parent / "part-compact-x-1.parquet")
    assert len(ids_in(tmp_path)) == 16  # duplicates visible until the next run
    compact(LakeStore(tmp_path), now=T0 + timedelta(hours=3))
    assert ids_in(tmp_path) == list(range(8))
    assert [p.name for p in tmp_path.rglob("*.parquet")] == ["part-compact-x-1.parquet"]


def test_retention_deletes_old_partitions_only(tmp_path: Path) -> None:
    write_files(tmp_path, [(0, 48)], step=timedelta(hours=1))  # 48 hourly partitions from T0
    store = LakeStore(tmp_path)
    now = T0 + timedelta(hours=48)
    result = retain(store, days=1, now=now)
    # Partitions ending at or before now - 24 h: hours T0 … T0+23.
    assert result.partitions == 24 and result.files == 24
    assert ids_in(tmp_path) == list(range(24, 48))
    assert not (tmp_path / "flows" / "date=2026-03-14" / "hour=08").exists()
    with pytest.raises(LakeError, match="positive"):
        retain(store, days=0)
