"""LakeWriter: buffering, flush triggers, hourly partitions, conformance, failure handling."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assurance.errors import LakeError, SchemaMismatch
from assurance.lake import LakeStore, LakeWriter
from assurance.lake.conform import conform
from assurance.tables import REGISTRY
from tests.lake.helpers import T0, TS, flow_rows


def parquet_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def read_ids(root: Path) -> list[int]:
    ids: list[int] = []
    for path in parquet_files(root):
        ids += pq.read_table(path).column("sequence").to_pylist()
    return sorted(ids)


def test_rows_stay_buffered_until_a_threshold_or_flush(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path, flush_rows=100)
    writer.write("flows", flow_rows(0, 60))
    assert parquet_files(tmp_path) == []
    assert writer.buffered_rows("flows") == 60
    writer.write("flows", flow_rows(60, 60))  # 120 >= 100 → one file with all 120 rows
    files = parquet_files(tmp_path)
    assert len(files) == 1
    assert pq.read_table(files[0]).num_rows == 120
    writer.write("flows", flow_rows(120, 5))
    writer.close()
    assert read_ids(tmp_path) == list(range(125))


def test_flush_by_bytes(tmp_path: Path) -> None:
    one = flow_rows(0, 1000)
    stored_size = conform(REGISTRY["flows"], one).nbytes  # what the buffer holds per batch
    writer = LakeWriter(tmp_path, flush_rows=10**9, flush_bytes=stored_size * 2)
    writer.write("flows", one)
    assert parquet_files(tmp_path) == []
    writer.write("flows", flow_rows(1000, 1000))
    assert len(parquet_files(tmp_path)) == 1


def test_flush_by_age_with_poll(tmp_path: Path) -> None:
    now = [100.0]
    writer = LakeWriter(tmp_path, flush_age_s=30, clock=lambda: now[0])
    writer.write("flows", flow_rows(0, 10))
    now[0] = 129.0
    writer.poll()
    assert parquet_files(tmp_path) == []
    now[0] = 130.0
    writer.poll()
    assert read_ids(tmp_path) == list(range(10))


def test_background_flush_publishes_old_rows(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path, flush_age_s=0.05)
    writer.start_background_flush(interval_s=0.02)
    writer.write("flows", flow_rows(0, 10))
    deadline = time.monotonic() + 5
    while not parquet_files(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.01)
    writer.close()
    assert read_ids(tmp_path) == list(range(10))


def test_rows_split_into_hive_partitions_by_event_time(tmp_path: Path) -> None:
    # 6 rows 25 minutes apart from 08:00 → hours 08 (0, 25, 50), 09 (75, 100), 10 (125 min).
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", flow_rows(0, 6, step=timedelta(minutes=25)))
    folders = {
        p.parent.relative_to(tmp_path).as_posix(): pq.read_table(p).num_rows
        for p in parquet_files(tmp_path)
    }
    assert folders == {
        "flows/date=2026-03-14/hour=08": 2 + 1,
        "flows/date=2026-03-14/hour=09": 2,
        "flows/date=2026-03-14/hour=10": 1,
    }


def test_partition_crosses_midnight(tmp_path: Path) -> None:
    start = T0.replace(hour=23, minute=59)
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", flow_rows(0, 2, start=start, step=timedelta(minutes=2)))
    folders = sorted(p.parent.relative_to(tmp_path).as_posix() for p in parquet_files(tmp_path))
    assert folders == ["flows/date=2026-03-14/hour=23", "flows/date=2026-03-15/hour=00"]


def test_files_carry_the_declared_schema_and_unique_names(tmp_path: Path) -> None:
    first, second = LakeWriter(tmp_path), LakeWriter(tmp_path)
    for writer in (first, second):
        writer.write("flows", flow_rows(0, 3))
        writer.close()
    files = parquet_files(tmp_path)
    assert len(files) == 2 and files[0].name != files[1].name
    schema = pq.read_schema(files[0])
    assert schema.names == list(REGISTRY["flows"].column_names)
    assert schema.field("bytes").metadata[b"doc"].startswith(b"Octets")


def test_conform_fills_missing_nullable_and_casts_losslessly(tmp_path: Path) -> None:
    rows = flow_rows(0, 2).set_column(6, "bytes", pa.array([7, 8], pa.int64()))
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", rows)
    table = pq.read_table(parquet_files(tmp_path)[0])
    assert table.column("bytes").type == pa.uint64()
    assert table.column("bytes").to_pylist() == [7, 8]
    assert table.column("src_addr").null_count == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.append_column("bogus", pa.array([1, 2])), "unknown column(s) bogus"),
        (lambda t: t.drop_columns(["exporter"]), "flows.exporter is required but missing"),
        (
            lambda t: t.set_column(2, "exporter", pa.array(["a", None])),
            "flows.exporter is required but has nulls",
        ),
        (
            lambda t: t.set_column(6, "bytes", pa.array([-1, 5], pa.int64())),
            "flows.bytes: cannot store int64 as uint64",
        ),
    ],
)
def test_batches_that_do_not_fit_are_refused_whole(tmp_path: Path, mutate, message: str) -> None:
    writer = LakeWriter(tmp_path)
    with pytest.raises(SchemaMismatch, match=message.replace("(", r"\(").replace(")", r"\)")):
        writer.write("flows", mutate(flow_rows(0, 2)))
    assert writer.buffered_rows("flows") == 0


def test_unknown_table_and_closed_writer(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path)
    with pytest.raises(LakeError, match="unknown lake table 'nope'"):
        writer.write("nope", flow_rows(0, 1))
    writer.close()
    with pytest.raises(LakeError, match="closed"):
        writer.write("flows", flow_rows(0, 1))


class FailingOnce(LakeStore):
    """A disk that fails the second publish once. No real disk can be made to fail on cue here
    (the tests run as root, so permissions do not stop writes); this double raises exactly what
    ``LakeStore.publish`` raises on an OSError."""

    def __init__(self, url: Path) -> None:
        super().__init__(url)
        self.calls = 0

    def publish(self, relpath: str, data: pa.Buffer | bytes) -> None:
        self.calls += 1
        if self.calls == 2:
            raise LakeError("disk full")
        super().publish(relpath, data)


def test_failed_publish_keeps_unpublished_rows_and_retry_does_not_duplicate(tmp_path: Path) -> None:
    writer = LakeWriter(FailingOnce(tmp_path))
    writer.write("flows", flow_rows(0, 6, step=timedelta(minutes=25)))  # hours 08, 09, 10
    with pytest.raises(LakeError, match="disk full"):
        writer.flush()
    assert read_ids(tmp_path) == [0, 1, 2]
    assert writer.buffered_rows("flows") == 3
    writer.close()
    assert read_ids(tmp_path) == list(range(6))


def test_timestamp_column_types_are_utc_microseconds(tmp_path: Path) -> None:
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", flow_rows(0, 1))
    assert pq.read_schema(parquet_files(tmp_path)[0]).field("event_time").type == TS


def test_synthetic_flows_fit_the_declared_schema_and_resolve_sites() -> None:
    from assurance.sim.synthetic_flows import Exporter, synthetic_flows
    from collectors.tables import FLOWS

    exporters = [Exporter("192.0.2.1", "gw1", "site-a"), Exporter("203.0.113.9", None, None)]
    rows = synthetic_flows(5_000, start=T0, span_s=600, exporters=exporters, seed=3)
    assert rows.schema.equals(FLOWS.schema)
    times = rows.column("event_time").to_pylist()
    assert times == sorted(times) and times[0] >= T0 and times[-1] < T0 + timedelta(seconds=600)
    exporters_sites = zip(rows["exporter"].to_pylist(), rows["site"].to_pylist(), strict=True)
    pairs = set(exporters_sites)
    assert pairs == {("192.0.2.1", "site-a"), ("203.0.113.9", None)}
    assert rows.column("bytes_scaled").equals(rows.column("bytes"))
