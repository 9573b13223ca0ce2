"""The sans-IO parts: GETBULK walk bookkeeping, textual conventions and the table mapping
(32-bit wraps, counters going backwards, speeds, RPM results seen once)."""

from __future__ import annotations

from typing import Any

from collectors.snmp import oids
from collectors.snmp.normalize import Normalizer, Sample, Walked
from collectors.snmp.oids import Column, Group, oid
from collectors.snmp.rows import Origin
from collectors.snmp.values import (
    Exceptional,
    Value,
    date_and_time_us,
    index_inet_address,
    inet_address,
)
from collectors.snmp.walk import Rows, TableWalk

S = 1_000_000
T0 = 1_780_000_000 * S  # 2026-05-28T20:26:40Z
ORIGIN = Origin("192.0.2.10", "br-nyc-012-gw1", "br-nyc-012")

TWO = Group(
    "two",
    (Column("a", oid("1.3.6.1.9.1"), "T"), Column("b", oid("1.3.6.1.9.2"), "T")),
    initial_rows=4,
)


def test_walk_takes_rows_in_wire_order_and_stops_each_column_at_its_end() -> None:
    walk = TableWalk(TWO, rows_hint=2)
    assert walk.request() == ([oid("1.3.6.1.9.1"), oid("1.3.6.1.9.2")], 3)
    walk.absorb(
        [
            (oid("1.3.6.1.9.1.1"), 10),
            (oid("1.3.6.1.9.2.1"), 20),
            (oid("1.3.6.1.9.1.2"), 11),
            (oid("1.3.6.1.9.3.1"), 99),  # b has left its subtree: done
            (oid("1.3.6.1.9.1.3"), 12),
            (oid("1.3.6.1.9.3.1"), 99),
        ]
    )
    assert not walk.finished
    assert walk.request() == ([oid("1.3.6.1.9.1.3")], 3)
    walk.absorb([(oid("1.3.6.1.9.2.1"), 20)])
    assert walk.finished and walk.broken is None
    assert walk.rows == {"a": {(1,): 10, (2,): 11, (3,): 12}, "b": {(1,): 20}}
    assert walk.row_count == 3


def test_walk_stops_on_end_of_mib_view_and_on_oids_that_do_not_increase() -> None:
    walk = TableWalk(TWO, rows_hint=0)
    walk.absorb([(oid("1.3.6.1.9.1.5"), 1), (oid("1.3.6.1.9.2.5"), Exceptional.END_OF_MIB_VIEW)])
    walk.absorb([(oid("1.3.6.1.9.1.5"), 1)])  # the same OID again: a looping agent
    assert walk.finished
    assert walk.broken == "agent returned non-increasing OID 1.3.6.1.9.1.5"
    empty = TableWalk(TWO, rows_hint=0)
    empty.absorb([])
    assert empty.broken == "empty GETBULK response"


def test_textual_conventions() -> None:
    # 2026-05-28 22:26:40.5 +02:00 is 20:26:40.5 UTC
    local = bytes([0x07, 0xEA, 5, 28, 22, 26, 40, 5, ord("+"), 2, 0])
    assert date_and_time_us(local) == T0 + 500_000
    assert date_and_time_us(bytes([0x07, 0xEA, 5, 28, 20, 26, 40, 0])) == T0
    assert date_and_time_us(b"\x07\xea\x0d\x01\x00\x00\x00\x00") is None  # month 13
    assert inet_address(1, b"\xc0\x00\x02\x01") == "192.0.2.1"
    assert inet_address(2, bytes(15) + b"\x01") == "::1"
    assert inet_address(16, b"hub.example.net") == "hub.example.net"
    assert index_inet_address((1, 4, 192, 0, 2, 1, 7), 0) == ("192.0.2.1", 6)


def interfaces(**columns: Value) -> Rows:
    rows: Rows = {c.name: {} for c in oids.INTERFACES_32.columns}
    for name, v in columns.items():
        rows[name][(7,)] = v
    return rows


