"""Runs batch work as pure per-partition jobs: locally by default, on a Dask cluster when asked.

Owns the one seam batch work goes through — ``run(job, partitions)`` fans a function out over
independent partitions (site shard × time window) and yields the results in partition order —
and the process-wide choice of backend: ``use(spec)`` (the CLI's ``--runner``) or the
``WANASSURE_RUNNER`` environment variable, default ``local``. Each call must be a pure function of
its partition: it reads its inputs, writes (replaces) that partition's output files and returns a
small summary, so it may run in any process, in any order, or twice. A job's exception surfaces
as a ``JobError`` naming the partition. Must not: know what a partition means, share state
between calls, hide an error raised by a job, or import Dask unless a Dask runner is chosen.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from assurance.runner.errors import JobError, RunnerError
from assurance.runner.local import cpu_workers, run_local
from assurance.runner.spec import GRAMMAR, LOCAL, RunnerSpec, parse_spec

if TYPE_CHECKING:
    from assurance.runner.dask import DaskBackend

P = TypeVar("P")
R = TypeVar("R")
ENV = "WANASSURE_RUNNER"

_spec: RunnerSpec | None = None
_dask: DaskBackend | None = None


def use(spec: str | RunnerSpec) -> RunnerSpec:
    """Choose the backend for this process (the composition root calls this once)."""
    global _spec
    chosen = parse_spec(spec) if isinstance(spec, str) else spec
    if _dask is not None and _dask.spec != chosen:
        close()
    _spec = chosen
    return chosen


def current() -> RunnerSpec:
    """The backend in use: the last ``use``, else ``$WANASSURE_RUNNER``, else ``local``."""
    global _spec
    if _spec is None:
        text = os.environ.get(ENV, "").strip()
        if text:
            try:
                _spec = parse_spec(text)
            except RunnerError as exc:
                raise RunnerError(f"${ENV}: {exc}") from None
        else:
            _spec = LOCAL
    return _spec


@contextmanager
def using(spec: str | RunnerSpec) -> Iterator[RunnerSpec]:
    """Run a block with another backend, then restore the previous one (closing a cluster
    client opened for the block)."""
    global _spec
    before = _spec
    chosen = use(spec)
    try:
        yield chosen
    finally:
        if _dask is not None:
            close()
        _spec = before


def close() -> None:
    """Close the Dask client (and a local cluster) if one is open; the next run reopens it."""
    global _dask
    if _dask is not None:
        backend, _dask = _dask, None
        backend.close()


def default_workers() -> int:
    """How many jobs the chosen backend runs at once, for sizing partitions: ``local:N`` → N,
    ``local`` → the CPUs this process may run on, Dask → the cluster's worker threads (this
    connects to it) or a local cluster's workers."""
    spec = current()
    if spec.kind == "local":
        return spec.workers or cpu_workers()
    return _dask_backend(spec).workers()


def run(
    job: Callable[[P], R],
    partitions: Sequence[P],
    *,
    workers: int | None = None,
) -> Iterator[R]:
    """Yield ``job(p)`` for every partition, in the order given, on the chosen backend.

    Local: ``workers=1`` (or a single partition) runs in this process, which keeps tracebacks
    and profilers simple; otherwise a local process pool of ``workers`` (default: ``local:N``'s
    N, else one per CPU). Dask: the cluster's workers run the jobs and ``workers`` is ignored.
    ``job`` and the partitions must be picklable (a module-level function and plain data).
    """
    spec = current()
    if spec.kind == "local":
        count = workers if workers is not None else (spec.workers or cpu_workers())
        return run_local(job, partitions, count)
    return _dask_backend(spec).run(job, partitions)


def _dask_backend(spec: RunnerSpec) -> DaskBackend:
    global _dask
    if _dask is None or _dask.spec != spec:
        close()
        from assurance.runner.dask import DaskBackend

        _dask = DaskBackend(spec)
    return _dask


atexit.register(close)

__all__ = [
    "ENV",
    "GRAMMAR",
    "JobError",
    "RunnerError",
    "RunnerSpec",
    "close",
    "current",
    "default_workers",
    "parse_spec",
    "run",
    "use",
    "using",
]
