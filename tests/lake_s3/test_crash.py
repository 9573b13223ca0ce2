"""A writer process killed by SIGKILL mid-stream leaves only whole, readable objects on S3."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from assurance.lake import LakeStore, connect
from assurance.lake.maintenance import lake_info
from tests.lake_s3.conftest import Bucket
from tests.lake_s3.relay import ThrottlingRelay

ROOT = Path(__file__).resolve().parents[2]
BATCH = 100_000  # rows per flush: one object of a few MB, so a kill often lands mid-upload


@pytest.mark.parametrize("kill_after_flushes", [2])
def test_sigkill_mid_stream_leaves_only_whole_parquet_objects(
    bucket: Bucket, kill_after_flushes: int
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.lake.crash_writer", bucket.url, str(BATCH)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=bucket.process_env(),
    )
    assert writer.stdout is not None
    reported = 0
    for _ in range(kill_after_flushes):
        line = writer.stdout.readline()
        assert line, f"the writer died early (exit {writer.poll()})"
        reported = int(line)
    time.sleep(0.1 * kill_after_flushes)  # somewhere inside encoding or uploading the next one
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL

    objects = bucket.objects()
    ids: list[int] = []
    for key, size in sorted(objects.items()):
        assert key.endswith(".parquet") and size > 0, key
        table = pq.read_table(io.BytesIO(bucket.get(key)))  # every object is whole Parquet
        assert table.num_rows == BATCH  # one flush per object, never a part of one
        ids += table.column("sequence").to_pylist()
    durable = len(ids)
    assert durable >= reported == kill_after_flushes * BATCH
    assert sorted(ids) == list(range(durable))

    info = {t.table: t for t in lake_info(LakeStore(bucket.url))}
    assert info["flows"].rows == durable and info["flows"].unreadable == 0
    count = connect(bucket.url).execute("SELECT count(DISTINCT sequence) FROM flows").fetchone()
    assert count == (durable,)


def test_sigkill_during_an_upload_publishes_nothing_of_it(bucket: Bucket) -> None:
    """The writer talks to S3 through a relay that slows uploads to 1 MB/s; it is killed while
    the relay is forwarding an object's bytes that the server has not answered yet."""
    host, port = bucket.server.endpoint.removeprefix("http://").split(":")
    relay = ThrottlingRelay((host, int(port)), rate=1_000_000)
    env = {**bucket.process_env(), "WANASSURE_S3__ENDPOINT_URL": f"http://127.0.0.1:{relay.port}"}
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.lake.crash_writer", bucket.url, str(BATCH)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert writer.stdout is not None
        assert int(writer.stdout.readline()) == BATCH  # the first object is published
        deadline = time.monotonic() + 60
        while relay.in_flight() < 64 * 1024:  # the second object's upload is under way
            assert time.monotonic() < deadline, "no second upload seen"
            time.sleep(0.002)
        in_flight = relay.in_flight()
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        relay.close()
        if writer.poll() is None:
            writer.kill()
        if writer.stdout is not None:
            writer.stdout.close()
    assert in_flight >= 64 * 1024
    objects = bucket.objects()
    assert len(objects) == 1, objects  # only the object whose upload had finished
    (key,) = objects
    table = pq.read_table(io.BytesIO(bucket.get(key)))
    assert table.column("sequence").to_pylist() == list(range(BATCH))
