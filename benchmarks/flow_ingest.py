"""Loss-free ingest rate of the flow collector over loopback UDP, beside nfdump's nfcapd.

A sender process replays pre-encoded SRX-like IPFIX datagrams (20 fields, 20 records each,
fixed seed) at a paced rate to a collector process; afterwards the records that reached storage
are counted exactly (our lake via DuckDB; nfcapd's files via ``nfdump -I``) and compared with what
was sent. Kernel drops are read from /proc/net/udp for the collector's socket.

    .venv/bin/python benchmarks/flow_ingest.py --rates 100000,200000,400000 --seconds 10
    .venv/bin/python benchmarks/flow_ingest.py --rates 200000 --seconds 60 --peers ours

A run counts as loss-free when every sent record is stored and the kernel dropped nothing; a
rate counts only if the sender really achieved it (within 2 %), since one Python sender core
caps what can be offered.
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
from multiprocessing import Process, Value
from pathlib import Path
from typing import Any

import numpy as np

from assurance.sim.jflow import SRX_IPV4_FIELDS, srx_ipv4_columns
from collectors.flow import IpfixEncoder

RECORDS_PER_DATAGRAM = 20  # 73-octet records in a 1500-octet MTU, as an SRX sends them
EXPORT_TIME = 1_780_000_000


def capture(datagrams: int, seed: int = 1) -> list[bytes]:
    """A template message followed by ``datagrams`` data messages."""
    rng = np.random.default_rng(seed)
    end_ms = EXPORT_TIME * 1000
    columns = srx_ipv4_columns(
        rng, datagrams * RECORDS_PER_DATAGRAM, first_end_ms=end_ms - 60_000, last_end_ms=end_ms
    )
    encoder = IpfixEncoder(domain=0, mtu=1500)
    encoder.define(256, SRX_IPV4_FIELDS)
    template = encoder.template_datagram(export_time=EXPORT_TIME)
    data = encoder.encode(
        256,
        columns,
        export_time=EXPORT_TIME,
        max_records=RECORDS_PER_DATAGRAM,
        with_template=False,
    )
    assert len(data) == datagrams, "records per datagram differ from RECORDS_PER_DATAGRAM"
    return [template, *data]


def send_paced(
    datagrams: list[bytes], port: int, rate_records: int, seconds: float, elapsed: Any
) -> None:
    """Send the capture in a loop at ``rate_records`` records/s for ``seconds`` (one CPU);
    the time the sending really took goes to ``elapsed`` (a shared double)."""
    os.sched_setaffinity(0, {1 % os.cpu_count()})  # type: ignore[operator]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 * 1024 * 1024)
    per_second = rate_records / RECORDS_PER_DATAGRAM
    total = int(per_second * seconds)
    template, data = datagrams[0], datagrams[1:]
    sock.sendto(template, ("127.0.0.1", port))
    start = time.perf_counter()
    sent = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * per_second) + 1)
        while sent < due:
            sock.sendto(data[sent % len(data)], ("127.0.0.1", port))
            sent += 1
        time.sleep(0.0005)
    elapsed.value = time.perf_counter() - start
    sock.close()


@dataclass
class Outcome:
    peer: str
    rate: int
    achieved: float
    seconds: float
    sent: int
    stored: int
    kernel_drops: int

    @property
    def loss_free(self) -> bool:
        return self.stored == self.sent and self.kernel_drops == 0


def udp_drops(port: int) -> int:
    hex_port = f":{port:04X}"
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[1].endswith(hex_port):
                    return int(fields[12])
    return 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_ours(capture_: list[bytes], rate: int, seconds: float, workdir: Path) -> Outcome:
    from assurance.lake import connect

    port = free_port()
    lake = workdir / "lake"
    cmd = [
        str(Path(sys.executable).with_name("wanassure")),
        "collect",
        "flow",
        "--lake",
        str(lake),
        "--listen",
        f"127.0.0.1:{port}",
        "--metrics",
        "",
    ]
    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.sched_setaffinity(0, {0})
    )
    assert proc.stderr is not None
    proc.stderr.readline()  # "collecting jflow on ..." once the socket is bound
    drops_before = udp_drops(port)
    elapsed = Value("d", 0.0)
    sender = Process(target=send_paced, args=(capture_, port, rate, seconds, elapsed))
    sender.start()
    sender.join()
    achieved = rate * seconds / elapsed.value
    time.sleep(1.0)  # let the collector drain its queue before the socket closes
    drops = udp_drops(port) - drops_before
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    con = connect(lake)
    stored = con.execute("SELECT count(*) FROM flows").fetchone()[0]
    rejects = con.execute("SELECT count(*), any_value(reason) FROM rejects").fetchone()
    if rejects[0]:
        print(f"  rejects: {rejects[0]} (e.g. {rejects[1]})")
    sent = int(rate / RECORDS_PER_DATAGRAM * seconds) * RECORDS_PER_DATAGRAM
    shutil.rmtree(lake, ignore_errors=True)
    return Outcome("ours", rate, achieved, seconds, sent, stored, drops)


def run_nfcapd(capture_: list[bytes], rate: int, seconds: float, workdir: Path) -> Outcome:
    port = free_port()
    out = workdir / "nfcapd"
    out.mkdir()
    proc = subprocess.Popen(
        ["nfcapd", "-b", "127.0.0.1", "-p", str(port), "-w", str(out), "-B", str(64 * 1024 * 1024)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.sched_setaffinity(0, {0}),
    )
    time.sleep(1.0)
    drops_before = udp_drops(port)
    elapsed = Value("d", 0.0)
    sender = Process(target=send_paced, args=(capture_, port, rate, seconds, elapsed))
    sender.start()
    sender.join()
    achieved = rate * seconds / elapsed.value
    time.sleep(1.0)
    drops = udp_drops(port) - drops_before
    proc.terminate()
    proc.wait(timeout=60)
    # nfcapd's own statistics of the records it stored (summed over its files).
    stats = subprocess.run(["nfdump", "-R", str(out), "-I"], capture_output=True, text=True)
    lines = stats.stdout.splitlines()
    stored = sum(int(line.split(":", 1)[1]) for line in lines if line.startswith("Flows:"))
    sent = int(rate / RECORDS_PER_DATAGRAM * seconds) * RECORDS_PER_DATAGRAM
    shutil.rmtree(out, ignore_errors=True)
    return Outcome("nfcapd", rate, achieved, seconds, sent, stored, drops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50000,100000,200000,400000,800000")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--peers", default="ours,nfcapd")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    peers = args.peers.split(",")
    if "nfcapd" in peers and shutil.which("nfcapd") is None:
        sys.exit("nfcapd not found: run scripts/install-system-deps.sh (Debian package nfdump)")
    capture_ = capture(20_000)
    print(f"capture: {len(capture_):,} IPFIX datagrams × {RECORDS_PER_DATAGRAM} records, 20 fields")
    best: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="flow-ingest-") as tmp:
        for rate in rates:
            for peer in peers:
                runner = run_ours if peer == "ours" else run_nfcapd
                o = runner(capture_, rate, args.seconds, Path(tmp))
                verdict = "loss-free" if o.loss_free else "LOSS"
                print(
                    f"{o.peer:7s} {o.rate:>9,} rec/s (achieved {o.achieved:,.0f}) "
                    f"× {o.seconds:g} s: sent {o.sent:,}, "
                    f"stored {o.stored:,}, kernel drops {o.kernel_drops:,} → {verdict}",
                    flush=True,
                )
                if o.loss_free and o.achieved >= 0.98 * rate:
                    best[peer] = max(best.get(peer, 0), rate)
    for peer in peers:
        print(f"highest loss-free rate, {peer}: {best.get(peer, 0):,} records/s")
    if "ours" in best and "nfcapd" in best and best["nfcapd"]:
        print(f"ratio ours / nfcapd: {best['ours'] / best['nfcapd']:.2f}")


if __name__ == "__main__":
    main()
