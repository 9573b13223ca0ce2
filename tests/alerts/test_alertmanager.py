"""A real Prometheus Alertmanager (Debian package) receives our alerts on /api/v2/alerts and
emits its own webhook, firing then resolved, which the test reads on a loopback receiver."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from assurance.alerts.config import alerts_config_from_text
from assurance.alerts.engine import AlertEngine
from tests.alerts import lakedata as ld
from tests.alerts.lakedata import origin
from tests.alerts.receiver import Receiver
from tests.tools import require_tool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    r = Receiver(secret=None).start()  # Alertmanager does not sign its webhooks
    yield r
    r.stop()


@pytest.fixture
def alertmanager(tmp_path: Path, webhook: Receiver) -> Iterator[str]:
    binary = require_tool("prometheus-alertmanager")
    port = free_port()
    config = tmp_path / "am.yml"
    config.write_text(
        f"""
route:
  receiver: ours
  group_by: [alertname, site]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: ours
    webhook_configs:
      - url: {webhook.url}
        send_resolved: true
"""
    )
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"alertmanager did not start: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def test_alertmanager_receives_and_notifies(
    tmp_path: Path, alertmanager: str, webhook: Receiver
) -> None:
    lake = str(tmp_path / "lake")
    ev = {"category": "interface", "event_type": "SNMP_TRAP_LINK_DOWN", "interface": "ge-0/0/1"}
    ld.write(
        lake,
        {
            "device_events": [
                {**origin(ld.minutes_before(20), "gw-000", "br-000"), **ev, "state": "down"}
            ]
        },
    )
    cfg = alerts_config_from_text(
        f"""
dashboard_url: http://dash.example:8501
receivers:
  - {{name: am, kind: alertmanager, url: "{alertmanager}"}}
rules:
  - {{name: wan-link-down, kind: link_down, severity: critical, for: 5m}}
grouping: {{group_wait: 0s, group_interval: 0s}}
""",
        "am-alerts.yaml",
    )
    with AlertEngine(lake, cfg, inventory=ld.inventory(1)) as engine:
        report = engine.cycle(ld.AT, ignore_wait=True, wait=10)
        assert report.delivery.delivered == 1, report
        (fired,) = webhook.wait_for(1, timeout=30)
        body = fired.json()
        assert body["version"] == "4"
        assert body["status"] == "firing"
        assert body["receiver"] == "ours"
        assert body["groupLabels"] == {"alertname": "wan-link-down", "site": "br-000"}
        (alert,) = body["alerts"]
        assert alert["labels"] == {
            "alertname": "wan-link-down",
            "site": "br-000",
            "device": "gw-000",
            "interface": "ge-0/0/1.0",
            "wan_link": "inet",
            "isp": "acme",
            "link_type": "broadband",
            "severity": "critical",
        }
        assert alert["annotations"]["summary"] == "WAN link inet (acme) on gw-000 at br-000 is down"
        assert alert["startsAt"].startswith("2026-11-20T10:40:00")
        assert alert["generatorURL"] == (
            "http://dash.example:8501/site?site=br-000&sle=wan_link_health"
            "&from=2026-11-20T10%3A40%3A00Z&to=2026-11-20T11%3A00%3A00Z"
        )

        # the link comes back: our resolved notification makes Alertmanager send "resolved"
        up = ld.AT + timedelta(minutes=1)
        ld.write(lake, {"device_events": [{**origin(up, "gw-000", "br-000"), **ev, "state": "up"}]})
        report = engine.cycle(ld.AT + timedelta(minutes=2), wait=10)
        assert (report.grouping.resolved, report.delivery.delivered) == (1, 1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            resolved = [r.json() for r in webhook.accepted if r.json()["status"] == "resolved"]
            if resolved:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("Alertmanager sent no resolved notification")
        (gone,) = resolved[0]["alerts"]
        assert gone["status"] == "resolved"
        assert gone["endsAt"].startswith("2026-11-20T11:02:00")
