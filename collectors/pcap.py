"""Packet captures: a sans-IO reader (pcap and pcapng) and a classic-pcap writer.

This module owns the capture file formats and the few link, network and transport headers needed
to get from a captured frame to a UDP datagram (the way flow, syslog and JTI exports travel), and
back again for tests:

* reading — ``iter_frames`` walks classic pcap (either byte order, microsecond or nanosecond
  magic) and pcapng (SHB/IDB/EPB/SPB and the obsolete PB, ``if_tsresol`` / ``if_tsoffset``,
  several sections of either byte order); ``iter_ip_packets`` strips Ethernet (with 802.1Q /
  802.1ad tags), Linux cooked SLL/SLL2, BSD loopback and raw IPv4/IPv6 link layers, skips IPv4
  and IPv6 fragments (counted) and walks IPv6 extension headers minimally; ``iter_udp`` yields
  ``UdpDatagram`` tuples with the timestamp as integer microseconds since the Unix epoch (UTC).
* writing — ``PcapWriter`` builds a classic pcap of Ethernet frames carrying UDP, TCP or ICMP
  over IPv4 or IPv6 with correct IP, UDP, TCP and ICMP checksums; the header builders
  (``ipv4_packet``, ``udp_segment`` …) are public so tests can craft odd packets.

It is sans-IO: bytes in, tuples or bytes out; callers open files and sockets. Structural damage
(bad magic, a record that runs past the end, inconsistent block lengths) raises
``collectors.errors.MalformedPacket`` with the byte offset; packets that are merely not what is
asked for (not IP, not UDP, fragments, cut short by the snap length) are skipped and counted in
``ReadStats``, and so are packets whose own headers are inconsistent unless ``strict=True``, which
raises for them too. Nothing else is ever raised for bad input. It must not import ``assurance``,
``models`` or duckdb, and it does not decode what the datagrams carry.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from collectors.errors import MalformedPacket

__all__ = [
    "ETHERTYPE_IPV4",
    "ETHERTYPE_IPV6",
    "ETHERTYPE_VLAN",
    "LINKTYPE_ETHERNET",
    "LINKTYPE_IPV4",
    "LINKTYPE_IPV6",
    "LINKTYPE_LINUX_SLL",
    "LINKTYPE_LINUX_SLL2",
    "LINKTYPE_LOOP",
    "LINKTYPE_NULL",
    "LINKTYPE_RAW",
    "PROTO_ICMP",
    "PROTO_ICMPV6",
    "PROTO_TCP",
    "PROTO_UDP",
    "TCP_ACK",
    "TCP_FIN",
    "TCP_PSH",
    "TCP_RST",
    "TCP_SYN",
    "Frame",
    "IpPacket",
    "PcapWriter",
    "ReadStats",
    "UdpDatagram",
    "ethernet_frame",
    "icmp_message",
    "inet_checksum",
    "ipv4_packet",
    "ipv6_packet",
    "iter_frames",
    "iter_ip_packets",
    "iter_udp",
    "pcap_header",
    "pcap_record",
    "tcp_segment",
    "udp_segment",
]

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276
# DLT_RAW's historical values on some platforms, occasionally found in files.
_RAW_ALIASES = frozenset({LINKTYPE_RAW, 12, 14})

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_VLAN = 0x8100
_VLAN_TPIDS = frozenset({ETHERTYPE_VLAN, 0x88A8, 0x9100})

PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_ICMPV6 = 58

TCP_FIN = 0x01
TCP_SYN = 0x02
TCP_RST = 0x04
TCP_PSH = 0x08
TCP_ACK = 0x10

_PCAP_MAGIC_US = 0xA1B2C3D4
_PCAP_MAGIC_NS = 0xA1B23C4D
_PCAPNG_SHB = 0x0A0D0D0A
_PCAPNG_BOM = 0x1A2B3C4D
_PCAPNG_IDB = 0x00000001
_PCAPNG_PB = 0x00000002
_PCAPNG_SPB = 0x00000003
_PCAPNG_EPB = 0x00000006
_OPT_IF_TSRESOL = 9
_OPT_IF_TSOFFSET = 14

# IPv6 extension headers walked to reach the transport header (RFC 8200 §4).
_V6_HOP_BY_HOP = 0
_V6_ROUTING = 43
_V6_FRAGMENT = 44
_V6_AH = 51
_V6_DEST_OPTS = 60
_V6_GENERIC_EXT = frozenset({_V6_HOP_BY_HOP, _V6_ROUTING, _V6_DEST_OPTS, 135, 139, 140})


class Frame(NamedTuple):
    """One captured frame: when, which link layer, the captured bytes and the wire length."""

    ts_us: int  # µs since the Unix epoch, UTC (0 for a pcapng simple packet block)
    linktype: int  # LINKTYPE_* of the record's file or pcapng interface
    data: bytes  # captured bytes (may be shorter than orig_len: snap length)
    orig_len: int  # length on the wire
    offset: int  # byte offset of the record / block in the file


class IpPacket(NamedTuple):
    """One unfragmented IPv4/IPv6 packet; ``l4`` is what follows the IP (extension) headers."""

    ts_us: int
    version: int  # 4 or 6
    src_ip: str
    dst_ip: str
    protocol: int  # IPv4 protocol / the IPv6 next header after the extension headers
    total_length: int  # IP total length from the header (IPv6: 40 + payload length)
    l4: bytes  # transport header and payload, as far as captured
    truncated: bool  # the capture holds fewer bytes than total_length
    offset: int  # byte offset of the frame's record / block in the file


class UdpDatagram(NamedTuple):
    """One UDP datagram: ``(ts_us, src_ip, src_port, dst_ip, dst_port, payload)``."""

    ts_us: int
    src_ip: str
    src_port: int
    dst_ip: str
    dst_port: int
    payload: bytes


@dataclass
class ReadStats:
    """Counters for what the reader saw and skipped; pass one in to watch a read."""

    frames: int = 0
    ip_packets: int = 0
    udp_datagrams: int = 0
    fragments: int = 0
    non_ip: int = 0
    non_udp: int = 0
    truncated: int = 0
    malformed: int = 0
    unknown_linktype: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def _skip_malformed(self, reason: str, offset: int, strict: bool) -> None:
        if strict:
            raise MalformedPacket(reason, offset=offset)
        self.malformed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


# --------------------------------------------------------------------------------------- reading


def _need(data: bytes, offset: int, length: int, what: str) -> None:
    if length < 0 or offset + length > len(data):
        raise MalformedPacket(
            f"{what}: need {length} bytes, {max(len(data) - offset, 0)} left", offset=offset
        )


def iter_frames(data: bytes) -> Iterator[Frame]:
    """Yield every captured frame of a classic pcap or a pcapng file, in file order."""
    _need(data, 0, 4, "capture file header")
    (magic_be,) = struct.unpack_from(">I", data, 0)
    if magic_be == _PCAPNG_SHB:
        yield from _iter_pcapng(data)
        return
    for order in (">", "<"):
        (magic,) = struct.unpack_from(order + "I", data, 0)
        if magic in (_PCAP_MAGIC_US, _PCAP_MAGIC_NS):
            yield from _iter_pcap(data, order, nanosecond=magic == _PCAP_MAGIC_NS)
            return
    raise MalformedPacket(f"not a pcap or pcapng file (magic {data[:4].hex()})", offset=0)


def _iter_pcap(data: bytes, order: str, *, nanosecond: bool) -> Iterator[Frame]:
    _need(data, 0, 24, "pcap file header")
    major, _minor, _zone, _sigfigs, _snaplen, network = struct.unpack_from(
        order + "HHiIII", data, 4
    )
    if major != 2:
        raise MalformedPacket(f"pcap major version {major}, expected 2", offset=4)
    linktype = network & 0xFFFF
    offset = 24
    record = struct.Struct(order + "IIII")
    while offset < len(data):
        _need(data, offset, 16, "pcap record header")
        sec, frac, incl_len, orig_len = record.unpack_from(data, offset)
        _need(data, offset + 16, incl_len, "pcap record data")
        ts_us = sec * 1_000_000 + (frac // 1000 if nanosecond else frac)
        yield Frame(ts_us, linktype, data[offset + 16 : offset + 16 + incl_len], orig_len, offset)
        offset += 16 + incl_len


@dataclass
class _Interface:
    linktype: int
    snaplen: int
    tsresol: int = 6
    tsoffset_s: int = 0

    def to_us(self, units: int) -> int:
        resol = self.tsresol
        if resol & 0x80:
            us = (units * 1_000_000) >> (resol & 0x7F)
        elif resol <= 6:
            us = units * 10 ** (6 - resol)
        else:
            us = units // 10 ** (resol - 6)
        return us + self.tsoffset_s * 1_000_000


def _iter_pcapng(data: bytes) -> Iterator[Frame]:
    order = ">"
    interfaces: list[_Interface] = []
    offset = 0
    while offset < len(data):
        _need(data, offset, 12, "pcapng block header")
        (btype_be,) = struct.unpack_from(">I", data, offset)
        if btype_be == _PCAPNG_SHB:
            (bom_be,) = struct.unpack_from(">I", data, offset + 8)
            if bom_be == _PCAPNG_BOM:
                order = ">"
            elif bom_be == 0x4D3C2B1A:
                order = "<"
            else:
                raise MalformedPacket(
                    "pcapng section header without byte-order magic", offset=offset
                )
            interfaces = []
        btype, blen = struct.unpack_from(order + "II", data, offset)
        if blen < 12 or blen % 4:
            raise MalformedPacket(f"pcapng block length {blen}", offset=offset)
        _need(data, offset, blen, "pcapng block")
        (trailer,) = struct.unpack_from(order + "I", data, offset + blen - 4)
        if trailer != blen:
            raise MalformedPacket(f"pcapng block lengths differ ({blen}/{trailer})", offset=offset)
        body = data[offset + 8 : offset + blen - 4]
        if btype == _PCAPNG_SHB:
            _need(body, 0, 16, "pcapng section header")
            major = struct.unpack_from(order + "H", body, 4)[0]
            if major != 1:
                raise MalformedPacket(f"pcapng major version {major}, expected 1", offset=offset)
        elif btype == _PCAPNG_IDB:
            interfaces.append(_parse_idb(body, order, offset))
        elif btype in (_PCAPNG_EPB, _PCAPNG_PB):
            yield _parse_epb(body, order, offset, interfaces, obsolete=btype == _PCAPNG_PB)
        elif btype == _PCAPNG_SPB:
            yield _parse_spb(body, order, offset, interfaces)
        offset += blen


def _parse_idb(body: bytes, order: str, offset: int) -> _Interface:
    _need(body, 0, 8, "pcapng interface description")
    linktype, _reserved, snaplen = struct.unpack_from(order + "HHI", body, 0)
    iface = _Interface(linktype, snaplen)
    pos = 8
    while pos + 4 <= len(body):
        code, length = struct.unpack_from(order + "HH", body, pos)
        if code == 0:
            break
        _need(body, pos + 4, length, "pcapng option")
        value = body[pos + 4 : pos + 4 + length]
        if code == _OPT_IF_TSRESOL and length >= 1:
            iface.tsresol = value[0]
        elif code == _OPT_IF_TSOFFSET and length >= 8:
            iface.tsoffset_s = struct.unpack_from(order + "q", value, 0)[0]
        pos += 4 + length + (-length % 4)
    return iface


def _interface(interfaces: list[_Interface], index: int, offset: int) -> _Interface:
    if index >= len(interfaces):
        raise MalformedPacket(f"packet refers to undeclared interface {index}", offset=offset)
    return interfaces[index]


def _parse_epb(
    body: bytes, order: str, offset: int, interfaces: list[_Interface], *, obsolete: bool
) -> Frame:
    _need(body, 0, 20, "pcapng packet block")
    if obsolete:
        index, _drops, ts_hi, ts_lo, caplen, orig_len = struct.unpack_from(
            order + "HHIIII", body, 0
        )
    else:
        index, ts_hi, ts_lo, caplen, orig_len = struct.unpack_from(order + "IIIII", body, 0)
    iface = _interface(interfaces, index, offset)
    _need(body, 20, caplen, "pcapng packet data")
    return Frame(
        iface.to_us((ts_hi << 32) | ts_lo), iface.linktype, body[20 : 20 + caplen], orig_len, offset
    )


def _parse_spb(body: bytes, order: str, offset: int, interfaces: list[_Interface]) -> Frame:
    """A simple packet block has no timestamp: its frame gets ``ts_us == 0``."""
    _need(body, 0, 4, "pcapng simple packet block")
    iface = _interface(interfaces, 0, offset)
    (orig_len,) = struct.unpack_from(order + "I", body, 0)
    caplen = min(orig_len, len(body) - 4)
    if iface.snaplen:
        caplen = min(caplen, iface.snaplen)
    return Frame(0, iface.linktype, body[4 : 4 + caplen], orig_len, offset)


def _network_layer(frame: Frame) -> tuple[int, int] | None:
    """Return (ethertype-like IP version 4/6 or 0 for other, offset of the network header)."""
    data, linktype = frame.data, frame.linktype
    if linktype == LINKTYPE_ETHERNET:
        pos = 12
        if len(data) < pos + 2:
            return None
        ethertype = int.from_bytes(data[pos : pos + 2], "big")
        while ethertype in _VLAN_TPIDS:
            pos += 4
            if len(data) < pos + 2:
                return None
            ethertype = int.from_bytes(data[pos : pos + 2], "big")
        return _by_ethertype(ethertype), pos + 2
    if linktype == LINKTYPE_LINUX_SLL:
        if len(data) < 16:
            return None
        return _by_ethertype(int.from_bytes(data[14:16], "big")), 16
    if linktype == LINKTYPE_LINUX_SLL2:
        if len(data) < 20:
            return None
        return _by_ethertype(int.from_bytes(data[0:2], "big")), 20
    if linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        if len(data) < 4:
            return None
        family = int.from_bytes(data[:4], "big" if linktype == LINKTYPE_LOOP else "little")
        if linktype == LINKTYPE_NULL and family > 0xFFFF:  # written by a big-endian host
            family = int.from_bytes(data[:4], "big")
        return (4 if family == 2 else 6 if family in (10, 24, 28, 30) else 0), 4
    if linktype in _RAW_ALIASES:
        return (data[0] >> 4 if data else 0), 0
    if linktype == LINKTYPE_IPV4:
        return 4, 0
    if linktype == LINKTYPE_IPV6:
        return 6, 0
    return -1, 0


def _by_ethertype(ethertype: int) -> int:
    return 4 if ethertype == ETHERTYPE_IPV4 else 6 if ethertype == ETHERTYPE_IPV6 else 0


def iter_ip_packets(
    data: bytes, stats: ReadStats | None = None, *, strict: bool = False
) -> Iterator[IpPacket]:
    """Yield every unfragmented IPv4/IPv6 packet of a capture, whatever its transport."""
    stats = stats if stats is not None else ReadStats()
    for frame in iter_frames(data):
        stats.frames += 1
        layer = _network_layer(frame)
        if layer is None:
            stats._skip_malformed("link header cut short", frame.offset, strict)
            continue
        version, pos = layer
        if version == -1:
            stats.unknown_linktype += 1
            continue
        if version not in (4, 6):
            stats.non_ip += 1
            continue
        cut = len(frame.data) < frame.orig_len
        packet = (_ipv4 if version == 4 else _ipv6)(frame, pos, cut, stats, strict)
        if packet is not None:
            stats.ip_packets += 1
            yield packet


def _ipv4(frame: Frame, pos: int, cut: bool, stats: ReadStats, strict: bool) -> IpPacket | None:
    ip = frame.data[pos:]
    if len(ip) < 20:
        if cut:
            stats.truncated += 1
        else:
            stats._skip_malformed("IPv4 header cut short", frame.offset, strict)
        return None
    if ip[0] >> 4 != 4:
        stats._skip_malformed("IPv4 link type with another IP version", frame.offset, strict)
        return None
    ihl = (ip[0] & 0x0F) * 4
    total = int.from_bytes(ip[2:4], "big")
    if total == 0:  # segmentation offload captured before the NIC fills the length in
        total = len(ip)
    if ihl < 20 or total < ihl:
        stats._skip_malformed("IPv4 header or total length too small", frame.offset, strict)
        return None
    if total > len(ip) and not cut:
        stats._skip_malformed("IPv4 total length exceeds the frame", frame.offset, strict)
        return None
    if len(ip) < ihl:
        stats.truncated += 1
        return None
    if int.from_bytes(ip[6:8], "big") & 0x3FFF:  # MF flag or a fragment offset
        stats.fragments += 1
        return None
    end = min(total, len(ip))
    return IpPacket(
        frame.ts_us,
        4,
        str(ipaddress.IPv4Address(ip[12:16])),
        str(ipaddress.IPv4Address(ip[16:20])),
        ip[9],
        total,
        ip[ihl:end],
        end < total,
        frame.offset,
    )


def _ipv6(frame: Frame, pos: int, cut: bool, stats: ReadStats, strict: bool) -> IpPacket | None:
    ip = frame.data[pos:]
    if len(ip) < 40:
        if cut:
            stats.truncated += 1
        else:
            stats._skip_malformed("IPv6 header cut short", frame.offset, strict)
        return None
    if ip[0] >> 4 != 6:
        stats._skip_malformed("IPv6 link type with another IP version", frame.offset, strict)
        return None
    total = 40 + int.from_bytes(ip[4:6], "big")
    if total == 40 and len(ip) > 40:  # jumbogram or offload: trust the capture
        total = len(ip)
    if total > len(ip) and not cut:
        stats._skip_malformed("IPv6 payload length exceeds the frame", frame.offset, strict)
        return None
    end = min(total, len(ip))
    proto, hpos = ip[6], 40
    while proto in _V6_GENERIC_EXT or proto in (_V6_FRAGMENT, _V6_AH):
        if hpos + 8 > end:
            if cut:
                stats.truncated += 1
            else:
                stats._skip_malformed("IPv6 extension header cut short", frame.offset, strict)
            return None
        nxt = ip[hpos]
        if proto == _V6_FRAGMENT:
            if int.from_bytes(ip[hpos + 2 : hpos + 4], "big") & 0xFFF9:  # offset or M flag
                stats.fragments += 1
                return None
            hlen = 8
        elif proto == _V6_AH:
            hlen = (ip[hpos + 1] + 2) * 4
        else:
            hlen = (ip[hpos + 1] + 1) * 8
        proto, hpos = nxt, hpos + hlen
    if hpos > end:
        stats._skip_malformed("IPv6 extension header runs past the packet", frame.offset, strict)
        return None
    return IpPacket(
        frame.ts_us,
        6,
        str(ipaddress.IPv6Address(ip[8:24])),
        str(ipaddress.IPv6Address(ip[24:40])),
        proto,
        total,
        ip[hpos:end],
        end < total,
        frame.offset,
    )


def iter_udp(
    data: bytes, stats: ReadStats | None = None, *, strict: bool = False
) -> Iterator[UdpDatagram]:
    """Yield every complete, unfragmented UDP datagram of a pcap or pcapng capture."""
    stats = stats if stats is not None else ReadStats()
    for packet in iter_ip_packets(data, stats, strict=strict):
        if packet.protocol != PROTO_UDP:
            stats.non_udp += 1
            continue
        l4 = packet.l4
        if len(l4) < 8:
            if packet.truncated:
                stats.truncated += 1
            else:
                stats._skip_malformed("UDP header cut short", packet.offset, strict)
            continue
        sport, dport, length = struct.unpack_from(">HHH", l4, 0)
        if length == 0 and packet.version == 6:  # RFC 2675 jumbogram
            length = len(l4)
        if length < 8 or (length > len(l4) and not packet.truncated):
            stats._skip_malformed(
                f"UDP length {length} with {len(l4)} bytes", packet.offset, strict
            )
            continue
        if length > len(l4):
            stats.truncated += 1
            continue
        stats.udp_datagrams += 1
        yield UdpDatagram(
            packet.ts_us, packet.src_ip, sport, packet.dst_ip, dport, bytes(l4[8:length])
        )


# --------------------------------------------------------------------------------------- writing


def inet_checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071): one's complement of the one's-complement 16-bit sum."""
    if len(data) % 2:
        data += b"\x00"
    total: int = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ip_bytes(address: str) -> tuple[int, bytes]:
    ip = ipaddress.ip_address(address)
    return ip.version, ip.packed


