"""Inlet → JetStream → outlet with real processes: crashes and takeovers lose and repeat nothing.

A real ``nats-server`` (JetStream, temporary store), ``wanassure collect flow --inlet`` and
``wanassure outlet flow`` processes, and a capture replayed over loopback UDP. The expected
records come from the generated capture (``capture.py``), never from a decoder's output.
"""

from __future__ import annotations

import re
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from assurance.lake import connect
from tests.bus.capture import FIELDS_V2, datagrams, expected, send
from tests.bus.conftest import (
    Proc,
    bus_drained,
    free_port,
    start_inlet,
    start_outlet,
    wait_for_port,
)
from tests.flow.wire import ipfix, options_template, set_
from tests.tools import require_tool


def lake_records(lake: Path) -> list[tuple[str, int, int, int]]:
    if not (lake / "flows").exists():
        return []
    rows = (
        connect(str(lake))
        .execute("SELECT src_addr, src_port, bytes, packets FROM flows")
        .fetchall()
    )
    return sorted((str(a), int(p), int(b), int(k)) for a, p, b, k in rows)


def rejects(lake: Path) -> int:
    if not (lake / "rejects").exists():
        return 0
    row = connect(str(lake)).execute("SELECT count(*) FROM rejects").fetchone()
    assert row is not None
    return int(row[0])


