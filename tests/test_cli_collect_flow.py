"""``wanassure collect flow`` as an operator runs it: a real process, real UDP, real /metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from assurance.lake import connect
from collectors.flow import IpfixEncoder

ROOT = Path(__file__).resolve().parents[1]
WANASSURE = Path(sys.executable).with_name("wanassure")


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_collect_flow_writes_the_lake_serves_metrics_and_stops_cleanly(tmp_path: Path) -> None:
    port, metrics_port = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        (ROOT / "data/samples/inventory.yaml").read_text().replace("10.20.12.1", "127.0.0.1")
    )
    proc = subprocess.Popen(
        [
            str(WANASSURE),
            "collect",
            "flow",
            "--lake",
            str(tmp_path / "lake"),
            "--listen",
            f"127.0.0.1:{port}",
            "--inventory",
            str(inventory),
            "--metrics",
            f"127.0.0.1:{metrics_port}",
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.stderr is not None
    banner = proc.stderr.readline()
    assert f"collecting jflow on udp 127.0.0.1:{port}" in banner
    encoder = IpfixEncoder(domain=3)
    encoder.define(
        256,
        [
            "sourceIPv4Address",
            "destinationIPv4Address",
            "octetDeltaCount",
            "packetDeltaCount",
            "flowEndMilliseconds",
        ],
    )
    records = [
        {
            "sourceIPv4Address": "10.1.0.5",
            "destinationIPv4Address": "52.112.0.1",
            "octetDeltaCount": 1500 + i,
            "packetDeltaCount": 2,
            "flowEndMilliseconds": 1_780_000_000_000,
        }
        for i in range(300)
    ]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in encoder.encode(256, records, export_time=1_780_000_000):
            sock.sendto(datagram, ("127.0.0.1", port))
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    deadline = time.monotonic() + 20
    metrics = ""
    while 'wanassure_flow_records_total{exporter="127.0.0.1"} 300.0' not in metrics:
        assert time.monotonic() < deadline, metrics
        time.sleep(0.1)
        metrics = urllib.request.urlopen(url, timeout=5).read().decode()
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert "done: 300 rows in 1 files; kernel drops 0" in rest
    con = connect(tmp_path / "lake")
    assert con.execute(
        "SELECT count(*), sum(bytes), any_value(site), any_value(device) FROM flows"
    ).fetchone() == (300, sum(1500 + i for i in range(300)), "br-nyc-012", "br-nyc-012-gw1")
    assert (tmp_path / "lake" / "_state" / f"flow-{port}.json").exists()


def test_collect_flow_on_a_busy_port_fails_clearly(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                str(WANASSURE),
                "collect",
                "flow",
                "--lake",
                str(tmp_path / "lake"),
                "--listen",
                f"127.0.0.1:{port}",
                "--metrics",
                "",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
