"""Errors of the runner: a runner spec or cluster that cannot be used, and a job that failed.

Owns the two error types callers and the CLI see. Must not import an engine (Dask) or know what
a partition means beyond a short label of it.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from assurance.errors import AssuranceError


class RunnerError(AssuranceError):
    """A runner spec that cannot be parsed, or a backend that cannot be reached or started."""


class JobError(AssuranceError):
    """A job raised on one partition; the message names the job, the partition and the cause.

    The original exception is kept as ``__cause__`` (and ``cause``) for tracebacks and tests.
    """

    def __init__(self, job: str, partition: str, cause: BaseException) -> None:
        self.job = job
        self.partition = partition
        self.cause = cause
        first = (str(cause).splitlines() or [""])[0]
        reason = f"{type(cause).__name__}: {first}" if first else type(cause).__name__
        super().__init__(f"{job} failed on partition {partition}: {reason}")

    def __reduce__(self) -> tuple[type[JobError], tuple[str, str, BaseException]]:
        return (JobError, (self.job, self.partition, self.cause))


#: Longest text of one field in a partition label.
_FIELD_CHARS = 60
_SCALARS = (str, int, float, bool, datetime, date, timedelta)


def describe(partition: object) -> str:
    """A short label of a partition: the scalar fields of a dataclass (shard, times…), else a
    shortened ``repr``. Large fields (inventories, settings) are left out."""
    if dataclasses.is_dataclass(partition) and not isinstance(partition, type):
        parts = []
        for f in dataclasses.fields(partition):
            value = getattr(partition, f.name)
            if isinstance(value, datetime):
                parts.append(f"{f.name}={value.isoformat(timespec='minutes')}")
            elif isinstance(value, _SCALARS):
                parts.append(f"{f.name}={_short(str(value))}")
        return f"{type(partition).__name__}({', '.join(parts)})"
    return _short(repr(partition), 120)


def _short(text: str, limit: int = _FIELD_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