def wait_until(what: str, check: Callable[[], bool], timeout_s: float = 45.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def skipped(stderr: str) -> int:
    found = re.search(r"duplicate rows skipped ([\d,]+)", stderr)
    assert found, stderr
    return int(found.group(1).replace(",", ""))


def test_an_outlet_crashing_between_publishing_and_acknowledging_repeats_nothing(
    nats_url: str, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    udp = free_port(socket.SOCK_DGRAM)
    inlet = start_inlet(nats_url, udp)
    total = 3000
    first_half = datagrams(0, total // 2, with_template=True)
    second_half = datagrams(total // 2, total - total // 2, with_template=False)
    # Exits right after its first chunk's lake files are published, before any ack: every
    # message of that chunk comes back, and its rows are already in the lake.
    outlet = start_outlet(nats_url, lake, crash="after-publish")
    send(udp, first_half)
    outlet.proc.wait(timeout=30)
    assert outlet.proc.returncode == 70
    assert lake_records(lake), "the crashed chunk published nothing"
    send(udp, second_half)
    restarted = start_outlet(nats_url, lake)
    wait_until("every record", lambda: len(lake_records(lake)) >= total)
    wait_until("nothing left unacknowledged", lambda: bus_drained(nats_url))
    report = restarted.stop()
    inlet_report = inlet.stop()
    assert "queue overflow 0, abandoned 0" in inlet_report, inlet_report
    assert lake_records(lake) == expected(0, total)
    assert rejects(lake) == 0
    assert skipped(report) > 0, report  # the published chunk's rows came back and were dropped


def sampling_options(domain: int = 7) -> bytes:
    """An IPFIX options message (RFC 7011 §3.4.2.2, RFC 5477 selector elements): selector 9
    selects 1 packet and skips 99, i.e. 1-in-100 sampling for the exporter's domain."""
    options = options_template(402, [(302, 4)], [(304, 2), (305, 4), (306, 4)])
    record = struct.pack(">IHII", 9, 1, 1, 99)
    return ipfix([set_(3, options), set_(402, record)], domain=domain, export=1_780_275_600)


def scaled(lake: Path) -> list[tuple[int, int]]:
    """Distinct (sampling rate, bytes_scaled - bytes × 100) of the lake's flows."""
    sql = "SELECT DISTINCT sampling_rate, bytes_scaled::BIGINT - bytes::BIGINT * 100 FROM flows"
    return [(int(r), int(d)) for r, d in connect(str(lake)).execute(sql).fetchall()]


def test_a_second_outlet_takes_over_an_exporter_without_a_template_refresh(
    nats_url: str, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    udp = free_port(socket.SOCK_DGRAM)
    inlet = start_inlet(nats_url, udp)
    first = start_outlet(nats_url, lake)
    template, *data = datagrams(0, 400, with_template=True)
    send(udp, [template, sampling_options(), *data])
    wait_until("the first outlet's records", lambda: len(lake_records(lake)) == 400)
    first.stop()
    # The exporter sends data only (its next template refresh is far away); a new outlet that
    # never saw the template nor the sampling options decodes it from the shared bucket.
    send(udp, datagrams(400, 600, with_template=False))
    second = start_outlet(nats_url, lake)
    wait_until("the second outlet's records", lambda: len(lake_records(lake)) >= 1000)
    second.stop()
    inlet.stop()
    assert lake_records(lake) == expected(0, 1000)
    assert rejects(lake) == 0
    assert scaled(lake) == [(100, 0)]  # every record scaled by the 1-in-100 sampling


def test_an_outlet_killed_mid_capture_and_restarted_beside_another_loses_nothing(
    nats_url: str, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    udp = free_port(socket.SOCK_DGRAM)
    inlet = start_inlet(nats_url, udp)
    a, b = start_outlet(nats_url, lake), start_outlet(nats_url, lake)
    total = 4000
    capture = datagrams(0, total, with_template=True)
    send(udp, capture[: len(capture) // 3])
    wait_until("some records", lambda: len(lake_records(lake)) > 0)
    send(udp, capture[len(capture) // 3 : 2 * len(capture) // 3], per_second=4000)
    a.kill()  # SIGKILL mid-capture: what it held is redelivered after the ack wait
    send(udp, capture[2 * len(capture) // 3 :])
    a = start_outlet(nats_url, lake)  # and it comes back
    wait_until("every record", lambda: len(lake_records(lake)) >= total)
    wait_until("nothing left unacknowledged", lambda: bus_drained(nats_url))
    reports = a.stop() + b.stop()
    assert "queue overflow 0, abandoned 0" in inlet.stop()
    assert lake_records(lake) == expected(0, total), reports
    assert rejects(lake) == 0


def test_an_outlet_reports_a_bad_or_unreachable_bus_in_one_line(tmp_path: Path) -> None:
    bad_bus = Proc(["outlet", "flow", "--bus", "http://x", "--lake", str(tmp_path / "l")])
    assert bad_bus.proc.wait(timeout=30) == 2
    assert "expected nats://host:port" in bad_bus.stop()
    down = Proc(["outlet", "flow", "--bus", f"nats://127.0.0.1:{free_port()}", "--lake",
                 str(tmp_path / "l")])  # fmt: skip
    assert down.proc.wait(timeout=60) == 2
    assert "cannot reach the bus" in down.stop()


def test_a_template_redefined_at_one_outlet_reaches_the_others(
    nats_url: str, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    udp = free_port(socket.SOCK_DGRAM)
    inlet = start_inlet(nats_url, udp)
    a, b = start_outlet(nats_url, lake), start_outlet(nats_url, lake)

    def only(live: Proc, paused: Proc, messages: list[bytes], records: int) -> None:
        """Send while ``paused`` is stopped (its pull requests expire first), so ``live``
        takes every message."""
        paused.proc.send_signal(signal.SIGSTOP)
        time.sleep(1.5)
        send(udp, messages)
        if records:
            wait_until(f"{records} records", lambda: len(lake_records(lake)) == records)
        else:
            time.sleep(1.5)
        paused.proc.send_signal(signal.SIGCONT)

    template, *data = datagrams(0, 1000, with_template=True)
    only(a, b, [template, *data[:25]], 500)  # a learns the template from the wire
    only(b, a, data[25:], 1000)  # b learns it from the bucket
    # The exporter restarts with template 256 redefined (one more element); only a sees it.
    template, *data = datagrams(1000, 1000, with_template=True, fields=FIELDS_V2)
    only(a, b, [template], 0)
    only(b, a, data, 2000)  # b decodes with the new layout without having seen it
    a.stop()
    b.stop()
    inlet.stop()
    assert lake_records(lake) == expected(0, 2000)
    assert rejects(lake) == 0
    tos = connect(str(lake)).execute("SELECT count(*) FROM flows WHERE tos = 184").fetchone()
    assert tos == (1000,)


def test_a_nats_server_restart_mid_capture_loses_and_repeats_nothing(tmp_path: Path) -> None:
    binary = require_tool("nats-server")
    port = free_port()
    args = [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(tmp_path / "js")]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        bus = f"nats://127.0.0.1:{port}"
        lake = tmp_path / "lake"
        udp = free_port(socket.SOCK_DGRAM)
        inlet = start_inlet(bus, udp)
        outlet = start_outlet(bus, lake)
        total = 3000
        capture = datagrams(0, total, with_template=True)
        send(udp, capture[: len(capture) // 2])
        wait_until("some records", lambda: len(lake_records(lake)) > 0)
        server.terminate()  # the file store keeps the stream, the consumer and the buckets
        server.wait(timeout=30)
        send(udp, capture[len(capture) // 2 :])  # the inlet queues and retries meanwhile
        server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(port)
        wait_until("every record", lambda: len(lake_records(lake)) >= total, timeout_s=90)
        wait_until("nothing left unacknowledged", lambda: bus_drained(bus))
        outlet.stop()
        inlet_report = inlet.stop()
        assert "queue overflow 0, abandoned 0" in inlet_report, inlet_report
        assert lake_records(lake) == expected(0, total)
        assert rejects(lake) == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
