"""IPFIX (RFC 7011): enterprise and variable-length elements, reduced size, IPv6, padding,
withdrawal, held data, options (interfaces, statistics, sampling, init time), bad sets."""

from __future__ import annotations

import socket
import struct

import pytest

from collectors.errors import MalformedPacket, UnknownTemplate
from collectors.flow import FlowDecoder, HeldCount

from .wire import EXPORTER, RX, extra, ip4, ipfix, options_template, set_, template

T300 = template(300, [(8, 4), (12, 4), (1, 4), (2, 2), (137, 4, 2636), (96, 65535), (152, 8),
                      (153, 8)])  # fmt: skip
T301 = template(301, [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (62, 16), (29, 1), (30, 1),
                      (154, 8)])  # fmt: skip


def rec300(src: str, octets: int, packets: int, app: bytes, start_ms: int) -> bytes:
    return (ip4(src) + ip4("203.0.113.9") + struct.pack(">IHI", octets, packets, 42) + app
            + struct.pack(">QQ", start_ms, start_ms + 1500))  # fmt: skip


def data300() -> bytes:
    short = b"\x05https"  # RFC 7011 §7: one length octet
    long_ = b"\xff" + struct.pack(">H", 300) + b"a" * 300  # 255, then a two-octet length
    body = rec300("10.0.0.1", 1_000_000, 700, short, 1_700_000_000_250)
    body += rec300("10.0.0.2", 4_294_967_295, 65535, long_, 1_700_000_000_000)
    return set_(300, body + bytes(3))  # padding shorter than the shortest record


def test_enterprise_varlen_reduced_size_padding() -> None:
    msg = ipfix([set_(2, T300), data300()], export=1_700_000_010, seq=0, domain=1)
    result = FlowDecoder().decode(msg, EXPORTER, RX)
    assert result.rejected == []
    rows = result.flows.to_pylist()
    assert len(rows) == 2
    assert [r["bytes"] for r in rows] == [1_000_000, 4_294_967_295]  # sent in 4 octets
    assert [r["packets"] for r in rows] == [700, 65535]  # sent in 2 octets
    assert rows[0]["start_time"].timestamp() == 1_700_000_000.25
    assert rows[0]["end_time"].timestamp() == 1_700_000_001.75
    assert rows[0]["export_time"].timestamp() == 1_700_000_010
    assert (rows[0]["src_addr"], rows[0]["dst_addr"]) == ("10.0.0.1", "203.0.113.9")
    assert rows[0]["ip_version"] == 4 and rows[0]["template_id"] == 300
    assert extra(result.flows, 0) == {"ie2636_137": "0000002a", "applicationName": "https"}
    assert extra(result.flows, 1) == {"ie2636_137": "0000002a", "applicationName": "a" * 300}


def test_ipv6_and_ntp_microseconds() -> None:
    ntp = ((1_700_000_000 + 2_208_988_800) << 32) | 0x8000_0000  # .5 s
    body = (socket.inet_pton(socket.AF_INET6, "2001:db8::1")
            + socket.inet_pton(socket.AF_INET6, "2001:db8:0:1::ff")
            + struct.pack(">HHB", 546, 547, 17) + socket.inet_pton(socket.AF_INET6, "fe80::1")
            + struct.pack(">BBQ", 64, 48, ntp))  # fmt: skip
    msg = ipfix([set_(2, T301), set_(301, body)])
    row = FlowDecoder().decode(msg, EXPORTER, RX).flows.to_pylist()[0]
    assert (row["src_addr"], row["dst_addr"]) == ("2001:db8::1", "2001:db8:0:1::ff")
    assert row["next_hop"] == "fe80::1" and row["ip_version"] == 6
    assert (row["src_mask"], row["dst_mask"], row["src_port"], row["dst_port"]) == (
        64,
        48,
        546,
        547,
    )
    assert row["start_time"].timestamp() == 1_700_000_000.5
    assert row["end_time"] is None and row["event_time"] == row["export_time"]


def test_withdrawal_single_and_all() -> None:
    dec = FlowDecoder()
    dec.decode(ipfix([set_(2, T300 + T301)]), EXPORTER, RX)
    assert len(dec.state.templates) == 2
    gone = dec.decode(ipfix([set_(2, struct.pack(">HH", 300, 0))]), EXPORTER, RX)
    assert gone.counters.templates_withdrawn == 1
    held = dec.decode(ipfix([data300()], seq=0), EXPORTER, RX)
    assert held.counters.sets_held == 1 and held.flows.num_rows == 0
    # Template id 2 with no fields withdraws every template of the domain (RFC 7011 §8.1).
    everything = dec.decode(ipfix([set_(2, struct.pack(">HH", 2, 0))]), EXPORTER, RX)
    assert everything.counters.templates_withdrawn == 1 and len(dec.state.templates) == 0


