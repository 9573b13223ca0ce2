"""Synthetic flow rows in the ``flows`` schema, generated vectorized from a seed.

Used by the lake benchmark and to build sample lakes: realistic column cardinalities (a few
exporters and interfaces, thousands of clients, hundreds of SaaS servers, heavy-tailed byte
counts) so that Parquet encoding and compression behave as on real jflow. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from collectors.tables import FLOWS

_OCTETS = pa.array([str(i) for i in range(256)])
_APP_PORTS = np.array([443, 443, 443, 80, 53, 3478, 8801, 5061, 993, 22], dtype=np.uint16)


@dataclass(frozen=True)
class Exporter:
    """A device that exports flows: its source IP, inventory name and site (None if unknown)."""

    ip: str
    device: str | None
    site: str | None


def ipv4_strings(octets: np.ndarray) -> pa.Array:
    """Dotted-quad strings from an (n, 4) uint8 array, without per-row Python objects."""
    parts = [_OCTETS.take(pa.array(octets[:, i])) for i in range(4)]
    return pc.binary_join_element_wise(*parts, ".")


def synthetic_flows(
    rows: int,
    *,
    start: datetime,
    span_s: float,
    exporters: Sequence[Exporter],
    seed: int = 7,
) -> pa.Table:
    """``rows`` flow records spread over ``span_s`` seconds from ``start``, sorted by time."""
    rng = np.random.default_rng(seed)
    start_us = int(start.timestamp() * 1_000_000)
    end_us = np.sort(start_us + rng.integers(0, int(span_s * 1_000_000), rows, dtype=np.int64))
    duration_us = rng.exponential(20_000_000, rows).astype(np.int64)
    which = rng.integers(0, len(exporters), rows)
    client = np.column_stack(
        [
            np.full(rows, 10, np.uint8),
            which.astype(np.uint8),
            rng.integers(0, 8, rows, dtype=np.uint8),
            rng.integers(2, 250, rows, dtype=np.uint8),
        ]
    )
    server = np.column_stack(
        [
            rng.choice(np.array([13, 20, 40, 52, 104, 142, 172], np.uint8), rows),
            rng.integers(0, 256, rows, dtype=np.uint8),
            rng.integers(0, 4, rows, dtype=np.uint8),
            rng.integers(1, 255, rows, dtype=np.uint8),
        ]
    )
    packets = np.maximum(1, rng.lognormal(2.5, 1.6, rows)).astype(np.uint64)
    nbytes = packets * rng.integers(60, 1500, rows, dtype=np.uint64)
    protocol = rng.choice(np.array([6, 6, 6, 17, 17, 1], np.uint8), rows)
    ts = pa.timestamp("us", tz="UTC")
    exporter_ip = pa.array([e.ip for e in exporters]).take(pa.array(which))
    columns = {
        "event_time": pa.array(end_us, ts),
        "received_at": pa.array(end_us + rng.integers(1_000, 60_000_000, rows), ts),
        "exporter": exporter_ip,
        "device": pa.array([e.device for e in exporters]).take(pa.array(which)),
        "site": pa.array([e.site for e in exporters]).take(pa.array(which)),
        "version": pa.array(np.full(rows, 10, np.uint8)),
        "observation_domain": pa.array(np.zeros(rows, np.uint32)),
        "template_id": pa.array(np.full(rows, 256, np.uint16)),
        "sequence": pa.array(np.arange(rows, dtype=np.uint32)),
        "export_time": pa.array(end_us - end_us % 1_000_000 + 1_000_000, ts),
        "start_time": pa.array(end_us - duration_us, ts),
        "end_time": pa.array(end_us, ts),
        "ip_version": pa.array(np.full(rows, 4, np.uint8)),
        "src_addr": ipv4_strings(client),
        "dst_addr": ipv4_strings(server),
        "src_port": pa.array(rng.integers(1024, 65535, rows, dtype=np.uint16)),
        "dst_port": pa.array(rng.choice(_APP_PORTS, rows)),
        "protocol": pa.array(protocol),
        "tos": pa.array(rng.choice(np.array([0, 0, 0, 46 << 2, 34 << 2], np.uint8), rows)),
        "tcp_flags": pa.array(np.where(protocol == 6, 0x1B, 0).astype(np.uint16)),
        "bytes": pa.array(nbytes),
        "packets": pa.array(packets),
        "bytes_scaled": pa.array(nbytes),
        "packets_scaled": pa.array(packets),
        "sampling_rate": pa.array(np.ones(rows, np.uint32)),
        "in_if": pa.array(rng.integers(500, 520, rows, dtype=np.uint32)),
        "out_if": pa.array(rng.integers(500, 520, rows, dtype=np.uint32)),
        "next_hop": ipv4_strings(
            np.column_stack(
                [
                    np.full(rows, 192, np.uint8),
                    np.full(rows, 0, np.uint8),
                    np.full(rows, 2, np.uint8),
                    rng.integers(1, 4, rows, dtype=np.uint8),
                ]
            )
        ),
        "src_as": pa.array(np.zeros(rows, np.uint32)),
        "dst_as": pa.array(
            rng.choice(np.array([8075, 15169, 16509, 13335, 32934], np.uint32), rows)
        ),
        "src_mask": pa.array(np.full(rows, 24, np.uint8)),
        "dst_mask": pa.array(rng.choice(np.array([16, 20, 24], np.uint8), rows)),
        "direction": pa.array(rng.integers(0, 2, rows, dtype=np.uint8)),
        "vlan_id": pa.array(rng.choice(np.array([10, 20, 30], np.uint16), rows)),
        "extra": pa.nulls(rows, FLOWS.column("extra").type),
    }
    return pa.table(columns, schema=FLOWS.schema)
