"""Loss-free syslog ingest: TCP at a fixed rate, and the highest UDP rate that loses nothing.

SRX RT_FLOW_SESSION_CLOSE lines in Junos structured-data format (fixed seed, distinct sessions)
go from a sender process pinned to CPU 1 to ``wanassure collect syslog`` pinned to CPU 0, over
loopback; afterwards the rows in the lake are counted exactly with DuckDB and compared with what
was sent.

* TCP: the sender offers ``--tcp-rate`` lines/s for ``--seconds`` (octet-counted frames, or
  newline framing with ``--framing newline``) and then waits until the collector has read to
  the end of the stream. TCP never drops, so the figures are the rate the collector actually
  sustained (backpressure slows the sender when it cannot keep up) and count in = count out.
* UDP: for each of ``--udp-rates`` the sender sends one line per datagram for
  ``--udp-seconds``; a rate is loss-free when every line is in the lake and the kernel dropped
  nothing (/proc/net/udp).

    .venv/bin/python benchmarks/syslog_ingest.py                    # TCP 100k/s × 60 s, UDP sweep
    .venv/bin/python benchmarks/syslog_ingest.py --tcp-rate 50000 --seconds 10 --udp-rates ''
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import Process, Queue
from pathlib import Path

import numpy as np

from assurance.sim.srx_syslog import session_close_lines

DISTINCT_LINES = 20_000
T0 = datetime(2026, 5, 28, 20, 0, 0, tzinfo=UTC)


def srx_lines(count: int, seed: int = 1) -> list[bytes]:
    """``count`` RT_FLOW_SESSION_CLOSE lines as an SRX sends them (about 1.3 KB each)."""
    first_ms = int(T0.timestamp() * 1000)
    return session_close_lines(
        np.random.default_rng(seed),
        count,
        hostname=None,
        first_ms=first_ms,
        last_ms=first_ms + 7 * count,
    )


# -- senders (run in their own process, pinned to CPU 1) ------------------------------------


def _pin_sender() -> None:
    os.sched_setaffinity(0, {1 % (os.cpu_count() or 1)})


def send_tcp(
    lines: list[bytes],
    port: int,
    rate: int,
    seconds: float,
    octet: bool,
    out: Queue[tuple[int, float, float]],
) -> None:
    """Offer ``rate`` lines/s for ``seconds``; report (sent, send time, time until EOF)."""
    _pin_sender()
    framed = [b"%d %s" % (len(m), m) if octet else m + b"\n" for m in lines]
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    total = int(rate * seconds)
    start = time.perf_counter()
    sent = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1)
        if due > sent:
            chunk = [framed[i % len(framed)] for i in range(sent, due)]
            sock.sendall(b"".join(chunk))  # blocks when the collector applies backpressure
            sent = due
        else:
            time.sleep(0.0005)
    send_s = time.perf_counter() - start
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(65536):  # the collector closes once it has read everything
        pass
    sock.close()
    out.put((sent, send_s, time.perf_counter() - start))


def send_udp(
    lines: list[bytes], port: int, rate: int, seconds: float, out: Queue[tuple[int, float, float]]
) -> None:
    _pin_sender()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 * 1024 * 1024)
    total = int(rate * seconds)
    start = time.perf_counter()
    sent = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1)
        while sent < due:
            sock.sendto(lines[sent % len(lines)], ("127.0.0.1", port))
            sent += 1
        time.sleep(0.0005)
    sock.close()
    out.put((sent, time.perf_counter() - start, 0.0))


# -- the collector -------------------------------------------------------------------------


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def udp_drops(port: int) -> int:
    hex_port = f":{port:04X}"
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[1].endswith(hex_port):
                    return int(fields[12])
    return 0


def start_collector(lake: Path, udp: str, tcp: str) -> subprocess.Popen[str]:
    cmd = [str(Path(sys.executable).with_name("wanassure")), "collect", "syslog"]
    cmd += ["--lake", str(lake), "--udp", udp, "--tcp", tcp, "--metrics", ""]
    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.sched_setaffinity(0, {0})
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # "collecting syslog on ..." once the sockets are bound
    if not first.startswith("collecting"):
        proc.kill()
        sys.exit(f"collector did not start: {first}{proc.stderr.read()}")
    return proc


def stop_collector(proc: subprocess.Popen[str]) -> tuple[float, str]:
    """SIGINT, wait; returns (seconds to drain and flush, the collector's last status line)."""
    started = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=600)
    lines = [line for line in err.splitlines() if line.strip()]
    return time.perf_counter() - started, lines[-1] if lines else ""


