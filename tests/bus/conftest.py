"""A real ``nats-server`` with JetStream on loopback (temporary store), and the CLI processes
of inlets and outlets running against it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
WANASSURE = Path(sys.executable).with_name("wanassure")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bus_drained(url: str, stream: str = "WANASSURE_FLOW", durable: str = "outlet-lake") -> bool:
    """True when the outlets' consumer has nothing left: no message waiting, none unacknowledged
    (asked of the server itself)."""

    async def ask() -> bool:
        nc = await nats.connect(url)
        try:
            info = await nc.jetstream().consumer_info(stream, durable)
            return bool(info.num_pending == 0 and info.num_ack_pending == 0)
        finally:
            await nc.close()

    return asyncio.run(ask())


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """``nats://127.0.0.1:PORT`` of a JetStream-enabled nats-server with its own store dir."""
    binary = require_tool("nats-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(tmp_path / "jetstream")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"nats://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


#: Every process a test started, killed at teardown if the test left it running.
_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_leftover_processes() -> Iterator[None]:
    yield
    while _STARTED:
        proc = _STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


class Proc:
    """A ``wanassure`` process whose stderr is read line by line."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            [str(WANASSURE), *args],
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "COLUMNS": "250", **(env or {})},
        )
        _STARTED.append(self.proc)
        assert self.proc.stderr is not None
        self.banner = self.proc.stderr.readline()

    def stop(self, sig: int = signal.SIGINT, timeout_s: float = 60.0) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        _, rest = self.proc.communicate(timeout=timeout_s)
        return self.banner + rest

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


def start_inlet(bus: str, udp_port: int) -> Proc:
    inlet = Proc(
        ["collect", "flow", "--inlet", "--bus", bus, "--listen", f"127.0.0.1:{udp_port}",
         "--metrics", ""]
    )  # fmt: skip
    assert f"udp 127.0.0.1:{udp_port}" in inlet.banner, inlet.stop()
    return inlet


def start_outlet(
    bus: str, lake: Path, *, chunk_s: float = 0.3, ack_wait_s: float = 2.0, crash: str = ""
) -> Proc:
    outlet = Proc(
        ["outlet", "flow", "--bus", bus, "--lake", str(lake), "--chunk-seconds", str(chunk_s),
         "--ack-wait-seconds", str(ack_wait_s), "--metrics", ""],
        env={"WANASSURE_BUS_CRASH": crash} if crash else None,
    )  # fmt: skip
    assert "consuming flow" in outlet.banner, outlet.stop()
    return outlet
