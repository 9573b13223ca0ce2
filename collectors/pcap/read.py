"""Reading captures, sans-IO: pcap/pcapng bytes → frames → IP packets → UDP datagrams.

``iter_frames`` walks classic pcap (either byte order, microsecond or nanosecond magic) and
pcapng (SHB/IDB/EPB/SPB and the obsolete PB, ``if_tsresol`` / ``if_tsoffset``, several sections
of either byte order); ``iter_ip_packets`` strips Ethernet (with 802.1Q / 802.1ad tags), Linux
cooked SLL/SLL2, BSD loopback and raw IPv4/IPv6 link layers, skips IPv4 and IPv6 fragments
(counted) and walks IPv6 extension headers minimally; ``iter_udp`` yields ``UdpDatagram`` tuples
with the timestamp as integer microseconds since the Unix epoch (UTC).

Structural damage (bad magic, a record that runs past the end, inconsistent block lengths)
raises ``MalformedPacket`` with the byte offset; packets that are merely not what is asked for
(not IP, not UDP, fragments, cut short by the snap length) are skipped and counted in
``ReadStats``, and so are packets whose own headers are inconsistent unless ``strict=True``.
Nothing else is raised for bad input. Does not decode what the datagrams carry.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from collectors.errors import MalformedPacket
from collectors.pcap.constants import (
    _OPT_IF_TSOFFSET,
    _OPT_IF_TSRESOL,
    _PCAPNG_BOM,
    _PCAPNG_EPB,
    _PCAPNG_IDB,
    _PCAPNG_PB,
    _PCAPNG_SHB,
    _PCAPNG_SPB,
    _RAW_ALIASES,
    _V6_AH,
    _V6_FRAGMENT,
    _V6_GENERIC_EXT,
    _VLAN_TPIDS,
    ETHERTYPE_IPV4,
    ETHERTYPE_IPV6,
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_LOOP,
    LINKTYPE_NULL,
    PCAP_MAGIC_NS,
    PCAP_MAGIC_US,
    PROTO_UDP,
)


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
        if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
            yield from _iter_pcap(data, order, nanosecond=magic == PCAP_MAGIC_NS)
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
