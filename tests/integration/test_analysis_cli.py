"""``wanassure analyze``, ``incidents`` and ``eval`` run as a user runs them (console script)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import EVERY_FAULT

WANASSURE = str(Path(sys.executable).with_name("wanassure"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WANASSURE, *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def workdir(every_fault_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("eval-cli")
    shutil.copytree(every_fault_lake, work / "lakes" / EVERY_FAULT.stem)
    (work / "scenarios").mkdir()
    shutil.copy(EVERY_FAULT, work / "scenarios" / EVERY_FAULT.name)
    return work


def test_analyze_then_incidents(workdir: Path) -> None:
    lake = str(workdir / "lakes" / EVERY_FAULT.stem)
    done = run("analyze", "--lake", lake)
    assert done.returncode == 0, done.stderr
    assert "incidents" in done.stdout and "Traceback" not in done.stderr
    shown = run("incidents", "--lake", lake, "--site", "lab-22")
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "ISP outage across sites" in text
    assert "AT&T Business" in text
    assert "Open a ticket with the ISP" in text


def test_eval_reports_the_targets(workdir: Path) -> None:
    done = run(
        "eval",
        "--scenarios",
        str(workdir / "scenarios"),
        "--workdir",
        str(workdir / "lakes"),
        "--reuse",
        "--workers",
        "1",
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "21 faults, recall 1.000" in text
    assert "false incidents 0" in text
    for kind in ("isp_outage", "duplex_mismatch", "roaming_failure"):
        assert kind in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("analyze", "--lake", "/nonexistent/lake"), "no inventory"),
        (("incidents", "--lake", "/nonexistent/lake"), "no lake at"),
        (("eval", "--scenarios", "/nonexistent"), "no scenario"),
        (("incidents", "--lake", ".", "--status", "closed"), "unknown status"),
    ],
)
def test_errors_are_one_line(args: tuple[str, ...], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
