"""``collectors.pcap``: writer → reader round trips, every link type and timestamp format, pcapng
(hand-built and written by the real ``editcap``), ``tcpdump -r`` reading what we write, and
fuzzing that shows bad bytes raise nothing but ``MalformedPacket``."""

from __future__ import annotations

import ipaddress
import os
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.errors import MalformedPacket
from collectors.pcap import (
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_NULL,
    LINKTYPE_RAW,
    PROTO_UDP,
    TCP_SYN,
    PcapWriter,
    ReadStats,
    UdpDatagram,
    ethernet_frame,
    inet_checksum,
    ipv4_packet,
    ipv6_packet,
    iter_frames,
    iter_ip_packets,
    iter_udp,
    pcap_header,
    pcap_record,
    udp_segment,
)
from tests.tools import require_tool

T0 = 1_772_442_000_000_000  # 2026-03-02T09:00:00Z in µs


def sample_writer(**kwargs: bool) -> PcapWriter:
    """Two UDP datagrams (v4, v6), a TCP SYN and an ICMP echo, at known times."""
    w = PcapWriter(**kwargs)
    w.add_udp(T0 + 1, "10.0.0.1", 40001, "10.0.0.2", 2055, b"hello")
    w.add_tcp(T0 + 2_000, "10.0.0.1", 40000, "10.0.0.2", 443, flags=TCP_SYN, seq=7)
    w.add_udp(T0 + 3_000_123, "2001:db8::1", 4739, "2001:db8::2", 4739, b"\x00\x0a" * 10)
    w.add_icmp(T0 + 4_000_000, "10.0.0.1", "10.0.0.9", 8, 0, b"\x12\x34\x00\x01ping")
    return w


SAMPLE_UDP = [
    UdpDatagram(T0 + 1, "10.0.0.1", 40001, "10.0.0.2", 2055, b"hello"),
    UdpDatagram(T0 + 3_000_123, "2001:db8::1", 4739, "2001:db8::2", 4739, b"\x00\x0a" * 10),
]


# ------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("big_endian", [False, True])
@pytest.mark.parametrize("nanosecond", [False, True])
def test_round_trip_every_pcap_flavour(nanosecond: bool, big_endian: bool) -> None:
    data = sample_writer(nanosecond=nanosecond, big_endian=big_endian).getvalue()
    stats = ReadStats()
    assert list(iter_udp(data, stats)) == SAMPLE_UDP
    assert (stats.frames, stats.ip_packets, stats.udp_datagrams, stats.non_udp) == (4, 4, 2, 2)
    assert stats.malformed == stats.fragments == stats.truncated == 0


def test_ip_packets_carry_total_length_protocol_and_version() -> None:
    packets = list(iter_ip_packets(sample_writer().getvalue()))
    summary = [(p.version, p.protocol, p.total_length, len(p.l4)) for p in packets]
    # UDP 20+8+5; TCP 20+20; UDP over IPv6 40+8+20; ICMP 20+4+8
    assert summary == [(4, 17, 33, 13), (4, 6, 40, 20), (6, 17, 68, 28), (4, 1, 32, 12)]
    assert packets[3].l4[:2] == b"\x08\x00"  # echo request, code 0


def test_writer_returns_the_ip_packet_it_framed() -> None:
    w = PcapWriter()
    packet = w.add_udp(T0, "192.0.2.1", 1, "192.0.2.2", 2, b"x" * 10)
    assert len(packet) == 38 and packet[:1] == b"\x45"
    assert w.packets == 1
    assert len(w.getvalue()) == 24 + 16 + 14 + 38  # no Ethernet padding to 60 bytes


def test_nanosecond_timestamps_are_floored_to_microseconds() -> None:
    frame = ethernet_frame(ipv4_packet("10.0.0.1", "10.0.0.2", PROTO_UDP, udp_segment(
        "10.0.0.1", "10.0.0.2", 1, 2, b"")))  # fmt: skip
    sec, ns = 1_772_442_000, 123_456_789
    record = struct.pack("<IIII", sec, ns, len(frame), len(frame)) + frame
    data = pcap_header(nanosecond=True) + record
    assert [d.ts_us for d in iter_udp(data)] == [sec * 1_000_000 + 123_456]


# -------------------------------------------------------------------------------- checksums


