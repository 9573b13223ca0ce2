"""Crash safety and concurrent reading, with a real writer process killed by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from assurance.lake import LakeStore, connect
from assurance.lake.maintenance import compact, lake_info

ROOT = Path(__file__).resolve().parents[2]
BATCH = 200_000  # large enough that the writer spends most of its time encoding and publishing


def start_writer(lake: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.lake.crash_writer", str(lake), str(BATCH)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("kill_after_flushes", [1, 3, 6])
def test_sigkill_mid_stream_leaves_only_readable_files_and_every_flushed_row(
    tmp_path: Path, kill_after_flushes: int
) -> None:
    writer = start_writer(tmp_path)
    assert writer.stdout is not None
    reported = 0
    for _ in range(kill_after_flushes):
        reported = int(writer.stdout.readline())
    # Kill while the writer is busy building and publishing the next file.
    time.sleep(0.05 * kill_after_flushes)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL

    ids: list[int] = []
    for path in sorted(tmp_path.rglob("*.parquet")):
        ids += pq.read_table(path).column("sequence").to_pylist()  # every file reads
    durable = len(ids)
    # Nothing reported as flushed is lost; what is there is whole flushes, each row exactly once.
    assert durable >= reported == kill_after_flushes * BATCH
    assert durable % BATCH == 0
    assert sorted(ids) == list(range(durable))

    con = connect(tmp_path)
    assert con.execute("SELECT count(*), count(DISTINCT sequence) FROM flows").fetchone() == (
        durable,
        durable,
    )
    info = {t.table: t for t in lake_info(LakeStore(tmp_path))}
    assert info["flows"].rows == durable and info["flows"].unreadable == 0

    # A temp file the killed writer may have left is invisible to readers and swept by compaction.
    leftovers = list(tmp_path.rglob("*.tmp"))
    compact(LakeStore(tmp_path), min_age=timedelta(0))
    assert not any(p.exists() for p in leftovers)


def test_readers_never_see_partial_files_while_a_writer_appends(tmp_path: Path) -> None:
    writer = start_writer(tmp_path)
    assert writer.stdout is not None
    writer.stdout.readline()  # the lake has its first file
    con = connect(tmp_path)
    seen: list[int] = []
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            count, distinct, top = con.execute(
                "SELECT count(*), count(DISTINCT sequence), max(sequence) FROM flows"
            ).fetchone()
            assert count == distinct and count % BATCH == 0 and top == count - 1
            seen.append(count)
    finally:
        writer.kill()
        writer.wait(timeout=30)
        writer.stdout.close()
    assert seen == sorted(seen), "row counts went backwards"
    assert seen[-1] > seen[0], "the view did not pick up files published after connect()"
