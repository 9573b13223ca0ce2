"""The ``Sink`` protocol: where collectors hand their Arrow batches.

Collectors know only this interface; the Parquet lake (``assurance.lake``) implements it, and so
can a bus producer or a test double. A sink owns buffering and durability; a collector must not
assume a batch is durable before ``flush`` returns.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pyarrow as pa


@runtime_checkable
class Sink(Protocol):
    """Accepts Arrow batches for named lake tables."""

    def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
        """Queue rows for ``table``; the batch must fit the table's declared schema."""

    def flush(self) -> None:
        """Make every row queued so far durable."""

    def close(self) -> None:
        """Flush and release resources; the sink accepts no more writes."""