def _pseudo_header(src: str, dst: str, protocol: int, length: int) -> bytes:
    version, s = _ip_bytes(src)
    _, d = _ip_bytes(dst)
    if version == 4:
        return s + d + struct.pack(">BBH", 0, protocol, length)
    return s + d + struct.pack(">IxxxB", length, protocol)


def udp_segment(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    """A UDP header plus ``payload`` with the checksum over the IPv4/IPv6 pseudo-header."""
    length = 8 + len(payload)
    header = struct.pack(">HHHH", sport, dport, length, 0)
    checksum = inet_checksum(_pseudo_header(src, dst, PROTO_UDP, length) + header + payload)
    return struct.pack(">HHHH", sport, dport, length, checksum or 0xFFFF) + payload


def tcp_segment(
    src: str,
    dst: str,
    sport: int,
    dport: int,
    payload: bytes = b"",
    *,
    flags: int = TCP_ACK,
    seq: int = 0,
    ack: int = 0,
    window: int = 65535,
) -> bytes:
    """A 20-byte TCP header (no options) plus ``payload`` with a correct checksum."""

    def header(checksum: int) -> bytes:
        return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, checksum, 0)

    pseudo = _pseudo_header(src, dst, PROTO_TCP, 20 + len(payload))
    return header(inet_checksum(pseudo + header(0) + payload)) + payload


