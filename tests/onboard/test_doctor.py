"""``wanassure doctor`` on a lake the real collectors wrote from real sockets.

Four gateways and one outsider send over loopback, each from its own 127.0.0.x address, to the
real ``collect flow`` and ``collect syslog`` processes: one healthy, one whose IPFIX templates
never arrive, one with a clock ten minutes slow, one that sends nothing, and an exporter that is
not in the inventory. The doctor must name each problem on the right device and no other.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.flow import IpfixEncoder

ROOT = Path(__file__).resolve().parents[2]
WANASSURE = Path(sys.executable).with_name("wanassure")

INVENTORY = """
org: {name: doctor-lab}
sites:
  - name: br-lab-001
    gateways:
      - {name: gw-ok, model: SRX340, role: spoke, mgmt_ip: 127.0.0.2}
      - {name: gw-notemplate, model: SRX340, role: spoke, mgmt_ip: 127.0.0.3}
      - {name: gw-skewed, model: SRX340, role: spoke, mgmt_ip: 127.0.0.4}
      - {name: gw-silent, model: SRX340, role: spoke, mgmt_ip: 127.0.0.5}
"""
FIELDS = [
    "sourceIPv4Address",
    "destinationIPv4Address",
    "octetDeltaCount",
    "packetDeltaCount",
    "flowEndMilliseconds",
]


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [str(WANASSURE), *args],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.stderr is not None
    banner = proc.stderr.readline()
    assert "collecting" in banner or "listening" in banner or "syslog" in banner, banner
    return proc


def _metric(port: int, text: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    body = ""
    while text not in body:
        assert time.monotonic() < deadline, f"{text!r} never appeared in\n{body}"
        time.sleep(0.1)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest


def _records(now: datetime, n: int) -> list[dict[str, object]]:
    end_ms = int(now.timestamp() * 1000)
    return [
        {
            "sourceIPv4Address": "10.1.0.5",
            "destinationIPv4Address": "52.112.0.1",
            "octetDeltaCount": 1000 + i,
            "packetDeltaCount": 2,
            "flowEndMilliseconds": end_ms,
        }
        for i in range(n)
    ]


def _send_flows(source: str, port: int, datagrams: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        for d in datagrams:
            sock.sendto(d, ("127.0.0.1", port))


def _send_syslog(source: str, port: int, lines: list[str]) -> None:
    with socket.create_connection(("127.0.0.1", port), source_address=(source, 0)) as sock:
        sock.sendall("".join(f"{len(x.encode())} {x}" for x in lines).encode())


def _line(host: str, at: datetime, i: int) -> str:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        f"<14>1 {stamp} {host} RT_FLOW - RT_FLOW_SESSION_CLOSE "
        f'[junos@2636.1.1.1.2.135 reason="TCP FIN" source-address="10.1.0.{i}" '
        'source-port="5000" destination-address="52.112.0.1" destination-port="443" '
        'protocol-id="6" session-id-32="7"] session closed'
    )


@pytest.fixture(scope="module")
def doctor_lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    tmp = tmp_path_factory.mktemp("doctor")
    lake, inventory = tmp / "lake", tmp / "inventory.yaml"
    inventory.write_text(INVENTORY)
    flow_port, syslog_port = _free_port(socket.SOCK_DGRAM), _free_port(socket.SOCK_STREAM)
    flow_metrics, syslog_metrics = (_free_port(socket.SOCK_STREAM) for _ in range(2))
    flow = _start(
        ["collect", "flow", "--lake", str(lake), "--listen", f"127.0.0.1:{flow_port}",
         "--inventory", str(inventory), "--metrics", f"127.0.0.1:{flow_metrics}"]
    )  # fmt: skip
    syslog = _start(
        ["collect", "syslog", "--lake", str(lake), "--udp", "", "--tcp",
         f"127.0.0.1:{syslog_port}", "--inventory", str(inventory),
         "--metrics", f"127.0.0.1:{syslog_metrics}"]
    )  # fmt: skip
    try:
        now = datetime.now(UTC)
        export = int(now.timestamp())
        healthy = IpfixEncoder(domain=1)
        healthy.define(256, FIELDS)
        _send_flows(
            "127.0.0.2", flow_port, healthy.encode(256, _records(now, 50), export_time=export)
        )
        # Data sets only: the template datagram of this exporter is lost on the way.
        orphan = IpfixEncoder(domain=1)
        orphan.define(256, FIELDS)
        lost = orphan.encode(256, _records(now, 40), export_time=export, with_template=False)
        _send_flows("127.0.0.3", flow_port, lost)
        stranger = IpfixEncoder(domain=9)
        stranger.define(256, FIELDS)
        _send_flows(
            "127.0.0.9", flow_port, stranger.encode(256, _records(now, 5), export_time=export)
        )
        _send_syslog("127.0.0.2", syslog_port, [_line("gw-ok", now, i) for i in range(20)])
        slow = now - timedelta(minutes=10)
        _send_syslog("127.0.0.3", syslog_port, [_line("gw-notemplate", now, i) for i in range(5)])
        _send_syslog("127.0.0.4", syslog_port, [_line("gw-skewed", slow, i) for i in range(20)])
        _metric(flow_metrics, 'wanassure_flow_records_total{exporter="127.0.0.9"} 5.0')
        _metric(flow_metrics, 'wanassure_flow_records_total{exporter="127.0.0.2"} 50.0')
        _metric(flow_metrics, 'wanassure_flow_datagrams_total{exporter="127.0.0.3"}')
        _metric(
            syslog_metrics, 'wanassure_syslog_lines_total{sender="127.0.0.4",transport="tcp"} 20.0'
        )
    finally:
        _stop(flow)
        _stop(syslog)
    yield lake, inventory


def _doctor(lake: Path, inventory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WANASSURE), "doctor", "--lake", str(lake), "--inventory", str(inventory), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_doctor_names_each_problem_on_its_device(doctor_lake: tuple[Path, Path]) -> None:
    result = _doctor(*doctor_lake, "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    findings = {
        d["device"]: [(f["level"], f["problem"]) for f in d["findings"]] for d in report["devices"]
    }
    assert [lvl for lvl, _ in findings["gw-ok"]] in ([], ["warn"]), findings["gw-ok"]
    assert all("sampling rate unknown" in p for _, p in findings["gw-ok"])
    assert findings["gw-silent"] == [("fail", "nothing received in the last 60 min")]
    (templates,) = [p for _, p in findings["gw-notemplate"] if "templates never arrived" in p]
    assert "held and dropped" in templates
    assert not any("clock" in p for _, p in findings["gw-notemplate"])
    clock = [p for lvl, p in findings["gw-skewed"] if lvl == "fail" and "clock" in p]
    assert clock == ["clock 10 min behind the collector"], findings["gw-skewed"]
    assert not any("clock" in p for _, p in findings["gw-ok"])
    (unknown,) = report["unknown"]
    assert unknown["exporter"] == "127.0.0.9"
    assert unknown["rows"] == 5
    assert unknown["streams"] == ["flow"]


def test_doctor_prints_fixes_for_people(doctor_lake: tuple[Path, Path]) -> None:
    result = _doctor(*doctor_lake, "--collector", "192.0.2.50")
    assert result.returncode == 1
    text = result.stdout
    assert "Traceback" not in result.stderr
    assert "gw-silent: nothing received in the last 60 min" in text
    assert "--device gw-silent" in text and "reaches 192.0.2.50" in text
    assert "set system ntp server" in text
    assert "template-refresh-rate seconds 60" in text
    assert "127.0.0.9 is not in the inventory but sent 5 input(s) (flow)" in text


def test_doctor_without_an_inventory_says_how_to_give_one(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    result = subprocess.run(
        [str(WANASSURE), "doctor", "--lake", str(tmp_path / "lake")],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "WANASSURE_INVENTORY"},
    )
    assert result.returncode == 2
    assert "no inventory: give --inventory FILE" in result.stderr
    assert "Traceback" not in result.stderr
