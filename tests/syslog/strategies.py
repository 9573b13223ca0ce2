"""Hypothesis strategies for syslog lines: structured Junos-like lines, BSD lines, mutations."""

from __future__ import annotations

import os

from hypothesis import strategies as st

from collectors.syslog.model import Line

RECEIVED = 1_709_294_400_000_000  # 2024-03-01T12:00:00Z


def scaled(examples: int) -> int:
    """Example count, multiplied by SYSLOG_HYPOTHESIS_SCALE for longer local runs."""
    return examples * int(os.environ.get("SYSLOG_HYPOTHESIS_SCALE", "1"))


def line(raw: bytes, sender: str = "192.0.2.1") -> Line:
    return Line(raw, sender, RECEIVED, "udp")


NAMES = st.sampled_from(
    ["source-address", "source-port", "destination-port", "reason", "session-id-32",
     "bytes-from-client", "protocol-id", "application", "rtt", "pkt-loss", "a", "_x", "k=v",
     "sp ace", "é", "x]", "[y", "client_mac"]
)  # fmt: skip
VALUE_CHARS = st.sampled_from([*'abc019 .:/-_=]["\\“”', "é", "\t", "\x00", "’", "😀"])
VALUES = st.one_of(
    st.sampled_from(["10.0.0.1", "443", "TCP FIN", "N/A", "", "18446744073709551615",
                     "18446744073709551616", "65536", "-61.5", "007"]),
    st.text(VALUE_CHARS, max_size=12),
)  # fmt: skip
TAGS = st.sampled_from(
    ["RT_FLOW_SESSION_CLOSE", "RT_FLOW_SESSION_CREATE", "APPTRACK_SESSION_VOL_UPDATE",
     "APPQOE_ACTIVE_SLA_METRIC_REPORT", "IDP_ATTACK_LOG_EVENT", "WIFI_CLIENT_AUTH",
     "SNMP_TRAP_LINK_DOWN", "UI_COMMIT", "-"]
)  # fmt: skip
TIMES = st.sampled_from(
    ["2024-03-01T12:34:56.123+01:00", "2024-03-01T11:00:00Z", "2013-12-20T15:27:13.440",
     "2024-02-30T00:00:00Z", "2024-03-01T24:00:00Z", "2016-12-31T23:59:60Z", "-",
     "2024-03-01T10:00:00.1234567Z", "0000-01-01T00:00:00Z", "2024-03-01T10:00:00+25:00"]
)  # fmt: skip
SD_IDS = st.sampled_from(
    ["junos@2636.1.1.1.2.129", "junos@xxx.x.x.x.x.28", "wifi@32473", "meta", "a=b", "x\ty"]
)
SEPARATORS = st.sampled_from([" ", " ", " ", "", "  "])
QUOTES = st.sampled_from([('"', '"'), ('"', '"'), ("”", "”"), ("", "")])


@st.composite
def structured_lines(draw: st.DrawFn) -> str:
    """RFC 5424 lines with mostly well-formed, sometimes odd, structured data."""
    params = draw(st.lists(st.tuples(NAMES, VALUES, SEPARATORS, QUOTES), max_size=8))
    body = draw(SD_IDS)
    for name, value, sep, (open_q, close_q) in params:
        if open_q == '"':
            value = value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")
        body += f"{sep}{name}={open_q}{value}{close_q}"
    tail = draw(st.sampled_from(["]", "]", "] text after", '][meta n="1"]', "", "]junk"]))
    pri = draw(st.sampled_from(["<14>", "<0>", "<191>", "<014>"]))
    host = draw(st.sampled_from(["srx-1", "-", "ap-2"]))
    return f"{pri}1 {draw(TIMES)} {host} RT_FLOW - {draw(TAGS)} [{body}{tail}"
