"""Benchmark: analyze a lake (anomalies → incidents → actions); wall time and peak memory.

Usage::

    # the target: 24 h x 500 sites (simulate, compute SLEs, then analyze)
    wanassure simulate --scenario data/samples/scenarios/bench-500.yaml --lake /tmp/bench-lake
    wanassure sle compute --lake /tmp/bench-lake
    python benchmarks/analysis_run.py --lake /tmp/bench-lake --repeat 3

Prints per repeat and as medians: the wall time of ``assurance.analysis.analyze`` over every SLE
minute of the lake (a full re-analysis, not the incremental default; inventory loading
excluded), the peak resident memory of this process and
its workers (sampled from /proc), the scored points and incidents written; and, when the lake
came from the simulator, how the incidents score against its ground truth.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from sle_compute import PeakRss  # type: ignore[import-not-found]

from assurance.analysis.evaluate import Report, score_lake
from assurance.analysis.pipeline import analyze, sle_range
from assurance.config.loader import load_inventory
from assurance.sim.truth import TRUTH_PATH


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True, type=Path)
    parser.add_argument("--inventory", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int)
    args = parser.parse_args()
    began = time.perf_counter()
    inventory_path = args.inventory or args.lake / "_sim" / "inventory.yaml"
    inventory = load_inventory(inventory_path)
    print(f"inventory: {len(inventory.sites)} sites in {time.perf_counter() - began:.1f} s")
    walls, peaks = [], []
    for n in range(args.repeat):
        load = os.getloadavg()[0]
        with PeakRss() as rss:
            t0 = time.perf_counter()
            found = sle_range(str(args.lake))
            first = found[0] if found else None  # everything, not only what is new
            summary = analyze(str(args.lake), inventory, first, workers=args.workers)
            wall = time.perf_counter() - t0
        walls.append(wall)
        peaks.append(rss.peak)
        print(
            f"run {n + 1}: {wall:.1f} s, peak {rss.peak / 2**30:.2f} GiB, "
            f"{summary.anomalies:,} scored points, {len(summary.incidents)} incidents, "
            f"{summary.actions} action states ({summary.start:%Y-%m-%d %H:%M} → "
            f"{summary.end:%Y-%m-%d %H:%M} UTC; load {load:.1f})"
        )
    print(
        f"median: {statistics.median(walls):.1f} s, peak {max(peaks) / 2**30:.2f} GiB over "
        f"{args.repeat} run(s)"
    )
    if (args.lake / TRUTH_PATH).is_file():
        report = Report()
        hours = (summary.end - summary.start).total_seconds() / 3600
        score_lake(args.lake, report, len(inventory.sites) * hours / 24)
        t = report.totals()
        print(
            f"vs ground truth: {t['faults']:.0f} faults, recall {t['recall']:.2f}, precision "
            f"{t['precision']:.2f}, median TTD {t['median_ttd_min']:.1f} min, top-1 "
            f"{t['top1']:.2f}, top-3 {t['top3']:.2f}, {report.false_incidents} false incidents "
            f"over {t['site_days']:.0f} site-days"
        )
        for line in report.misses[:20]:
            print("  " + line)


if __name__ == "__main__":
    main()
