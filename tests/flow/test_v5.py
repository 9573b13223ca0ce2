"""NetFlow v5: one hand-built record, header sampling, sequence counting, truncation."""

from __future__ import annotations

import struct

import pytest

from collectors.errors import MalformedPacket, UnsupportedVersion
from collectors.flow import FlowDecoder
from collectors.tables import FLOWS

from .wire import EXPORTER, RX, ip4


def v5_header(
    count: int,
    *,
    uptime: int,
    secs: int,
    nsecs: int,
    seq: int,
    sampling: int = 0,
    engine: tuple[int, int] = (1, 2),
) -> bytes:
    return struct.pack(">HHIIIIBBH", 5, count, uptime, secs, nsecs, seq, *engine, sampling)


def v5_record(src: str, dst: str, *, first: int, last: int, sport: int = 12345) -> bytes:
    return (
        ip4(src) + ip4(dst) + ip4("10.0.0.254")
        + struct.pack(">HHIIII", 3, 7, 12, 3456, first, last)
        + struct.pack(">HHBBBBHHBBH", sport, 443, 0, 0x1B, 6, 0x28, 64512, 15169, 24, 16, 0)
    )  # fmt: skip


def test_single_record() -> None:
    datagram = v5_header(
        1, uptime=10_000, secs=1_700_000_000, nsecs=500_000_000, seq=77, sampling=0x4000 | 100
    )
    datagram += v5_record("10.1.2.3", "8.8.4.4", first=4_000, last=9_000)
    result = FlowDecoder().decode(datagram, EXPORTER, RX)
    assert result.flows.schema == FLOWS.schema
    row = result.flows.to_pylist()[0]
    # export = 1_700_000_000.5 s; boot = export - 10 s; start = boot + 4 s, end = boot + 9 s.
    assert row["export_time"].timestamp() == 1_700_000_000.5
    assert row["start_time"].timestamp() == 1_699_999_994.5
    assert row["end_time"].timestamp() == 1_699_999_999.5
    assert row["event_time"] == row["end_time"]
    assert row["received_at"].timestamp() == RX / 1e6
    assert (row["version"], row["observation_domain"], row["template_id"]) == (5, 0x0102, None)
    assert (row["src_addr"], row["dst_addr"], row["next_hop"]) == (
        "10.1.2.3",
        "8.8.4.4",
        "10.0.0.254",
    )
    assert (row["in_if"], row["out_if"], row["packets"], row["bytes"]) == (3, 7, 12, 3456)
    assert (row["src_port"], row["dst_port"], row["tcp_flags"], row["protocol"]) == (
        12345,
        443,
        0x1B,
        6,
    )
    assert (row["tos"], row["src_as"], row["dst_as"]) == (0x28, 64512, 15169)
    assert (row["src_mask"], row["dst_mask"], row["ip_version"]) == (24, 16, 4)
    assert row["sampling_rate"] == 100
    assert row["sequence"] == 77 and row["exporter"] == EXPORTER
    assert row["device"] is None and row["site"] is None
    assert dict(row["extra"]) == {"flowStartSysUpTime": "4000", "flowEndSysUpTime": "9000"}


def test_unsampled_header_and_sequence_gap() -> None:
    dec = FlowDecoder()
    rec = v5_record("10.0.0.1", "10.0.0.2", first=1, last=2)
    first = v5_header(2, uptime=5_000, secs=1_700_000_000, nsecs=0, seq=100) + rec * 2
    r1 = dec.decode(first, EXPORTER, RX)
    assert r1.flows.column("sampling_rate").to_pylist() == [1, 1]
    # Next expected 102; 105 means 3 flows lost.
    second = v5_header(1, uptime=6_000, secs=1_700_000_001, nsecs=0, seq=105) + rec
    r2 = dec.decode(second, EXPORTER, RX)
    assert r2.counters.lost_records == 3
    assert r2.sequences[0].lost == 3 and r2.sequences[0].expected == 106


def test_truncated_and_unknown_version() -> None:
    dec = FlowDecoder()
    short = v5_header(2, uptime=1, secs=1, nsecs=0, seq=0) + v5_record(
        "1.1.1.1", "2.2.2.2", first=0, last=0
    )
    with pytest.raises(MalformedPacket) as info:
        dec.decode(short, EXPORTER, RX)
    assert info.value.exporter == EXPORTER and info.value.offset == 2
    with pytest.raises(UnsupportedVersion):
        dec.decode(struct.pack(">H", 7) + bytes(30), EXPORTER, RX)
    with pytest.raises(MalformedPacket):
        dec.decode(b"\x00", EXPORTER, RX)
