"""``wanassure dashboard`` at a terminal: refusals are one line and exit code 2 before anything
starts; ``--hash-password`` prints a hash the access file accepts."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assurance.cli.dashboard import free_port
from assurance.config.access import verify_password

WANASSURE = str(Path(sys.executable).parent / "wanassure")


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WANASSURE, "dashboard", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_hash_password_reads_stdin_and_prints_a_verifiable_hash() -> None:
    done = run("--hash-password", stdin="correct horse\n")
    assert done.returncode == 0, done.stderr
    stored = done.stdout.strip()
    assert stored.startswith("scrypt$16384$8$1$") and "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horse\n", stored)


def test_refusals_are_one_clear_line(tmp_path: Path) -> None:
    done = run()
    assert done.returncode == 2 and "give --lake PATH" in done.stderr
    done = run("--lake", str(tmp_path / "nope"))
    assert done.returncode == 2 and f"no lake at {tmp_path / 'nope'}" in done.stderr
    assert "Traceback" not in done.stderr

    lake = tmp_path / "lake"
    lake.mkdir()
    bad = tmp_path / "access.yaml"
    bad.write_text("users:\n  - {name: eve, role: viewer, tenant: east, password_hash: 'x'}\n")
    done = run("--lake", str(lake), "--config", str(bad))
    assert done.returncode == 2
    assert f"{bad}:2: users[0].password_hash: expected scrypt$" in done.stderr
    assert "Traceback" not in done.stderr

    empty = tmp_path / "empty.yaml"
    empty.write_text("tenants: {east: [br-*]}\n")
    done = run("--lake", str(lake), "--config", str(empty))
    assert done.returncode == 2 and "no users, nobody could log in" in done.stderr


def test_sigterm_stops_streamlit_with_the_cli(lake: str) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [WANASSURE, "dashboard", "--lake", lake, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert proc.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.3)
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(f"dashboard: http://127.0.0.1:{port}/ (open")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert not _healthy(port)  # the Streamlit child is gone too
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).text == "ok"
    except httpx.HTTPError:
        return False