def test_inet_checksum_known_answer() -> None:
    # The IPv4 header of the Wikipedia "Internet checksum" example: checksum 0xB861.
    header = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
    assert inet_checksum(header) == 0xB861
    assert inet_checksum(header[:10] + b"\xb8\x61" + header[12:]) == 0
    assert inet_checksum(b"\x01") == 0xFEFF  # odd length is padded with a zero byte


def test_built_headers_verify_to_zero() -> None:
    ip = ipv4_packet("10.1.2.3", "10.3.2.1", PROTO_UDP, b"payload!", ident=99)
    assert inet_checksum(ip[:20]) == 0
    seg = udp_segment("2001:db8::a", "2001:db8::b", 1000, 2000, b"abc")
    src = ipaddress.ip_address("2001:db8::a").packed
    dst = ipaddress.ip_address("2001:db8::b").packed
    pseudo6 = src + dst + struct.pack(">IxxxB", len(seg), PROTO_UDP)  # RFC 8200 §8.1
    assert inet_checksum(pseudo6 + seg) == 0


# ------------------------------------------------------------------------------- link types


def _udp_ip(version: int) -> bytes:
    if version == 4:
        return ipv4_packet("198.51.100.1", "198.51.100.2", PROTO_UDP, udp_segment(
            "198.51.100.1", "198.51.100.2", 1111, 2222, b"link"))  # fmt: skip
    return ipv6_packet("2001:db8::1", "2001:db8::2", PROTO_UDP, udp_segment(
        "2001:db8::1", "2001:db8::2", 1111, 2222, b"link"))  # fmt: skip


def _one_frame(linktype: int, frame: bytes) -> bytes:
    return pcap_header(linktype) + pcap_record(T0, frame)


@pytest.mark.parametrize("version", [4, 6])
@pytest.mark.parametrize(
    ("linktype", "wrap"),
    [
        (LINKTYPE_ETHERNET, lambda ip, v: ethernet_frame(ip, vlan=42)),
        (LINKTYPE_ETHERNET, lambda ip, v: (b"\x02" * 12 + b"\x88\xa8\x00\x64" + b"\x81\x00\x00\x2a"
                                           + (b"\x86\xdd" if v == 6 else b"\x08\x00") + ip)),
        (LINKTYPE_LINUX_SLL, lambda ip, v: (struct.pack(">HHH8s", 0, 1, 6, b"\x02" * 6)
                                            + (b"\x86\xdd" if v == 6 else b"\x08\x00") + ip)),
        (LINKTYPE_LINUX_SLL2, lambda ip, v: ((b"\x86\xdd" if v == 6 else b"\x08\x00")
                                             + struct.pack(">HIHBB8s", 0, 3, 1, 0, 6, bytes(8))
                                             + ip)),
        (LINKTYPE_RAW, lambda ip, v: ip),
        (LINKTYPE_NULL, lambda ip, v: struct.pack("<I", 10 if v == 6 else 2) + ip),
    ],
    ids=["ethernet-802.1q", "ethernet-qinq", "sll", "sll2", "raw", "null"],
)  # fmt: skip
def test_link_types(linktype: int, wrap: object, version: int) -> None:
    assert callable(wrap)
    data = _one_frame(linktype, wrap(_udp_ip(version), version))
    (datagram,) = iter_udp(data)
    assert datagram.src_ip == ("198.51.100.1" if version == 4 else "2001:db8::1")
    assert (datagram.src_port, datagram.dst_port, datagram.payload) == (1111, 2222, b"link")


def test_dedicated_ipv4_and_ipv6_link_types() -> None:
    assert [d.dst_ip for d in iter_udp(_one_frame(LINKTYPE_IPV4, _udp_ip(4)))] == ["198.51.100.2"]
    assert [d.dst_ip for d in iter_udp(_one_frame(LINKTYPE_IPV6, _udp_ip(6)))] == ["2001:db8::2"]


def test_ethernet_padding_is_trimmed_by_ip_total_length() -> None:
    ip = _udp_ip(4)
    data = _one_frame(LINKTYPE_ETHERNET, ethernet_frame(ip) + b"\x00" * 12)
    (packet,) = iter_ip_packets(data)
    assert packet.total_length == len(ip) == 32 and len(packet.l4) == 12


