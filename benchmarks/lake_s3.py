"""The lake on a local disk next to the same lake on S3 (a moto server on loopback).

Writes the same realistic flow rows (fixed seed, 4 hours) through ``LakeWriter`` to a temp folder
and to ``s3://bench/lake``, then on each: ``lake_info`` (every footer), a DuckDB aggregate over
all rows through the catalog views, and compaction of the hourly partitions. Prints wall and CPU
seconds of this process for each step, checks the query results are identical, and the CPU the
S3 server itself used. moto is an in-memory Python server, so the S3 wall times are an upper bound
set by the server, not by the client.

    .venv/bin/python benchmarks/lake_s3.py [--rows 2000000] [--flush-rows 250000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import pyarrow as pa

from assurance.lake import LakeStore, LakeWriter, connect
from assurance.lake.maintenance import compact, lake_info
from assurance.sim.synthetic_flows import Exporter, synthetic_flows

T = TypeVar("T")
QUERY = (
    "SELECT hour, site, count(*) AS flows, sum(bytes) AS bytes, count(DISTINCT src_addr) "
    "FROM flows GROUP BY ALL ORDER BY ALL"
)


def timed(label: str, step: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:<22} {wall:8.2f} s wall {cpu:8.2f} s CPU", flush=True)
    return result, wall, cpu


def server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    binary = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(endpoint, timeout=1)
            return proc, endpoint
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("moto_server did not start")


def run(lake: str, rows: pa.Table, flush_rows: int) -> list[tuple[object, ...]]:
    def write() -> None:
        with LakeWriter(lake, flush_rows=flush_rows) as writer:
            for batch in rows.to_batches(max_chunksize=10_000):
                writer.write("flows", batch)

    timed("write", write)
    store = LakeStore(lake)
    info, _, _ = timed("lake info", lambda: lake_info(store))
    flows = next(t for t in info if t.table == "flows")
    print(f"  {flows.files} files, {flows.rows:,} rows, {flows.bytes / 2**20:.1f} MiB")
    result, _, _ = timed("query (all rows)", lambda: connect(lake).execute(QUERY).fetchall())
    later = datetime.now(UTC) + timedelta(days=1)
    done, _, _ = timed("compact", lambda: compact(store, now=later))
    print(f"  compacted {done.files_in} files into {done.files_out}")
    again, _, _ = timed("query after compact", lambda: connect(lake).execute(QUERY).fetchall())
    assert again == result, "compaction changed the query result"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--flush-rows", type=int, default=250_000)
    args = parser.parse_args()

    exporters = [Exporter(f"10.{i}.0.1", f"srx-{i:03d}", f"site-{i:03d}") for i in range(50)]
    rows = synthetic_flows(
        args.rows,
        start=datetime(2026, 11, 27, 8, tzinfo=UTC),
        span_s=4 * 3600,
        exporters=exporters,
        seed=42,
    )
    print(f"{args.rows:,} flow rows over 4 hours, flushes of {args.flush_rows:,} rows")
    folder = tempfile.mkdtemp(prefix="lake-s3-bench-")
    proc, endpoint = start_moto()
    os.environ.update(
        WANASSURE_S3__ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench-secret",
    )
    try:
        httpx.put(f"{endpoint}/bench", timeout=10).raise_for_status()  # create the bucket
        print("local disk:")
        local = run(folder, rows, args.flush_rows)
        print(f"s3 ({endpoint}, moto):")
        before = server_cpu(proc.pid)
        remote = run("s3://bench/lake", rows, args.flush_rows)
        print(f"  S3 server CPU for all steps: {server_cpu(proc.pid) - before:.2f} s")
        assert remote == local, "S3 and local query results differ"
        print(f"identical query results on both: {len(local)} groups")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
