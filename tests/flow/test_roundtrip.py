"""Encoder → decoder round trips over random records (hypothesis)."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.flow import FlowDecoder, IpfixEncoder, V9Encoder
from collectors.tables import FLOWS

from .wire import EXPORTER, RX, scaled

U = st.integers
MS = U(1_500_000_000_000, 2_000_000_000_000)
ipv4 = U(0, 2**32 - 1).map(lambda v: str(ipaddress.IPv4Address(v)))
ipv6 = U(0, 2**128 - 1).map(lambda v: str(ipaddress.IPv6Address(v)))
mac = st.binary(min_size=6, max_size=6).map(lambda b: b.hex(":"))

IPFIX_FIELDS: list[Any] = [
    "sourceIPv4Address", "destinationIPv4Address", "sourceTransportPort",
    "destinationTransportPort", "protocolIdentifier", ("octetDeltaCount", 4), "packetDeltaCount",
    "flowStartMilliseconds", "flowEndMilliseconds", "ingressInterface", ("vlanId", 2),
    "sourceMacAddress", ("ie2636_1", 4), ("tcpControlBits", 1), ("bgpSourceAsNumber", 3),
]  # fmt: skip

record = st.fixed_dictionaries({
    "sourceIPv4Address": ipv4, "destinationIPv4Address": ipv4,
    "sourceTransportPort": U(0, 65535), "destinationTransportPort": U(0, 65535),
    "protocolIdentifier": U(0, 255), "octetDeltaCount": U(0, 2**32 - 1),
    "packetDeltaCount": U(0, 2**64 - 1), "flowStartMilliseconds": MS, "flowEndMilliseconds": MS,
    "ingressInterface": U(0, 2**32 - 1), "vlanId": U(0, 4095), "sourceMacAddress": mac,
    "ie2636_1": st.binary(min_size=4, max_size=4), "tcpControlBits": U(0, 255),
    "bgpSourceAsNumber": U(0, 2**24 - 1), "applicationName": st.text(max_size=300),
})  # fmt: skip


@settings(max_examples=scaled(60), deadline=None)
@given(records=st.lists(record, min_size=1, max_size=60), variable=st.booleans(),
       mtu=U(1400, 1500), seq=U(0, 2**32 - 1))  # fmt: skip
def test_ipfix_round_trip(
    records: list[dict[str, Any]], variable: bool, mtu: int, seq: int
) -> None:
    enc = IpfixEncoder(domain=77, mtu=mtu, sequence=seq)
    fields = IPFIX_FIELDS + ([("applicationName", 65535)] if variable else [])
    enc.define(1000, fields)
    datagrams = enc.encode(1000, records, export_time=1_800_000_000)
    result = FlowDecoder().decode_many((d, EXPORTER, RX) for d in datagrams)
    assert result.rejected == [] and result.counters.lost_records == 0
    assert result.flows.schema == FLOWS.schema
    rows = result.flows.to_pylist()
    assert len(rows) == len(records)
    for row, rec in zip(rows, records, strict=True):
        assert row["src_addr"] == rec["sourceIPv4Address"]
        assert row["dst_addr"] == rec["destinationIPv4Address"]
        assert (row["src_port"], row["dst_port"]) == (
            rec["sourceTransportPort"],
            rec["destinationTransportPort"],
        )
        assert row["protocol"] == rec["protocolIdentifier"]
        assert (row["bytes"], row["packets"]) == (rec["octetDeltaCount"], rec["packetDeltaCount"])
        assert row["start_time"].timestamp() * 1000 == rec["flowStartMilliseconds"]
        assert round(row["end_time"].timestamp() * 1000) == rec["flowEndMilliseconds"]
        assert (row["in_if"], row["vlan_id"]) == (rec["ingressInterface"], rec["vlanId"])
        assert (row["tcp_flags"], row["src_as"]) == (
            rec["tcpControlBits"],
            rec["bgpSourceAsNumber"],
        )
        assert row["observation_domain"] == 77 and row["ip_version"] == 4
        extra = dict(row["extra"])
        assert extra["sourceMacAddress"] == rec["sourceMacAddress"]
        assert extra["ie2636_1"] == rec["ie2636_1"].hex()
        if variable:
            assert extra["applicationName"] == rec["applicationName"]


V6_FIELDS = ["sourceIPv6Address", "destinationIPv6Address", "ipNextHopIPv6Address",
             "flowStartMicroseconds", "flowEndNanoseconds", "sourceIPv6PrefixLength",
             "octetTotalCount"]  # fmt: skip
v6_record = st.fixed_dictionaries({
    "sourceIPv6Address": ipv6, "destinationIPv6Address": ipv6, "ipNextHopIPv6Address": ipv6,
    "flowStartMicroseconds": U(1_500_000_000_000_000, 2_000_000_000_000_000),
    "flowEndNanoseconds": U(1_500_000_000_000_000_000, 2_000_000_000_000_000_000),
    "sourceIPv6PrefixLength": U(0, 128), "octetTotalCount": U(0, 2**64 - 1),
})  # fmt: skip


@settings(max_examples=scaled(40), deadline=None)
@given(records=st.lists(v6_record, min_size=1, max_size=40))
def test_ipfix_ipv6_round_trip(records: list[dict[str, Any]]) -> None:
    enc = IpfixEncoder(domain=1)
    enc.define(1001, V6_FIELDS)
    result = FlowDecoder().decode_many(
        (d, EXPORTER, RX) for d in enc.encode(1001, records, export_time=1)
    )
    rows = result.flows.to_pylist()
    assert len(rows) == len(records)
    for row, rec in zip(rows, records, strict=True):
        assert ipaddress.IPv6Address(row["src_addr"]) == ipaddress.IPv6Address(
            rec["sourceIPv6Address"])  # fmt: skip
        assert row["dst_addr"] == str(ipaddress.IPv6Address(rec["destinationIPv6Address"]))
        assert row["next_hop"] == str(ipaddress.IPv6Address(rec["ipNextHopIPv6Address"]))
        assert row["ip_version"] == 6 and row["src_mask"] == rec["sourceIPv6PrefixLength"]
        assert row["bytes"] == rec["octetTotalCount"]
        start_us = rec["flowStartMicroseconds"]
        got = row["start_time"]
        got_us = int(got.timestamp()) * 1_000_000 + got.microsecond
        assert abs(got_us - start_us) <= 1  # NTP fractions are 2**-32 s
        end = row["end_time"]
        end_us = int(end.timestamp()) * 1_000_000 + end.microsecond
        assert abs(end_us - rec["flowEndNanoseconds"] // 1000) <= 1


@settings(max_examples=scaled(40), deadline=None)
@given(
    rows=st.lists(st.tuples(ipv4, U(0, 2**32 - 1), U(0, 2**32 - 1), U(0, 65535)), min_size=1,
                  max_size=50),
    uptime=U(0, 2**32 - 1),
)  # fmt: skip
def test_v9_round_trip(rows: list[tuple[str, int, int, int]], uptime: int) -> None:
    enc = V9Encoder(domain=5, mtu=600)
    enc.define(300, ["sourceIPv4Address", "flowStartSysUpTime", "flowEndSysUpTime",
                     "sourceTransportPort"])  # fmt: skip
    records = [{"sourceIPv4Address": a, "flowStartSysUpTime": s, "flowEndSysUpTime": e,
                "sourceTransportPort": p} for a, s, e, p in rows]  # fmt: skip
    secs = 1_700_000_000
    datagrams = enc.encode(300, records, export_time=secs, uptime_ms=uptime)
    result = FlowDecoder().decode_many((d, EXPORTER, RX) for d in datagrams)
    assert result.counters.lost_datagrams == 0 and result.rejected == []
    got = result.flows.to_pylist()
    for row, (addr, start, _end, port) in zip(got, rows, strict=True):
        assert (row["src_addr"], row["src_port"]) == (addr, port)
        # Signed 32-bit distance from sysUptime, in ms before the export time.
        behind = (uptime - start) % 2**32
        behind = behind - 2**32 if behind >= 2**31 else behind
        want_us = secs * 1_000_000 - behind * 1000
        ts = row["start_time"]
        assert int(ts.timestamp()) * 1_000_000 + ts.microsecond == want_us
