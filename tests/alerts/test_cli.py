"""``wanassure alerts`` end to end: run, list, test and resend against a loopback receiver, the
lake mirror read back through the catalog, clear one-line errors, and no secret in any output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance.cli import app
from assurance.lake.catalog import connect
from tests.alerts import lakedata as ld
from tests.alerts.conftest import SECRET
from tests.alerts.receiver import Receiver

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def setup(tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    monkeypatch.setenv("CLI_HOOK_SECRET", SECRET)
    monkeypatch.delenv("WANASSURE_ALERTS_CONFIG", raising=False)
    lake = str(tmp_path / "lake")
    rej = {"source": "flow", "error": "MalformedPacket", "reason": "short", "raw": b"\x00"}
    ld.write(
        lake,
        {
            "rejects": [
                {
                    **rej,
                    "event_time": ld.minutes_before(1),
                    "exporter": f"10.0.0.{i}",
                    "site": f"br-{i:03d}",
                }
                for i in range(3)
            ]
        },
    )
    config = tmp_path / "alerts.yaml"
    config.write_text(
        f"""
receivers:
  - {{name: hook, kind: generic, url: "{receiver.url}", secret_env: CLI_HOOK_SECRET}}
rules:
  - {{name: decode-errors, kind: collector_health}}
retry: {{base: 0.05, cap: 0.1}}
"""
    )
    return lake, config


def no_secret(text: str) -> None:
    assert SECRET not in text and SECRET[6:] not in text and "T0KEN" not in text


def test_run_list_and_mirror(setup: tuple[str, Path], receiver: Receiver) -> None:
    lake, config = setup
    at = ld.AT.isoformat()
    code, text = invoke(
        "alerts", "run", "--lake", lake, "--config", str(config), "--once", "--at", at
    )
    assert code == 0, text
    assert "3 firing" in text and "3 events queued" in text and "3 delivered" in text
    no_secret(text)
    assert receiver.accepted_ids().total() == 3 and not receiver.bad_signatures
    code, text = invoke("alerts", "list", "--lake", lake)
    assert code == 0
    for r in receiver.accepted:
        assert r.event_id in text
    assert "3 delivered" in text
    no_secret(text)
    # a second run finds the same alerts: nothing new is sent
    code, text = invoke(
        "alerts", "run", "--lake", lake, "--config", str(config), "--once", "--at", at
    )
    assert "0 events queued" in text and receiver.accepted_ids().total() == 3
    con = connect(lake)
    rows = con.execute(
        "SELECT event_id, arg_max(delivery, updated_at), max(attempts), any_value(payload) "
        "FROM alerts GROUP BY event_id"
    ).fetchall()
    assert {r[0] for r in rows} == {r.event_id for r in receiver.accepted}
    assert {r[1] for r in rows} == {"delivered"} and {r[2] for r in rows} == {1}
    assert all(SECRET not in r[3] and "T0KEN" not in r[3] for r in rows)
    sites = con.execute("SELECT DISTINCT site FROM alerts ORDER BY 1").fetchall()
    assert sites == [("br-000",), ("br-001",), ("br-002",)]


def test_dead_letter_listed_and_resent(setup: tuple[str, Path], receiver: Receiver) -> None:
    lake, config = setup
    receiver.plan = ["400", "400", "400"]
    invoke(
        "alerts",
        "run",
        "--lake",
        lake,
        "--config",
        str(config),
        "--once",
        "--at",
        ld.AT.isoformat(),
    )
    code, text = invoke("alerts", "list", "--lake", lake, "--state", "dead")
    assert code == 0 and "3 dead" in text and "HTTP 400" in text
    dead = receiver.requests[0].event_id
    code, text = invoke("alerts", "resend", dead, "--lake", lake, "--config", str(config))
    assert code == 0, text
    assert f"{dead}: delivered after 1 attempt(s)" in text
    assert [r.event_id for r in receiver.requests].count(dead) == 2


def test_test_command_sends_a_signed_sample(setup: tuple[str, Path], receiver: Receiver) -> None:
    _, config = setup
    code, text = invoke("alerts", "test", "--receiver", "hook", "--config", str(config))
    assert code == 0, text
    (got,) = receiver.accepted
    assert got.json()["data"]["rule"] == "wanassure-test"
    assert got.headers["webhook-id"] in text
    assert not receiver.bad_signatures
    no_secret(text)


def test_errors_are_one_line_with_exit_2(
    setup: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, config = setup
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "receivers:\n  - {name: x, kind: generic, url: 'http://h/T0KEN', secret: whsec_c2hvcnQ=}\n"
        "rules:\n  - {name: r, kind: sle_below, sle: nope, threshold: 90}\n"
    )
    cases = [
        ("alerts", "run", "--lake", lake, "--config", str(bad), "--once"),
        ("alerts", "run", "--lake", str(tmp_path / "missing"), "--config", str(config), "--once"),
        ("alerts", "run", "--lake", lake, "--config", str(config), "--at", "2026-11-20"),
        ("alerts", "list", "--lake", lake, "--state", "bogus"),
        ("alerts", "list", "--lake", str(tmp_path / "missing")),
        ("alerts", "resend", "msg_nope", "--lake", lake),
        ("alerts", "test", "--receiver", "nope", "--config", str(config)),
        ("alerts", "run", "--lake", lake, "--once"),
    ]
    invoke("alerts", "run", "--lake", lake, "--config", str(config), "--once")  # make an outbox
    for args in cases:
        code, text = invoke(*args)
        assert code == 2, (args, text)
        lines = text.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, text)
        assert "Traceback" not in text
        no_secret(text)
        assert "c2hvcnQ" not in text
    code, text = invoke("alerts", "run", "--lake", lake, "--config", str(bad), "--once")
    assert "bad.yaml:" in text  # names the file and line
    monkeypatch.setenv("CLI_HOOK_SECRET", "not-a-whsec")
    code, text = invoke("alerts", "test", "--receiver", "hook", "--config", str(config))
    assert code == 2 and "not-a-whsec" not in text and "CLI_HOOK_SECRET" in text


def test_run_loop_serves_timers_and_stops_on_ctrl_c(tmp_path: Path, receiver: Receiver) -> None:
    """Without --once: evaluates at the current time, the group wait runs out on a timer tick,
    the notification goes out, and SIGINT stops the loop cleanly."""
    lake = str(tmp_path / "lake")
    now = datetime.now(UTC)
    rej = {"source": "flow", "error": "MalformedPacket", "reason": "short", "raw": b"\x00"}
    ld.write(
        lake,
        {"rejects": [{**rej, "event_time": now - timedelta(minutes=1), "exporter": "10.1.1.1"}]},
    )
    config = tmp_path / "alerts.yaml"
    config.write_text(
        f"""
interval: 1m
receivers:
  - {{name: hook, kind: generic, url: "{receiver.url}", secret: "{SECRET}"}}
rules:
  - {{name: decode-errors, kind: collector_health}}
grouping: {{group_wait: 2s}}
"""
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from assurance.cli import main; main()",
            "alerts",
            "run",
            "--lake",
            lake,
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    try:
        started = time.monotonic()
        (got,) = receiver.wait_for(1, timeout=60)
        assert time.monotonic() - started >= 2  # not before the group wait
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr.decode()
    assert "1 firing" in stdout.decode()
    assert "stopped" in stderr.decode()
    assert got.json()["data"]["alerts"][0]["labels"]["exporter"] == "10.1.1.1"
    no_secret(stdout.decode() + stderr.decode())