def icmp_message(src: str, dst: str, icmp_type: int, code: int = 0, body: bytes = b"") -> bytes:
    """An ICMP (IPv4) or ICMPv6 (IPv6, pseudo-header in the checksum) message.

    ``body`` follows the 4-byte type/code/checksum header (for echo: identifier, sequence, data).
    """
    version, _ = _ip_bytes(src)
    head = struct.pack(">BBH", icmp_type, code, 0)
    if version == 4:
        checksum = inet_checksum(head + body)
    else:
        pseudo = _pseudo_header(src, dst, PROTO_ICMPV6, 4 + len(body))
        checksum = inet_checksum(pseudo + head + body)
    return struct.pack(">BBH", icmp_type, code, checksum) + body


def ipv4_packet(
    src: str,
    dst: str,
    protocol: int,
    payload: bytes,
    *,
    ident: int = 0,
    ttl: int = 64,
    tos: int = 0,
    flags_fragment: int = 0x4000,
) -> bytes:
    """A 20-byte IPv4 header (DF set by default) with a correct header checksum, plus payload."""
    _, s = _ip_bytes(src)
    _, d = _ip_bytes(dst)
    total = 20 + len(payload)
    if total > 0xFFFF:
        raise ValueError(f"IPv4 packet of {total} bytes")
    fields = (0x45, tos, total, ident, flags_fragment, ttl, protocol)
    header = struct.pack(">BBHHHBBH4s4s", *fields, 0, s, d)
    return struct.pack(">BBHHHBBH4s4s", *fields, inet_checksum(header), s, d) + payload


