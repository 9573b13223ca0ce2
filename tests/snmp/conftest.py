"""A real net-snmp ``snmpd`` per test session, on a high loopback port, with its own config.

snmpd serves the machine's own IF-MIB and, through ``pass_persist`` (``jnx_agent.py``), fixed
Juniper MIB objects. It has a v2c community and a v3 authPriv SHA/AES user created with
``createUser``; its persistent state lives in a temporary folder. Under ``CI=true`` a missing
net-snmp tool fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tools import require_tool

HERE = Path(__file__).parent
COMMUNITY = "wan-ro-community"
V3_USER = "wanassure"
V3_AUTH = "auth-pass-9f3c"
V3_PRIV = "priv-pass-41d7"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Snmpd:
    port: int
    community: str = COMMUNITY
    user: str = V3_USER
    auth_key: str = V3_AUTH
    priv_key: str = V3_PRIV


def snmpd_config(folder: Path) -> str:
    agent = f"{sys.executable} {HERE / 'jnx_agent.py'}"
    return "\n".join(
        [
            f"rocommunity {COMMUNITY} 127.0.0.1",
            f"createUser {V3_USER} SHA {V3_AUTH} AES {V3_PRIV}",
            f"rouser {V3_USER} priv",
            f"pass_persist .1.3.6.1.4.1.2636 {agent} .1.3.6.1.4.1.2636",
            f"pass_persist .1.3.6.1.2.1.80 {agent} .1.3.6.1.2.1.80",
            "",
        ]
    )


def wait_until_answering(port: int, deadline_s: float = 10.0) -> None:
    snmpget = require_tool("snmpget")
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        done = subprocess.run(
            [
                snmpget,
                "-v2c",
                "-c",
                COMMUNITY,
                "-t",
                "0.3",
                "-r",
                "0",
                "-On",
                f"127.0.0.1:{port}",
                ".1.3.6.1.4.1.2636.3.1.13.1.5.9.1.0.0",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "MIBS": ""},
            check=False,
        )
        if done.returncode == 0 and "Routing Engine" in done.stdout:
            return
        time.sleep(0.1)
    raise AssertionError(f"snmpd on port {port} did not answer within {deadline_s} s")


@pytest.fixture(scope="session")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    binary = require_tool("snmpd")
    folder = tmp_path_factory.mktemp("snmpd")
    (folder / "persist").mkdir()
    config = folder / "snmpd.conf"
    config.write_text(snmpd_config(folder))
    port = free_udp_port()
    env = {**os.environ, "SNMP_PERSISTENT_DIR": str(folder / "persist"), "MIBS": ""}
    log = (folder / "snmpd.log").open("w")
    process = subprocess.Popen(
        [
            binary,
            "-f",
            "-Lo",
            "-C",
            "-c",
            str(config),
            "-p",
            str(folder / "snmpd.pid"),
            f"udp:127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_until_answering(port)
        yield Snmpd(port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()
