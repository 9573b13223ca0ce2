"""The local backend and the process-wide choice of backend, without any cluster."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance import runner
from assurance.cli import app
from tests.runner.jobs import Part, fail_on_odd, pid, square

T = datetime(2026, 11, 2, 13, 30, tzinfo=UTC)


def test_results_come_back_in_partition_order_from_a_pool() -> None:
    with runner.using("local"):
        assert list(runner.run(square, [5, 1, 4, 2, 3], workers=2)) == [25, 1, 16, 4, 9]


def test_local_n_sets_the_pool_and_an_explicit_workers_wins() -> None:
    me = os.getpid()
    with runner.using("local:1"):
        assert set(runner.run(pid, range(4))) == {me}
        assert me not in set(runner.run(pid, range(4), workers=2))
    with runner.using("local:2"):
        assert me not in set(runner.run(pid, range(4)))
        assert set(runner.run(pid, range(4), workers=1)) == {me}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_job_error_names_its_partition(workers: int) -> None:
    parts = [Part("even", 2, T), Part("odd", 3, T, blob=tuple(range(500)))]
    with runner.using("local"), pytest.raises(runner.JobError) as info:
        list(runner.run(fail_on_odd, parts, workers=workers))
    assert str(info.value) == (
        "tests.runner.jobs.fail_on_odd failed on partition "
        "Part(name=odd, n=3, start=2026-11-02T13:30+00:00): ValueError: odd partition odd"
    )
    assert isinstance(info.value.cause, ValueError)
    assert info.value.__cause__ is info.value.cause


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
        cwd=Path(__file__).parents[2],
    )


def test_the_environment_chooses_the_backend_and_dask_stays_unimported() -> None:
    code = (
        "import sys\n"
        "import assurance.cli\n"
        "from assurance import runner\n"
        "from tests.runner.jobs import square\n"
        "print(runner.current())\n"
        "print(list(runner.run(square, [1, 2, 3])))\n"
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))\n"
    )
    done = _python(code, WANASSURE_RUNNER="local:2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["local:2", "[1, 4, 9]", "[]"]
    bad = _python(code, WANASSURE_RUNNER="dask:/host")
    assert bad.returncode != 0
    assert "$WANASSURE_RUNNER: runner 'dask:/host' is not one of" in bad.stderr


def test_a_bad_runner_option_is_a_usage_error(tmp_path: Path) -> None:
    before = runner.current()
    result = CliRunner().invoke(
        app, ["sle", "compute", "--lake", str(tmp_path), "--runner", "dask:8786"]
    )
    assert result.exit_code == 2
    text = " ".join(result.output.replace("│", " ").split())
    assert "runner 'dask:8786' is not one of local, local:N" in text
    assert runner.current() == before


def test_a_job_error_survives_pickling() -> None:
    error = runner.JobError("m.job", "Part(n=3)", ValueError("odd"))
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "m.job failed on partition Part(n=3): ValueError: odd"
    assert isinstance(again.cause, ValueError) and again.partition == "Part(n=3)"


def test_default_workers_follow_the_chosen_backend() -> None:
    with runner.using("local:3"):
        assert runner.default_workers() == 3
    with runner.using("dask-local:5"):  # a local cluster not started yet: its planned size
        assert runner.default_workers() == 5
    with runner.using("local"):
        assert runner.default_workers() == len(os.sched_getaffinity(0))
