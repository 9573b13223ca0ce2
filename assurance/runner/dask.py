"""The Dask backend: jobs on a Dask ``distributed`` cluster, remote or started on this machine.

Owns the connection to a scheduler (``dask://HOST:PORT``) or a local cluster of worker processes
(``dask-local[:N]``), submitting one task per partition, collecting results in partition order
and turning a job's exception (or a task lost with its workers) into a ``JobError`` naming the
partition. Tasks are submitted as impure (``pure=False``): a job's inputs are lake files, not
its arguments, so a rerun must really run. Must not be imported unless a Dask runner is asked
for (importing Dask costs about a second), and must not hide a job's error behind a retry: a
task is re-run only when the worker running it is lost, which a pure job tolerates.

Every worker must import the same ``assurance`` version and see the lake at the same address:
on one machine a local folder does; a real cluster needs the lake on S3.
"""

from __future__ import annotations

import logging
import secrets
import socket
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import dask
import distributed

from assurance.runner.errors import JobError, RunnerError, describe
from assurance.runner.local import cpu_workers, job_name
from assurance.runner.spec import RunnerSpec

P = TypeVar("P")
R = TypeVar("R")
#: Seconds to wait for a scheduler to answer, and for its first worker to register.
CONNECT_TIMEOUT_S = 10.0
WORKER_TIMEOUT_S = 30.0
#: Worker settings for batch jobs: no statistical profiler (it samples the running job's stack
#: every 10 ms) and slower system and memory monitors. Used by ``dask-local``; recommended for
#: workers started by hand (as ``DASK_DISTRIBUTED__…`` variables, see docs/scaling.md).
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}
#: Distributed's API is untyped to mypy; its objects are handled as ``Any`` here.
Client: Any = distributed.Client
LocalCluster: Any = distributed.LocalCluster


class DaskBackend:
    """One client per process, opened on first use and kept until ``close``."""

    def __init__(self, spec: RunnerSpec) -> None:
        if spec.kind not in ("dask", "dask-local"):
            raise RunnerError(f"{spec} is not a Dask runner")
        self.spec = spec
        self._client: Any = None
        self._cluster: Any = None

    def client(self) -> Any:
        if self._client is None:
            self._client = self._connect() if self.spec.kind == "dask" else self._start_local()
        return self._client

    def _connect(self) -> Any:
        address = self.spec.address
        try:  # a refused connection fails at once (Dask itself retries until its timeout)
            socket.create_connection((self.spec.host, self.spec.port), CONNECT_TIMEOUT_S).close()
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise RunnerError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise RunnerError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT_S)
        except (OSError, TimeoutError):
            client.close()
            raise RunnerError(
                f"the Dask scheduler at {address} has no worker (none registered within "
                f"{WORKER_TIMEOUT_S:.0f} s): start some with `dask worker {address}`"
            ) from None
        return client

    def _start_local(self) -> Any:
        count = self.spec.workers or cpu_workers()
        try:
            with dask.config.set(QUIET_WORKERS):
                cluster = LocalCluster(
                    n_workers=count,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.CRITICAL,  # a job error is raised here, named
                )
        except (OSError, TimeoutError) as exc:
            raise RunnerError(f"cannot start a local Dask cluster of {count}: {exc}") from None
        self._cluster = cluster
        return Client(cluster, set_as_default=False)

    def workers(self) -> int:
        """Jobs the cluster runs at once: its worker threads (a local cluster's before it
        starts: the workers it will have)."""
        if self._client is None and self.spec.kind == "dask-local":
            return self.spec.workers or cpu_workers()
        threads: dict[str, int] = self.client().nthreads()
        return max(1, sum(threads.values()))

    def run(self, job: Callable[[P], R], partitions: Sequence[P]) -> Iterator[R]:
        """Yield ``job(p)`` for every partition, in order, computed on the cluster."""
        if not partitions:
            return
        client = self.client()
        # unique per call: other processes may share the scheduler, and equal keys are one task
        call = secrets.token_hex(8)
        name = job_name(job)
        keys = [f"{name}-{call}-{i}" for i in range(len(partitions))]
        futures: list[Any] = client.map(job, list(partitions), key=keys, pure=False)
        try:
            for partition, future in zip(partitions, futures, strict=True):
                try:
                    result: R = future.result()
                except Exception as exc:
                    raise JobError(name, describe(partition), exc) from exc
                yield result
        finally:
            client.cancel(futures)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
