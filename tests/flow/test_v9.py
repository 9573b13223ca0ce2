"""NetFlow v9 (RFC 3954): templates, data, padding, options with a zero-length System scope."""

from __future__ import annotations

import struct

from collectors.flow import FlowDecoder
from collectors.tables import FLOW_OPTIONS

from .wire import EXPORTER, RX, extra, ip4, set_, v9, v9_options_template, v9_template

SECS = 1_700_000_000
FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 4), (2, 4), (22, 4), (21, 4), (10, 2),
          (14, 2), (58, 2), (61, 1), (5, 1)]  # fmt: skip


def record(src: str, dst: str, sport: int, octets: int, first: int, last: int) -> bytes:
    return (
        ip4(src) + ip4(dst) + struct.pack(">HHBII", sport, 53, 17, octets, 2)
        + struct.pack(">IIHHHBB", first, last, 5, 6, 100, 1, 0xB8)
    )  # fmt: skip


def data_flowset(tid: int, records: list[bytes]) -> bytes:
    body = b"".join(records)
    pad = (-len(body)) % 4
    return set_(tid, body + bytes(pad))


def test_template_and_data_in_one_packet_with_padding() -> None:
    recs = [record("10.0.0.1", "10.0.0.53", 5000, 120, 50_000, 59_500),
            record("10.0.0.2", "10.0.0.53", 5001, 80, 59_000, 60_000)]  # fmt: skip
    flowset = data_flowset(260, recs)
    assert len(flowset) == 4 + 74 + 2  # two 37-octet records, 2 octets of padding
    pkt = v9(
        [set_(0, v9_template(260, FIELDS)), flowset],
        uptime=60_000,
        secs=SECS,
        seq=10,
        source=3,
        count=3,
    )
    result = FlowDecoder().decode(pkt, EXPORTER, RX)
    assert result.counters.templates_learned == 1 and result.counters.records == 2
    rows = result.flows.to_pylist()
    # boot time = SECS - 60 s; FIRST 50 s after boot → SECS - 10 s; LAST 59.5 s → SECS - 0.5 s.
    assert rows[0]["start_time"].timestamp() == SECS - 10
    assert rows[0]["end_time"].timestamp() == SECS - 0.5
    assert rows[1]["end_time"].timestamp() == SECS
    assert rows[0]["export_time"].timestamp() == SECS
    assert [r["src_addr"] for r in rows] == ["10.0.0.1", "10.0.0.2"]
    assert [r["bytes"] for r in rows] == [120, 80]
    assert rows[0]["packets"] == 2 and rows[0]["protocol"] == 17 and rows[0]["dst_port"] == 53
    assert (rows[0]["in_if"], rows[0]["out_if"], rows[0]["vlan_id"]) == (5, 6, 100)
    assert (rows[0]["direction"], rows[0]["tos"], rows[0]["ip_version"]) == (1, 0xB8, 4)
    assert (rows[0]["version"], rows[0]["observation_domain"], rows[0]["template_id"]) == (
        9,
        3,
        260,
    )
    assert rows[0]["sampling_rate"] is None
    assert extra(result.flows) == {"flowStartSysUpTime": "50000", "flowEndSysUpTime": "59500"}


def test_template_and_data_in_separate_packets() -> None:
    dec = FlowDecoder()
    t = v9([set_(0, v9_template(260, FIELDS))], uptime=1_000, secs=SECS, seq=0)
    assert dec.decode(t, EXPORTER, RX).flows.num_rows == 0
    d = v9(
        [data_flowset(260, [record("10.9.8.7", "1.1.1.1", 1, 2, 900, 1_000)])],
        uptime=1_000,
        secs=SECS,
        seq=1,
    )
    result = dec.decode(d, EXPORTER, RX)
    assert result.flows.column("src_addr").to_pylist() == ["10.9.8.7"]
    assert result.flows.column("start_time")[0].as_py().timestamp() == SECS - 0.1
    assert result.counters.lost_datagrams == 0 and result.counters.sets_held == 0


def test_sysuptime_wrap() -> None:
    # sysUptime wrapped to 1 000 ms; FIRST_SWITCHED 2**32 - 4 000 was 5 s before export.
    pkt = v9([set_(0, v9_template(260, FIELDS)),
              data_flowset(260, [record("10.0.0.1", "10.0.0.2", 1, 1, 2**32 - 4_000, 500)])],
             uptime=1_000, secs=SECS)  # fmt: skip
    row = FlowDecoder().decode(pkt, EXPORTER, RX).flows.to_pylist()[0]
    assert row["start_time"].timestamp() == SECS - 5
    assert row["end_time"].timestamp() == SECS - 0.5


