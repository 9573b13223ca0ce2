"""Flow ingest through inlet → NATS JetStream → outlet(s), beside the embedded collector.

The same fixed-seed SRX-like IPFIX capture as ``flow_ingest.py`` (20 fields, 20 records per
datagram) is replayed at a paced rate over loopback UDP, in one run, to:

- the embedded collector (``wanassure collect flow``), exactly as ``flow_ingest.py`` measures it;
- an inlet (``collect flow --inlet``) publishing to a real ``nats-server -js`` with one outlet
  (``wanassure outlet flow``), then with two outlets of one group sharing the stream.

A bus run counts as loss-free when every sent record is in the lake, the inlet's socket dropped
nothing, its queue never overflowed, and the outlets kept up: the last record reached the lake
within ``--max-lag`` seconds of the sender's end (a stream can buffer any rate for a while; what
is measured is the rate the outlets sustain). CPU seconds of the inlet, the server and the
outlets are read from /proc after start-up and before they stop, so the cost per record does not
depend on how loaded the machine is.

    .venv/bin/python benchmarks/bus_ingest.py --rates 25000,50000,100000 --seconds 10
"""

from __future__ import annotations

import argparse
import os
import re
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

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flow_ingest import (
    RECORDS_PER_DATAGRAM,
    capture,
    free_port,
    run_ours,
    send_paced,
    udp_drops,
)

