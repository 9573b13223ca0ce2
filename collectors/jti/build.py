"""Arrow tables from the normalizer's accumulated columns, exactly in the declared schemas.

Owns the column-wise construction of ``telemetry`` (message headers repeated over their rows with
one ``take``, instance keys built once per distinct key set) and of the typed tables
(``interface_stats``, ``device_health``, ``sla_metrics``, ``vpn_tunnels``). Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from collectors.jti.model import Header
from collectors.jti.paths import Keys
from collectors.jti.routes import FAMILY_TABLES, SLA
from collectors.schema import TIMESTAMP, TableSpec
from collectors.tables import (
    DEVICE_HEALTH,
    INTERFACE_STATS,
    KV,
    SLA_METRICS,
    TELEMETRY,
    VPN_TUNNELS,
)

TypedRow = tuple[Header, dict[str, Any]]
_SPECS: dict[str, TableSpec] = {
    "interface_stats": INTERFACE_STATS,
    "device_health": DEVICE_HEALTH,
    "sla_metrics": SLA_METRICS,
    "vpn_tunnels": VPN_TUNNELS,
}
_ORIGIN = ("event_time", "received_at", "exporter", "device", "site", "source")


def _header_columns(headers: Sequence[Header]) -> dict[str, pa.Array]:
    return {
        "event_time": pa.array([h.time_us for h in headers], TIMESTAMP),
        "received_at": pa.array([h.received_us for h in headers], TIMESTAMP),
        "exporter": pa.array([h.origin.exporter for h in headers], pa.string()),
        "device": pa.array([h.origin.device for h in headers], pa.string()),
        "site": pa.array([h.origin.site for h in headers], pa.string()),
        "source": pa.array([h.source for h in headers], pa.string()),
        "sensor": pa.array([h.sensor for h in headers], pa.string()),
        "component_id": pa.array([h.component_id for h in headers], pa.uint32()),
        "sequence": pa.array([h.sequence for h in headers], pa.uint64()),
    }


def keys_array(keys: Sequence[Keys]) -> pa.Array:
    """A map<string,string> array, built once per distinct key tuple and then taken."""
    distinct: dict[Keys, int] = {}
    index = [distinct.setdefault(k, len(distinct)) for k in keys]
    offsets = [0]
    names: list[str] = []
    values: list[str] = []
    for k in distinct:
        for name, value in k:
            names.append(name)
            values.append(value)
        offsets.append(len(names))
    maps = pa.MapArray.from_arrays(
        pa.array(offsets, pa.int32()), pa.array(names, pa.string()), pa.array(values, pa.string())
    )
    return maps.take(pa.array(index, pa.int32())).cast(KV)


def telemetry_table(
    headers: Sequence[Header],
    header_rows: Sequence[int],
    keys: Sequence[Keys],
    metrics: Sequence[str],
    values: Sequence[float | None],
    texts: Sequence[str | None],
) -> pa.Table:
    """``telemetry`` rows: per-message header columns repeated over each message's values."""
    take = pa.array(np.repeat(np.arange(len(headers), dtype=np.int32), header_rows))
    columns = {name: array.take(take) for name, array in _header_columns(headers).items()}
    columns["keys"] = keys_array(keys)
    columns["metric"] = pa.array(metrics, pa.string())
    columns["value"] = pa.array(values, pa.float64())
    columns["value_text"] = pa.array(texts, pa.string())
    return pa.table([columns[c] for c in TELEMETRY.column_names], schema=TELEMETRY.schema)


def typed_table(spec: TableSpec, rows: Sequence[TypedRow], source_override: str | None) -> pa.Table:
    """One typed table from finished rows; ``source_override`` for tables whose ``source``
    column names the measurement (``rpm``) rather than the transport."""
    headers = [h for h, _ in rows]
    head = _header_columns(headers)
    if source_override is not None:
        head["source"] = pa.array([source_override] * len(rows), pa.string())
    arrays: list[pa.Array] = []
    for column in spec.columns:
        if column.name in _ORIGIN:
            arrays.append(head[column.name])
        elif column.type == KV:
            arrays.append(pa.array([list((r.get(column.name) or {}).items()) for _, r in rows], KV))
        else:
            arrays.append(pa.array([r.get(column.name) for _, r in rows], column.type))
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def typed_tables(per_family: Sequence[Sequence[TypedRow]]) -> dict[str, pa.Table]:
    out: dict[str, pa.Table] = {}
    for family, rows in enumerate(per_family):
        if rows:
            name = FAMILY_TABLES[family]
            spec = _SPECS[name]
            if family == SLA:
                rows = [(h, {**r, "fields": {**r["fields"], "via": h.source}}) for h, r in rows]
            out[name] = typed_table(spec, rows, "rpm" if family == SLA else None)
    return out
