"""``wanassure serve`` end to end: the twin sends to it over loopback, it collects, computes
SLEs on its scheduler, answers /metrics and /healthz, and flushes everything when stopped."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from assurance.sim.scenario import load_scenario
from assurance.sim.world import World

ROOT = Path(__file__).parents[2]
WANASSURE = str(Path(sys.executable).with_name("wanassure"))


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scenario_now(tmp: Path) -> Path:
    """The small scenario, starting 20 minutes ago so that its data is "now" for the service."""
    doc = yaml.safe_load((ROOT / "data/samples/scenarios/small.yaml").read_text())
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)
    doc.update(start=start.isoformat().replace("+00:00", "Z"), hours=0.25, faults=[])
    path = tmp / "now.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def config(tmp: Path, scenario: Path, flow: int, syslog: int) -> Path:
    inventory = World(load_scenario(scenario)).inventory().model_dump(mode="json")
    for site in inventory["sites"]:
        for device in (*site["gateways"], *site["switches"]):
            device.pop("telemetry", None)  # nothing to dial in this test
    path = tmp / "wanassure.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "lake": {"path": str(tmp / "lake"), "flush_age_s": 1},
                "collectors": {
                    "flow": {"listen": f"127.0.0.1:{flow}"},
                    "syslog": {"listen": f"127.0.0.1:{syslog}"},
                },
                "inventory": inventory,
            }
        )
    )
    return path


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_collects_computes_and_stops_cleanly(tmp_path: Path) -> None:
    scenario = scenario_now(tmp_path)
    flow, syslog, http = free_port(socket.SOCK_DGRAM), free_port(), free_port()
    cfg = config(tmp_path, scenario, flow, syslog)
    service = subprocess.Popen(
        [
            WANASSURE,
            "serve",
            "--config",
            str(cfg),
            "--http",
            f"127.0.0.1:{http}",
            "--interval",
            "5",
            "--policy-mode",
            "off",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = get(f"http://127.0.0.1:{http}/healthz")
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("serve did not answer /healthz")
        sent = subprocess.run(
            [
                WANASSURE,
                "simulate",
                "--scenario",
                str(scenario),
                "--speed",
                "900",
                "--send",
                f"flow=127.0.0.1:{flow},syslog=127.0.0.1:{syslog}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert sent.returncode == 0, sent.stderr
        lake = tmp_path / "lake"
        deadline = time.monotonic() + 120
        health: dict[str, object] = {}
        while time.monotonic() < deadline:
            health = json.loads(get(f"http://127.0.0.1:{http}/healthz")[1])
            if health["last_cycle"] and list(lake.glob("sle_minutes/*/*/*.parquet")):
                break
            time.sleep(1)
        status, body = get(f"http://127.0.0.1:{http}/metrics")
        assert status == 200
        text = body.decode()
        assert 'wanassure_stage_runs_total{stage="sle"}' in text
        assert "flow" in text and "syslog" in text
        status, body = get(f"http://127.0.0.1:{http}/healthz")
        health = json.loads(body)
        assert status == 200, health
        assert health["ok"] and health["last_cycle"]
        assert health["collectors"] == ["FlowCollector", "SyslogCollector"]
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=60)
    assert service.returncode == 0, err
    assert "every buffer flushed" in out
    con = duckdb.connect()
    flows = con.execute(f"SELECT count(*) FROM '{lake}/flows/*/*/*.parquet'").fetchone()
    minutes = con.execute(f"SELECT count(*) FROM '{lake}/sle_minutes/*/*/*.parquet'").fetchone()
    assert flows is not None and flows[0] > 0
    assert minutes is not None and minutes[0] > 0


def test_bad_config_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("lake: {path: x}\ncollectors: {flow: {listen: nowhere}}\n")
    done = subprocess.run(
        [WANASSURE, "serve", "--config", str(bad), "--duration", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "bad.yaml" in done.stderr and "Traceback" not in done.stderr
