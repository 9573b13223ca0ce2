"""A real Dask cluster on loopback for tests and benchmarks: the ``dask scheduler`` and
``dask worker`` command-line programs started as subprocesses on free ports.

Each worker runs without a nanny (``--no-nanny``), so its process is the worker itself: killing
it with SIGKILL loses the worker and its running task, as a crashed machine would. Workers get the
repository on ``PYTHONPATH`` so they can import ``tests`` helpers as well as ``assurance``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import distributed

REPO = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running scheduler and its workers; ``workers`` maps worker address → process."""

    scheduler: subprocess.Popen[bytes]
    port: int
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def spec(self) -> str:
        """The runner spec that reaches this cluster."""
        return f"dask://127.0.0.1:{self.port}"

    def client(self) -> Any:
        return distributed.Client(self.address, timeout=30, set_as_default=False)

    def kill(self, address: str) -> None:
        """SIGKILL one worker process and reap it."""
        proc = self.workers.pop(address)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self) -> None:
        for proc in [*self.workers.values(), self.scheduler]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers.values(), self.scheduler]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


def start(
    workers: int, workdir: Path, *, timeout_s: float = 90.0, env: dict[str, str] | None = None
) -> Cluster:
    """Start a scheduler and ``workers`` single-threaded workers; return once all registered.
    ``env`` adds variables to their environment (e.g. ``DASK_...`` configuration)."""
    if not DASK.is_file():
        raise RuntimeError(f"{DASK} not found: pip install 'dask[distributed]'")
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    port = free_port()
    log = (workdir / "scheduler.log").open("wb")
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=workdir,
    )
    cluster = Cluster(scheduler, port)
    try:
        for n in range(workers):
            wport = free_port()
            wlog = (workdir / f"worker{n}.log").open("wb")
            proc = subprocess.Popen(
                [
                    str(DASK),
                    "worker",
                    cluster.address,
                    "--host",
                    "127.0.0.1",
                    "--worker-port",
                    str(wport),
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--name",
                    f"w{n}",
                    "--local-directory",
                    str(workdir / f"w{n}"),
                ],
                stdout=wlog,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO,
            )
            cluster.workers[f"tcp://127.0.0.1:{wport}"] = proc
        deadline = time.monotonic() + timeout_s
        while True:
            if scheduler.poll() is not None:
                raise RuntimeError(f"dask scheduler exited: see {workdir / 'scheduler.log'}")
            try:
                client = cluster.client()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        try:
            client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
            registered = set(client.scheduler_info(n_workers=-1)["workers"])
        finally:
            client.close()
        if registered != set(cluster.workers):
            raise RuntimeError(f"workers {sorted(registered)} ≠ started {sorted(cluster.workers)}")
    except BaseException:
        cluster.stop()
        raise
    return cluster
