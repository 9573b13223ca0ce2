"""Seeded branch traffic for the flow golden cases, and its ground truth read back from the pcap.

This module owns the traffic an independent exporter (softflowd, pmacct) is fed: a classic pcap
built with ``collectors.pcap.PcapWriter`` from a fixed seed — IPv4 TCP and UDP conversations, an
IPv6 conversation and an ICMP echo exchange, starting 2026-03-02T09:00:00Z and spanning a few
seconds — and ``ground_truth``, which re-reads *the pcap bytes* and sums every unidirectional flow
(5-tuple, packets, IP-layer octets = sum of IP total lengths, first/last packet time in ms). The
truth never comes from the recipe or from any flow decoder of ours.

Shaped so the exporters report each flow exactly once and exactly: every timestamp is a whole
millisecond (no rounding questions), the capture lasts 4 s (no timeout can fire), TCP
conversations end with a FIN/ACK exchange and its last ACK, the capture's last packet lands on a
whole second (NetFlow v9 headers carry whole seconds), and no frame is padded (frame length - 14
equals the IP total length, so it does not matter which of the two an exporter counts).
It must not import the flow decoder (``collectors.flow``) and does no network I/O.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from collectors.pcap import (
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_TCP,
    PROTO_UDP,
    TCP_ACK,
    TCP_FIN,
    TCP_PSH,
    TCP_SYN,
    IpPacket,
    PcapWriter,
    icmp_message,
    ipv4_packet,
    ipv6_packet,
    iter_ip_packets,
    tcp_segment,
    udp_segment,
)

SEED = 20260302
START_US = int(datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC).timestamp()) * 1_000_000

LAST_PACKET_MS = 4000  # the capture's last packet, ms after START_US: a whole second (see 6.)
FlowKey = tuple[str, str, int, int, int]  # src, dst, protocol, src_port, dst_port


@dataclass(frozen=True)
class TruthFlow:
    """One unidirectional flow as the packets in the capture define it."""

    src_addr: str
    dst_addr: str
    src_port: int
    dst_port: int
    protocol: int
    packets: int
    bytes: int
    start_ms: int
    end_ms: int
    ip_version: int

    def record(self) -> dict[str, object]:
        """The canonical flow record (the keys the decoder produces), times as ISO-8601 ms UTC."""
        return {
            "src_addr": self.src_addr,
            "dst_addr": self.dst_addr,
            "src_port": self.src_port,
            "dst_port": self.dst_port,
            "protocol": self.protocol,
            "packets": self.packets,
            "bytes": self.bytes,
            "start_time": iso_ms(self.start_ms),
            "end_time": iso_ms(self.end_ms),
            "ip_version": self.ip_version,
        }


def iso_ms(ms: int) -> str:
    """``2026-03-02T09:00:00.123Z`` for milliseconds since the epoch."""
    stamp = datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{ms % 1000:03d}Z"


class _Timeline:
    """Collects IP packets of interleaved conversations; ``pcap()`` writes them in time order."""

    def __init__(self) -> None:
        self._events: list[tuple[int, int, bytes]] = []
        self._ident = 0

    def _ip(self, src: str, dst: str, protocol: int, l4: bytes) -> bytes:
        if ":" in src:
            return ipv6_packet(src, dst, protocol, l4)
        self._ident = (self._ident + 1) & 0xFFFF
        return ipv4_packet(src, dst, protocol, l4, ident=self._ident)

    def _add(self, ms: int, packet: bytes) -> None:
        self._events.append((ms, len(self._events), packet))

    def udp(self, ms: int, src: str, sport: int, dst: str, dport: int, payload: bytes) -> None:
        self._add(ms, self._ip(src, dst, PROTO_UDP, udp_segment(src, dst, sport, dport, payload)))

    def tcp(
        self,
        ms: int,
        src: str,
        sport: int,
        dst: str,
        dport: int,
        payload: bytes,
        *,
        flags: int,
        seq: int,
        ack: int,
    ) -> None:
        l4 = tcp_segment(src, dst, sport, dport, payload, flags=flags, seq=seq, ack=ack)
        self._add(ms, self._ip(src, dst, PROTO_TCP, l4))

    def icmp(self, ms: int, src: str, dst: str, icmp_type: int, body: bytes) -> None:
        self._add(ms, self._ip(src, dst, PROTO_ICMP, icmp_message(src, dst, icmp_type, 0, body)))

    def pcap(self) -> bytes:
        writer = PcapWriter()
        for ms, _order, packet in sorted(self._events):
            writer.add_ip(ms * 1000, packet)
        return writer.getvalue()


def _tcp_conversation(
    tl: _Timeline,
    rng: random.Random,
    t_ms: int,
    client: tuple[str, int],
    server: tuple[str, int],
    *,
    exchanges: int,
    response_sizes: tuple[int, int],
) -> None:
    """Handshake, request/response exchanges, FIN/ACK teardown ending with the client's ACK."""
    (c, cp), (s, sp) = client, server
    seqs = [rng.randrange(1 << 32), rng.randrange(1 << 32)]

    def send(forward: bool, t: int, payload: bytes, flags: int) -> None:
        me, peer = (0, 1) if forward else (1, 0)
        a, ap, b, bp = (c, cp, s, sp) if forward else (s, sp, c, cp)
        tl.tcp(t, a, ap, b, bp, payload, flags=flags, seq=seqs[me], ack=seqs[peer])
        step = len(payload) + (1 if flags & (TCP_SYN | TCP_FIN) else 0)
        seqs[me] = (seqs[me] + step) & 0xFFFFFFFF

    send(True, t_ms, b"", TCP_SYN)
    t_ms += rng.randint(8, 30)
    send(False, t_ms, b"", TCP_SYN | TCP_ACK)
    t_ms += rng.randint(1, 3)
    send(True, t_ms, b"", TCP_ACK)
    for _ in range(exchanges):
        t_ms += rng.randint(1, 40)
        send(True, t_ms, rng.randbytes(rng.randint(60, 400)), TCP_PSH | TCP_ACK)
        t_ms += rng.randint(10, 60)
        send(False, t_ms, rng.randbytes(rng.randint(*response_sizes)), TCP_PSH | TCP_ACK)
        t_ms += rng.randint(1, 5)
        send(True, t_ms, b"", TCP_ACK)
    t_ms += rng.randint(5, 50)
    send(True, t_ms, b"", TCP_FIN | TCP_ACK)
    t_ms += rng.randint(8, 30)
    send(False, t_ms, b"", TCP_FIN | TCP_ACK)
    t_ms += rng.randint(1, 3)
    send(True, t_ms, b"", TCP_ACK)