def test_non_ip_and_unknown_link_types_are_counted() -> None:
    arp = b"\xff" * 6 + b"\x02" * 6 + b"\x08\x06" + bytes(28)
    stats = ReadStats()
    data = pcap_header() + pcap_record(T0, arp)
    assert list(iter_udp(data, stats)) == [] and stats.non_ip == 1
    stats = ReadStats()
    assert list(iter_udp(_one_frame(147, _udp_ip(4)), stats)) == []
    assert stats.unknown_linktype == 1


# ------------------------------------------------------------- fragments, extensions, cuts


def test_ipv4_fragments_are_skipped_and_counted() -> None:
    seg = udp_segment("10.0.0.1", "10.0.0.2", 1, 2, b"z" * 40)
    first = ipv4_packet("10.0.0.1", "10.0.0.2", PROTO_UDP, seg[:24], flags_fragment=0x2000)
    later = ipv4_packet("10.0.0.1", "10.0.0.2", PROTO_UDP, seg[24:], flags_fragment=3)
    whole = ipv4_packet("10.0.0.1", "10.0.0.2", PROTO_UDP, seg)
    w = PcapWriter()
    for i, packet in enumerate((first, later, whole)):
        w.add_ip(T0 + i, packet)
    stats = ReadStats()
    assert [d.ts_us for d in iter_udp(w.getvalue(), stats)] == [T0 + 2]
    assert stats.fragments == 2


def test_ipv6_extension_headers_and_fragments() -> None:
    seg = udp_segment("2001:db8::1", "2001:db8::2", 7, 8, b"ext")
    hop = bytes([60, 0]) + bytes(6)  # hop-by-hop, next: destination options
    dst = bytes([17, 1]) + bytes(14)  # destination options (16 bytes), next: UDP
    atomic = bytes([17, 0, 0, 0]) + b"\x00\x00\x00\x01"  # fragment header, offset 0, M=0
    first_frag = bytes([17, 0, 0, 1]) + b"\x00\x00\x00\x02"  # M=1
    w = PcapWriter()
    w.add_ip(T0, ipv6_packet("2001:db8::1", "2001:db8::2", 0, hop + dst + seg))
    w.add_ip(T0 + 1, ipv6_packet("2001:db8::1", "2001:db8::2", 44, atomic + seg))
    w.add_ip(T0 + 2, ipv6_packet("2001:db8::1", "2001:db8::2", 44, first_frag + seg))
    stats = ReadStats()
    got = [(d.ts_us, d.payload) for d in iter_udp(w.getvalue(), stats)]
    assert got == [(T0, b"ext"), (T0 + 1, b"ext")]
    assert stats.fragments == 1


def test_snaplen_cut_packets_are_counted_not_raised() -> None:
    frame = ethernet_frame(_udp_ip(4))
    data = pcap_header() + pcap_record(T0, frame[:30], orig_len=len(frame))
    stats = ReadStats()
    assert list(iter_udp(data, stats)) == []
    assert stats.truncated == 1 and stats.malformed == 0


def test_inconsistent_packet_is_skipped_or_raised_when_strict() -> None:
    ip = bytearray(_udp_ip(4))
    ip[2:4] = (200).to_bytes(2, "big")  # total length beyond the frame, frame not cut
    data = _one_frame(LINKTYPE_RAW, bytes(ip))
    stats = ReadStats()
    assert list(iter_udp(data, stats)) == [] and stats.malformed == 1
    with pytest.raises(MalformedPacket, match="total length exceeds"):
        list(iter_udp(data, strict=True))


# ----------------------------------------------------------------------- malformed files


def test_bad_magic_and_truncated_record_raise_with_offset() -> None:
    with pytest.raises(MalformedPacket, match="not a pcap"):
        list(iter_frames(b"GIF89a" + bytes(40)))
    data = sample_writer().getvalue()
    last_record = len(data) - (16 + 14 + 32)  # the ICMP echo: 14 Ethernet + 32 IP bytes
    with pytest.raises(MalformedPacket, match="pcap record data") as info:
        list(iter_frames(data[:-5]))
    assert info.value.offset == last_record + 16
    with pytest.raises(MalformedPacket, match="file header"):
        list(iter_frames(data[:10]))