def test_data_before_template_is_held_then_decoded() -> None:
    dec = FlowDecoder()
    first = dec.decode(ipfix([data300()], export=1_700_000_001, seq=40), EXPORTER, RX)
    assert first.flows.num_rows == 0 and first.counters.sets_held == 1
    set_len = len(data300())
    assert first.held == [HeldCount(EXPORTER, 1, 300, 1, set_len - 4)]
    second = dec.decode(ipfix([set_(2, T300)], export=1_700_000_002, seq=42), EXPORTER, RX + 1)
    assert second.counters.held_released == 1 and second.held == []
    rows = second.flows.to_pylist()
    assert [r["src_addr"] for r in rows] == ["10.0.0.1", "10.0.0.2"]
    # Decoded with the header of the datagram the data came in.
    assert rows[0]["sequence"] == 40 and rows[0]["export_time"].timestamp() == 1_700_000_001
    assert rows[0]["received_at"].timestamp() == RX / 1e6


def test_held_data_expires_into_unknown_template() -> None:
    dec = FlowDecoder(max_hold_us=1_000_000)
    msg = ipfix([data300()], domain=5)
    dec.decode(msg, EXPORTER, RX)
    later = dec.decode(ipfix([set_(2, T301)], domain=5), EXPORTER, RX + 2_000_000)
    assert later.counters.held_expired == 1 and len(later.rejected) == 1
    rej = later.rejected[0]
    assert isinstance(rej.error, UnknownTemplate)
    assert (rej.error.exporter, rej.error.domain, rej.error.offset) == (EXPORTER, 5, 16)
    assert rej.raw == msg and rej.datagram is None and not rej.fatal
    # An idle exporter's held sets expire through expire().
    dec.decode(msg, EXPORTER, RX)
    assert dec.expire(RX + 5_000_000).counters.held_expired == 1


def test_held_sets_bounded_by_count() -> None:
    dec = FlowDecoder(max_held_sets=2)
    results = [dec.decode(ipfix([data300()], seq=i), EXPORTER, RX) for i in range(3)]
    assert results[2].counters.sets_held == 1
    assert [type(r.error) for r in results[2].rejected] == [UnknownTemplate]
    assert results[2].held[0].sets == 2


def test_sequence_gap_with_wrap() -> None:
    dec = FlowDecoder()
    three = set_(2, T300) + data300()[:4] + data300()[4:]  # 2 records
    dec.decode(ipfix([three], seq=2**32 - 1), EXPORTER, RX)  # next expected: 1 (wrapped)
    r = dec.decode(ipfix([data300()], seq=5), EXPORTER, RX)
    assert r.counters.lost_records == 4
    assert r.sequences[0].expected == 7 and r.sequences[0].gaps == 1
    dup = dec.decode(ipfix([data300()], seq=5), EXPORTER, RX)  # duplicate: late, not loss
    assert dup.counters.reordered == 1 and dup.sequences[0].lost == 2
    assert dup.sequences[0].expected == 7


def test_malformed_set_keeps_earlier_records() -> None:
    bogus = struct.pack(">HH", 300, 2)  # set length below its own header
    msg = ipfix([set_(2, T300), data300(), bogus])
    result = FlowDecoder().decode(msg, EXPORTER, RX)
    assert result.flows.num_rows == 2
    (rej,) = result.rejected
    assert isinstance(rej.error, MalformedPacket) and not rej.fatal
    assert rej.error.offset == len(msg) - 4 and rej.error.domain == 1


@pytest.mark.parametrize(
    "sets",
    [
        [struct.pack(">HH", 2, 400) + bytes(8)],  # set longer than the message
        [set_(2, struct.pack(">HH", 310, 1000) + bytes(8))],  # absurd field count
        [set_(2, template(311, [(210, 0)]))],  # records of zero octets
        [set_(2, struct.pack(">HH", 5, 0))],  # withdrawal of a reserved template id
        [set_(3, struct.pack(">HHH", 320, 2, 3) + bytes(8))],  # scope count above field count
        [set_(2, T300), set_(300, bytes(18) + b"\xff\x01\x00" + bytes(19))],  # varlen overrun
    ],
)
def test_malformed_sets_are_reported(sets: list[bytes]) -> None:
    result = FlowDecoder().decode(ipfix(sets), EXPORTER, RX)
    assert [type(r.error) for r in result.rejected] == [MalformedPacket]
    assert result.rejected[0].error.exporter == EXPORTER


def test_bad_message_length_raises() -> None:
    msg = ipfix([set_(2, T300)])
    with pytest.raises(MalformedPacket):
        FlowDecoder().decode(msg[:-1], EXPORTER, RX)
    with pytest.raises(MalformedPacket):
        FlowDecoder().decode(msg[:10], EXPORTER, RX)
    # Trailing bytes after the message length are not part of the message.
    assert FlowDecoder().decode(msg + b"junk", EXPORTER, RX).rejected == []


