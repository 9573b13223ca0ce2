"""Benchmark: SLE compute on the local backend against a real Dask cluster of 1 and 2 workers.

Usage::

    # the target: 24 h x 500 sites (the lake is built once by the simulator, then reused)
    python benchmarks/runner_dask.py
    # small, for a quick look
    python benchmarks/runner_dask.py --sites 40 --hours 6

The lake is the bench scenario (``data/samples/scenarios/bench-500.yaml``, fixed seed) cut to
``--sites`` (each site group scaled in proportion) and ``--hours``, written by the simulator's
lake mode — the builder ``benchmarks/sle_compute.py`` documents — unless ``--lake`` already
holds it. Then ``assurance.sle.compute`` runs over all of it four times in one process, with
one partitioning (the engine's choice for two workers, or ``--shards``/``--window-hours``), in
this order: ``local:1`` (in this process), a Dask cluster of one worker, ``local:2`` (a pool of
two processes), a Dask cluster of two workers. The clusters are the real ``dask scheduler`` and
``dask worker`` programs on loopback (one thread per worker, no nanny, the worker settings
docs/scaling.md recommends: ``assurance.runner.dask.QUIET_WORKERS``), started before their
timed run; their start-up is shown apart. Printed per run: wall seconds, CPU seconds of this
process, the scheduler and the workers, and the 1-minute load average. Then, as medians over
``--repeat`` rounds (each round runs the four in the order above, so a drifting load touches
all of them), the ratios Dask / local at the same worker count (the Dask path's overhead;
target: under 1.15 at one worker) and 2 / 1 workers. Every run must give the same user
minutes, SLE rows and files, which is checked.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from assurance import runner
from assurance.config.loader import load_inventory
from assurance.runner.dask import QUIET_WORKERS
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import Scenario, load_scenario
from assurance.sle.compute import Summary, compute, partitioning

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.runner.cluster import Cluster, start  # noqa: E402  (the repo is on the path now)

BENCH = REPO / "data" / "samples" / "scenarios" / "bench-500.yaml"
TICK = os.sysconf("SC_CLK_TCK")
#: The worker settings docs/scaling.md recommends, as the environment of the dask programs.
QUIET_ENV = {
    "DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
    for key, value in QUIET_WORKERS.items()
}


def scaled(scenario: Scenario, sites: int, hours: float) -> Scenario:
    """The scenario with ``sites`` sites (groups scaled in proportion, at least one each while
    there are sites to give) and ``hours`` hours; faults outside what is left are dropped."""
    doc = scenario.model_dump(by_alias=True)
    counts = [g["count"] or 1 for g in doc["sites"]]
    total = sum(counts)
    if sites >= total:
        groups = doc["sites"]
    else:  # largest remainder: the counts add up to ``sites`` exactly
        shares = [c * sites / total for c in counts]
        given = [int(s) for s in shares]
        by_rest = sorted(range(len(shares)), key=lambda i: given[i] - shares[i])
        for i in by_rest[: sites - sum(given)]:
            given[i] += 1
        groups = [{**g, "count": n} for g, n in zip(doc["sites"], given, strict=True) if n]
    doc = {**doc, "sites": groups, "hours": hours}
    kept = Scenario.model_validate({**doc, "faults": []})
    names = set(kept.site_names())
    doc["faults"] = [
        f
        for f in doc["faults"]
        if (f["site"] is None or f["site"] in names) and f["at"] < timedelta(hours=hours)
    ]
    return Scenario.model_validate(doc)


def warm() -> bool:
    """Run on each worker: import what an SLE job imports."""
    import assurance.sle.job  # noqa: F401

    return True


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu(cluster: Cluster | None) -> tuple[float, float, float]:
    """CPU seconds of this process with its reaped children (the local pool), of the Dask
    scheduler and of the Dask workers."""
    here = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        here += usage.ru_utime + usage.ru_stime
    if cluster is None:
        return here, 0.0, 0.0
    workers = sum(process_cpu(p.pid) for p in cluster.workers.values())
    return here, process_cpu(cluster.scheduler.pid), workers


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def timed(
    run: Callable[[], Summary], cluster: Cluster | None
) -> tuple[Summary, float, tuple[float, float, float]]:
    c0, t0 = tree_cpu(cluster), time.perf_counter()
    summary = run()
    wall = time.perf_counter() - t0
    c1 = tree_cpu(cluster)
    return summary, wall, (c1[0] - c0[0], c1[1] - c0[1], c1[2] - c0[2])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--lake", help="lake folder (default: a folder per size under the temp dir)")
    ap.add_argument("--shards", type=int, help="site shards (default: the engine's choice)")
    ap.add_argument("--window-hours", type=int, help="hours per job (default: the engine's)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of the four runs (medians)")
    ap.add_argument("--memory-limit", default="1500MB", help="DuckDB memory limit per job")
    args = ap.parse_args(argv)
    if args.sites < 1 or args.hours <= 0:
        ap.error("--sites must be at least 1 and --hours above 0")

    base = Path(tempfile.gettempdir())
    lake = Path(args.lake or base / f"runner-bench-{args.sites}x{args.hours:g}h")
    if not (lake / "_sim" / "inventory.yaml").is_file():
        scenario = scaled(load_scenario(BENCH), args.sites, args.hours)
        began = time.perf_counter()
        simulate_to_lake(scenario, str(lake))
        print(f"built {lake} in {time.perf_counter() - began:.1f} s", flush=True)
    inventory = load_inventory(lake / "_sim" / "inventory.yaml")
    # one partitioning for all four runs: the engine's choice for two workers
    window, shards = partitioning(len(inventory.sites), round(args.hours), 2)
    window = timedelta(hours=args.window_hours) if args.window_hours else window
    shards = args.shards or shards
    print(
        f"lake {lake}: {len(inventory.sites)} inventory sites, {args.hours:g} h; jobs of "
        f"{window // timedelta(hours=1)} h x {shards} site shards; {os.cpu_count()} CPUs",
        flush=True,
    )

    def sle() -> Summary:
        return compute(
            str(lake), inventory, shards=shards, window=window, memory_limit=args.memory_limit
        )

    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    summaries: list[Summary] = []
    workdir = Path(tempfile.mkdtemp(prefix="runner-bench-dask-"))
    for round_ in range(args.repeat):
        for name, spec, workers in (
            ("local:1", "local:1", 0),
            ("dask x1", "", 1),
            ("local:2", "local:2", 0),
            ("dask x2", "", 2),
        ):
            cluster = None
            load = load_average()
            if workers:
                began = time.perf_counter()
                cluster = start(
                    workers, workdir / f"{name.replace(' ', '')}-{round_}", env=QUIET_ENV
                )
                spec = cluster.spec
                print(f"  {name}: cluster up in {time.perf_counter() - began:.1f} s", flush=True)
            try:
                with runner.using(spec):
                    if cluster is not None:
                        # connect, and import the SLE engine on every worker, before timing: a
                        # long-lived cluster has done both (the local pool forks this warm process)
                        list(runner.run(str, [0]))
                        client = cluster.client()
                        client.run(warm)
                        client.close()
                    summary, wall, parts = timed(sle, cluster)
            finally:
                if cluster is not None:
                    cluster.stop()
            cpu = sum(parts)
            walls.setdefault(name, []).append(wall)
            cpus.setdefault(name, []).append(cpu)
            summaries.append(summary)
            split = (
                f" (here {parts[0]:.1f}, scheduler {parts[1]:.1f}, workers {parts[2]:.1f})"
                if cluster is not None
                else ""
            )
            print(
                f"{name:8} {wall:8.1f} s wall {cpu:8.1f} s CPU{split}  {summary.jobs} jobs, "
                f"{summary.user_minutes:,} user minutes (load {load})",
                flush=True,
            )
    figures = {n: (statistics.median(walls[n]), statistics.median(cpus[n])) for n in walls}
    same = len({(s.user_minutes, s.sle_rows, s.files) for s in summaries}) == 1
    print(f"identical outputs in every run: {'yes' if same else 'NO'}")
    if args.repeat > 1:
        print(f"medians of {args.repeat} rounds:")
    for a, b in (
        ("dask x1", "local:1"),
        ("dask x2", "local:2"),
        ("local:2", "local:1"),
        ("dask x2", "dask x1"),
    ):
        print(
            f"ratio {a} / {b}: wall {figures[a][0] / figures[b][0]:.3f}, "
            f"CPU {figures[a][1] / figures[b][1]:.3f}"
        )
    wall_over = figures["dask x1"][0] / figures["local:1"][0] - 1
    cpu_over = figures["dask x1"][1] / figures["local:1"][1] - 1
    print(f"Dask overhead at 1 worker: {wall_over:+.1%} wall, {cpu_over:+.1%} CPU (target < +15%)")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
