"""Module-level jobs for the runner tests (workers import them by name, so they live here)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Part:
    name: str
    n: int
    start: datetime
    blob: tuple[int, ...] = ()


def square(n: int) -> int:
    return n * n


def pid(_: object) -> int:
    return os.getpid()


def fail_on_odd(part: Part) -> int:
    if part.n % 2:
        raise ValueError(f"odd partition {part.name}\nsecond line")
    return part.n