def ipv6_packet(
    src: str,
    dst: str,
    next_header: int,
    payload: bytes,
    *,
    hop_limit: int = 64,
    traffic_class: int = 0,
    flow_label: int = 0,
) -> bytes:
    """A 40-byte IPv6 header plus payload (extension headers, if any, are part of payload)."""
    _, s = _ip_bytes(src)
    _, d = _ip_bytes(dst)
    first = (6 << 28) | (traffic_class << 20) | (flow_label & 0xFFFFF)
    return struct.pack(">IHBB16s16s", first, len(payload), next_header, hop_limit, s, d) + payload


def ethernet_frame(
    packet: bytes,
    *,
    src_mac: bytes = b"\x02\x00\x00\x00\x00\x01",
    dst_mac: bytes = b"\x02\x00\x00\x00\x00\x02",
    vlan: int | None = None,
) -> bytes:
    """An Ethernet II frame (optionally 802.1Q tagged) around an IPv4/IPv6 packet, no padding.

    Frames are not padded to 60 bytes, like frames captured on the sending host, so a capture's
    wire length minus the link header is the IP total length.
    """
    ethertype = ETHERTYPE_IPV6 if packet[:1] and packet[0] >> 4 == 6 else ETHERTYPE_IPV4
    tag = b"" if vlan is None else struct.pack(">HH", ETHERTYPE_VLAN, vlan & 0x0FFF)
    return dst_mac + src_mac + tag + struct.pack(">H", ethertype) + packet


