"""``wanassure sle compute`` and ``analyze`` on ``s3://…`` give the same files as on a local disk.

A one-hour simulation of a small org is written to a local folder, copied object by object to
the S3 server and to a second folder. The CLI computes SLEs on the S3 copy (two site shards in
two worker processes, which open the S3 lake from the environment they inherit) and analyzes it;
the same functions do the same in this process on the local copy. Every output file must exist
on both sides under the same name, with the same rows, and the analysis watermark
(``_state/analysis.json``) must be kept in the bucket.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assurance.analysis.pipeline import analyze
from assurance.analysis.pipeline import watermark as watermark_of
from assurance.config.loader import load_inventory
from assurance.lake import LakeStore
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sle.compute import compute
from tests.lake_s3.conftest import Bucket

ROOT = Path(__file__).resolve().parents[2]
WANASSURE = Path(sys.executable).with_name("wanassure")
SCENARIO = ROOT / "tests" / "batch" / "scenario.yaml"
OUTPUTS = ("user_minutes", "sle_minutes", "sle_hours", "sle_days", "anomalies", "incidents")


@pytest.fixture(scope="module")
def raw_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    played = load_scenario(SCENARIO).model_dump(by_alias=True)
    played["hours"] = 1
    played["faults"] = [f for f in played["faults"] if f["id"] == "loss-nyc-isp-a"]
    path = tmp_path_factory.mktemp("sim") / "lake"
    simulate_to_lake(Scenario.model_validate(played), str(path), workers=1)
    return path


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(WANASSURE), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())  # unwrapped


def sorted_rows(table: pa.Table) -> list[tuple[object, ...]]:
    columns = table.column_names
    return sorted(
        (tuple(row[c] for c in columns) for row in table.to_pylist()),
        key=repr,
    )


def test_sle_compute_on_s3_equals_local(bucket: Bucket, raw_lake: Path, tmp_path: Path) -> None:
    local = tmp_path / "local"
    shutil.copytree(raw_lake, local)
    uploaded = bucket.upload_tree(raw_lake)
    assert uploaded == sum(1 for p in raw_lake.rglob("*") if p.is_file())

    env = bucket.process_env()
    # the S3 lake through the CLI, the local one through the same functions in this process
    said = cli(
        env, "sle", "compute", "--shards", "2", "--window-hours", "1", "--workers", "2",
        "--lake", bucket.url,
    )  # fmt: skip
    inventory = load_inventory(raw_lake / "_sim" / "inventory.yaml")
    here = compute(str(local), inventory, shards=2, window=timedelta(hours=1), workers=1)
    assert f"{here.user_minutes:,} user minutes, {here.sle_rows:,} SLE rows, " in said
    assert f"{here.jobs} jobs, {here.files} files in " in said
    assert here.user_minutes > 0
    said = cli(env, "analyze", "--workers", "1", "--lake", bucket.url)
    found = analyze(str(local), inventory, workers=1)
    assert f" {len(found.incidents)} incidents " in said and found.incidents
    watermark = (local / "_state" / "analysis.json").read_bytes()
    assert bucket.get("lake/_state/analysis.json") == watermark
    # and the next run reads it back from the bucket
    assert watermark_of(LakeStore(bucket.url)) == watermark_of(LakeStore(local))
    assert watermark_of(LakeStore(bucket.url)) == datetime.fromisoformat(
        json.loads(watermark)["analyzed_to"]
    )

    on_s3 = {
        key.removeprefix("lake/"): key
        for key in bucket.objects()
        if key.endswith(".parquet") and key.split("/")[1] in OUTPUTS
    }
    on_disk = {
        p.relative_to(local).as_posix(): p
        for table in OUTPUTS
        for p in (local / table).rglob("*.parquet")
    }
    assert sorted(on_s3) == sorted(on_disk)
    assert {name.split("/")[0] for name in on_s3} == set(OUTPUTS)
    for name, key in on_s3.items():
        remote = pq.read_table(io.BytesIO(bucket.get(key)))
        here = pq.read_table(on_disk[name])
        assert remote.schema == here.schema, name
        assert remote.num_rows == here.num_rows > 0, name
        assert sorted_rows(remote) == sorted_rows(here), name
