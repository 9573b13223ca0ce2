"""Writing captures for tests: classic pcap of Ethernet frames with correct checksums.

``PcapWriter`` builds UDP, TCP or ICMP over IPv4 or IPv6 with correct IP, UDP, TCP and ICMP
checksums; the header builders (``ipv4_packet``, ``udp_segment`` …) are public so tests can craft
odd packets. Sans-IO: returns bytes, the caller writes files.
"""

from __future__ import annotations

import ipaddress
import struct

from collectors.pcap.constants import (
    ETHERTYPE_IPV4,
    ETHERTYPE_IPV6,
    ETHERTYPE_VLAN,
    LINKTYPE_ETHERNET,
    PCAP_MAGIC_NS,
    PCAP_MAGIC_US,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_TCP,
    PROTO_UDP,
    TCP_ACK,
)


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
    magic = PCAP_MAGIC_NS if nanosecond else PCAP_MAGIC_US
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