def pcap_header(
    linktype: int = LINKTYPE_ETHERNET,
    *,
    snaplen: int = 262144,
    nanosecond: bool = False,
    big_endian: bool = False,
) -> bytes:
    """The 24-byte classic pcap file header."""
    magic = _PCAP_MAGIC_NS if nanosecond else _PCAP_MAGIC_US
    order = ">" if big_endian else "<"
    return struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(
    ts_us: int,
    frame: bytes,
    *,
    nanosecond: bool = False,
    big_endian: bool = False,
    orig_len: int | None = None,
) -> bytes:
    """One classic pcap record (16-byte header plus the frame) stamped ``ts_us`` (UTC µs)."""
    if ts_us < 0:
        raise ValueError("pcap timestamps start at the Unix epoch")
    sec, usec = divmod(ts_us, 1_000_000)
    frac = usec * 1000 if nanosecond else usec
    wire = len(frame) if orig_len is None else orig_len
    order = ">" if big_endian else "<"
    return struct.pack(order + "IIII", sec, frac, len(frame), wire) + frame


class PcapWriter:
    """Builds a classic pcap (Ethernet link type) in memory; ``getvalue()`` returns the file.

    Each ``add_*`` method returns the IP packet it framed, so callers can check lengths.
    """

    def __init__(self, *, nanosecond: bool = False, big_endian: bool = False) -> None:
        self._nanosecond = nanosecond
        self._big_endian = big_endian
        self._parts: list[bytes] = [
            pcap_header(LINKTYPE_ETHERNET, nanosecond=nanosecond, big_endian=big_endian)
        ]
        self._ident = 0
        self.packets = 0

    def add_ip(self, ts_us: int, packet: bytes, *, vlan: int | None = None) -> bytes:
        """Frame an already built IPv4/IPv6 packet in Ethernet and append it."""
        frame = ethernet_frame(packet, vlan=vlan)
        self._parts.append(
            pcap_record(ts_us, frame, nanosecond=self._nanosecond, big_endian=self._big_endian)
        )
        self.packets += 1
        return packet

    def _wrap(self, src: str, dst: str, protocol: int, l4: bytes) -> bytes:
        if ipaddress.ip_address(src).version == 4:
            self._ident = (self._ident + 1) & 0xFFFF
            return ipv4_packet(src, dst, protocol, l4, ident=self._ident)
        return ipv6_packet(src, dst, protocol, l4)

    def add_udp(
        self,
        ts_us: int,
        src: str,
        sport: int,
        dst: str,
        dport: int,
        payload: bytes,
        *,
        vlan: int | None = None,
    ) -> bytes:
        """Append a UDP datagram over IPv4 or IPv6 (chosen by the address family)."""
        l4 = udp_segment(src, dst, sport, dport, payload)
        return self.add_ip(ts_us, self._wrap(src, dst, PROTO_UDP, l4), vlan=vlan)

    def add_tcp(
        self,
        ts_us: int,
        src: str,
        sport: int,
        dst: str,
        dport: int,
        payload: bytes = b"",
        *,
        flags: int = TCP_ACK,
        seq: int = 0,
        ack: int = 0,
        vlan: int | None = None,
    ) -> bytes:
        """Append a TCP segment over IPv4 or IPv6."""
        l4 = tcp_segment(src, dst, sport, dport, payload, flags=flags, seq=seq, ack=ack)
        return self.add_ip(ts_us, self._wrap(src, dst, PROTO_TCP, l4), vlan=vlan)

    def add_icmp(
        self,
        ts_us: int,
        src: str,
        dst: str,
        icmp_type: int,
        code: int = 0,
        body: bytes = b"",
        *,
        vlan: int | None = None,
    ) -> bytes:
        """Append an ICMP (IPv4) or ICMPv6 (IPv6) message."""
        v6 = ipaddress.ip_address(src).version == 6
        l4 = icmp_message(src, dst, icmp_type, code, body)
        return self.add_ip(
            ts_us, self._wrap(src, dst, PROTO_ICMPV6 if v6 else PROTO_ICMP, l4), vlan=vlan
        )

    def getvalue(self) -> bytes:
        """The whole capture file so far."""
        return b"".join(self._parts)
