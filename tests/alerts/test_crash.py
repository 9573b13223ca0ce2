"""SIGKILL mid-delivery and restart: the receiver sees every event, none under a new id, and a
repeat only under the id it already had (at-least-once with stable ids)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assurance.alerts.outbox import Outbox, outbox_path
from tests.alerts import lakedata as ld
from tests.alerts.conftest import SECRET
from tests.alerts.receiver import Receiver

EXPORTERS = 30
pytestmark = pytest.mark.slow


def cli(lake: str, config: Path, wait: float) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from assurance.cli import main; main()",
        "alerts",
        "run",
        "--lake",
        lake,
        "--config",
        str(config),
        "--once",
        "--at",
        ld.AT.isoformat(),
        "--wait",
        str(wait),
    ]


def test_sigkill_mid_delivery_then_restart(tmp_path: Path, receiver: Receiver) -> None:
    lake = str(tmp_path / "lake")
    rej = {"source": "syslog", "error": "MalformedLine", "reason": "no header", "raw": b"x"}
    ld.write(
        lake,
        {
            "rejects": [
                {**rej, "event_time": ld.minutes_before(1), "exporter": f"10.0.0.{i}"}
                for i in range(EXPORTERS)
            ]
        },
    )
    config = tmp_path / "alerts.yaml"
    config.write_text(
        f"""
receivers:
  - {{name: hook, kind: generic, url: "{receiver.url}", secret_env: CRASH_HOOK_SECRET}}
rules:
  - {{name: decode-errors, kind: collector_health, group_by: [alertname, exporter]}}
retry: {{concurrency: 1, base: 0.05, cap: 0.2, timeout: 5}}
"""
    )
    env = {**os.environ, "CRASH_HOOK_SECRET": SECRET}
    receiver.delay = 0.25  # a slow receiver: ~7.5 s for all 30 events
    first = subprocess.Popen(
        cli(lake, config, 0), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        receiver.wait_for(10, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert first.returncode == -signal.SIGKILL
    seen_before = len(receiver.requests)
    assert seen_before < EXPORTERS  # killed mid-way

    done = subprocess.run(cli(lake, config, 30), env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert b"0 events queued" in done.stdout  # the restart made nothing new

    with Outbox(outbox_path(lake)) as outbox:
        events = {e.event_id: e for e in outbox.events()}
    assert len(events) == EXPORTERS
    assert {e.state for e in events.values()} == {"delivered"}
    received = receiver.requests
    ids = {r.event_id for r in received}
    assert ids == set(events)  # every event arrived, and no id the outbox does not know
    assert set(receiver.accepted_ids()) == set(events)
    bodies: dict[str, bytes] = {}
    for r in received:
        assert bodies.setdefault(r.event_id, r.body) == r.body  # a repeat is the same bytes
    exporters = {json.loads(b)["data"]["group_labels"]["exporter"] for b in bodies.values()}
    assert exporters == {f"10.0.0.{i}" for i in range(EXPORTERS)}
    assert not receiver.bad_signatures
    assert SECRET not in done.stdout.decode() + done.stderr.decode()


def test_outbox_commit_survives_sigkill_right_after(tmp_path: Path) -> None:
    """A committed event is on disk: a child commits one and SIGKILLs itself at once."""
    path = tmp_path / "_state" / "alerts.sqlite"
    code = f"""
import os, signal, time
from assurance.alerts.outbox import Outbox
from tests.alerts.helpers import enqueue
box = Outbox({str(path)!r})
enqueue(box, "msg_kept", time.time())
os.kill(os.getpid(), signal.SIGKILL)
"""
    root = Path(__file__).parents[2]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with Outbox(path) as outbox:
        assert outbox.get("msg_kept").state == "pending"
