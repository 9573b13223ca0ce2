"""Row builders shared by the lake tests: minimal valid ``flows`` rows with a unique id each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
T0 = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)


def flow_rows(
    first_id: int, count: int, start: datetime = T0, step: timedelta = timedelta(0)
) -> pa.Table:
    """``count`` flows; ``sequence`` holds the row id ``first_id + i``, at ``start + i * step``."""
    ids = np.arange(first_id, first_id + count, dtype=np.int64)
    start_us = int(start.timestamp() * 1_000_000)
    event_us = start_us + (ids - first_id) * int(step.total_seconds() * 1_000_000)
    return pa.table(
        {
            "event_time": pa.array(event_us, TS),
            "received_at": pa.array(event_us + 500_000, TS),
            "exporter": pa.array(["192.0.2.1"] * count),
            "version": pa.array(np.full(count, 10, np.uint8)),
            "observation_domain": pa.array(np.zeros(count, np.uint32)),
            "sequence": pa.array(ids.astype(np.uint32)),
            "bytes": pa.array((ids % 1500 + 40).astype(np.uint64)),
        }
    )
