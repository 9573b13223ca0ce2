"""``wanassure collect jti`` end to end: a device process, gRPC and native UDP, a real lake."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import typer
from typer.testing import CliRunner

from assurance.cli.collect_telemetry import register
from assurance.lake import connect
from assurance.sim.jti_render import native_stream
from assurance.sim.jti_scenario import branch_gateway
from tests.jti.helpers import free_port

INVENTORY = """
org: {{name: lab}}
sites:
  - name: lab-site
    gateways:
      - name: sim-gw0000
        model: vSRX
        role: spoke
        mgmt_ip: 127.0.0.1
        telemetry:
          jti:
            port: {port}
            username_env: TEST_JTI_USER
            password_env: TEST_JTI_PASSWORD
            sensors:
              - {{path: /interfaces/, frequency_ms: 200}}
              - {{path: /junos/rpm/probe-results/, frequency_ms: 0}}
      - name: udp-gw
        model: vSRX
        role: spoke
        mgmt_ip: 127.0.0.2
"""


def collect_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def collect() -> None:
        """Like ``wanassure collect``."""

    register(app)
    return app


def send_native(port: int, delay_s: float) -> None:
    time.sleep(delay_s)
    device = branch_gateway("udp-gw", 2, epoch_ms=1_780_000_000_000, interfaces=1)
    device.interfaces[0].in_bps = 8_000_000
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.2", 0))
        for seq, t_ms in enumerate((1_780_000_010_000, 1_780_000_020_000)):
            stream = native_stream(device, "/junos/system/linecard/interface/", t_ms, seq)
            sock.sendto(stream.SerializeToString(), ("127.0.0.1", port))
        sock.sendto(b"\xff not protobuf", ("127.0.0.1", port))


def test_collect_jti_writes_grpc_and_udp_telemetry_to_the_lake(tmp_path: Path) -> None:
    port, udp_port = free_port(), free_port()
    targets = tmp_path / "targets.yaml"
    targets.write_text(INVENTORY.format(port=port))
    env = {**os.environ, "SIM_PASSWORD": "pw"}
    device = subprocess.Popen(
        [sys.executable, "-m", "assurance.sim.jti_server", "--port", str(port),
         "--interfaces", "2", "--username", "lab", "--password-env", "SIM_PASSWORD"],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert device.stdout is not None
        assert "listening sim-gw0000" in device.stdout.readline()
        assert device.stdout.readline().strip() == "ready"
        sender = threading.Thread(target=send_native, args=(udp_port, 0.8))
        sender.start()
        result = CliRunner().invoke(
            collect_app(),
            ["jti", "--targets", str(targets), "--lake", str(tmp_path / "lake"),
             "--udp", f"127.0.0.1:{udp_port}", "--metrics", "", "--duration", "2"],
            env={"TEST_JTI_USER": "lab", "TEST_JTI_PASSWORD": "pw"},
        )  # fmt: skip
        sender.join()
    finally:
        device.kill()
        device.wait()
    assert result.exit_code == 0, result.output
    assert "streaming telemetry from 1 device session(s)" in result.output
    con = connect(tmp_path / "lake")
    by_source = dict(
        con.sql(
            "SELECT source, count(DISTINCT device) FROM interface_stats GROUP BY source"
        ).fetchall()
    )
    assert by_source == {"jti-grpc": 1, "jti-udp": 1}
    rate = con.sql(
        "SELECT in_bps FROM interface_stats WHERE device = 'udp-gw' AND in_bps IS NOT NULL"
    ).fetchall()
    assert rate == [(8_000_000.0,)]  # 10 MB in 10 s between the two datagrams
    [(probes,)] = con.sql(
        "SELECT count(DISTINCT probe) FROM sla_metrics WHERE device = 'sim-gw0000'"
    ).fetchall()
    assert probes == 2
    [(source, raw)] = con.sql("SELECT source, raw FROM rejects").fetchall()
    assert (source, raw) == ("jti", b"\xff not protobuf")


def test_missing_secret_is_a_clear_error(tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(INVENTORY.format(port=32767))
    result = CliRunner().invoke(
        collect_app(),
        ["jti", "--targets", str(targets), "--lake", str(tmp_path / "lake"), "--metrics", ""],
        env={"TEST_JTI_USER": "lab", "TEST_JTI_PASSWORD": None},
    )
    assert result.exit_code == 2
    assert "sim-gw0000: telemetry.jti.password_env: $TEST_JTI_PASSWORD is not set" in (
        " ".join(result.output.split())
    )
