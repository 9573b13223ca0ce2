"""Runner specs: the text a person gives (``--runner``, ``WANASSURE_RUNNER``) parsed and checked.

Owns the grammar ``local``, ``local:N``, ``dask://host:port`` and ``dask-local[:N]`` and the
error for anything else. Must not import an engine or start anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assurance.runner.errors import RunnerError

Kind = Literal["local", "dask", "dask-local"]
#: What a spec may look like, for error messages and help texts.
GRAMMAR = "local, local:N, dask://HOST:PORT or dask-local[:N]"
_COUNTED = re.compile(r"^(local|dask-local)(?::(\d+))?$")
_ADDRESS = re.compile(r"^dask://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


@dataclass(frozen=True)
class RunnerSpec:
    """A parsed runner: the backend, its worker count (local kinds) or scheduler address."""

    kind: Kind
    workers: int | None = None
    host: str | None = None
    port: int | None = None

    @property
    def address(self) -> str:
        """The scheduler address Dask connects to (``dask`` kind only)."""
        if self.kind != "dask" or self.host is None or self.port is None:
            raise RunnerError(f"{self} has no scheduler address")
        return f"tcp://{self.host}:{self.port}"

    def __str__(self) -> str:
        if self.kind == "dask":
            return f"dask://{self.host}:{self.port}"
        return self.kind if self.workers is None else f"{self.kind}:{self.workers}"


LOCAL = RunnerSpec("local")


def parse_spec(text: str) -> RunnerSpec:
    """The spec in ``text``; a ``RunnerError`` naming the problem otherwise."""
    value = text.strip()
    counted = _COUNTED.match(value)
    if counted:
        kind: Kind = "local" if counted.group(1) == "local" else "dask-local"
        if counted.group(2) is None:
            return RunnerSpec(kind)
        workers = int(counted.group(2))
        if workers < 1:
            raise RunnerError(f"runner {text!r}: the worker count must be at least 1")
        return RunnerSpec(kind, workers=workers)
    address = _ADDRESS.match(value)
    if address:
        port = int(address.group(2))
        if not 0 < port < 65536:
            raise RunnerError(f"runner {text!r}: port {port} is not between 1 and 65535")
        return RunnerSpec("dask", host=address.group(1), port=port)
    if value.startswith("dask://"):
        raise RunnerError(f"runner {text!r}: give the scheduler as dask://HOST:PORT")
    raise RunnerError(f"runner {text!r} is not one of {GRAMMAR}")
