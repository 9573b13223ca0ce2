"""Loss-free syslog ingest: TCP at a fixed rate, and the highest UDP rate that loses nothing.

SRX RT_FLOW_SESSION_CLOSE lines in Junos structured-data format (fixed seed, distinct sessions)
go from a sender process pinned to CPU 1 to ``wanassure collect syslog`` over loopback; the
collector may use every CPU (it receives, parses and writes Parquet in separate threads, or
with ``--decoders N`` parses and writes in N processes of its own), or only
``--collector-cpus`` (e.g. ``0`` for one core). Afterwards the rows in the lake are counted
exactly with DuckDB and compared with what was sent, and the collector's CPU time (user +
system of it and its decoder processes, from its exit status) gives lines per collector
CPU-second; the collector's last status line gives each decoder's CPU, the rest is the
receiving process. The sender's own CPU and the load average before and after are printed
too: on a shared machine they say how much of the two cores the collector could have had.
The TCP sender joins the framed lines once into one payload and sends big slices of it, so
it costs little (about 0.3 µs per line).

* TCP: the sender offers ``--tcp-rate`` lines/s for ``--seconds`` (octet-counted frames, or
  newline framing with ``--framing newline``) and then waits until the collector has read to
  the end of the stream. TCP never drops, so the figures are the rate the collector actually
  sustained (backpressure slows the sender when it cannot keep up) and count in = count out;
  "end to end" also counts the time the collector then needed to parse what it had queued and
  flush the lake.
* UDP: for each of ``--udp-rates`` the sender sends one line per datagram for
  ``--udp-seconds``; a rate is loss-free when every line is in the lake and the kernel dropped
  nothing (/proc/net/udp).

    .venv/bin/python benchmarks/syslog_ingest.py                    # TCP 100k/s × 60 s, UDP sweep
    .venv/bin/python benchmarks/syslog_ingest.py --seconds 60 --udp-rates '' --decoders 2
    .venv/bin/python benchmarks/syslog_ingest.py --tcp-rate 50000 --seconds 10 --udp-rates ''
"""

from __future__ import annotations

import argparse
import os
import resource
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
    out: Queue[tuple[int, float, float, float]],
) -> None:
    """Offer ``rate`` lines/s for ``seconds``; report (sent, send time, time until EOF, CPU).

    The framed lines are joined once into one payload (twice over, so that any run of lines
    is one slice of it); each step sends one big slice with ``sendall``, so the sender costs
    little CPU next to the collector."""
    _pin_sender()
    framed = [b"%d %s" % (len(m), m) if octet else m + b"\n" for m in lines]
    ends = np.zeros(2 * len(framed) + 1, np.int64)
    np.cumsum([len(f) for f in framed] * 2, out=ends[1:])
    payload = memoryview(b"".join(framed) * 2)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    total = int(rate * seconds)
    cpu0 = time.process_time()
    start = time.perf_counter()
    sent = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1, sent + len(framed))
        if due - sent >= min(256, total - sent):
            first = sent % len(framed)
            sock.sendall(payload[ends[first] : ends[first + due - sent]])  # blocks on backpressure
            sent = due
        else:
            time.sleep(0.002)
    send_s = time.perf_counter() - start
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(65536):  # the collector closes once it has read everything
        pass
    sock.close()
    out.put((sent, send_s, time.perf_counter() - start, time.process_time() - cpu0))


def send_udp(
    lines: list[bytes],
    port: int,
    rate: int,
    seconds: float,
    out: Queue[tuple[int, float, float, float]],
) -> None:
    _pin_sender()
    cpu0 = time.process_time()
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
    out.put((sent, time.perf_counter() - start, 0.0, time.process_time() - cpu0))


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


COLLECTOR_CPUS: set[int] | None = None  # None: every CPU


def _pin_collector() -> None:
    if COLLECTOR_CPUS is not None:
        os.sched_setaffinity(0, COLLECTOR_CPUS)


