"""Write, inspect, compact, retain and query a lake on a real S3 endpoint (moto server)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq

from assurance.lake import LakeStore, LakeWriter, connect
from assurance.lake.maintenance import compact, retain
from tests.lake.helpers import T0, flow_rows
from tests.lake_s3.conftest import SECRET_KEY, Bucket

WANASSURE = Path(sys.executable).with_name("wanassure")
HOUR = timedelta(hours=1)


def write_hours(lake: str | Path, hours: int, per_file: int, files_per_hour: int) -> None:
    """``files_per_hour`` files of ``per_file`` rows in each of ``hours`` hours from T0; row
    ids run 0, 1, 2… in writing order."""
    next_id = 0
    for hour in range(hours):
        for _ in range(files_per_hour):
            with LakeWriter(lake) as writer:  # a writer per file: one small file each
                writer.write("flows", flow_rows(next_id, per_file, T0 + hour * HOUR))
            next_id += per_file


def parquet_ids(bucket: Bucket, keys: list[str]) -> list[int]:
    ids: list[int] = []
    for key in keys:
        ids += pq.read_table(io.BytesIO(bucket.get(key))).column("sequence").to_pylist()
    return sorted(ids)


def test_writer_publishes_hive_partitioned_parquet_objects(bucket: Bucket) -> None:
    with LakeWriter(bucket.url, flush_rows=250) as writer:
        # 1,000 rows one minute apart: hours 08 to 24:39 → 17 hourly partitions
        writer.write("flows", flow_rows(0, 1000, T0, timedelta(minutes=1)))
    keys = bucket.objects()
    assert keys, "nothing was uploaded"
    folders = sorted({k.rsplit("/", 1)[0] for k in keys})
    assert folders[0] == "lake/flows/date=2026-03-14/hour=08"
    assert folders[-1] == "lake/flows/date=2026-03-15/hour=00"
    assert len(folders) == 17  # 1,000 minutes from 08:00 end at 00:39 the next day
    assert all(k.endswith(".parquet") and "/part-" in k and v > 0 for k, v in keys.items())
    assert parquet_ids(bucket, list(keys)) == list(range(1000))


def test_lake_info_cli_reads_footers_on_s3(bucket: Bucket) -> None:
    write_hours(bucket.url, hours=2, per_file=30, files_per_hour=2)
    result = subprocess.run(
        [str(WANASSURE), "lake", "info", bucket.url],
        capture_output=True,
        text=True,
        env=bucket.process_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    flows = next(line for line in result.stdout.splitlines() if "│ flows " in line)
    cells = [c.strip() for c in flows.split("│")[1:-1]]
    size = sum(bucket.objects().values())
    assert cells[:4] == ["flows", "2", "4", "120"]
    assert cells[5].startswith("2026-03-14 09:00:00")  # flow_rows puts a file's rows at its start
    assert f"s3://{bucket.name}/lake" in result.stdout
    assert cells[4] == (f"{size / 1024:.1f} KiB" if size >= 1024 else f"{size} B")
    assert SECRET_KEY not in result.stdout + result.stderr


def test_lake_info_cli_names_a_missing_bucket_in_one_line(bucket: Bucket) -> None:
    result = subprocess.run(
        [str(WANASSURE), "lake", "info", f"s3://{bucket.name}-absent/lake"],
        capture_output=True,
        text=True,
        env=bucket.process_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no lake at s3://{bucket.name}-absent/lake: "
        f"bucket '{bucket.name}-absent' does not exist"
    ]


def test_compaction_on_s3_merges_each_settled_partition_into_one_object(bucket: Bucket) -> None:
    write_hours(bucket.url, hours=2, per_file=25, files_per_hour=3)
    before = bucket.objects()
    assert len(before) == 6
    result = compact(LakeStore(bucket.url), min_age=timedelta(0))
    assert (result.partitions, result.files_in, result.files_out, result.rows) == (2, 6, 2, 150)
    after = bucket.objects()
    data = sorted(k for k in after if k.endswith(".parquet"))
    assert len(data) == 2 and not set(data) & set(before)
    assert [k.rsplit("/", 2)[1] for k in data] == ["hour=08", "hour=09"]
    assert parquet_ids(bucket, data) == list(range(150))
    assert connect(bucket.url).execute("SELECT count(DISTINCT sequence) FROM flows").fetchone() == (
        150,
    )


def test_compaction_cli_on_s3(bucket: Bucket) -> None:
    write_hours(bucket.url, hours=1, per_file=10, files_per_hour=4)
    result = subprocess.run(
        [str(WANASSURE), "lake", "compact", bucket.url, "--min-age-minutes", "0"],
        capture_output=True,
        text=True,
        env=bucket.process_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "compacted 1 partitions: 4 files → 1 (40 rows)" in result.stdout
    assert len([k for k in bucket.objects() if k.endswith(".parquet")]) == 1


def test_retention_on_s3_deletes_whole_old_partitions_only(bucket: Bucket) -> None:
    write_hours(bucket.url, hours=4, per_file=10, files_per_hour=2)
    # At T0 + 1 day + 2 h with one day kept, hours 08 and 09 have ended more than a day ago.
    result = retain(LakeStore(bucket.url), 1, now=T0 + timedelta(days=1, hours=2))
    assert (result.partitions, result.files) == (2, 4)
    left = bucket.objects()
    data = sorted(k for k in left if k.endswith(".parquet"))
    assert [k.rsplit("/", 2)[1] for k in data] == ["hour=10"] * 2 + ["hour=11"] * 2
    assert parquet_ids(bucket, data) == list(range(40, 80))
    # What else the store keeps are empty folder markers, never data under an expired hour.
    assert all(k.endswith("/") and size == 0 for k, size in left.items() if k not in data)
    assert not any("hour=08" in k or "hour=09" in k for k in left)


def test_duckdb_query_on_s3_equals_the_same_lake_on_disk(bucket: Bucket, tmp_path: Path) -> None:
    local = tmp_path / "lake"
    write_hours(local, hours=3, per_file=40, files_per_hour=2)
    assert bucket.upload_tree(local) == 6
    query = (
        "SELECT date, hour, count(*) AS n, sum(bytes) AS b, min(sequence), max(sequence) "
        "FROM flows GROUP BY ALL ORDER BY ALL"
    )
    on_disk = connect(local).execute(query).fetchall()
    on_s3 = connect(bucket.url).execute(query).fetchall()
    assert on_s3 == on_disk
    # and both match the rows as written: 80 ids an hour, bytes = id % 1500 + 40
    assert [(r[1], r[2], r[3]) for r in on_s3] == [
        (8 + h, 80, sum(i % 1500 + 40 for i in range(80 * h, 80 * h + 80))) for h in range(3)
    ]
    rows = "SELECT * FROM flows ORDER BY sequence"
    assert connect(bucket.url).execute(rows).fetchall() == connect(local).execute(rows).fetchall()


def test_views_see_objects_published_after_connect(bucket: Bucket) -> None:
    write_hours(bucket.url, hours=1, per_file=10, files_per_hour=1)
    con = connect(bucket.url)
    assert con.execute("SELECT count(*) FROM flows").fetchone() == (10,)
    with LakeWriter(bucket.url) as writer:
        writer.write("flows", flow_rows(10, 15, T0 + 2 * HOUR))
    assert con.execute("SELECT count(*), max(sequence) FROM flows").fetchone() == (25, 24)


def test_the_alert_outbox_asks_for_a_local_lake_in_one_line(bucket: Bucket) -> None:
    write_hours(bucket.url, hours=1, per_file=10, files_per_hour=1)
    config = Path(__file__).resolve().parents[2] / "data" / "samples" / "alerts" / "alerts.yaml"
    result = subprocess.run(
        [str(WANASSURE), "alerts", "run", "--lake", bucket.url, "--once", "--config", str(config)],
        capture_output=True,
        text=True,
        env=bucket.process_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith(f"error: s3://{bucket.name}/lake: ")
    assert "needs a local lake folder" in line
