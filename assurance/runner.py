"""Runs batch work as pure per-partition jobs: locally by default, on other engines when asked.

Owns: fanning a function out over independent partitions (site shard × time window) and
collecting the results in partition order. Each call must be a pure function of its partition —
it reads its inputs, writes that partition's output files, and returns a small summary — so it
may run in any process, in any order, or twice. Must not: know what a partition means, share
state between calls, or hide an error raised by a job.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

P = TypeVar("P")
R = TypeVar("R")


def default_workers() -> int:
    """Worker processes to use: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run(
    job: Callable[[P], R],
    partitions: Sequence[P],
    *,
    workers: int | None = None,
) -> Iterator[R]:
    """Yield ``job(p)`` for every partition, in the order given.

    ``workers=1`` (or a single partition) runs in this process, which keeps tracebacks and
    profilers simple; otherwise a local process pool runs the jobs. ``job`` and the partitions
    must be picklable (a module-level function and plain data).
    """
    count = default_workers() if workers is None else workers
    if count <= 1 or len(partitions) <= 1:
        for partition in partitions:
            yield job(partition)
        return
    with ProcessPoolExecutor(max_workers=min(count, len(partitions))) as pool:
        yield from pool.map(job, partitions)


__all__ = ["default_workers", "run"]
