"""Sustained write throughput of the Parquet lake on one core.

Pre-generates flow-shaped rows (the ``flows`` schema, 33 columns, realistic cardinalities, fixed
seed), then streams them through ``LakeWriter`` in collector-sized batches with zstd, flushing
every 1,000,000 rows, pinned to one CPU. Prints rows/s per run, the median, and peak RSS.

    .venv/bin/python benchmarks/lake_write.py [--rows 5000000] [--batch 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime

import pyarrow as pa

from assurance.lake import LakeWriter
from assurance.sim.synthetic_flows import Exporter, synthetic_flows


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows written per run")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per write() call")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compression-level", type=int, default=None)
    args = parser.parse_args()

    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)

    exporters = [Exporter(f"10.{i}.0.1", f"srx-{i:03d}", f"site-{i:03d}") for i in range(50)]
    unique = min(args.rows, 1_000_000)
    rows = synthetic_flows(
        unique,
        start=datetime(2026, 11, 27, 9, tzinfo=UTC),
        span_s=3000,
        exporters=exporters,
        seed=42,
    )
    batches = rows.to_batches(max_chunksize=args.batch)
    input_rss = peak_rss_mib()
    print(
        f"input: {unique:,} distinct rows × {rows.num_columns} columns, "
        f"{rows.nbytes / unique:.0f} B/row in memory, batches of {args.batch:,}; one CPU"
    )

    rates = []
    for run in range(1, args.runs + 1):
        lake = tempfile.mkdtemp(prefix="lake-bench-")
        writer = LakeWriter(lake, flush_rows=1_000_000, compression_level=args.compression_level)
        written = 0
        wall, cpu = time.perf_counter(), time.process_time()
        while written < args.rows:
            for batch in batches:
                writer.write("flows", batch)
                written += batch.num_rows
                if written >= args.rows:
                    break
        writer.close()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        stats = writer.stats
        rates.append(written / wall)
        print(
            f"run {run}: {written / wall:>12,.0f} rows/s wall  {written / cpu:>12,.0f} rows/s CPU  "
            f"{stats.files} files, {stats.bytes / stats.rows:.1f} B/row on disk (zstd)"
        )
        shutil.rmtree(lake)
    print(f"median: {statistics.median(rates):,.0f} rows/s")
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB (of which {input_rss:,.0f} MiB before writing)")


if __name__ == "__main__":
    main()