def build_traffic(seed: int = SEED) -> bytes:
    """The capture fed to the exporters: a classic Ethernet pcap, deterministic for ``seed``."""
    rng = random.Random(seed)
    tl = _Timeline()
    t0 = START_US // 1000
    # 1. HTTPS over IPv4 TCP: a branch client to a SaaS address.
    _tcp_conversation(
        tl,
        rng,
        t0 + 12,
        ("10.20.1.15", 51514),
        ("198.51.100.20", 443),
        exchanges=6,
        response_sizes=(600, 1400),
    )
    # 2. SSH-like IPv4 TCP to a data-centre host.
    _tcp_conversation(
        tl,
        rng,
        t0 + 400,
        ("10.20.1.23", 40222),
        ("172.16.5.10", 22),
        exchanges=9,
        response_sizes=(40, 200),
    )
    # 3. DNS over IPv4 UDP: two queries from one socket and the resolver's answers.
    t = t0 + 5
    for _ in range(2):
        tl.udp(t, "10.20.1.15", 53001, "192.0.2.53", 53, rng.randbytes(rng.randint(28, 60)))
        t += rng.randint(5, 25)
        tl.udp(t, "192.0.2.53", 53, "10.20.1.15", 53001, rng.randbytes(rng.randint(60, 300)))
        t += rng.randint(200, 900)
    # 4. One-way RTP-like voice stream over IPv4 UDP: ~20 ms pacing, 172-byte payloads.
    t = t0 + 1000
    for _ in range(120):
        tl.udp(t, "10.20.1.40", 16384, "203.0.113.77", 20000, rng.randbytes(172))
        t += 20 + rng.choice((-1, 0, 0, 0, 1))
    # 5. QUIC-like IPv6 UDP conversation.
    t = t0 + 250
    client, server = "2001:db8:20:1::15", "2001:db8:ffff::443"
    for _ in range(14):
        tl.udp(t, client, 58000, server, 443, rng.randbytes(rng.randint(30, 300)))
        t += rng.randint(5, 30)
        tl.udp(t, server, 443, client, 58000, rng.randbytes(rng.randint(200, 1200)))
        t += rng.randint(20, 200)
    # 6. ICMP echo: four pings about a second apart and their replies. The last reply is the
    # capture's last packet and lands on a whole second: softflowd -a takes "now" from the last
    # packet and NetFlow v9 headers carry only whole seconds, so a sub-second "now" would shift
    # every v9 time a decoder derives from sysUpTime.
    t = t0 + 700
    ident = rng.randrange(1 << 16)
    for seq in range(4):
        body = struct.pack(">HH", ident, seq) + rng.randbytes(56)
        tl.icmp(t, "10.20.1.15", "192.0.2.1", 8, body)
        t = t0 + LAST_PACKET_MS if seq == 3 else t + rng.randint(15, 40)
        tl.icmp(t, "192.0.2.1", "10.20.1.15", 0, body)
        t += 960 + rng.randint(0, 20)
    pcap = tl.pcap()
    last_us = max(p.ts_us for p in iter_ip_packets(pcap))
    assert last_us == START_US + LAST_PACKET_MS * 1000, "the last packet must end the capture"
    return pcap


