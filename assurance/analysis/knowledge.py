"""What a symptom can mean: cause kinds, the actions that fix them, and symptom → cause rules.

Owns the vocabulary of root causes (Marvis-style action kinds: bad cable, ISP outage, DHCP
failure…), their layer (wifi, lan, wan, app, gateway), the scope they are localized at, the fix
an operator should apply, and which SLE classifiers point at which cause — with how close to the
cause each SLE sits (an AP-health verdict is the AP itself; a throughput verdict is a distant
echo). Pure data and lookups: must not read the lake or rank anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Layer = Literal["wifi", "lan", "wan", "app", "gateway"]
#: The scope a cause is localized at; the dimension of ``sle_minutes`` that names it.
Scope = Literal["link", "isp", "site", "gateway", "ap", "port", "app"]
SCOPE_DIMENSION: dict[str, str] = {
    "link": "wan_link",
    "gateway": "gateway",
    "ap": "ap",
    "port": "switch_port",
    "app": "application",
    "site": "site",
    "isp": "isp",
}


@dataclass(frozen=True)
class CauseKind:
    name: str
    layer: Layer
    scope: Scope
    title: str
    fix: str


_KINDS = (
    CauseKind(
        "gateway_resources",
        "gateway",
        "gateway",
        "Gateway resource exhaustion",
        "Check `show chassis routing-engine` and `show security monitoring`; find the flows or "
        "processes that load the gateway, rate-limit them or move traffic; size up the SRX.",
    ),
    CauseKind(
        "gateway_down",
        "gateway",
        "gateway",
        "Gateway disconnected",
        "Check power and the management path of the gateway; console in if it does not answer.",
    ),
    CauseKind(
        "gateway_hardware",
        "gateway",
        "gateway",
        "Gateway power or temperature alarm",
        "Check `show chassis alarms` and `show chassis environment`; replace the failed PSU/fan.",
    ),
    CauseKind(
        "link_down",
        "wan",
        "link",
        "WAN link down",
        "Check the circuit with the ISP and the physical hand-off; traffic runs on the backup "
        "link meanwhile.",
    ),
    CauseKind(
        "link_flapping",
        "wan",
        "link",
        "WAN link flapping",
        "Check optics, cabling and the ISP hand-off for errors; dampen the interface "
        "(`hold-time up`) and open a ticket with the ISP.",
    ),
    CauseKind(
        "congestion",
        "wan",
        "link",
        "WAN link congested",
        "Raise the circuit's bandwidth, shape bulk traffic with class of service, or steer "
        "applications to a link with headroom.",
    ),
    CauseKind(
        "bad_cable_wan",
        "wan",
        "link",
        "Bad cable or optic on a WAN interface",
        "Replace the cable or optic on the WAN interface (CRC/FCS errors are rising).",
    ),
    CauseKind(
        "isp_degradation",
        "wan",
        "link",
        "ISP path degraded (loss, latency or jitter)",
        "Open a ticket with the ISP with the measured loss/latency/jitter; steer real-time "
        "applications to a healthy link meanwhile.",
    ),
    CauseKind(
        "isp_unreachable",
        "wan",
        "link",
        "Nothing beyond the WAN link answers",
        "Check the ISP's gateway, DHCP/ARP on the WAN interface and the probes' targets.",
    ),
    CauseKind(
        "isp_outage",
        "wan",
        "isp",
        "ISP outage across sites",
        "Open a ticket with the ISP; every site on it should fail over to its other links.",
    ),
    CauseKind(
        "vpn_down",
        "wan",
        "link",
        "VPN / IPsec overlay tunnel down",
        "Check `show security ike security-associations` and the hub's side of the tunnel "
        "(IKE proposals, certificates, reachability of the peer).",
    ),
    CauseKind(
        "mtu_mismatch",
        "wan",
        "link",
        "MTU black hole on the path",
        "Lower the tunnel/interface MTU or set `tcp-mss` on the overlay; check that ICMP "
        "fragmentation-needed is not filtered.",
    ),
    CauseKind(
        "saas_outage",
        "app",
        "app",
        "Application outage or slowdown at the provider",
        "Check the provider's status page; nothing on the network side explains it.",
    ),
    CauseKind(
        "dhcp_failure",
        "lan",
        "site",
        "DHCP failure",
        "Check the DHCP server or relay of the site (scope exhausted, server down, relay "
        "misconfigured).",
    ),
    CauseKind(
        "dns_failure",
        "lan",
        "site",
        "DNS failure",
        "Check the DNS servers handed out to clients and their upstream reachability.",
    ),
    CauseKind(
        "auth_failure",
        "lan",
        "site",
        "Authentication (RADIUS / 802.1X) failure",
        "Check the RADIUS server's reachability, shared secret and certificates.",
    ),
    CauseKind(
        "bad_cable_lan",
        "lan",
        "port",
        "Bad cable or duplex mismatch on a switch port",
        "Replace the cable; check that both ends auto-negotiate speed and duplex.",
    ),
    CauseKind(
        "switch_resources",
        "lan",
        "site",
        "Switch unhealthy",
        "Check the switch's CPU, memory, PoE budget and uplink.",
    ),
    CauseKind(
        "ap_down",
        "wifi",
        "ap",
        "AP down",
        "Check the AP's switch port (PoE, link) and power; reboot or replace the AP.",
    ),
    CauseKind(
        "coverage_hole",
        "wifi",
        "ap",
        "Coverage hole",
        "Raise the AP's transmit power, check its antennas and placement, or add an AP.",
    ),
    CauseKind(
        "interference",
        "wifi",
        "ap",
        "Radio interference",
        "Move the AP's radio to a cleaner channel and look for the non-Wi-Fi source.",
    ),
    CauseKind(
        "ap_capacity",
        "wifi",
        "ap",
        "AP over capacity",
        "Add capacity (another AP or radio) or balance clients across bands and APs.",
    ),
    CauseKind(
        "roaming_failure",
        "wifi",
        "site",
        "Roaming failures",
        "Check 802.11r/OKC settings and that every AP reaches the RADIUS server.",
    ),
    CauseKind(
        "client_capability",
        "wifi",
        "site",
        "Client devices limit throughput",
        "Legacy clients (few spatial streams, old standards) are slow on their own; steer them "
        "to 5 GHz or refresh them.",
    ),
    CauseKind(
        "upstream_network",
        "wan",
        "site",
        "The network beyond the Wi-Fi is slow",
        "Wi-Fi is fine but traffic is slow further on: look at the site's WAN SLEs.",
    ),
    CauseKind(
        "wifi_association",
        "wifi",
        "site",
        "Clients fail to associate",
        "Check the SSID's security settings and the APs' radio health.",
    ),
)
KINDS: dict[str, CauseKind] = {k.name: k for k in _KINDS}


@dataclass(frozen=True)
class Rule:
    """A classifier (and optional sub-classifier prefix) of an SLE that points at a cause."""

    sle: str
    classifier: str
    sub: str | None
    kind: str


#: First matching rule wins; a rule with a sub is listed before the classifier-wide one.
RULES: tuple[Rule, ...] = (
    Rule("gateway_health", "disconnected", None, "gateway_down"),
    Rule("gateway_health", "power", None, "gateway_hardware"),
    Rule("gateway_health", "temperature", None, "gateway_hardware"),
    Rule("gateway_health", "cpu", None, "gateway_resources"),
    Rule("gateway_health", "memory", None, "gateway_resources"),
    Rule("gateway_health", "session_table", None, "gateway_resources"),
    Rule("wan_link_health", "interface", "port_down", "link_down"),
    Rule("wan_link_health", "interface", "congestion", "congestion"),
    Rule("wan_link_health", "interface", "cable", "bad_cable_wan"),
    Rule("wan_link_health", "interface", None, "link_down"),
    Rule("wan_link_health", "network", "tunnel_down", "vpn_down"),
    Rule("wan_link_health", "network", None, "isp_degradation"),
    Rule("wan_link_health", "isp_reachability", None, "isp_unreachable"),
    Rule("application_health", "application_services", "server_reset", "mtu_mismatch"),
    Rule("application_health", "application_services", None, "saas_outage"),
    Rule("application_health", "bandwidth", None, "congestion"),
    Rule("application_health", "latency", None, "isp_degradation"),
    Rule("application_health", "jitter", None, "isp_degradation"),
    Rule("application_health", "loss", None, "isp_degradation"),
    Rule("gateway_bandwidth", "queue_drops", None, "congestion"),
    Rule("gateway_bandwidth", "headroom", None, "congestion"),
    Rule("wired_throughput", "port_errors", None, "bad_cable_lan"),
    Rule("wired_throughput", "speed_mismatch", None, "bad_cable_lan"),
    Rule("wired_throughput", "congestion", None, "congestion"),
    Rule("wired_successful_connects", "authorization", None, "auth_failure"),
    Rule("wired_successful_connects", "dhcp", None, "dhcp_failure"),
    Rule("wired_successful_connects", "dns", None, "dns_failure"),
    Rule("switch_health", "uplink", None, "switch_resources"),
    Rule("switch_health", "disconnected", None, "switch_resources"),
    Rule("switch_health", "poe", None, "switch_resources"),
    Rule("switch_health", "temperature", None, "switch_resources"),
    Rule("switch_health", "cpu", None, "switch_resources"),
    Rule("switch_health", "memory", None, "switch_resources"),
    Rule("time_to_connect", "association", None, "wifi_association"),
    Rule("time_to_connect", "authorization", None, "auth_failure"),
    Rule("time_to_connect", "dhcp", None, "dhcp_failure"),
    Rule("time_to_connect", "ip_services", None, "dns_failure"),
    Rule("successful_connects", "association", None, "wifi_association"),
    Rule("successful_connects", "authorization", None, "auth_failure"),
    Rule("successful_connects", "dhcp", None, "dhcp_failure"),
    Rule("successful_connects", "dns", None, "dns_failure"),
    Rule("coverage", "weak_signal", None, "coverage_hole"),
    Rule("roaming", "failed_roam", None, "roaming_failure"),
    Rule("roaming", "slow_11r_roam", None, "roaming_failure"),
    Rule("roaming", "slow_okc_roam", None, "roaming_failure"),
    Rule("roaming", "slow_standard_roam", None, "roaming_failure"),
    Rule("wireless_throughput", "coverage", None, "coverage_hole"),
    Rule("wireless_throughput", "interference", None, "interference"),
    Rule("wireless_throughput", "capacity", None, "ap_capacity"),
    Rule("wireless_throughput", "device_capability", None, "client_capability"),
    Rule("wireless_throughput", "network_issues", None, "upstream_network"),
    Rule("capacity", "non_wifi_interference", None, "interference"),
    Rule("capacity", "wifi_interference", None, "interference"),
    Rule("capacity", "ap_load", None, "ap_capacity"),
    Rule("ap_health", "ap_disconnected", None, "ap_down"),
    Rule("ap_health", "ap_reboot", None, "ap_down"),
    Rule("ap_health", "low_power", None, "ap_down"),
    Rule("ap_health", "ethernet_errors", None, "bad_cable_lan"),
)

#: How directly an SLE's verdict observes its cause (1 = the device itself says so). A cause
#: seen by a direct SLE outranks the same users' echo in a distant one.
DIRECTNESS: dict[str, float] = {
    "gateway_health": 1.0,
    "ap_health": 1.0,
    "switch_health": 0.9,
    "wan_link_health": 0.9,
    "successful_connects": 0.9,
    "wired_successful_connects": 0.9,
    "coverage": 0.85,
    "capacity": 0.85,
    "roaming": 0.8,
    "wired_throughput": 0.8,
    "application_health": 0.6,
    "gateway_bandwidth": 0.6,
    "time_to_connect": 0.5,
    "wireless_throughput": 0.4,
}

#: Cause kinds that, seen at several sites on one ISP at once, become that ISP's outage.
ISP_WIDE = {"isp_unreachable", "isp_degradation", "link_down", "vpn_down"}
#: Cause kinds that, seen for one application at several sites at once, are the provider's.
APP_WIDE = {"saas_outage", "isp_degradation"}


def cause_for(sle: str, classifier: str | None, sub: str | None) -> str | None:
    """The cause kind a bad minute of ``sle`` with this classifier points at, if any."""
    if classifier is None:
        return None
    for rule in RULES:
        sub_matches = rule.sub is None or (sub or "").startswith(rule.sub)
        if rule.sle == sle and rule.classifier == classifier and sub_matches:
            return rule.kind
    return None


__all__ = [
    "APP_WIDE",
    "DIRECTNESS",
    "ISP_WIDE",
    "KINDS",
    "RULES",
    "SCOPE_DIMENSION",
    "CauseKind",
    "Layer",
    "Rule",
    "Scope",
    "cause_for",
]
