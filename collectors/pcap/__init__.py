"""Packet captures: a sans-IO reader (pcap and pcapng) and a classic-pcap writer.

This package owns the capture file formats and the few link, network and transport headers needed
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

from collectors.pcap.constants import (
    ETHERTYPE_IPV4,
    ETHERTYPE_IPV6,
    ETHERTYPE_VLAN,
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_LOOP,
    LINKTYPE_NULL,
    LINKTYPE_RAW,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_TCP,
    PROTO_UDP,
    TCP_ACK,
    TCP_FIN,
    TCP_PSH,
    TCP_RST,
    TCP_SYN,
)
from collectors.pcap.read import (
    Frame,
    IpPacket,
    ReadStats,
    UdpDatagram,
    iter_frames,
    iter_ip_packets,
    iter_udp,
)
from collectors.pcap.write import (
    PcapWriter,
    ethernet_frame,
    icmp_message,
    inet_checksum,
    ipv4_packet,
    ipv6_packet,
    pcap_header,
    pcap_record,
    tcp_segment,
    udp_segment,
)

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
