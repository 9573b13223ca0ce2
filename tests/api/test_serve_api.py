"""The API inside the long-running service and alone: ``wanassure serve --api`` answers on its
port with the tenant scope of the access file while the collectors run, and stops on SIGTERM;
``wanassure api`` refuses a taken port in one line."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml
from typer.testing import CliRunner

from assurance.cli import app
from tests.api.conftest import EAST

WANASSURE = str(Path(sys.executable).with_name("wanassure"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_with_api(
    tmp_path: Path, api_lake: str, access_file: Path, tokens: tuple[Path, dict[str, str]]
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(api_lake, lake)
    inventory = yaml.safe_load((lake / "_sim" / "inventory.yaml").read_text())
    for site in inventory["sites"]:
        for device in (*site.get("gateways", ()), *site.get("switches", ())):
            device.pop("telemetry", None)  # nothing to dial in this test
    config = tmp_path / "wanassure.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "lake": {"path": str(lake)},
                "collectors": {
                    "flow": {"listen": f"127.0.0.1:{free_port()}"},
                    "syslog": {"listen": f"127.0.0.1:{free_port()}"},
                },
                "inventory": inventory,
            }
        )
    )
    port = free_port()
    service = subprocess.Popen(
        [
            WANASSURE,
            "serve",
            "--config",
            str(config),
            "--http",
            f"127.0.0.1:{free_port()}",
            "--interval",
            "3600",
            "--duration",
            "120",
            "--api",
            f"127.0.0.1:{port}",
            "--api-tokens",
            str(tokens[0]),
            "--api-access",
            str(access_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        headers = {"Authorization": f"Bearer {tokens[1]['east-view']}"}
        deadline = time.monotonic() + 90
        got = None
        while time.monotonic() < deadline and service.poll() is None:
            try:
                got = httpx.get(f"http://127.0.0.1:{port}/api/v1/sites", headers=headers)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert got is not None, service.stderr.read() if service.stderr else ""
        assert got.status_code == 200, got.text
        assert sorted(s["name"] for s in got.json()["results"]) == sorted(EAST)
        unauthenticated = httpx.get(f"http://127.0.0.1:{port}/api/v1/incidents")
        assert unauthenticated.status_code == 401
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=60)
    assert service.returncode == 0, err
    assert "REST API on" in out and "every buffer flushed" in out


def test_api_on_a_taken_port_is_one_line(
    tmp_path: Path, api_lake: str, tokens: tuple[Path, dict[str, str]]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = CliRunner().invoke(
            app,
            [
                "api",
                "--lake",
                api_lake,
                "--tokens",
                str(tokens[0]),
                "--listen",
                f"127.0.0.1:{port}",
            ],
        )
    assert r.exit_code == 2, r.output
    assert f"127.0.0.1:{port}" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(app, ["api", "--tokens", str(tokens[0])])
    assert r.exit_code == 2 and "--config FILE or --lake DIR" in r.output
