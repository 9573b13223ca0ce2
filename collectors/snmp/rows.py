"""Column lists → an Arrow table in a raw table's declared schema (missing columns are null).

Shared by the poll normalizer and the notification decoder so that every batch they hand to
the sink already has the exact declared schema. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from collectors.schema import TableSpec

KeyValues = list[tuple[str, str]]


def build(spec: TableSpec, n: int, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """A table of ``n`` rows for ``spec``; columns not given are all null."""
    unknown = set(columns) - set(spec.column_names)
    if unknown:
        raise KeyError(f"{spec.name} has no column(s) {sorted(unknown)}")
    arrays = []
    for column in spec.columns:
        values = columns.get(column.name)
        if values is None:
            arrays.append(pa.nulls(n, column.type))
        else:
            arrays.append(pa.array(values, type=column.type))
    return pa.Table.from_arrays(arrays, schema=spec.schema)


@dataclass(frozen=True, slots=True)
class Origin:
    """Who the rows are about: the polled address and its inventory names (None if unknown)."""

    exporter: str
    device: str | None = None
    site: str | None = None


def origin_columns(
    origin: Origin, event_us: Sequence[int], received_us: Sequence[int] | int
) -> dict[str, Sequence[Any]]:
    """The five origin columns for ``len(event_us)`` rows."""
    n = len(event_us)
    return {
        "event_time": event_us,
        "received_at": [received_us] * n if isinstance(received_us, int) else received_us,
        "exporter": [origin.exporter] * n,
        "device": [origin.device] * n,
        "site": [origin.site] * n,
    }
