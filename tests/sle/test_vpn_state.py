"""A tunnel the gateway reports down (IKE or IPsec) charges its WAN link's users as tunnel down.

The hand-built fixture takes its overlay outage from the st0 interface's state; here the only
evidence is the gateway's own VPN report (``vpn_tunnels``), as Junos gives it. One client at s1
sends traffic over gw1's `inet` link (overlay tunnel st0.1) from 10:00 to 10:09; gw1 reports
the tunnel every minute at :30: IPsec down at 10:04:30, IKE down at 10:05:30, both up otherwise.
The expected verdicts follow from that by hand.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa

from assurance.config.inventory import Inventory
from assurance.lake.catalog import connect
from assurance.lake.writer import LakeWriter
from assurance.sle.compute import compute
from assurance.tables import REGISTRY
from tests.sle.fixture import GW1, GW1_IFINDEX, Rows, alive, flow, t

CLIENT = "10.1.40.9"
INET = "ge-0/0/1.0"
EGRESS = GW1_IFINDEX[INET]
SERVER = "198.51.100.7"


def _rows() -> Rows:
    rows = Rows()
    # the exporter's interface table names the flows' egress index
    rows.add(
        "flow_options",
        t(9, 50),
        GW1,
        "gw1",
        "s1",
        version=10,
        observation_domain=0,
        template_id=512,
        if_index=EGRESS,
        if_name=INET,
    )
    for k in range(10):
        m = t(10, k)
        alive(rows, m + timedelta(seconds=20), GW1, "gw1", "s1")
        flow(rows, m + timedelta(seconds=10), GW1, "gw1", "s1", CLIENT, SERVER, 443, 6, EGRESS)
        rows.add(
            "vpn_tunnels",
            m + timedelta(seconds=30),
            GW1,
            "gw1",
            "s1",
            source="snmp",
            tunnel="st0.1",
            ike_state="down" if k == 5 else "up",
            ipsec_state="down" if k == 4 else "up",
        )
    return rows


def test_a_tunnel_reported_down_charges_its_link(tmp_path: Path, inventory: Inventory) -> None:
    lake = str(tmp_path / "lake")
    with LakeWriter(lake) as writer:
        for table, table_rows in _rows().tables.items():
            writer.write(table, pa.Table.from_pylist(table_rows, schema=REGISTRY[table].schema))

    compute(lake, inventory, t(10, 0), t(11, 0), workers=1)

    got = {
        minute: verdict
        for minute, *verdict in connect(lake)
        .execute(
            "SELECT minute, wan_link, wan_link_health_ok, wan_link_health_classifier, "
            "wan_link_health_sub FROM user_minutes WHERE client_id = $c",
            {"c": CLIENT},
        )
        .fetchall()
    }
    good = ["inet", True, None, None]
    down = ["inet", False, "network", "tunnel_down"]
    assert got == {t(10, k): down if k in (4, 5) else good for k in range(10)}
