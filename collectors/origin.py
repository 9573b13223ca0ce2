"""Origin columns shared by every collector: exporter → (device, site), and ``rejects`` rows.

Exporters are resolved through a plain mapping handed in by the composition root (built from the
inventory there); an exporter missing from it keeps null ``device``/``site`` and is never
dropped. Pure functions over Arrow tables, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from collectors.errors import WireError
from collectors.tables import REJECTS

#: exporter IP → (device name, site name)
ExporterMap = Mapping[str, tuple[str, str]]


def attach_origin(rows: pa.Table, exporters: ExporterMap) -> pa.Table:
    """Fill ``device`` and ``site`` from the ``exporter`` column (vectorized over distinct IPs)."""
    if rows.num_rows == 0 or not exporters:
        return rows
    distinct = pc.unique(rows.column("exporter"))
    known = [ip for ip in distinct.to_pylist() if ip in exporters]
    if not known:
        return rows
    position = pc.index_in(rows.column("exporter"), value_set=pa.array(known, pa.string()))
    devices = pa.array([exporters[ip][0] for ip in known], pa.string()).take(position)
    sites = pa.array([exporters[ip][1] for ip in known], pa.string()).take(position)
    rows = rows.set_column(
        rows.schema.get_field_index("device"), rows.schema.field("device"), devices
    )
    return rows.set_column(rows.schema.get_field_index("site"), rows.schema.field("site"), sites)


@dataclass(frozen=True, slots=True)
class Reject:
    """One piece of input that could not be decoded."""

    received_us: int
    exporter: str
    source: str
    error: WireError
    raw: bytes


def rejects_table(rejects: Sequence[Reject], exporters: ExporterMap) -> pa.Table:
    """``rejects`` rows for ``rejects``, with origin resolved like any other table."""
    columns = {
        "event_time": pa.array([r.received_us for r in rejects], pa.int64()).cast(
            REJECTS.column("event_time").type
        ),
        "exporter": [r.exporter for r in rejects],
        "device": pa.nulls(len(rejects), pa.string()),
        "site": pa.nulls(len(rejects), pa.string()),
        "source": [r.source for r in rejects],
        "error": [type(r.error).__name__ for r in rejects],
        "reason": [r.error.reason for r in rejects],
        "domain": pa.array([r.error.domain for r in rejects], pa.uint32()),
        "offset": pa.array([r.error.offset for r in rejects], pa.int64()),
        "raw": pa.array([r.raw for r in rejects], pa.binary()),
    }
    return attach_origin(pa.table(columns, schema=REJECTS.schema), exporters)
