"""Syslog through inlet → JetStream → outlet with real processes and a real TCP sender: every
line lands in ``syslog_events`` once, even when the outlet crashes between publishing and
acknowledging. The expected lines are the ones the test sent."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from assurance.lake import connect
from tests.bus.conftest import Proc, bus_drained, free_port

TOTAL = 2000


def line(i: int) -> str:
    minute, second = divmod(i // 20, 60)
    return (
        f"<14>1 2026-06-01T00:{58 + minute:02d}:{second:02d}.{i % 1000:03d}Z gw{i % 7} RT_FLOW - "
        f"RT_FLOW_SESSION_CLOSE - session closed id={i}"
    )


def raws(lake: Path) -> list[str]:
    if not (lake / "syslog_events").exists():
        return []
    rows = connect(str(lake)).execute("SELECT raw FROM syslog_events").fetchall()
    return sorted(str(r[0]) for r in rows)


def send_tcp(port: int, lines: list[str]) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for start in range(0, len(lines), 100):
            sock.sendall("".join(x + "\n" for x in lines[start : start + 100]).encode())
            time.sleep(0.01)


def outlet(bus: str, lake: Path, crash: str = "") -> Proc:
    proc = Proc(
        ["outlet", "syslog", "--bus", bus, "--lake", str(lake), "--chunk-seconds", "0.3",
         "--ack-wait-seconds", "2", "--metrics", ""],
        env={"WANASSURE_BUS_CRASH": crash} if crash else None,
    )  # fmt: skip
    assert "consuming syslog" in proc.banner, proc.stop()
    return proc


def test_syslog_lines_land_once_through_a_crashing_outlet(nats_url: str, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    tcp = free_port()
    inlet = Proc(
        ["collect", "syslog", "--inlet", "--bus", nats_url, "--udp", "", "--tcp",
         f"127.0.0.1:{tcp}", "--metrics", ""]
    )  # fmt: skip
    assert f"tcp 127.0.0.1:{tcp}" in inlet.banner, inlet.stop()
    lines = [line(i) for i in range(TOTAL)]
    crashing = outlet(nats_url, lake, crash="after-publish")
    send_tcp(tcp, lines[: TOTAL // 2])
    assert crashing.proc.wait(timeout=30) == 70
    assert raws(lake), "the crashed chunk published nothing"
    send_tcp(tcp, lines[TOTAL // 2 :])
    restarted = outlet(nats_url, lake)
    deadline = time.monotonic() + 45
    while len(raws(lake)) < TOTAL and time.monotonic() < deadline:
        time.sleep(0.2)
    deadline = time.monotonic() + 45
    while not bus_drained(nats_url, "WANASSURE_SYSLOG") and time.monotonic() < deadline:
        time.sleep(0.2)  # until the crashed chunk's messages came back and were acknowledged
    report = restarted.stop()
    assert "done: " in inlet.stop()
    assert raws(lake) == sorted(lines)
    assert "duplicate rows skipped 0" not in report, report