def children_cpu_s() -> float:
    """User + system CPU seconds of this process's children that have exited so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


DECODERS = 0  # --decoders of the collector


def start_collector(lake: Path, udp: str, tcp: str) -> subprocess.Popen[str]:
    cmd = [str(Path(sys.executable).with_name("wanassure")), "collect", "syslog"]
    cmd += ["--lake", str(lake), "--udp", udp, "--tcp", tcp, "--metrics", ""]
    cmd += ["--decoders", str(DECODERS)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, preexec_fn=_pin_collector)
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
    return time.perf_counter() - started, " ".join(lines[-3:])


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
    collector_cpu_s: float = 0.0
    sender_cpu_s: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)

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
    out: Queue[tuple[int, float, float, float]] = Queue()
    load_before = os.getloadavg()[0]
    sender = Process(target=send_tcp, args=(lines, port, rate, seconds, octet, out))
    sender.start()
    sent, send_s, read_s, sender_cpu = out.get()
    load_after = os.getloadavg()[0]
    sender.join()
    cpu_before = children_cpu_s()
    drain_s, last = stop_collector(proc)
    cpu = children_cpu_s() - cpu_before
    print(f"collector: {last}", flush=True)
    stored, sessions, rejects = count_lake(lake)
    shutil.rmtree(lake, ignore_errors=True)
    return Outcome(
        "tcp", rate, seconds, sent, send_s, read_s, stored, sessions, rejects, 0, drain_s, cpu,
        sender_cpu, (load_before, load_after),
    )  # fmt: skip


def run_udp(lines: list[bytes], rate: int, seconds: float, work: Path) -> Outcome:
    lake = work / "lake-udp"
    port = free_port(socket.SOCK_DGRAM)
    proc = start_collector(lake, f"127.0.0.1:{port}", "")
    drops_before = udp_drops(port)
    out: Queue[tuple[int, float, float, float]] = Queue()
    load_before = os.getloadavg()[0]
    sender = Process(target=send_udp, args=(lines, port, rate, seconds, out))
    sender.start()
    sent, send_s, _, sender_cpu = out.get()
    load_after = os.getloadavg()[0]
    sender.join()
    time.sleep(2.0)  # let the collector empty its socket before it closes
    drops = udp_drops(port) - drops_before
    cpu_before = children_cpu_s()
    drain_s, _ = stop_collector(proc)
    cpu = children_cpu_s() - cpu_before
    stored, sessions, rejects = count_lake(lake)
    shutil.rmtree(lake, ignore_errors=True)
    return Outcome(
        "udp", rate, seconds, sent, send_s, send_s, stored, sessions, rejects, drops, drain_s, cpu,
        sender_cpu, (load_before, load_after),
    )  # fmt: skip


def report(o: Outcome) -> None:
    achieved = o.sent / o.read_s if o.read_s else 0.0
    end_to_end = o.sent / (o.read_s + o.drain_s) if o.read_s else 0.0
    per_cpu = o.stored / o.collector_cpu_s if o.collector_cpu_s else 0.0
    verdict = "loss-free" if o.loss_free else f"LOSS {o.lost:,}"
    print(
        f"{o.transport} offered {o.offered:>7,} lines/s × {o.seconds:g} s: sent {o.sent:,} in "
        f"{o.send_s:.1f} s, read by {o.read_s:.1f} s ({achieved:,.0f} lines/s sustained, "
        f"{end_to_end:,.0f} lines/s end to end); "
        f"stored {o.stored:,} (sessions {o.sessions:,}, rejects {o.rejects:,}), "
        f"kernel drops {o.kernel_drops:,}, drain+flush {o.drain_s:.1f} s, collector CPU "
        f"{o.collector_cpu_s:.1f} s ({per_cpu:,.0f} lines per CPU-second), sender CPU "
        f"{o.sender_cpu_s:.1f} s, load average {o.load[0]:.2f} before / {o.load[1]:.2f} at "
        f"the end → {verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tcp-rate", type=int, default=100_000, help="lines/s offered on TCP")
    parser.add_argument("--seconds", type=float, default=60, help="TCP run length")
    parser.add_argument("--framing", choices=["octet", "newline"], default="octet")
    parser.add_argument("--udp-rates", default="10000,20000,40000,80000")
    parser.add_argument("--udp-seconds", type=float, default=10)
    parser.add_argument(
        "--collector-cpus", default="", help="CPUs the collector may use, e.g. '0' (default: all)"
    )
    parser.add_argument(
        "--decoders", type=int, default=0, help="the collector's --decoders (0: in-process)"
    )
    args = parser.parse_args()
    global COLLECTOR_CPUS, DECODERS
    DECODERS = args.decoders
    if args.collector_cpus:
        COLLECTOR_CPUS = {int(c) for c in args.collector_cpus.split(",")}
    lines = srx_lines(DISTINCT_LINES)
    size = sum(map(len, lines)) / len(lines)
    print(f"{len(lines):,} distinct RT_FLOW_SESSION_CLOSE lines, {size:,.0f} bytes on average")
    where = "all" if COLLECTOR_CPUS is None else ",".join(map(str, sorted(COLLECTOR_CPUS)))
    load = os.getloadavg()[0]
    print(
        f"cpus: sender on 1, collector on {where} (of {os.cpu_count()}), "
        f"{args.decoders} decoder processes; shared machine, "
        f"load average {load:.2f}",
        flush=True,
    )
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
