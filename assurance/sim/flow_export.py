"""How the twin's SRX gateways export jflow: IPFIX or NetFlow v9, with options templates.

Owns: each protocol's data template (IPFIX: ``TWIN_FIELDS`` with absolute millisecond times;
NetFlow v9: the same elements with sysUpTime-relative times), the two options templates every
gateway announces with its template refresh (the flow sampler's options and the names of the
interfaces its flow records use: WAN units, st0 tunnels and the LAN unit), the refresh
schedule, each gateway's simulated boot time (v9 uptime), the sequence number each protocol
puts in its headers (IPFIX: data records sent, options records included; v9: packets sent),
and ``refresh_datagrams``, the bytes of one refresh from ``collectors.flow`` encoders, which
wire mode sends and lake mode decodes. Must not: open sockets, touch the lake, or decide
traffic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from assurance.sim.snmp_traps import UPTIME_AT_START_S
from assurance.sim.world import LAN_IF, Site
from collectors.flow import IpfixEncoder, V9Encoder
from collectors.flow.encode import FieldLike

I64 = npt.NDArray[np.int64]
ExportKind = Literal["ipfix", "netflow-v9"]
TEMPLATE_EVERY_MIN = 10  # template and options refresh, in simulated minutes
RECORDS_PER_DATAGRAM = 18  # data records per message; fits a 1400-byte datagram in both protocols
MTU = 1400
DATA_TEMPLATE_ID = 256
SAMPLING_TEMPLATE_ID = 257
INTERFACE_TEMPLATE_ID = 258
#: The sampler the twin's gateways run: every packet (input rate 1), 60 s active timeout
SAMPLING_INTERVAL, ACTIVE_TIMEOUT_S, IDLE_TIMEOUT_S = 1, 60, 15

#: The IPFIX template the twin's SRX gateways export (inline jflow, version-ipfix): the
#: elements an SRX sends that the flows it models carry.
TWIN_FIELDS = (
    "sourceIPv4Address", "destinationIPv4Address", "sourceTransportPort",
    "destinationTransportPort", "protocolIdentifier", "ipClassOfService", "tcpControlBits",
    "octetDeltaCount", "packetDeltaCount", "ingressInterface", "egressInterface",
    "flowDirection", "flowStartMilliseconds", "flowEndMilliseconds",
)  # fmt: skip
#: The same flows as NetFlow v9 (version 9 export): TCP flags in one octet, first/last
#: switched relative to sysUpTime.
_V9_RENAMED: dict[str, FieldLike] = {
    "tcpControlBits": ("tcpControlBits", 1),
    "flowStartMilliseconds": "flowStartSysUpTime",
    "flowEndMilliseconds": "flowEndSysUpTime",
}
V9_FIELDS: tuple[FieldLike, ...] = tuple(_V9_RENAMED.get(name, name) for name in TWIN_FIELDS)
#: Options (scope, fields): the sampler, and ifIndex → interface name and description.
Options = tuple[tuple[FieldLike, ...], tuple[FieldLike, ...]]
IPFIX_SAMPLING: Options = (
    ("selectorId",),
    ("selectorAlgorithm", "samplingPacketInterval", "samplingPacketSpace",
     "flowActiveTimeout", "flowIdleTimeout"),
)  # fmt: skip
V9_SAMPLING: Options = (
    (("scopeSystem", 4),),
    ("samplingInterval", "samplingAlgorithm", "flowActiveTimeout", "flowIdleTimeout"),
)
IPFIX_INTERFACES: Options = (("ingressInterface",), ("interfaceName", "interfaceDescription"))
V9_INTERFACES: Options = (
    ("scopeInterface",),
    (("interfaceName", 32), ("interfaceDescription", 64)),
)


def interfaces(site: Site, hub: str) -> list[tuple[int, str, str]]:
    """(ifIndex, name, description) of the units a gateway's flow records name."""
    out = []
    for link in site.links:
        p = link.profile
        out.append((link.if_index, link.interface, f"WAN {p.name}: {p.isp} ({p.type})"))
    for link in site.links:
        out.append((link.tunnel_if_index, link.tunnel, f"IPsec to {hub} over {link.profile.name}"))
    out.append((LAN_IF[1], LAN_IF[0], "LAN trust"))
    return out


