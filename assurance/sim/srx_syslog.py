"""Synthetic SRX syslog: RT_FLOW_SESSION_CLOSE lines in Junos structured (RFC 5424) form.

Used by the demo and the syslog ingest benchmark to produce what an SRX with
``set system syslog ... structured-data`` sends when sessions close: the documented parameter
set in the ``junos@2636.1.1.1.2.x`` SD element followed by the brief text. Pure: returns bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

SD_ID = "junos@2636.1.1.1.2.129"
#: application, nested application, destination port, protocol, largest bytes up, down
APPS = (
    ("SSL", "MS-TEAMS", 3478, 17, 40_000_000, 60_000_000),
    ("SSL", "ZOOM", 8801, 17, 40_000_000, 60_000_000),
    ("HTTP", "YOUTUBE", 443, 6, 2_000_000, 400_000_000),
    ("DNS", "N/A", 53, 17, 400, 1_500),
    ("SSL", "O365", 443, 6, 5_000_000, 20_000_000),
)
REASONS = ("TCP FIN", "TCP RST", "idle Timeout", "unset")


def session_close_lines(
    rng: np.random.Generator,
    count: int,
    *,
    hostname: str | None,
    first_ms: int,
    last_ms: int,
    client_net: str = "10.12",
) -> list[bytes]:
    """``count`` session-close lines with event times spread over [first_ms, last_ms].

    ``hostname`` None varies the host over four branch gateways (for benchmarks).
    """
    times = np.sort(rng.integers(first_ms, last_ms + 1, count))
    lines = []
    for n in range(count):
        when = datetime.fromtimestamp(int(times[n]) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        src = f"{client_net}.{rng.integers(0, 256)}.{rng.integers(1, 255)}"
        dst = f"{rng.choice([52, 13, 142, 104])}.{rng.integers(0, 256)}.{rng.integers(0, 256)}.10"
        app, nested, dport, proto, up, down = APPS[int(rng.integers(0, len(APPS)))]
        sport = int(rng.integers(1024, 65535))
        cbytes, sbytes = int(rng.integers(60, up)), int(rng.integers(60, down))
        cpk, spk = cbytes // 900 + 1, sbytes // 1200 + 1
        elapsed = int(rng.integers(1, 1800))
        reason = REASONS[int(rng.integers(0, len(REASONS)))]
        host = hostname or f"br-{['nyc', 'sfo', 'chi', 'dal'][n % 4]}-0{n % 7 + 10}-gw1"
        nat = f"203.0.113.{n % 200 + 1}"
        params = (
            f'reason="{reason}" source-address="{src}" source-port="{sport}" '
            f'destination-address="{dst}" destination-port="{dport}" connection-tag="0" '
            f'service-name="junos-https" nat-source-address="{nat}" '
            f'nat-source-port="{sport}" nat-destination-address="{dst}" '
            f'nat-destination-port="{dport}" nat-connection-tag="0" '
            'src-nat-rule-type="source rule" src-nat-rule-name="nat-wan1" '
            'dst-nat-rule-type="N/A" dst-nat-rule-name="N/A" '
            f'protocol-id="{proto}" policy-name="trust-to-untrust" source-zone-name="trust" '
            f'destination-zone-name="untrust" session-id-32="{1_000_000 + n}" '
            f'packets-from-client="{cpk}" bytes-from-client="{cbytes}" '
            f'packets-from-server="{spk}" bytes-from-server="{sbytes}" '
            f'elapsed-time="{elapsed}" application="{app}" nested-application="{nested}" '
            'username="N/A" roles="N/A" packet-incoming-interface="ge-0/0/1.0" encrypted="No" '
            'application-category="Web" application-sub-category="N/A" application-risk="1" '
            'application-characteristics="N/A" secure-web-proxy-session-type="NA" '
            'peer-session-id="0" peer-source-address="0.0.0.0" peer-source-port="0" '
            'peer-destination-address="0.0.0.0" peer-destination-port="0" hostname="N/A" '
            'src-vrf-grp="N/A" dst-vrf-grp="N/A" tunnel-inspection="Off" '
            'tunnel-inspection-policy-set="root" session-flag="0" '
            'destination-interface-name="ge-0/0/0.0"'
        )
        text = (
            f"session closed {reason}: {src}/{sport}->{dst}/{dport} 0x0 junos-https "
            f"{nat}/{sport}->{dst}/{dport} 0x0 source rule nat-wan1 N/A N/A "
            f"{proto} trust-to-untrust trust untrust {1_000_000 + n} {cpk}({cbytes}) "
            f"{spk}({sbytes}) {elapsed} {app} {nested} N/A N/A ge-0/0/1.0 No Web N/A 1 N/A NA 0 "
            "0.0.0.0/0->0.0.0.0/0 0 N/A N/A N/A Off root 0 ge-0/0/0.0 N/A N/A"
        )
        header = f"<14>1 {when[:-3]}Z {host} RT_FLOW - RT_FLOW_SESSION_CLOSE"
        line = f"{header} [{SD_ID} {params}] {text}"
        lines.append(line.encode())
    return lines
