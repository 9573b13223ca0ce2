"""Benchmark: compute every SLE over a lake; wall time, peak memory, and the DuckDB scan floor.

Usage::

    # the target: 24 h x 500 sites from the simulator's lake mode
    wanassure simulate --scenario data/samples/scenarios/bench-500.yaml --lake /tmp/bench-lake
    python benchmarks/sle_compute.py --lake /tmp/bench-lake --repeat 3

    # any other lake (inventory: --inventory, else <lake>/inventory.yaml or <lake>/_sim/)
    python benchmarks/sle_compute.py --lake PATH --inventory FILE [--from T --to T]

Prints, per repeat and as medians: the wall time of ``assurance.sle.compute`` (all jobs and the
day roll-up, inventory loading excluded and shown apart), the peak resident memory of this
process and its workers together (sampled every 250 ms from /proc), and the floor: the time
DuckDB needs just to scan the same input columns of the same hourly files with the same number
of threads as workers, and the ratio compute / floor; and the schedule: how long each worker
process was busy and idle while the partition jobs ran (the tail after its last job). Figures
are noisy on a shared machine: the 1-minute load average is printed before each run.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from assurance.config.loader import load_inventory
from assurance.lake.store import LakeStore
from assurance.runner import default_workers
from assurance.sle.compute import Summary, compute, data_range, floor_hour, partitioning
from assurance.sle.inputs import INPUTS, files_for
from assurance.tables import REGISTRY


class PeakRss:
    """Samples the summed RSS of this process and its descendants until stopped."""

    def __init__(self, interval_s: float = 0.25) -> None:
        self.interval_s = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            self._stop.wait(self.interval_s)


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and every process below it (Linux /proc; one ``stat`` read
    per process gives both the parent and the resident pages)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def raw_columns(name: str) -> list[str]:
    """The raw column names an engine input reads (expressions reduced to their columns)."""
    spec = REGISTRY[INPUTS[name].table]
    names: list[str] = []
    for expr in INPUTS[name].columns:
        for word in re.findall(r"[a-z_][a-z0-9_]*", expr):
            if spec.has_column(word) and word not in names:
                names.append(word)
    return names


def scan_floor(lake: str, start: datetime, end: datetime, threads: int) -> tuple[float, int]:
    """Seconds DuckDB needs to read the engine's input columns for [start, end); rows read."""
    store = LakeStore(lake)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}").fetchall()
    rows = 0
    began = time.perf_counter()
    for name in INPUTS:
        files = files_for(store, INPUTS[name].table, start, end)
        if not files:
            continue
        cols = raw_columns(name)
        aggregates = ", ".join(f'min("{c}")' for c in cols if c not in ("fields",))
        got = con.execute(
            f"SELECT count(*), {aggregates} FROM read_parquet($files, union_by_name = true)",  # noqa: S608
            {"files": files},
        ).fetchall()
        rows += int(got[0][0])
    seconds = time.perf_counter() - began
    con.close()
    return seconds, rows


def schedule(summary: Summary) -> str:
    """How busy the workers were during the partition jobs: per worker the jobs it ran, its
    busy seconds and its idle seconds within the job phase (the tail after its last job
    included), from the start and end times each job reports."""
    results = summary.results
    if not results:
        return "no jobs"
    first = min(r.began_at for r in results)
    last = max(r.ended_at for r in results)
    span = last - first
    parts = []
    for worker in sorted({r.worker for r in results}):
        mine = [r for r in results if r.worker == worker]
        busy = sum(r.ended_at - r.began_at for r in mine)
        tail = last - max(r.ended_at for r in mine)
        parts.append(
            f"{len(mine)} jobs busy {busy:.1f} s idle {span - busy:.1f} s (tail {tail:.1f})"
        )
    lengths = sorted(r.seconds for r in results)
    return (
        f"jobs phase {summary.jobs_seconds:.1f} s (first start to last end {span:.1f} s), "
        f"job wall {lengths[0]:.1f}-{lengths[-1]:.1f} s; workers: " + "; ".join(parts)
    )


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its reaped children (the pool workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lake", required=True)
    ap.add_argument("--inventory", type=Path)
    ap.add_argument("--from", dest="start")
    ap.add_argument("--to", dest="end")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--window-hours", type=int, help="hours per job (default: the engine's)")
    ap.add_argument("--shards", type=int, help="site shards (default: the engine's)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--memory-limit", default="1500MB", help="DuckDB memory limit per job")
    ap.add_argument("--no-floor", action="store_true", help="skip the scan floor")
    args = ap.parse_args(argv)

    root = Path(LakeStore(args.lake).root)
    inventory_path = args.inventory or next(
        (p for p in (root / "inventory.yaml", root / "_sim" / "inventory.yaml") if p.is_file()),
        None,
    )
    if inventory_path is None:
        print("error: no inventory (give --inventory)", file=sys.stderr)
        return 2
    began = time.perf_counter()
    inventory = load_inventory(inventory_path)
    inventory_s = time.perf_counter() - began
    start, end = parse_time(args.start), parse_time(args.end)
    if start is None or end is None:
        found = data_range(LakeStore(args.lake))
        if found is None:
            print("error: no raw data in the lake", file=sys.stderr)
            return 2
        start, end = start or found[0], end or found[1]
    start = floor_hour(start)
    end = floor_hour(end) if floor_hour(end) == end else floor_hour(end) + timedelta(hours=1)
    auto_window, auto_shards = partitioning(
        len(inventory.sites), (end - start) // timedelta(hours=1), args.workers
    )
    window_hours = args.window_hours or auto_window // timedelta(hours=1)
    shards = args.shards or auto_shards
    print(
        f"lake {args.lake}: {len(inventory.sites)} sites, {start:%Y-%m-%d %H:%M} → "
        f"{end:%Y-%m-%d %H:%M} UTC; workers {args.workers}, window {window_hours} h, "
        f"shards {shards}; inventory load {inventory_s:.1f} s",
        flush=True,
    )
    walls, peaks, floors, cpus = [], [], [], []
    for i in range(args.repeat):
        load = load_average()
        with PeakRss() as rss:
            t0 = time.perf_counter()
            c0 = cpu_seconds()
            summary = compute(
                args.lake,
                inventory,
                start,
                end,
                workers=args.workers,
                window=timedelta(hours=window_hours),
                shards=shards,
                memory_limit=args.memory_limit,
            )
            wall = time.perf_counter() - t0
            cpu = cpu_seconds() - c0
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(rss.peak)
        line = (
            f"run {i + 1}: compute {wall:.1f} s ({cpu:.0f} CPU s), "
            f"peak RSS {rss.peak / 2**30:.2f} GiB, "
            f"{summary.user_minutes:,} user minutes, {summary.sle_rows:,} sle_minutes rows, "
            f"{summary.jobs} jobs (load {load})"
        )
        if not args.no_floor:
            c0 = cpu_seconds()
            floor, rows = scan_floor(args.lake, start, end, args.workers)
            floors.append(floor)
            line += (
                f"; scan floor {floor:.1f} s ({cpu_seconds() - c0:.0f} CPU s) over {rows:,} rows"
            )
        print(line, flush=True)
        print(f"  schedule: {schedule(summary)}", flush=True)
    wall, peak = statistics.median(walls), statistics.median(peaks)
    text = (
        f"median: compute {wall:.1f} s ({statistics.median(cpus):.0f} CPU s), "
        f"peak RSS {peak / 2**30:.2f} GiB"
    )
    if floors:
        floor = statistics.median(floors)
        text += f", scan floor {floor:.1f} s, ratio {wall / floor:.1f}x"
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