def stats(normalizer: Normalizer, time_us: int, **columns: Value) -> dict[str, Any]:
    sample = Sample(ORIGIN, {"interfaces": Walked(interfaces(**columns), time_us)})
    table = normalizer.normalize(sample).tables["interface_stats"]
    assert table.num_rows == 1
    row: dict[str, Any] = table.to_pylist()[0]
    return row


def test_32_bit_counters_wrap_and_64_bit_counters_going_backwards_are_resets() -> None:
    n = Normalizer()
    names: dict[str, Value] = {"ifDescr": b"ge-0/0/0", "ifOperStatus": 1, "ifAdminStatus": 1}
    first = stats(n, T0, **names, ifInOctets=2**32 - 1000, ifOutOctets=500, ifInUcastPkts=9)
    assert (first["in_octets"], first["in_pkts"], first["in_bps"]) == (2**32 - 1000, 9, None)
    wrapped = stats(n, T0 + 10 * S, **names, ifInOctets=24_000, ifOutOctets=1_500)
    # 1,000 to the top and 24,000 after it in 10 s = 2,500 B/s = 20,000 bit/s
    assert (wrapped["in_bps"], wrapped["out_bps"], wrapped["counter_reset"]) == (
        20_000.0,
        800.0,
        False,
    )
    hc: dict[str, Value] = {"ifName": b"ge-0/0/1", "ifHCInUcastPkts": 5, "ifHCInMulticastPkts": 2}
    stats(n, T0, **hc, ifHCInOctets=9_000_000, ifHCOutOctets=100)
    sample = Sample(
        ORIGIN,
        {"interfaces": Walked(interfaces(**hc, ifHCInOctets=10, ifHCOutOctets=200), T0 + S)},
    )
    normalized = n.normalize(sample)
    row = normalized.tables["interface_stats"].to_pylist()[0]
    assert normalized.counter_resets == ["ge-0/0/1"]
    assert (row["in_octets"], row["in_bps"], row["out_bps"], row["counter_reset"]) == (
        10,
        None,
        800.0,
        True,
    )
    assert row["in_pkts"] == 7  # unicast + multicast (+ broadcast when reported)


def test_speed_comes_from_if_high_speed_only_when_if_speed_saturates() -> None:
    n = Normalizer()
    fast = stats(n, T0, ifName=b"xe-0/0/0", ifSpeed=4_294_967_295, ifHighSpeed=10_000)
    slow = stats(n, T0, ifName=b"fe-0/0/1", ifSpeed=100_000_000, ifHighSpeed=100)
    assert (fast["speed_bps"], slow["speed_bps"]) == (10_000_000_000, 100_000_000)


def rpm_rows(date: bytes) -> Rows:
    index = (3, *b"own", 1, *b"t", 2)
    return {
        "jnxRpmResSumSent": {index: 5},
        "jnxRpmResSumReceived": {index: 4},
        "jnxRpmResSumPercentLost": {index: 20_000_000},
        "jnxRpmResSumDate": {index: date},
    }


def test_an_rpm_result_is_written_once_per_completed_test() -> None:
    n = Normalizer()
    first_date = bytes([0x07, 0xEA, 5, 28, 20, 26, 40, 0])
    later_date = bytes([0x07, 0xEA, 5, 28, 20, 27, 40, 0])
    seen = []
    for poll, date in enumerate((first_date, first_date, later_date)):
        sample = Sample(ORIGIN, {"rpm": Walked(rpm_rows(date), T0 + poll * 60 * S)})
        table = n.normalize(sample).tables.get("sla_metrics")
        seen.append([] if table is None else table.to_pylist())
    assert [len(rows) for rows in seen] == [1, 0, 1]
    row = seen[0][0]
    assert (row["probe"], row["loss_pct"], row["probes_sent"], row["probes_received"]) == (
        "own/t",
        20.0,
        5,
        4,
    )
    assert row["event_time"].timestamp() == T0 / S
    assert row["received_at"].timestamp() == T0 / S
    assert seen[2][0]["event_time"].timestamp() == T0 / S + 60
