"""A client's names and attributes in ``user_minutes`` are the latest its events reported.

One Wi-Fi client at s1 reports RSSI every minute (MAC, AP and band only); its IP, hostname,
username, OS and SSID come from a few connect events, some at the same instant. Every expected
value below follows from the event timeline by hand.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from assurance.config.inventory import Inventory
from assurance.lake.catalog import connect
from assurance.lake.writer import LakeWriter
from assurance.sle.compute import compute
from assurance.tables import REGISTRY
from tests.sle.fixture import AP1, Rows, t

MAC = "02:00:00:00:0a:01"


def _event(rows: Rows, when: Any, event: str, **values: Any) -> None:
    rows.add(
        "client_events",
        when,
        AP1,
        "ap1",
        "s1",
        event_type=event,
        client_mac=MAC,
        ap="ap1",
        band="5",
        result="ok",
        **values,
    )


def test_names_carry_forward_from_the_latest_event_that_had_them(
    tmp_path: Path, inventory: Inventory
) -> None:
    rows = Rows()
    # 10:00:05, all at one instant: association (OS, SSID), 802.1X (username) and DHCP (IP,
    # hostname); the last of them in the file carries no name at all.
    when = t(10, 0, 5)
    _event(rows, when, "assoc", os="iOS", ssid="corp")
    _event(rows, when, "auth", username="alice", ssid="corp")
    _event(rows, when, "dhcp", client_ip="10.1.20.50", hostname="alice-phone")
    _event(rows, when, "dns")
    # 10:03:20: a DHCP renewal with a new address and hostname; 10:05:10 a new SSID.
    _event(rows, t(10, 3, 20), "dhcp", client_ip="10.1.20.51", hostname="alice-ipad")
    _event(rows, t(10, 5, 10), "assoc", ssid="guest")
    for minute in range(7):
        _event(rows, t(10, minute, 40), "rssi", rssi_dbm=-55.0)
    lake = str(tmp_path / "lake")
    with LakeWriter(lake) as writer:
        for table, table_rows in rows.tables.items():
            writer.write(table, pa.Table.from_pylist(table_rows, schema=REGISTRY[table].schema))

    compute(lake, inventory, t(10, 0), t(11, 0), workers=1)

    got = {
        r[0]: r[1:]
        for r in connect(lake)
        .execute(
            "SELECT minute, client_mac, client_ip, hostname, username, os, ssid "
            "FROM user_minutes WHERE client_id = $mac ORDER BY minute",
            {"mac": MAC},
        )
        .fetchall()
    }
    first = (MAC, "10.1.20.50", "alice-phone", "alice", "iOS", "corp")
    renewed = (MAC, "10.1.20.51", "alice-ipad", "alice", "iOS", "corp")
    guest = (MAC, "10.1.20.51", "alice-ipad", "alice", "iOS", "guest")
    # Attributes hold as of the end of each minute. The last RSSI, at 10:06:40, keeps the
    # client present up to the window's end (a connect state holds up to 60 minutes), and its
    # attributes are at most an hour old there.
    expected = {t(10, 0) + timedelta(minutes=k): guest for k in range(60)}
    expected.update({t(10, k): first for k in range(3)})
    expected.update({t(10, k): renewed for k in (3, 4)})
    assert got == expected
