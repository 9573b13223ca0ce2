"""The built-in application catalogue: six application kinds a branch runs.

Owns: default ``AppProfile`` values (AppID names as an SRX reports them, ports, server
prefixes, per-user rates, popularity, SLA needs and path preference). Must not: compute
traffic. Scenarios may replace the whole list with their own ``apps:``.
"""

from __future__ import annotations

from assurance.sim.scenario import AppProfile, AppSla


def _app(**values: object) -> AppProfile:
    return AppProfile.model_validate(values)


DEFAULT_APPS: tuple[AppProfile, ...] = (
    _app(
        name="Microsoft Teams",
        category="video",
        apptrack="SSL",
        nested="MS-TEAMS",
        protocol="udp",
        port=3478,
        server_prefix="52.112.0.0/14",
        down_kbps=1500,
        up_kbps=1200,
        share=0.14,
        server_ms=15,
        prefer=("mpls", "broadband"),
        sla=AppSla(rtt_ms=100, jitter_ms=30, loss_pct=1.0),
    ),
    _app(
        name="RingCentral Voice",
        category="voice",
        apptrack="SIP",
        protocol="udp",
        port=5090,
        server_prefix="199.255.120.0/22",
        down_kbps=90,
        up_kbps=90,
        share=0.06,
        server_ms=10,
        prefer=("mpls", "broadband"),
        sla=AppSla(rtt_ms=150, jitter_ms=30, loss_pct=1.0),
    ),
    _app(
        name="Office 365",
        category="office",
        apptrack="SSL",
        nested="OFFICE365",
        protocol="tcp",
        port=443,
        server_prefix="13.107.0.0/16",
        down_kbps=600,
        up_kbps=150,
        share=0.3,
        server_ms=40,
        prefer=("broadband", "mpls"),
        sla=AppSla(rtt_ms=200, jitter_ms=50, loss_pct=2.0),
    ),
    _app(
        name="Salesforce",
        category="crm",
        apptrack="SSL",
        nested="SALESFORCE",
        protocol="tcp",
        port=443,
        server_prefix="136.146.0.0/15",
        down_kbps=300,
        up_kbps=80,
        share=0.15,
        server_ms=60,
        prefer=("broadband", "mpls"),
        sla=AppSla(rtt_ms=250, jitter_ms=100, loss_pct=2.0),
    ),
    _app(
        name="YouTube",
        category="streaming",
        apptrack="SSL",
        nested="YOUTUBE",
        protocol="tcp",
        port=443,
        server_prefix="142.250.0.0/15",
        down_kbps=3000,
        up_kbps=60,
        share=0.1,
        server_ms=20,
        prefer=("broadband",),
        sla=AppSla(rtt_ms=300, jitter_ms=100, loss_pct=5.0),
    ),
    _app(
        name="Web",
        category="web",
        apptrack="HTTP",
        protocol="tcp",
        port=80,
        server_prefix="104.16.0.0/13",
        down_kbps=800,
        up_kbps=100,
        share=0.25,
        server_ms=50,
        prefer=("broadband",),
        sla=AppSla(rtt_ms=300, jitter_ms=100, loss_pct=3.0),
    ),
)

__all__ = ["DEFAULT_APPS"]
