"""Benchmark: 10,000 alerts across 500 sites evaluated, grouped and delivered to a local receiver.

Usage::

    python benchmarks/alerts_deliver.py                   # 500 sites x 20 links, 3 repeats
    python benchmarks/alerts_deliver.py --sites 500 --per-site 20 --repeat 3 --concurrency 8

Each repeat runs in a fresh child process (so peak memory is that run's own) over a fresh lake
holding one link-down event per (site, gateway interface): ``sites x per_site`` alerts. The rule
groups by (alertname, site), so a run sends one notification per site to one generic receiver
(Standard Webhooks signed); a receiver in another process verifies every signature and counts
distinct event ids. Printed per repeat and as medians: wall time of the whole cycle (rule
evaluation over the lake, grouping into the SQLite outbox, HTTP delivery, lake mirror) and of
its phases, CPU seconds of the sending process, notifications accepted by the receiver, and the
peak resident memory of the sending process. The machine may be shared: the 1-minute load
average is printed before each run. Fixed data, fixed jitter seed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SECRET = "whsec_" + base64.b64encode(b"benchmark-key-0123456789abcdef!").decode()
AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def serve(port_out: Any, stop: Any, result: Any) -> None:
    """The receiver process: verify, count ids, answer 200."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    ids: set[str] = set()
    bad = 0
    requests = 0

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            nonlocal bad, requests
            body = self.rfile.read(int(self.headers["content-length"]))
            signed = f"{self.headers['webhook-id']}.{self.headers['webhook-timestamp']}.".encode()
            want = base64.b64encode(hmac.new(key, signed + body, hashlib.sha256).digest())
            requests += 1
            if self.headers["webhook-signature"] != "v1," + want.decode():
                bad += 1
            ids.add(self.headers["webhook-id"])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.timeout = 0.2
    while not stop.is_set():
        server.handle_request()
    result.put({"ids": len(ids), "requests": requests, "bad_signatures": bad})


def one_run(sites: int, per_site: int, concurrency: int) -> dict[str, Any]:
    import pyarrow as pa

    from assurance.alerts import AlertEngine, alerts_config_from_text
    from assurance.lake.writer import LakeWriter
    from assurance.tables import REGISTRY

    ctx = mp.get_context("spawn")
    port_q, result_q, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=serve, args=(port_q, stop, result_q), daemon=True)
    proc.start()
    port = port_q.get(timeout=30)
    with tempfile.TemporaryDirectory(prefix="alerts-bench-") as tmp:
        lake = str(Path(tmp) / "lake")
        spec = REGISTRY["device_events"]
        n = sites * per_site
        t = AT - timedelta(minutes=30)
        cols: dict[str, list[Any]] = {c.name: [None] * n for c in spec.columns}
        cols["event_time"] = [t] * n
        cols["received_at"] = [t] * n
        cols["exporter"] = [
            f"10.{i // 250}.{i % 250}.1" for i in range(sites) for _ in range(per_site)
        ]
        cols["device"] = [f"gw-{i:03d}" for i in range(sites) for _ in range(per_site)]
        cols["site"] = [f"br-{i:03d}" for i in range(sites) for _ in range(per_site)]
        cols["category"] = ["interface"] * n
        cols["event_type"] = ["SNMP_TRAP_LINK_DOWN"] * n
        cols["state"] = ["down"] * n
        cols["interface"] = [f"ge-0/0/{j}" for _ in range(sites) for j in range(per_site)]
        with LakeWriter(lake) as writer:
            writer.write("device_events", pa.Table.from_pydict(cols, schema=spec.schema))
        config = alerts_config_from_text(
            f"""
receivers:
  - {{name: hook, kind: generic, url: "http://127.0.0.1:{port}/hook", secret: "{SECRET}"}}
rules:
  - {{name: link-down, kind: link_down, for: 5m}}
retry: {{concurrency: {concurrency}}}
""",
            "bench.yaml",
        )
        import random

        cpu0 = time.process_time()
        t0 = time.perf_counter()
        with AlertEngine(lake, config, rng=random.Random(42)) as engine:
            found, failed = engine.evaluate(AT)
            t1 = time.perf_counter()
            grouping = engine.grouper.step(found, data_time=AT, now=time.time(), ignore_wait=True)
            t2 = time.perf_counter()
            delivery = engine.deliverer.drain(30)
            t3 = time.perf_counter()
            mirrored = engine.mirror()
            t4 = time.perf_counter()
        cpu = time.process_time() - cpu0
        assert not failed, failed
    stop.set()
    got = result_q.get(timeout=30)
    proc.join(10)
    return {
        "alerts": sum(len(v) for v in found.values()),
        "notifications": grouping.notifications,
        "delivered": delivery.delivered,
        "receiver_ids": got["ids"],
        "receiver_requests": got["requests"],
        "bad_signatures": got["bad_signatures"],
        "mirrored_rows": mirrored,
        "evaluate_s": t1 - t0,
        "group_s": t2 - t1,
        "deliver_s": t3 - t2,
        "mirror_s": t4 - t3,
        "total_s": t4 - t0,
        "cpu_s": cpu,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--per-site", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.sites, args.per_site, args.concurrency)))
        return
    runs = []
    for i in range(args.repeat):
        load = os.getloadavg()[0]
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                "--sites",
                str(args.sites),
                "--per-site",
                str(args.per_site),
                "--concurrency",
                str(args.concurrency),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        run = json.loads(child.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(
            f"run {i + 1} (load {load:.1f}): {run['alerts']:,} alerts -> {run['notifications']} "
            f"notifications, {run['receiver_ids']} accepted ids ({run['receiver_requests']} "
            f"requests, {run['bad_signatures']} bad signatures) in {run['total_s']:.2f} s "
            f"[evaluate {run['evaluate_s']:.2f}, group {run['group_s']:.2f}, deliver "
            f"{run['deliver_s']:.2f}, mirror {run['mirror_s']:.2f}], CPU {run['cpu_s']:.2f} s, "
            f"peak RSS {run['peak_rss_mib']:.0f} MiB"
        )
    med = {
        k: statistics.median(r[k] for r in runs)
        for k in (
            "total_s",
            "evaluate_s",
            "group_s",
            "deliver_s",
            "mirror_s",
            "cpu_s",
            "peak_rss_mib",
        )
    }
    print(
        f"median of {len(runs)}: {runs[0]['alerts']:,} alerts across {args.sites} sites -> "
        f"{runs[0]['notifications']} notifications sent in {med['total_s']:.2f} s "
        f"(evaluate {med['evaluate_s']:.2f}, group {med['group_s']:.2f}, deliver "
        f"{med['deliver_s']:.2f}, mirror {med['mirror_s']:.2f}); CPU {med['cpu_s']:.2f} s; "
        f"peak RSS {med['peak_rss_mib']:.0f} MiB; concurrency {args.concurrency}"
    )


if __name__ == "__main__":
    main()
