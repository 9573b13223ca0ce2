"""SRX security and AppTrack syslog of the twin: IDP attack logs, web-filtering verdicts,
screen alarms and AppTrack session closes, in Junos structured-data (RFC 5424) form.

Owns: when a gateway logs a security event (at most one per site and minute, at the scenario's
``security_logs_per_hour``, keyed by site and minute through ``noise``), which one, and each
line's parameters (Juniper's documented parameter sets for ``IDP_ATTACK_LOG_EVENT``,
``WEBFILTER_URL_BLOCKED``/``_PERMITTED``, ``RT_SCREEN_*`` and ``APPTRACK_SESSION_CLOSE``, as
the syslog parser reads them); which sites run AppTrack on their LAN zone
(``apptrack_sites_pct``), where every session close is also reported by AppTrack with the same
tuple, application, interface, volumes and reason as its RT_FLOW close. Must not: decide
traffic, or do I/O.
"""

from __future__ import annotations

import numpy as np

from assurance.sim import noise
from assurance.sim.physics import Minute, Twin
from assurance.sim.text import iso
from assurance.sim.world import LAN_IF, Site

US = 1_000_000
SD_FLOW = "junos@2636.1.1.1.2.129"
SD_IDP = "junos@2636.1.1.1.2.135"
SD_SCREEN = "junos@2636.1.1.1.2.137"
P_EVENT, P_KIND, P_DETAIL = (noise.purpose(n) for n in ("sec-event", "sec-kind", "sec-detail"))
P_APPTRACK = noise.purpose("apptrack-site")
#: (attack name, severity, destination port, service, application)
IDP_ATTACKS = (
    ("HTTP:OVERFLOW:URL-OVERFLOW", "HIGH", 80, "HTTP", "HTTP"),
    ("HTTP:INVALID:MSNG-HTTP-VER", "MEDIUM", 80, "HTTP", "HTTP"),
    ("SSL:OPENSSL:TLS-DTLS-HEARTBEAT", "CRITICAL", 443, "SSL", "SSL"),
    ("SMB:AUDIT:NULL-SESSION", "LOW", 445, "SMB", "SMB"),
)
#: (category, reason, host) of blocked and of logged-permitted URLs
BLOCKED = (
    ("Enhanced_Advertisements", "BY_SITE_REPUTATION_SUSPICIOUS", "ads.example.net"),
    ("Enhanced_Gambling", "BY_PRE_DEFINED", "casino.example.com"),
    ("Enhanced_Malicious_Web_Sites", "BY_SITE_REPUTATION_MALICIOUS", "update.example.org"),
)
PERMITTED = (
    ("Enhanced_Streaming_Media", "BY_PRE_DEFINED", "media.example.com"),
    ("Enhanced_Social_Web_Facebook", "BY_PRE_DEFINED", "social.example.net"),
)
#: (screen tag, attack name, protocol: destination port or None for ICMP)
SCREENS = (
    ("RT_SCREEN_TCP", "SYN flood!", 443),
    ("RT_SCREEN_TCP", "TCP port scan!", 22),
    ("RT_SCREEN_ICMP", "ICMP flood!", None),
    ("RT_SCREEN_UDP", "UDP flood!", 53),
)
#: event kinds and their shares of the security logs
KINDS = ("webfilter_blocked", "webfilter_permitted", "idp", "screen")
_SHARE = np.cumsum([0.45, 0.2, 0.2, 0.15])


def _pick(seq_len: int, value: int) -> int:
    return value % seq_len