def _boundaries(data: bytes) -> set[int]:
    """Offsets where a record (pcap) or block (pcapng) ends: cuts there leave a valid file."""
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        order = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        ends, offset = set(), 0
        while offset < len(data):
            offset += struct.unpack_from(order + "I", data, offset + 4)[0]
            ends.add(offset)
        return ends
    return {24} | {f.offset + 16 + len(f.data) for f in iter_frames(data)}


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_every_cut_yields_a_prefix_and_raises_malformed_mid_record(index: int) -> None:
    data = _valid_captures()[index]
    full, ends = list(iter_udp(data)), _boundaries(data)
    for cut in range(len(data)):
        seen: list[UdpDatagram] = []
        try:
            seen.extend(iter_udp(data[:cut]))
        except MalformedPacket:
            assert cut not in ends
        else:
            assert cut in ends
        assert seen == full[: len(seen)]


def test_trailing_garbage_raises_after_the_good_records() -> None:
    data = sample_writer().getvalue() + b"garbage"
    seen: list[UdpDatagram] = []
    with pytest.raises(MalformedPacket, match="pcap record header"):
        seen.extend(iter_udp(data))
    assert seen == SAMPLE_UDP


# ------------------------------------------------------------------------------- pcapng


def _block(order: str, btype: int, body: bytes) -> bytes:
    body += bytes(-len(body) % 4)
    length = 12 + len(body)
    return struct.pack(order + "II", btype, length) + body + struct.pack(order + "I", length)


def _option(order: str, code: int, value: bytes) -> bytes:
    return struct.pack(order + "HH", code, len(value)) + value + bytes(-len(value) % 4)


def _shb(order: str) -> bytes:
    return _block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def _idb(order: str, linktype: int, tsresol: int | None = None) -> bytes:
    opts = b"" if tsresol is None else _option(order, 9, bytes([tsresol])) + bytes(4)
    return _block(order, 1, struct.pack(order + "HHI", linktype, 0, 0) + opts)


def _epb(order: str, iface: int, units: int, frame: bytes) -> bytes:
    head = struct.pack(order + "IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(frame),
                       len(frame))  # fmt: skip
    return _block(order, 6, head + frame)


def test_pcapng_sections_resolutions_and_simple_packets() -> None:
    frame = ethernet_frame(_udp_ip(4))
    raw6 = _udp_ip(6)
    sec = T0 // 1_000_000
    data = (
        _shb("<")
        + _idb("<", LINKTYPE_ETHERNET)  # default µs
        + _idb("<", LINKTYPE_RAW, tsresol=9)  # ns
        + _epb("<", 0, T0 + 5, frame)
        + _epb("<", 1, sec * 10**9 + 7_654_321, raw6)
        + _block("<", 5, bytes(8))  # interface statistics block: skipped
        + _shb(">")  # a new big-endian section forgets the interfaces above
        + _idb(">", LINKTYPE_ETHERNET, tsresol=0x80 | 10)  # 2^-10 s
        + _epb(">", 0, sec * 1024 + 512, frame)
        + _block(">", 3, struct.pack(">I", len(frame)) + frame)  # simple packet block
    )
    got = [(d.ts_us, d.src_ip) for d in iter_udp(data)]
    assert got == [
        (T0 + 5, "198.51.100.1"),
        (T0 + 7_654, "2001:db8::1"),
        (T0 + 500_000, "198.51.100.1"),
        (0, "198.51.100.1"),  # an SPB has no timestamp
    ]


def test_pcapng_structural_errors() -> None:
    frame = ethernet_frame(_udp_ip(4))
    good = _shb("<") + _idb("<", LINKTYPE_ETHERNET) + _epb("<", 0, T0, frame)
    assert len(list(iter_udp(good))) == 1
    bad_trailer = good[:-4] + struct.pack("<I", 999)
    with pytest.raises(MalformedPacket, match="lengths differ"):
        list(iter_udp(bad_trailer))
    undeclared = _shb("<") + _epb("<", 0, T0, frame)
    with pytest.raises(MalformedPacket, match="undeclared interface"):
        list(iter_udp(undeclared))
    with pytest.raises(MalformedPacket, match="byte-order magic"):
        list(iter_udp(good[:8] + b"\x00\x00\x00\x00" + good[12:]))


# ------------------------------------------------------------------ real tools (interop)


