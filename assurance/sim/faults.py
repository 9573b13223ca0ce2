"""The fault catalogue: every fault the twin can inject, its layer, scope and expected symptom.

Owns: the fault types, what each one needs to be placed (site, link, AP, port, app, ISP) and
its parameters with defaults, and the SLE and classifier it should surface as — the ground truth
that accuracy figures are measured against. Must not: compute effects (``physics`` does) or
know about files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Layer = Literal["wifi", "lan", "wan", "app", "gateway"]
Scope = Literal["link", "site", "gateway", "ap", "port", "app", "isp", "switch"]


@dataclass(frozen=True)
class FaultType:
    name: str
    layer: Layer
    scope: Scope
    sle: str
    classifier: str
    doc: str
    params: dict[str, float] = field(default_factory=dict)


def _ft(
    name: str, layer: Layer, scope: Scope, sle: str, classifier: str, doc: str, **params: float
) -> FaultType:
    return FaultType(name, layer, scope, sle, classifier, doc, params)


CATALOGUE: dict[str, FaultType] = {
    f.name: f
    for f in (
        _ft(
            "isp_loss",
            "wan",
            "link",
            "wan-link-health",
            "network/loss",
            "Packet loss on one WAN link",
            loss_pct=6.0,
        ),
        _ft(
            "isp_latency",
            "wan",
            "link",
            "wan-link-health",
            "network/latency",
            "Added round-trip latency on one WAN link",
            rtt_ms=220.0,
        ),
        _ft(
            "isp_jitter",
            "wan",
            "link",
            "wan-link-health",
            "network/jitter",
            "Added jitter on one WAN link",
            jitter_ms=60.0,
        ),
        _ft(
            "link_down",
            "wan",
            "link",
            "wan-link-health",
            "interface/port_down",
            "WAN interface goes down; traffic fails over to the next link",
        ),
        _ft(
            "link_flap",
            "wan",
            "link",
            "wan-link-health",
            "interface/port_down",
            "WAN interface goes down and up every few minutes",
            period_min=4.0,
        ),
        _ft(
            "congestion",
            "wan",
            "link",
            "wan-link-health",
            "interface/congestion",
            "Extra traffic fills the WAN link's downstream capacity",
            load_pct=110.0,
        ),
        _ft(
            "bad_cable",
            "wan",
            "link",
            "wan-link-health",
            "interface/cable",
            "CRC/FCS errors on a WAN interface (bad cable or optic)",
            error_pct=2.0,
        ),
        _ft(
            "duplex_mismatch",
            "lan",
            "port",
            "wired-throughput",
            "port_errors/crc",
            "A switch access port negotiates half duplex at 100 Mb/s",
        ),
        _ft(
            "tunnel_down",
            "wan",
            "link",
            "wan-link-health",
            "network/tunnel_down",
            "The IPsec overlay tunnel on one WAN link goes down",
        ),
        _ft(
            "gateway_cpu",
            "gateway",
            "gateway",
            "gateway-health",
            "cpu/data_plane",
            "Gateway data-plane CPU exhaustion",
            cpu_pct=97.0,
        ),
        _ft(
            "gateway_memory",
            "gateway",
            "gateway",
            "gateway-health",
            "memory/control_plane",
            "Gateway memory exhaustion",
            memory_pct=95.0,
        ),
        _ft(
            "dhcp_failure",
            "lan",
            "site",
            "successful-connects",
            "dhcp",
            "The site's DHCP server stops answering",
        ),
        _ft(
            "dns_failure",
            "lan",
            "site",
            "successful-connects",
            "dns",
            "The site's DNS server fails lookups",
        ),
        _ft(
            "auth_failure",
            "lan",
            "site",
            "successful-connects",
            "authorization",
            "RADIUS / 802.1X authentication fails",
        ),
        _ft(
            "ap_down",
            "wifi",
            "ap",
            "ap-health",
            "ap_disconnected/port_down",
            "An AP loses power or uplink; its clients roam to neighbours or drop",
        ),
        _ft(
            "coverage_hole",
            "wifi",
            "ap",
            "coverage",
            "weak_signal",
            "Signal around one AP falls by tens of dB",
            rssi_drop_db=18.0,
        ),
        _ft(
            "interference",
            "wifi",
            "ap",
            "capacity",
            "non_wifi_interference",
            "Non-Wi-Fi interference raises channel utilisation on one AP",
            util_pct=70.0,
        ),
        _ft(
            "roaming_failure",
            "wifi",
            "site",
            "roaming",
            "failed_roam",
            "Fast roaming breaks: roams are slow or fail",
        ),
        _ft(
            "app_slowdown",
            "app",
            "app",
            "application-health",
            "latency",
            "One SaaS application's servers respond slowly, at every site",
            server_ms=900.0,
        ),
        _ft(
            "mtu_mismatch",
            "wan",
            "link",
            "application-health",
            "application_services/server_reset",
            "Path MTU black hole on one link: large transfers stall and reset",
        ),
        _ft(
            "isp_outage",
            "wan",
            "isp",
            "wan-link-health",
            "isp_reachability/probe_failure",
            "One ISP fails everywhere: links stay up but nothing beyond them answers",
        ),
    )
}


def describe() -> list[FaultType]:
    """The catalogue in a stable order (by layer, then name)."""
    return sorted(CATALOGUE.values(), key=lambda f: (f.layer, f.name))


__all__ = ["CATALOGUE", "FaultType", "describe"]