def test_options_interfaces_statistics_and_sampling() -> None:
    iface_t = options_template(400, [(10, 4)], [(82, 65535), (83, 65535)])
    stats_t = options_template(401, [(144, 4)], [(41, 8), (42, 8)])
    samp_t = options_template(402, [(302, 4)], [(304, 2), (305, 4), (306, 4)])
    iface = struct.pack(">I", 517) + b"\x08ge-0/0/1" + b"\x09WAN-ISP-A"
    stats = struct.pack(">IQQ", 1, 12345, 987654)
    samp = struct.pack(">IHII", 9, 1, 1, 99)
    data_t = template(403, [(8, 4), (12, 4), (10, 4)])
    data = ip4("10.0.0.1") + ip4("10.0.0.2") + struct.pack(">I", 517)
    msg = ipfix([set_(3, iface_t + stats_t + samp_t), set_(2, data_t), set_(400, iface),
                 set_(401, stats), set_(402, samp), set_(403, data)])  # fmt: skip
    result = FlowDecoder().decode(msg, EXPORTER, RX)
    assert result.rejected == []
    opts = result.options.to_pylist()
    assert (opts[0]["if_index"], opts[0]["if_name"], opts[0]["if_description"]) == (
        517, "ge-0/0/1", "WAN-ISP-A")  # fmt: skip
    assert dict(opts[0]["scope"]) == {"ingressInterface": "517"}
    assert (opts[1]["exported_messages"], opts[1]["exported_records"]) == (12345, 987654)
    assert dict(opts[1]["scope"]) == {"exportingProcessId": "1"}
    assert (opts[2]["sampler_id"], opts[2]["sampling_algorithm"], opts[2]["sampling_interval"]) == (
        9,
        1,
        1,
    )
    # Count-based: 1 packet selected, 99 skipped → 1 in 100.
    assert result.flows.column("sampling_rate").to_pylist() == [100]
    assert result.flows.column("in_if").to_pylist() == [517]


def test_sysuptime_relative_times_with_system_init_time() -> None:
    init_t = options_template(410, [(149, 4)], [(160, 8)])
    init = struct.pack(">IQ", 1, 1_699_999_000_000)
    data_t = template(411, [(8, 4), (12, 4), (22, 4), (21, 4)])
    data = ip4("10.0.0.1") + ip4("10.0.0.2") + struct.pack(">II", 500_000, 501_000)
    dec = FlowDecoder()
    before = dec.decode(ipfix([set_(2, data_t), set_(411, data)]), EXPORTER, RX)
    assert before.flows.column("start_time").to_pylist() == [None]  # init time not known yet
    result = dec.decode(ipfix([set_(3, init_t), set_(410, init), set_(411, data)]), EXPORTER, RX)
    row = result.flows.to_pylist()[0]
    assert row["start_time"].timestamp() == 1_699_999_500
    assert row["end_time"].timestamp() == 1_699_999_501
    assert extra(result.flows) == {"flowStartSysUpTime": "500000", "flowEndSysUpTime": "501000"}


def test_decode_many_keeps_good_datagrams_around_a_bad_one() -> None:
    good = ipfix([set_(2, T300), data300()], seq=0)
    bad = b"\x00\x0a\x00\x05"  # IPFIX header cut short
    result = FlowDecoder().decode_many([(good, EXPORTER, RX), (bad, "198.51.100.7", RX + 1)])
    assert result.flows.num_rows == 2 and result.counters.datagrams == 2
    (rej,) = result.rejected
    assert rej.fatal and rej.datagram == 1 and rej.raw == bad
    assert rej.exporter == "198.51.100.7" and rej.error.exporter == "198.51.100.7"


def test_stray_octets_after_last_set_are_reported() -> None:
    msg = ipfix([set_(2, T300), data300(), b"\x00\x00"])
    result = FlowDecoder().decode(msg, EXPORTER, RX)
    assert result.flows.num_rows == 2
    assert [r.error.offset for r in result.rejected] == [len(msg) - 2]


def test_options_template_withdraw_all() -> None:
    dec = FlowDecoder()
    dec.decode(ipfix([set_(3, options_template(700, [(149, 4)], [(34, 4)])),
                      set_(2, T300)]), EXPORTER, RX)  # fmt: skip
    r = dec.decode(ipfix([set_(3, struct.pack(">HH", 3, 0))]), EXPORTER, RX)
    assert r.counters.templates_withdrawn == 1
    assert [k[2] for k, _ in dec.state.templates.items()] == [300]


def test_held_sets_bounded_by_bytes() -> None:
    size = len(data300()) - 4
    dec = FlowDecoder(max_held_bytes=size * 2 + 1)
    for i in range(3):
        last = dec.decode(ipfix([data300()], seq=i), EXPORTER, RX)
    assert last.counters.held_expired == 0 and len(last.rejected) == 1
    assert last.held[0].bytes == size * 2