def flow_key(packet: IpPacket) -> FlowKey:
    """(src, dst, protocol, src_port, dst_port); ICMP type/code go in dst_port as type*256+code."""
    if packet.protocol in (PROTO_TCP, PROTO_UDP):
        sport, dport = struct.unpack_from(">HH", packet.l4, 0)
        return packet.src_ip, packet.dst_ip, packet.protocol, sport, dport
    if packet.protocol in (PROTO_ICMP, PROTO_ICMPV6):
        return packet.src_ip, packet.dst_ip, packet.protocol, 0, packet.l4[0] * 256 + packet.l4[1]
    return packet.src_ip, packet.dst_ip, packet.protocol, 0, 0


def conversation_key(key: FlowKey) -> tuple[int, tuple[str, int], tuple[str, int]]:
    """The direction-free key of a flow: protocol and its two (address, port) endpoints, sorted.

    ICMP has type*256+code as its destination "port", so an echo request (x,0)->(y,2048) and its
    reply (y,0)->(x,0) are different conversations, as softflowd and pmacct track them.
    """
    src, dst, protocol, sport, dport = key
    low, high = sorted([(src, sport), (dst, dport)])
    return protocol, low, high


def ground_truth(pcap: bytes, *, conversation_times: bool = False) -> list[TruthFlow]:
    """Every unidirectional flow in ``pcap``, summed from its packets, ordered by start time.

    With ``conversation_times`` a flow's start/end are those of its whole two-way conversation
    (first and last packet in either direction): softflowd and pmacct's nfprobe track flows
    bidirectionally and stamp both directions' records with the conversation's times, while
    packets and bytes stay per direction.
    """
    flows: dict[FlowKey, list[int]] = {}  # key -> [packets, bytes, first ms, last ms, version]
    for packet in iter_ip_packets(pcap, strict=True):
        ms = packet.ts_us // 1000
        acc = flows.setdefault(flow_key(packet), [0, 0, ms, ms, packet.version])
        acc[0] += 1
        acc[1] += packet.total_length
        acc[2], acc[3] = min(acc[2], ms), max(acc[3], ms)
    if conversation_times:
        span: dict[tuple[int, tuple[str, int], tuple[str, int]], tuple[int, int]] = {}
        for key, acc in flows.items():
            ckey = conversation_key(key)
            first, last = span.get(ckey, (acc[2], acc[3]))
            span[ckey] = (min(first, acc[2]), max(last, acc[3]))
        for key, acc in flows.items():
            acc[2], acc[3] = span[conversation_key(key)]
    truth = [
        TruthFlow(src, dst, sport, dport, proto, n, octets, first, last, version)
        for (src, dst, proto, sport, dport), (n, octets, first, last, version) in flows.items()
    ]
    return sorted(truth, key=lambda f: (f.start_ms, f.src_addr, f.src_port, f.dst_addr))


def records(flows: Iterable[TruthFlow]) -> list[dict[str, object]]:
    """Canonical records of ``flows``, in order."""
    return [flow.record() for flow in flows]
