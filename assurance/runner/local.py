"""The local backend: jobs in this process or in a pool of local worker processes.

Owns running a job over partitions on this machine and turning a job's exception into a
``JobError`` naming the partition. Must not import Dask, share state between jobs, or reorder
results (they come back in partition order).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from assurance.runner.errors import JobError, describe

P = TypeVar("P")
R = TypeVar("R")


def cpu_workers() -> int:
    """Local worker processes by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def job_name(job: Callable[..., object]) -> str:
    return f"{getattr(job, '__module__', '?')}.{getattr(job, '__qualname__', repr(job))}"


def run_local(job: Callable[[P], R], partitions: Sequence[P], workers: int) -> Iterator[R]:
    """Yield ``job(p)`` for every partition in order: in this process when ``workers`` is 1
    or there is one partition (simple tracebacks and profiles), else in a process pool."""
    if workers <= 1 or len(partitions) <= 1:
        for partition in partitions:
            try:
                result = job(partition)
            except Exception as exc:
                raise JobError(job_name(job), describe(partition), exc) from exc
            yield result
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(partitions))) as pool:
        futures: list[Future[R]] = [pool.submit(job, p) for p in partitions]
        try:
            for partition, future in zip(partitions, futures, strict=True):
                try:
                    result = future.result()
                except Exception as exc:
                    raise JobError(job_name(job), describe(partition), exc) from exc
                yield result
        finally:
            for future in futures:
                future.cancel()