@dataclass(frozen=True)
class FlowExport:
    """One protocol's export for a shard's gateways: templates, options and sequence rules."""

    kind: ExportKind
    sites: Sequence[Site]
    hub: str
    start_s: int

    @property
    def version(self) -> int:
        return 10 if self.kind == "ipfix" else 9

    def encoder(self, sequence: int = 0) -> IpfixEncoder | V9Encoder:
        """A gateway's encoder with every template defined, at ``sequence``."""
        encoder: IpfixEncoder | V9Encoder
        if self.kind == "ipfix":
            encoder = IpfixEncoder(domain=0, mtu=MTU, sequence=sequence)
            encoder.define(DATA_TEMPLATE_ID, TWIN_FIELDS)
            sampling, names = IPFIX_SAMPLING, IPFIX_INTERFACES
        else:
            encoder = V9Encoder(domain=0, mtu=MTU, sequence=sequence)
            encoder.define(DATA_TEMPLATE_ID, V9_FIELDS)
            sampling, names = V9_SAMPLING, V9_INTERFACES
        encoder.define(SAMPLING_TEMPLATE_ID, sampling[1], scope=sampling[0])
        encoder.define(INTERFACE_TEMPLATE_ID, names[1], scope=names[0])
        return encoder

    def boot_ms(self, local: int) -> int:
        """When a gateway booted (the SNMP traps' sysUpTime uses the same boot)."""
        site = self.sites[local]
        return (self.start_s - UPTIME_AT_START_S - site.index % 1000 * 60) * 1000

    def uptime_ms(self, local: int, at_ms: int | I64) -> int | I64:
        """sysUpTime in milliseconds (as the 32-bit field carries it) at ``at_ms``."""
        return (at_ms - self.boot_ms(local)) & 0xFFFFFFFF

    def refresh_increments(self) -> I64:
        """How far one refresh moves each gateway's sequence: IPFIX counts the options
        records (the sampler and each interface), v9 the template packet and one packet per
        options template."""
        if self.kind == "ipfix":
            return np.array([2 + 2 * len(s.links) for s in self.sites], np.int64)
        return np.full(len(self.sites), 3, np.int64)

    def data_sequence(self, sent: I64, rank: I64) -> I64:
        """Header sequence of the message carrying the ``rank``-th record of a minute."""
        message = rank // RECORDS_PER_DATAGRAM
        return sent + (message * RECORDS_PER_DATAGRAM if self.kind == "ipfix" else message)

    def data_increment(self, counts: I64) -> I64:
        """How far a minute of ``counts`` data records moves each gateway's sequence."""
        if self.kind == "ipfix":
            return counts
        return (counts + RECORDS_PER_DATAGRAM - 1) // RECORDS_PER_DATAGRAM

    def refresh_datagrams(
        self, encoder: IpfixEncoder | V9Encoder, local: int, export_s: int
    ) -> list[bytes]:
        """A refresh: every template, then the sampler's and the interfaces' options data."""
        uptime = int(self.uptime_ms(local, export_s * 1000))
        site = self.sites[local]
        names = interfaces(site, self.hub)
        if self.kind == "ipfix":
            sampling = {
                "selectorId": [1], "selectorAlgorithm": [1],
                "samplingPacketInterval": [SAMPLING_INTERVAL], "samplingPacketSpace": [0],
                "flowActiveTimeout": [ACTIVE_TIMEOUT_S], "flowIdleTimeout": [IDLE_TIMEOUT_S],
            }  # fmt: skip
            scope = "ingressInterface"
        else:
            a, b = site.octets
            sampling = {
                "scopeSystem": [(127 << 24) | (a << 16) | (b << 8) | 1],
                "samplingInterval": [SAMPLING_INTERVAL], "samplingAlgorithm": [1],
                "flowActiveTimeout": [ACTIVE_TIMEOUT_S], "flowIdleTimeout": [IDLE_TIMEOUT_S],
            }  # fmt: skip
            scope = "scopeInterface"
        named = {
            scope: [i for i, _, _ in names],
            "interfaceName": [n for _, n, _ in names],
            "interfaceDescription": [d for _, _, d in names],
        }
        out = [encoder.template_datagram(export_time=export_s, uptime_ms=uptime)]
        for template_id, records in (
            (SAMPLING_TEMPLATE_ID, sampling),
            (INTERFACE_TEMPLATE_ID, named),
        ):
            out += encoder.encode(
                template_id, records, export_time=export_s, uptime_ms=uptime, with_template=False
            )
        return out


__all__ = [
    "DATA_TEMPLATE_ID", "RECORDS_PER_DATAGRAM", "TEMPLATE_EVERY_MIN", "TWIN_FIELDS", "V9_FIELDS",
    "ExportKind", "FlowExport", "interfaces",
]  # fmt: skip
