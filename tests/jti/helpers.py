"""Shared pieces of the JTI tests: an in-memory sink, waiting, free ports, counter readings."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from collectors.jti.backoff import Backoff
from collectors.jti.metrics import TelemetryMetrics

FAST = "fast"


class MemorySink:
    """A ``Sink`` that keeps every batch in memory (the lake is exercised in test_e2e_lake)."""

    def __init__(self) -> None:
        self.batches: dict[str, list[pa.Table]] = {}
        self.flushes = 0
        self._lock = threading.Lock()

    def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
        with self._lock:
            self.batches.setdefault(table, []).append(
                batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
            )

    def flush(self) -> None:
        self.flushes += 1

    def close(self) -> None:
        self.flush()

    def rows(self, table: str) -> list[dict[str, Any]]:
        with self._lock:
            parts = list(self.batches.get(table, []))
        return pa.concat_tables(parts).to_pylist() if parts else []

    def count(self, table: str) -> int:
        with self._lock:
            return sum(t.num_rows for t in self.batches.get(table, []))


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s: {what or predicate}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fast_backoff() -> Backoff:
    return Backoff(base_s=0.05, cap_s=0.4)


def metric(metrics: TelemetryMetrics, name: str, **labels: str) -> float:
    """The value of one labelled sample (0 when it was never set)."""
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value