def count_lake(lake: Path) -> tuple[int, int, int]:
    """(syslog_events rows, sessions rows, rejects rows)."""
    from assurance.lake import connect

    con = connect(str(lake))
    counts = []
    for table in ("syslog_events", "sessions", "rejects"):
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        counts.append(int(row[0]) if row else 0)
    return counts[0], counts[1], counts[2]


@dataclass
class Outcome:
    transport: str
    offered: int
    seconds: float
    sent: int
    send_s: float
    read_s: float
    stored: int
    sessions: int
    rejects: int
    kernel_drops: int
    drain_s: float

    @property
    def lost(self) -> int:
        return self.sent - self.stored

    @property
    def loss_free(self) -> bool:
        return self.lost == 0 and self.kernel_drops == 0


def run_tcp(lines: list[bytes], rate: int, seconds: float, octet: bool, work: Path) -> Outcome:
    lake = work / "lake-tcp"
    port = free_port(socket.SOCK_STREAM)
    proc = start_collector(lake, "", f"127.0.0.1:{port}")
    out: Queue[tuple[int, float, float]] = Queue()
    sender = Process(target=send_tcp, args=(lines, port, rate, seconds, octet, out))
    sender.start()
    sent, send_s, read_s = out.get()
    sender.join()
    drain_s, _ = stop_collector(proc)
    stored, sessions, rejects = count_lake(lake)
    shutil.rmtree(lake, ignore_errors=True)
    return Outcome(
        "tcp", rate, seconds, sent, send_s, read_s, stored, sessions, rejects, 0, drain_s
    )


def run_udp(lines: list[bytes], rate: int, seconds: float, work: Path) -> Outcome:
    lake = work / "lake-udp"
    port = free_port(socket.SOCK_DGRAM)
    proc = start_collector(lake, f"127.0.0.1:{port}", "")
    drops_before = udp_drops(port)
    out: Queue[tuple[int, float, float]] = Queue()
    sender = Process(target=send_udp, args=(lines, port, rate, seconds, out))
    sender.start()
    sent, send_s, _ = out.get()
    sender.join()
    time.sleep(2.0)  # let the collector empty its socket before it closes
    drops = udp_drops(port) - drops_before
    drain_s, _ = stop_collector(proc)
    stored, sessions, rejects = count_lake(lake)
    shutil.rmtree(lake, ignore_errors=True)
    return Outcome(
        "udp", rate, seconds, sent, send_s, send_s, stored, sessions, rejects, drops, drain_s
    )


def report(o: Outcome) -> None:
    achieved = o.sent / o.read_s if o.read_s else 0.0
    verdict = "loss-free" if o.loss_free else f"LOSS {o.lost:,}"
    print(
        f"{o.transport} offered {o.offered:>7,} lines/s × {o.seconds:g} s: sent {o.sent:,} in "
        f"{o.send_s:.1f} s, read by {o.read_s:.1f} s ({achieved:,.0f} lines/s sustained); "
        f"stored {o.stored:,} (sessions {o.sessions:,}, rejects {o.rejects:,}), "
        f"kernel drops {o.kernel_drops:,}, drain+flush {o.drain_s:.1f} s → {verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tcp-rate", type=int, default=100_000, help="lines/s offered on TCP")
    parser.add_argument("--seconds", type=float, default=60, help="TCP run length")
    parser.add_argument("--framing", choices=["octet", "newline"], default="octet")
    parser.add_argument("--udp-rates", default="10000,20000,40000,80000")
    parser.add_argument("--udp-seconds", type=float, default=10)
    args = parser.parse_args()
    lines = srx_lines(DISTINCT_LINES)
    size = sum(map(len, lines)) / len(lines)
    print(f"{len(lines):,} distinct RT_FLOW_SESSION_CLOSE lines, {size:,.0f} bytes on average")
    print(f"cpus: sender on 1, collector on 0 (of {os.cpu_count()}); shared machine", flush=True)
    with tempfile.TemporaryDirectory(prefix="syslog-ingest-") as tmp:
        work = Path(tmp)
        if args.tcp_rate:
            report(run_tcp(lines, args.tcp_rate, args.seconds, args.framing == "octet", work))
        best = 0
        for rate in [int(r) for r in args.udp_rates.split(",") if r]:
            o = run_udp(lines, rate, args.udp_seconds, work)
            report(o)
            if o.loss_free:
                best = max(best, rate)
        if args.udp_rates:
            print(f"highest loss-free UDP rate: {best:,} lines/s")


if __name__ == "__main__":
    main()
