"""Hand-made lake rows for the rule tests: each row says what it should make fire, or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from assurance.config import Inventory, inventory_from_text
from assurance.lake.writer import LakeWriter
from assurance.tables import REGISTRY

AT = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def minutes_before(n: int) -> datetime:
    return AT - timedelta(minutes=n)


def write(lake: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    with LakeWriter(lake) as writer:
        for table, items in rows.items():
            spec = REGISTRY[table]
            columns = {c.name: [r.get(c.name) for r in items] for c in spec.columns}
            writer.write(table, pa.Table.from_pydict(columns, schema=spec.schema))


def inventory(sites: int = 3) -> Inventory:
    parts = ["org: {name: t}", "sites:"]
    for i in range(sites):
        parts.append(
            f"""  - name: br-{i:03d}
    gateways:
      - name: gw-{i:03d}
        model: SRX340
        role: spoke
        mgmt_ip: 10.{i}.0.1
        wan:
          - {{name: inet, interface: ge-0/0/1.0, isp: acme, type: broadband,
             capacity_mbps: {{down: 100, up: 20}}}}
          - {{name: lte, interface: dl0.0, isp: cellco, type: lte,
             capacity_mbps: {{down: 50, up: 10}}}}"""
        )
    return inventory_from_text("\n".join(parts), "inventory.yaml")


def origin(t: datetime, device: str | None, site: str | None) -> dict[str, Any]:
    return {
        "event_time": t,
        "received_at": t,
        "exporter": "10.0.0.1",
        "device": device,
        "site": site,
    }


def sle_rows(site: str, sle: str, good: int, total: int, minutes: int = 15) -> list[dict[str, Any]]:
    """``minutes`` minutes before AT, each with ``good`` of ``total`` user minutes good."""
    out = []
    for m in range(1, minutes + 1):
        out.append(
            {"minute": minutes_before(m), "site": site, "sle": sle, "total": good, "good": good}
        )
        if total > good:
            out.append(
                {
                    "minute": minutes_before(m),
                    "site": site,
                    "sle": sle,
                    "classifier": "interface",
                    "total": total - good,
                    "good": 0,
                }
            )
    return out
