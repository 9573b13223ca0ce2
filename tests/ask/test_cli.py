"""``wanassure ask`` as a user runs it (console script): an answer with its links, JSON, a
tenant user's scope from the access file, the evaluation report, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assurance.config.access import hash_password
from tests.ask.conftest import NOW, QUESTIONS

WANASSURE = str(Path(sys.executable).with_name("wanassure"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WANASSURE, "ask", *args], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def access(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ask-access") / "access.yaml"
    h = hash_password("pw")
    path.write_text(
        "tenants:\n  west: [br-chi-*]\nusers:\n"
        f"  - {{name: walt, role: viewer, tenant: west, password_hash: '{h}'}}\n"
    )
    return path


def test_scoped_json_answer(lake: str, access: Path) -> None:
    done = run("why is it slow?", "--lake", lake, "--config", str(access), "--user", "walt",
               "--now", NOW.isoformat(), "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [c["value"] for c in data["choices"]] == ["br-chi-027"]  # only walt's site offered
    assert data["intent"] == "troubleshoot_site"


def test_text_answer_has_links(lake: str) -> None:
    done = run("is isp-a at br 12 ok since 1pm", "--lake", lake, "--now", NOW.isoformat())
    assert done.returncode == 0, done.stderr
    flat = "".join(done.stdout.split())
    assert "dashboard:/wan?site=br-nyc-012&link=isp-a&from=2026-11-02T13:00:00Z" in flat
    assert "api:GET/api/v1/sites/br-nyc-012/wan_links?start=2026-11-02T13:00:00Z" in flat


def test_eval_report(lake: str, tmp_path: Path) -> None:
    some = tmp_path / "some.jsonl"
    some.write_text("".join(QUESTIONS.read_text().splitlines(keepends=True)[:20]))
    done = run("--eval", str(some), "--lake", lake)
    assert done.returncode == 0, done.stderr
    assert "troubleshoot_site" in done.stdout
    assert "of 20 questions exact" in " ".join(done.stdout.split())
    assert "latency median" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("why", "--lake", "/nonexistent/lake"), "no lake at"),
        (("   ", "--lake", "."), "empty"),
        (("why", "--lake", ".", "--user", "walt"), "go together"),
    ],
)
def test_errors_are_one_line(lake: str, args: tuple[str, ...], message: str) -> None:
    args = tuple(lake if a == "." else a for a in args)
    done = run(*args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