def test_options_zero_length_system_scope_sets_sampling() -> None:
    # Juniper SRX: System scope of length 0, then SAMPLING_INTERVAL (4) and SAMPLING_ALGORITHM (1).
    opt_t = v9_options_template(257, [(1, 0)], [(34, 4), (35, 1)])
    opt_t_set = set_(1, opt_t + bytes((-len(opt_t)) % 4))
    opt_data = set_(257, struct.pack(">IB", 1000, 2) + bytes(3))
    assert len(opt_t_set) == 24 and len(opt_data) == 12
    pkt = v9([opt_t_set, set_(0, v9_template(260, FIELDS)), opt_data,
              data_flowset(260, [record("10.0.0.1", "10.0.0.2", 1, 1, 1, 2)])],
             uptime=10, secs=SECS, source=9)  # fmt: skip
    dec = FlowDecoder()
    result = dec.decode(pkt, EXPORTER, RX)
    assert result.rejected == []
    assert result.options.schema == FLOW_OPTIONS.schema
    opt = result.options.to_pylist()[0]
    assert dict(opt["scope"]) == {"scopeSystem": ""}
    assert (opt["sampling_interval"], opt["sampling_algorithm"]) == (1000, 2)
    assert (opt["template_id"], opt["observation_domain"], opt["version"]) == (257, 9, 9)
    assert opt["event_time"].timestamp() == SECS
    assert dict(opt["values"]) == {"samplingInterval": "1000", "samplingAlgorithm": "2"}
    assert result.flows.column("sampling_rate").to_pylist() == [1000]
    # The rate sticks to (exporter, source id) for later packets, not to other source ids.
    later = dec.decode(
        v9(
            [data_flowset(260, [record("10.0.0.3", "10.0.0.2", 1, 1, 1, 2)])],
            uptime=20,
            secs=SECS,
            source=9,
            seq=1,
        ),
        EXPORTER,
        RX,
    )
    assert later.flows.column("sampling_rate").to_pylist() == [1000]


def test_per_sampler_rates() -> None:
    # Cisco style: options keyed by FLOW_SAMPLER_ID, data records carry FLOW_SAMPLER_ID.
    opt_t = v9_options_template(258, [(2, 4)], [(48, 1), (49, 1), (50, 4)])
    opt_rows = struct.pack(">IBBI", 0, 1, 2, 64) + struct.pack(">IBBI", 0, 2, 2, 512)
    data_t = v9_template(261, [(8, 4), (12, 4), (48, 1)])
    recs = ip4("1.0.0.1") + ip4("2.0.0.2") + b"\x02" + ip4("1.0.0.1") + ip4("2.0.0.2") + b"\x01"
    recs += ip4("1.0.0.1") + ip4("2.0.0.2") + b"\x07"
    pkt = v9(
        [set_(1, opt_t + bytes(2)), set_(0, data_t), set_(258, opt_rows), set_(261, recs)],
        uptime=1,
        secs=SECS,
    )
    result = FlowDecoder().decode(pkt, EXPORTER, RX)
    # Sampler 7 is unknown: the domain default (the latest rate seen, 512) applies.
    assert result.flows.column("sampling_rate").to_pylist() == [512, 64, 512]
    assert result.options.column("sampler_id").to_pylist() == [1, 2]
    assert result.options.column("sampling_interval").to_pylist() == [64, 512]
    assert extra(result.flows, 1) == {"samplerId": "1"}


def test_sequence_counts_packets() -> None:
    dec = FlowDecoder()
    t = set_(0, v9_template(260, FIELDS))
    dec.decode(v9([t], uptime=3_600_000, secs=SECS, seq=10), EXPORTER, RX)
    result = dec.decode(v9([t], uptime=3_601_000, secs=SECS, seq=13), EXPORTER, RX)
    assert result.counters.lost_datagrams == 2
    late = dec.decode(v9([t], uptime=3_600_900, secs=SECS, seq=12), EXPORTER, RX)
    assert late.counters.reordered == 1 and late.sequences[0].lost == 1
    # sysUptime far behind the newest seen: a reboot, sequence restarts without loss.
    reboot = dec.decode(v9([t], uptime=5_000, secs=SECS + 600, seq=0), EXPORTER, RX)
    assert reboot.counters.resets == 1 and reboot.counters.lost_datagrams == 0
    after = dec.decode(v9([t], uptime=6_000, secs=SECS + 601, seq=1), EXPORTER, RX)
    assert after.sequences[0].lost == 1 and after.sequences[0].expected == 2


def test_sampling_interval_in_data_records_and_trailing_octets() -> None:
    t = v9_template(270, [(8, 4), (34, 4)])
    recs = ip4("10.0.0.1") + struct.pack(">I", 10) + ip4("10.0.0.2") + struct.pack(">I", 0)
    pkt = v9([set_(0, t), set_(270, recs)], uptime=1, secs=SECS) + b"\x00\x00"  # stray < 4
    result = FlowDecoder().decode(pkt, EXPORTER, RX)
    assert result.rejected == []
    assert result.flows.column("sampling_rate").to_pylist() == [10, 1]  # 0 means unsampled
