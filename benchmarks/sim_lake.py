"""Lake mode of the network twin at benchmark scale: a 24 h day of 500 branches.

Runs ``simulate_to_lake`` for ``data/samples/scenarios/bench-500.yaml`` (fixed seed) on all
CPUs (one process per core, 25 sites per shard) into a temporary lake, then prints wall time,
rows per table, rows/s, lake size and the peak RSS of the largest worker. The issue target is a
24 h day of 500 sites in under 10 minutes on a 2-core machine.

    .venv/bin/python benchmarks/sim_lake.py [--hours 24] [--workers N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import Scenario, load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "samples" / "scenarios" / "bench-500.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="write the lake here and keep it")
    args = parser.parse_args()

    scenario = load_scenario(SCENARIO)
    scenario = Scenario.model_validate({**scenario.model_dump(by_alias=True), "hours": args.hours})
    lake = args.keep or Path(tempfile.mkdtemp(prefix="sim-bench-"))
    shutil.rmtree(lake, ignore_errors=True)
    began = time.perf_counter()
    results = simulate_to_lake(scenario, str(lake), workers=args.workers)
    seconds = time.perf_counter() - began
    rows: dict[str, int] = {}
    for result in results:
        for name, n in result.rows.items():
            rows[name] = rows.get(name, 0) + n
    size = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    total = sum(rows.values())
    print(
        f"{len(scenario.site_names())} sites × {args.hours:g} h: {seconds:.1f} s wall, "
        f"{total:,} rows ({total / seconds:,.0f} rows/s), {size / 2**30:.2f} GiB, "
        f"largest worker peak RSS {peak:.0f} MiB, load {os.getloadavg()[0]:.1f}"
    )
    for name in sorted(rows):
        print(f"  {name:16s} {rows[name]:>12,}")
    if args.keep is None:
        shutil.rmtree(lake, ignore_errors=True)


if __name__ == "__main__":
    main()