def test_tcpdump_reads_what_we_write(tmp_path: Path) -> None:
    tcpdump = require_tool("tcpdump")
    path = tmp_path / "sample.pcap"
    path.write_bytes(sample_writer().getvalue())
    out = subprocess.run(
        [tcpdump, "-nn", "-vv", "-r", str(path)],
        capture_output=True, text=True, check=True, env={**os.environ, "TZ": "UTC"},
    ).stdout  # fmt: skip
    summary = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(summary) == 4
    text = " ".join(out.split())
    assert "10.0.0.1.40001 > 10.0.0.2.2055: [udp sum ok] UDP, length 5" in text
    assert "10.0.0.1.40000 > 10.0.0.2.443: Flags [S], cksum" in text
    assert "2001:db8::1.4739 > 2001:db8::2.4739: [udp sum ok] UDP, length 20" in text
    assert "10.0.0.1 > 10.0.0.9: ICMP echo request, id 4660, seq 1, length 12" in text
    assert text.count("(correct)") == 1  # the TCP checksum line
    assert "bad" not in text and "incorrect" not in text
    assert [line.split()[0] for line in summary] == [
        "09:00:00.000001", "09:00:00.002000", "09:00:03.000123", "09:00:04.000000"
    ]  # fmt: skip


def test_tcpdump_reads_big_endian_nanosecond_pcap(tmp_path: Path) -> None:
    tcpdump = require_tool("tcpdump")
    path = tmp_path / "be-ns.pcap"
    path.write_bytes(sample_writer(nanosecond=True, big_endian=True).getvalue())
    out = subprocess.run(
        [tcpdump, "-nn", "--time-stamp-precision=nano", "-r", str(path)],
        capture_output=True, text=True, check=True, env={**os.environ, "TZ": "UTC"},
    ).stdout  # fmt: skip
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[2].startswith("09:00:03.000123000 IP6 2001:db8::1.4739 > 2001:db8::2.4739")


@pytest.mark.parametrize("source_format", ["pcap", "nsecpcap"])
def test_pcapng_written_by_editcap(tmp_path: Path, source_format: str) -> None:
    """A real tool (Wireshark's editcap) writes pcapng; our reader sees the same datagrams."""
    editcap = require_tool("editcap")
    source, classic, ng = tmp_path / "ours.pcap", tmp_path / "classic.pcap", tmp_path / "x.pcapng"
    source.write_bytes(sample_writer().getvalue())
    subprocess.run([editcap, "-F", source_format, str(source), str(classic)], check=True)
    subprocess.run([editcap, "-F", "pcapng", str(classic), str(ng)], check=True)
    ng_bytes = ng.read_bytes()
    assert ng_bytes[:4] == b"\x0a\x0d\x0d\x0a"
    assert list(iter_udp(classic.read_bytes())) == SAMPLE_UDP
    assert list(iter_udp(ng_bytes)) == SAMPLE_UDP
    if source_format == "nsecpcap":
        assert b"\x09\x00\x01\x00\x09" in ng_bytes  # if_tsresol option = 9 (nanoseconds)


# -------------------------------------------------------------------------------- fuzzing


def _valid_captures() -> list[bytes]:
    frame = ethernet_frame(_udp_ip(6))
    return [
        sample_writer().getvalue(),
        sample_writer(nanosecond=True, big_endian=True).getvalue(),
        _shb("<") + _idb("<", LINKTYPE_ETHERNET, 9) + _epb("<", 0, T0, frame)
        + _block("<", 3, struct.pack("<I", len(frame)) + frame),
        _shb(">") + _idb(">", LINKTYPE_LINUX_SLL2) + _epb(">", 0, T0, b"\x86\xdd" + bytes(18)
                                                            + _udp_ip(6)),
    ]  # fmt: skip


VALID = _valid_captures()


def _drain(data: bytes, strict: bool) -> None:
    try:
        for _ in iter_udp(data, strict=strict):
            pass
    except MalformedPacket:
        pass


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), strict=st.booleans())
def test_random_bytes_raise_only_malformed_packet(data: bytes, strict: bool) -> None:
    _drain(data, strict)
    for magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a"):
        _drain(magic + data, strict)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(range(len(VALID))),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=0),
    strict=st.booleans(),
)
def test_mutated_captures_raise_only_malformed_packet(
    base: int, edits: list[tuple[int, int]], cut: int, strict: bool
) -> None:
    data = bytearray(VALID[base])
    for position, value in edits:
        data[position % len(data)] = value
    _drain(bytes(data), strict)
    _drain(bytes(data[: cut % (len(data) + 1)]), strict)


def test_fuzz_corpus_is_valid_to_start_with() -> None:
    assert [len(list(iter_udp(v))) for v in VALID] == [2, 2, 2, 1]