class SecurityLines:
    """Renders a shard's security logs per minute and its AppTrack session closes."""

    def __init__(self, twin: Twin, client_ips: list[str]) -> None:
        self.twin = twin
        scenario = twin.world.scenario
        self.seed = twin.world.seed
        self.per_minute = scenario.security_logs_per_hour / 60.0
        index = np.array([s.index for s in twin.sites], np.int64)
        self.site_index = index
        share = noise.uniform(self.seed, P_APPTRACK, index) * 100.0
        self.apptrack = share < scenario.apptrack_sites_pct
        self.client_ips = client_ips
        # each site's clients (shard-local client numbers), for the LAN side of an event
        self.clients_of = [np.flatnonzero(twin.c_local == n) for n in range(len(twin.sites))]

    # -- security events -----------------------------------------------------------------
    def lines(self, m: Minute, out: dict[str, list[bytes]]) -> None:
        """The minute's IDP, web-filtering and screen lines, by sending address."""
        if self.per_minute <= 0:
            return
        hit = noise.uniform(self.seed, P_EVENT, self.site_index, m.minute) < self.per_minute
        for n in np.flatnonzero(hit).tolist():
            site = self.twin.sites[n]
            if not len(self.clients_of[n]):
                continue
            s = int(self.site_index[n])
            kind = KINDS[
                int(np.searchsorted(_SHARE, noise.uniform(self.seed, P_KIND, s, m.minute)))
            ]
            d = [int(x) for x in noise.bits(self.seed, P_DETAIL, s, m.minute, np.arange(6))]
            clients = self.clients_of[n]
            client = self.client_ips[int(clients[d[0] % len(clients)])]
            at_us = (m.epoch_s + d[1] % 60) * US + d[2] % 1000 * 1000
            if kind == "idp":
                line = self._idp(site, client, at_us, d)
            elif kind == "screen":
                line = self._screen(site, at_us, d)
            else:
                line = self._webfilter(site, client, at_us, d, kind == "webfilter_blocked")
            out.setdefault(site.address(1, loopback=True), []).append(line.encode())

    @staticmethod
    def _outside(d: int) -> str:
        return f"{(198, 203)[d % 2]}.{(51, 0)[d % 2]}.{(100, 113)[d % 2]}.{d % 250 + 2}"

    def _idp(self, site: Site, client: str, at_us: int, d: list[int]) -> str:
        name, severity, port, service, app = IDP_ATTACKS[_pick(len(IDP_ATTACKS), d[3])]
        attacker, sport = self._outside(d[4]), 1024 + d[5] % 60000
        wan = site.links[d[4] % len(site.links)]
        action = "DROP" if severity in ("HIGH", "CRITICAL") else "NONE"
        params = (
            f'epoch-time="{at_us // US}" message-type="SIG" source-address="{attacker}" '
            f'source-port="{sport}" destination-address="{client}" destination-port="{port}" '
            f'protocol-name="TCP" service-name="{service}" application-name="{app}" '
            'rule-name="1" rulebase-name="IPS" policy-name="idp-policy" repeat-count="0" '
            f'action="{action}" threat-severity="{severity}" attack-name="{name}" '
            'nat-source-address="0.0.0.0" nat-source-port="0" '
            'nat-destination-address="0.0.0.0" nat-destination-port="0" elapsed-time="0" '
            'inbound-bytes="0" outbound-bytes="0" inbound-packets="0" outbound-packets="0" '
            f'source-zone-name="untrust" source-interface-name="{wan.interface}" '
            f'destination-zone-name="trust" destination-interface-name="{LAN_IF[0]}" '
            'packet-log-id="0" alert="no" username="N/A" roles="N/A" message="-"'
        )
        return (
            f"<12>1 {iso(at_us)} {site.gateway} RT_IDP - IDP_ATTACK_LOG_EVENT [{SD_IDP} {params}]"
        )

    def _webfilter(self, site: Site, client: str, at_us: int, d: list[int], blocked: bool) -> str:
        table = BLOCKED if blocked else PERMITTED
        category, reason, host = table[_pick(len(table), d[3])]
        server = f"192.0.2.{d[4] % 250 + 2}"
        tag = "WEBFILTER_URL_BLOCKED" if blocked else "WEBFILTER_URL_PERMITTED"
        params = (
            'source-zone="trust" destination-zone="untrust" '
            f'source-address="{client}" source-port="{1024 + d[5] % 60000}" '
            f'destination-address="{server}" destination-port="443" '
            f'session-id="{d[4] % 4_000_000_000}" application="UNKNOWN" '
            f'nested-application="UNKNOWN" category="{category}" reason="{reason}" '
            f'profile="wf-branch" url="{host}" obj="/" username="N/A" roles="N/A" '
            'application-sub-category="N/A" urlcategory-risk="0"'
        )
        severity = 4 if blocked else 6
        return f"<{8 + severity}>1 {iso(at_us)} {site.gateway} RT_UTM - {tag} [{SD_FLOW} {params}]"

    def _screen(self, site: Site, at_us: int, d: list[int]) -> str:
        tag, name, port = SCREENS[_pick(len(SCREENS), d[3])]
        wan = site.links[d[4] % len(site.links)]
        source = f'source-address="{self._outside(d[5])}" '
        target = f'destination-address="{site.address(1)}" '
        if port is not None:
            source += f'source-port="{1024 + d[5] % 60000}" '
            target += f'destination-port="{port}" '
        params = (
            f'attack-name="{name}" {source}{target}source-zone-name="untrust" '
            f'interface-name="{wan.interface}" action="drop"'
        )
        return f"<11>1 {iso(at_us)} {site.gateway} RT_IDS - {tag} [{SD_SCREEN} {params}]"

    # -- AppTrack ------------------------------------------------------------------------
    def apptrack_close(self, local: int, when: str, flow_params: dict[str, str]) -> bytes | None:
        """The APPTRACK_SESSION_CLOSE of a session whose RT_FLOW close has ``flow_params``
        (None where the site does not run AppTrack)."""
        if not self.apptrack[local]:
            return None
        p = flow_params
        keys = (
            "reason", "source-address", "source-port", "destination-address",
            "destination-port", "service-name", "application", "nested-application",
        )  # fmt: skip
        head = " ".join(f'{k}="{p[k]}"' for k in keys)
        params = (
            f'{head} nat-source-address="{p["source-address"]}" '
            f'nat-source-port="{p["source-port"]}" '
            f'nat-destination-address="{p["destination-address"]}" '
            f'nat-destination-port="{p["destination-port"]}" src-nat-rule-name="N/A" '
            f'dst-nat-rule-name="N/A" protocol-id="{p["protocol-id"]}" '
            f'policy-name="{p["policy-name"]}" source-zone-name="trust" '
            f'destination-zone-name="untrust" session-id-32="{p["session-id-32"]}" '
            f'packets-from-client="{p["packets-from-client"]}" '
            f'bytes-from-client="{p["bytes-from-client"]}" '
            f'packets-from-server="{p["packets-from-server"]}" '
            f'bytes-from-server="{p["bytes-from-server"]}" '
            f'elapsed-time="{p["elapsed-time"]}" username="N/A" roles="N/A" encrypted="No" '
            f'destination-interface-name="{p["destination-interface-name"]}"'
        )
        gateway = self.twin.sites[local].gateway
        return (
            f"<14>1 {when} {gateway} RT_FLOW - APPTRACK_SESSION_CLOSE [{SD_FLOW} {params}]"
        ).encode()


__all__ = ["KINDS", "SecurityLines"]
