"""The Dask backend against a real cluster: ``dask scheduler`` and two ``dask worker``
processes on loopback. SLE compute and analysis on the cluster must publish exactly what the
local backend publishes on the sample lake, also when a worker is killed in the middle of a job,
and a job's error must come back naming its partition."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assurance import runner
from assurance.config.inventory import Inventory
from assurance.sle.compute import Summary, compute
from tests.runner.cluster import Cluster, free_port, start
from tests.runner.conftest import SHARDS, WINDOW, copy_lake
from tests.runner.jobs import Part, fail_on_odd
from tests.runner.lakes import SLE_TABLES, Reference, contents, only

WANASSURE = Path(sys.executable).with_name("wanassure")
HOURS = 6  # the small scenario's length: one SLE job per hour and site shard


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = start(2, tmp_path_factory.mktemp("dask"))
    yield running
    running.stop()


def completed(client: Any, prefix: str) -> int:
    """Tasks of ``prefix`` the scheduler has seen finish (state ``memory``)."""

    def count(dask_scheduler: Any) -> int:
        found = dask_scheduler.task_prefixes.get(prefix)
        return 0 if found is None else int(found.state_counts.get("memory", 0))

    return int(client.run_on_scheduler(count))


def cli(*args: str) -> str:
    done = subprocess.run(
        [str(WANASSURE), *args], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_sle_compute_and_analysis_on_dask_publish_what_local_publishes(
    cluster: Cluster, raw_lake: Path, reference: Reference, tmp_path: Path
) -> None:
    lake = copy_lake(raw_lake, tmp_path / "lake")
    watcher = cluster.client()
    try:
        before = completed(watcher, "assurance.sle.job.run_job")
        text = cli(
            "sle",
            "compute",
            "--lake",
            str(lake),
            "--shards",
            str(SHARDS),
            "--window-hours",
            "1",
            "--runner",
            cluster.spec,
        )
        ran = completed(watcher, "assurance.sle.job.run_job") - before
        analyzed = completed(watcher, "assurance.analysis.pipeline.detect_shard")
        cli("analyze", "--lake", str(lake), "--runner", cluster.spec)
        analyzed = completed(watcher, "assurance.analysis.pipeline.detect_shard") - analyzed
        per_worker = watcher.run(lambda dask_worker: dask_worker.state.executed_count)
    finally:
        watcher.close()
    # every partition job ran on the cluster: hours × shards SLE jobs, one analysis shard
    assert ran == HOURS * SHARDS
    assert analyzed == 1
    assert len(per_worker) == 2 and all(n > 0 for n in per_worker.values()), per_worker
    numbers = re.search(
        r"([\d,]+) user minutes, ([\d,]+) SLE\s+rows, (\d+) jobs, (\d+) files", text
    )
    assert numbers is not None, text
    assert [int(g.replace(",", "")) for g in numbers.groups()] == [
        reference.user_minutes,
        reference.sle_rows,
        HOURS * SHARDS,
        reference.files,
    ]
    assert reference.user_minutes > 0 and reference.anomalies > 0
    got = contents(lake)
    assert sorted(got) == sorted(reference.contents)
    assert got == reference.contents


def test_a_worker_killed_mid_job_changes_nothing(
    raw_lake: Path,
    reference: Reference,
    sample_inventory: Inventory,
    tmp_path: Path,
) -> None:
    own = start(2, tmp_path / "dask")
    try:
        lake = copy_lake(raw_lake, tmp_path / "lake")
        outcome: dict[str, Summary | BaseException] = {}

        def work() -> None:
            try:
                with runner.using(own.spec):
                    outcome["summary"] = compute(
                        str(lake), sample_inventory, shards=SHARDS, window=WINDOW
                    )
            except BaseException as exc:  # handed to the test thread
                outcome["error"] = exc

        watcher = own.client()
        thread = threading.Thread(target=work)
        thread.start()
        victim = None
        deadline = time.monotonic() + 240
        while victim is None and thread.is_alive() and time.monotonic() < deadline:
            # mid-stream: some jobs done, and the victim holds an SLE job it is running
            if completed(watcher, "assurance.sle.job.run_job") >= 2:
                busy = [
                    worker
                    for worker, keys in watcher.processing().items()
                    if any("run_job" in str(k) for k in keys)
                ]
                victim = busy[0] if busy else None
            if victim is None:
                time.sleep(0.05)
        assert victim is not None, "no SLE job was seen running on a worker"
        own.kill(victim)
        thread.join(timeout=300)
        left = list(watcher.scheduler_info(n_workers=-1)["workers"])
        watcher.close()
    finally:
        own.stop()
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    summary = outcome["summary"]
    assert isinstance(summary, Summary)
    assert (summary.user_minutes, summary.sle_rows, summary.files) == (
        reference.user_minutes,
        reference.sle_rows,
        reference.files,
    )
    assert victim not in left and len(left) == 1
    assert contents(lake, SLE_TABLES) == only(reference.contents, SLE_TABLES)


def test_default_workers_is_the_clusters_worker_threads(cluster: Cluster) -> None:
    with runner.using(cluster.spec):
        assert runner.default_workers() == 2  # two workers of one thread each


def test_a_job_error_on_the_cluster_names_its_partition(cluster: Cluster) -> None:
    t = datetime(2026, 11, 2, 13, tzinfo=UTC)
    parts = [Part("even", 2, t), Part("odd", 3, t, blob=tuple(range(1000)))]
    with runner.using(cluster.spec), pytest.raises(runner.JobError) as info:
        list(runner.run(fail_on_odd, parts))
    message = str(info.value)
    assert message == (
        "tests.runner.jobs.fail_on_odd failed on partition "
        "Part(name=odd, n=3, start=2026-11-02T13:00+00:00): ValueError: odd partition odd"
    )
    assert isinstance(info.value.cause, ValueError)


def test_a_scheduler_nobody_listens_on_is_a_clear_error() -> None:
    spec = f"dask://127.0.0.1:{free_port()}"
    part = Part("even", 2, datetime(2026, 11, 2, tzinfo=UTC))
    began = time.monotonic()
    with runner.using(spec), pytest.raises(runner.RunnerError) as info:
        list(runner.run(fail_on_odd, [part]))
    assert str(info.value) == (
        f"cannot reach the Dask scheduler at tcp://{spec[len('dask://') :]}: Connection refused"
    )
    assert time.monotonic() - began < 5