WANASSURE = str(Path(sys.executable).with_name("wanassure"))
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class BusOutcome:
    outlets: int
    rate: int
    achieved: float
    seconds: float
    sent: int
    stored: int
    kernel_drops: int
    overflow: int
    lag_s: float
    cpu_inlet: float
    cpu_server: float
    cpu_outlets: float

    def loss_free(self, max_lag_s: float) -> bool:
        return (
            self.stored == self.sent
            and self.kernel_drops == 0
            and self.overflow == 0
            and self.lag_s <= max_lag_s
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def lake_rows(lake: Path) -> int:
    return sum(
        pq.ParquetFile(f).metadata.num_rows
        for f in (lake / "flows").rglob("*.parquet")
        if not f.name.startswith(".")
    )


def wait_port(port: int) -> None:
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nats-server did not listen on {port}")


def run_bus(
    capture_: list[bytes],
    rate: int,
    seconds: float,
    workdir: Path,
    outlets: int,
    max_wait: float,
    same_core: bool,
) -> BusOutcome:
    # With same_core, everything but the sender shares CPU 0, the embedded collector's budget.
    pin = (lambda: os.sched_setaffinity(0, {0})) if same_core else None
    nats_port, udp_port = free_port_tcp(), free_port()
    server = subprocess.Popen(
        ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(nats_port), "-sd", str(workdir / "js")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=pin,
    )
    wait_port(nats_port)
    bus = f"nats://127.0.0.1:{nats_port}"
    lake = workdir / "bus-lake"
    env = {**os.environ, "COLUMNS": "250"}
    inlet = subprocess.Popen(
        [WANASSURE, "collect", "flow", "--inlet", "--bus", bus, "--listen",
         f"127.0.0.1:{udp_port}", "--metrics", ""],
        stderr=subprocess.PIPE, text=True, env=env, preexec_fn=pin,
    )  # fmt: skip
    assert inlet.stderr is not None
    inlet.stderr.readline()
    procs = []
    for _ in range(outlets):
        p = subprocess.Popen(
            [WANASSURE, "outlet", "flow", "--bus", bus, "--lake", str(lake), "--chunk-seconds",
             "1", "--ack-wait-seconds", "60", "--metrics", ""],
            stderr=subprocess.PIPE, text=True, env=env, preexec_fn=pin,
        )  # fmt: skip
        assert p.stderr is not None
        p.stderr.readline()
        procs.append(p)
    # what starting up cost (imports, connecting) is not ingest
    base_in, base_srv = cpu_seconds(inlet.pid), cpu_seconds(server.pid)
    base_out = sum(cpu_seconds(p.pid) for p in procs)
    drops_before = udp_drops(udp_port)
    elapsed = Value("d", 0.0)
    sender = Process(target=send_paced, args=(capture_, udp_port, rate, seconds, elapsed))
    sender.start()
    sender.join()
    ended = time.monotonic()
    achieved = rate * seconds / elapsed.value
    sent = int(rate / RECORDS_PER_DATAGRAM * seconds) * RECORDS_PER_DATAGRAM
    stored, reached = 0, ended
    while time.monotonic() - ended < max_wait:
        now_rows = lake_rows(lake) if lake.exists() else 0
        if now_rows != stored:
            stored, reached = now_rows, time.monotonic()
        if stored >= sent:
            break
        time.sleep(0.2)
    drops = udp_drops(udp_port) - drops_before
    cpu_in = cpu_seconds(inlet.pid) - base_in
    cpu_srv = cpu_seconds(server.pid) - base_srv
    cpu_out = sum(cpu_seconds(p.pid) for p in procs) - base_out
    for p in procs:
        p.send_signal(signal.SIGINT)
    for p in procs:
        p.communicate(timeout=120)
    inlet.send_signal(signal.SIGINT)
    _, inlet_report = inlet.communicate(timeout=120)
    found = re.search(r"queue overflow ([\d,]+)", inlet_report)
    overflow = int(found.group(1).replace(",", "")) if found else -1
    server.terminate()
    server.wait(timeout=30)
    stored = lake_rows(lake) if lake.exists() else 0
    shutil.rmtree(lake, ignore_errors=True)
    shutil.rmtree(workdir / "js", ignore_errors=True)
    return BusOutcome(
        outlets, rate, achieved, seconds, sent, stored, drops, overflow, reached - ended,
        cpu_in, cpu_srv, cpu_out,
    )  # fmt: skip


def free_port_tcp() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="25000,50000,100000,200000")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--outlets", default="1,2")
    parser.add_argument("--max-lag", type=float, default=3.0, help="seconds (see above)")
    parser.add_argument("--no-embedded", action="store_true")
    parser.add_argument(
        "--same-core",
        action="store_true",
        help="pin inlet, nats-server and outlets to CPU 0 like the embedded collector",
    )
    args = parser.parse_args()
    if shutil.which("nats-server") is None:
        sys.exit("nats-server not found: run scripts/install-system-deps.sh (Debian nats-server)")
    rates = [int(r) for r in args.rates.split(",")]
    fleets = [int(n) for n in args.outlets.split(",")]
    capture_ = capture(20_000)
    print(f"capture: {len(capture_):,} IPFIX datagrams × {RECORDS_PER_DATAGRAM} records, 20 fields")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    where = "all on CPU 0" if args.same_core else "not pinned"
    print(f"embedded collector on CPU 0; bus processes {where}; sender on CPU 1")
    best: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bus-ingest-") as tmp:
        for rate in rates:
            if not args.no_embedded:
                o = run_ours(capture_, rate, args.seconds, Path(tmp))
                ok = o.loss_free and o.achieved >= 0.98 * rate
                print(
                    f"embedded      {rate:>9,} rec/s (achieved {o.achieved:,.0f}): "
                    f"sent {o.sent:,}, stored {o.stored:,}, kernel drops {o.kernel_drops:,} → "
                    f"{'loss-free' if ok else 'LOSS'}",
                    flush=True,
                )
                if ok:
                    best["embedded"] = max(best.get("embedded", 0), rate)
            for n in fleets:
                b = run_bus(
                    capture_, rate, args.seconds, Path(tmp), n, args.max_lag + 30, args.same_core
                )
                ok = b.loss_free(args.max_lag) and b.achieved >= 0.98 * rate
                per_rec = 1e6 / max(b.sent, 1)
                label = f"bus {n} outlet{'s' if n > 1 else ''}"
                print(
                    f"{label:13s} {rate:>9,} rec/s (achieved {b.achieved:,.0f}): sent {b.sent:,}, "
                    f"stored {b.stored:,}, lag {b.lag_s:.1f} s, kernel drops {b.kernel_drops:,}, "
                    f"overflow {b.overflow:,} → {'loss-free' if ok else 'LOSS or LAG'}; "
                    f"CPU s inlet {b.cpu_inlet:.1f} ({b.cpu_inlet * per_rec:.1f} µs/rec), "
                    f"nats-server {b.cpu_server:.1f} ({b.cpu_server * per_rec:.1f} µs/rec), "
                    f"outlets {b.cpu_outlets:.1f} ({b.cpu_outlets * per_rec:.1f} µs/rec)",
                    flush=True,
                )
                if ok:
                    best[label] = max(best.get(label, 0), rate)
    labels = ([] if args.no_embedded else ["embedded"]) + [
        f"bus {n} outlet{'s' if n > 1 else ''}" for n in fleets
    ]
    for label in labels:
        print(f"highest loss-free rate, {label}: {best.get(label, 0):,} records/s")


if __name__ == "__main__":
    main()
