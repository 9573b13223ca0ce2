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


BSD_STAMPS = st.sampled_from(
    ["Mar  1 11:59:59", "Mar 01 11:00:00", "Dec 31 23:59:59", "Jan  1 00:00:01", "Feb 30 10:00:00",
     "Xyz  1 10:00:00", "Mar  1 24:00:00", "Mar  1 2024 10:00:00", "Mar  1 10:00:00.123"]
)  # fmt: skip
BSD_HOSTS = st.sampled_from(["srx-1", "srx.branch_2", "10.0.0.1", "Mar", "a:b", "", "host "])
BSD_PRIS = st.sampled_from(["<14>", "<14>", "<191>", "<014>", "<192>", "", "<0>"])
BSD_TAGS = st.sampled_from(["RT_FLOW: ", "RT_FLOW: ", "RT_FLOW[12]: ", "RT_FLOW:", "rt_flow: "])
BSD_WORDS = st.sampled_from(["N/A", "junos-https", "SSL", "GOOGLE", "x(y)", "a/b", "123"])
BSD_FIELDS = st.one_of(
    BSD_WORDS, st.sampled_from(["", "0x0", "source rule", "TCP FIN", " ", "\t", "é", "\\"])
)


@st.composite
def bsd_rt_flow_lines(draw: st.DrawFn) -> str:
    """BSD lines with Junos RT_FLOW text forms (create, close, deny, ``_LS``), mostly well
    formed, sometimes with odd headers, spacing, empty or unusual fields, and trailing text."""
    odd = draw(st.integers(0, 2)) == 0
    words = [draw(BSD_FIELDS) if odd else draw(BSD_WORDS) for _ in range(8)]
    nums = [str(draw(st.integers(0, 99999))) for _ in range(6)]
    tuple_ = f"10.0.0.{nums[0][:2]}/{nums[1]}->192.0.2.9/443"
    kind = draw(st.sampled_from(["close", "close", "close", "create", "deny", "close_ls"]))
    if kind.startswith("close"):
        body = (
            f"session closed {draw(st.sampled_from(['TCP FIN', 'idle Timeout', 'a: b', '']))}: "
            f"{tuple_} {draw(st.sampled_from(['0x0 ', '']))}{words[0]} 100.64.0.1/{nums[2]}->"
            f"192.0.2.9/443 {draw(st.sampled_from(['0x0 source rule snat N/A N/A', 'N/A N/A']))}"
            f" 6 {words[1]} trust untrust {nums[3]} {nums[4]}({nums[5]}) 3(400) {nums[2]}"
        )
        body += draw(
            st.sampled_from(
                ["", f" {words[2]} {words[3]} N/A(N/A) ge-0/0/1.0 No Web N/A 3 Off root",
                 f" {words[2]} {words[3]} {words[4]}({words[5]}) ge-0/0/1.0",
                 f" {words[2]} {words[3]} u(r) ge-0/0/1.0 {words[6]}", " junk"]
            )
        )  # fmt: skip
    elif kind == "create":
        body = (
            f"session created {tuple_} {words[0]} 100.64.0.1/{nums[2]}->192.0.2.9/443 N/A N/A "
            f"17 {words[1]} trust untrust {nums[3]} N/A(N/A) ge-0/0/2.0 {words[2]} {words[3]} No"
        )
    else:
        body = (
            f"session denied {tuple_} {words[0]} 1({nums[4]}) {words[1]} trust untrust "
            f"{words[2]} {words[3]} N/A(N/A) ge-0/0/1.0 No {words[4]} {nums[3]}"
        )
    event = "RT_FLOW_SESSION_" + {"close_ls": "CLOSE_LS"}.get(kind, kind.upper())
    if kind == "close_ls":
        body = "Lsys ls1: " + body
    if draw(st.integers(0, 3)):  # mostly the plain header a device sends
        stamp = draw(st.sampled_from(["Mar  1 11:59:59", "Dec 31 23:59:59", "Jan  1 00:00:01"]))
        host = draw(st.sampled_from(["srx-1", "srx.branch_2", "10.0.0.1"]))
        text = f"<14>{stamp} {host} RT_FLOW: {event}: {body}"
    else:
        sep = draw(st.sampled_from([" ", " ", " ", "  "]))
        text = (
            f"{draw(BSD_PRIS)}{draw(BSD_STAMPS)} {draw(BSD_HOSTS)}{sep}{draw(BSD_TAGS)}"
            f"{event}:{draw(st.sampled_from([' ', ' ', '']))}{body}"
        )
    return text


IDP_WORDS = st.sampled_from(
    ["HTTP:INVALID:MSNG-HTTP-VER", "SIG", "DROP", "HIGH", "Recommended", "a.b", "", "x y",
     "a,b", "k=v", "NAT <1.2.3.4:5->6.7.8.9:7>", "intf:a:b->c:d", "x>", "<y", "é", "\\",
     "packet-log-id: 3", "misc-message m", "0", ", name=z"]
)  # fmt: skip
#: attack names the per-line reader's searches may split differently (and plain ones)
IDP_NAMES = st.sampled_from(
    ["NAT <1.2.3.4:5->6.7.8.9:7>", "intf:a:b->c:d", "packet-log-id: 3", "misc-message m",
     "x y", " x", "k=v", "a,b", "", "é", "HTTP:X-Y"]
)  # fmt: skip
IDP_TAILS = st.sampled_from(
    ["", "", "", ", time-elapsed=0, inbytes=0, outbytes=0, inpackets=0, outpackets=0",
     ", intf:trust:ge-0/0/1.0->untrust:ge-0/0/0.0, packet-log-id: 0 and misc-message -", " x"]
)  # fmt: skip


@st.composite
def bsd_idp_snmp_lines(draw: st.DrawFn) -> str:
    """BSD lines with the IDP attack and SNMP link trap text forms, mostly well formed,
    sometimes with odd headers, values the per-line reader splits differently, or more parts."""
    odd = draw(st.integers(0, 9))  # which word is odd (6 to 8: the attack name; 9: none)
    words = [
        draw(IDP_WORDS) if odd == i else draw(st.sampled_from(["HTTP", "SIG"])) for i in range(6)
    ]
    port = str(draw(st.integers(0, 70000)))
    if draw(st.booleans()):
        event = "IDP_ATTACK_LOG_EVENT"
        attack = draw(st.sampled_from(["id=19519, ", "", "id=19519, ", "id=, "]))
        name = draw(IDP_NAMES) if 6 <= odd <= 8 else "X:Y"
        nat = draw(st.sampled_from(["0.0.0.0:0->0.0.0.0:0", "10.0.0.1:5->0.0.0.0:0",
                                    "2001:db8::1:80->::0", ":1->a:2"]))  # fmt: skip
        body = (
            f"IDP: at 1303673404, {words[0]} Attack log <198.51.100.1/{port}->203.0.113.1/80> "
            f"for TCP protocol and service {words[1]} application {words[2]} by rule 3 of "
            f"rulebase IPS in policy {words[3]}. attack: {attack}repeat=0, action="
            f"{words[4]}, threat-severity={words[5]}, name={name}, NAT <{nat}>"
            f"{draw(IDP_TAILS)}"
        )
        tag = draw(st.sampled_from(["RT_IDP: ", "RT_IDP: ", "RT_IDP[7]: ", "mib2d: "]))
    else:
        event = draw(st.sampled_from(["SNMP_TRAP_LINK_UP", "SNMP_TRAP_LINK_DOWN"]))
        items = [f"ifIndex {port}", f"ifAdminStatus {words[0]}", "ifOperStatus down(2)",
                 f"ifName ge-0/0/{words[1]}"]  # fmt: skip
        if odd < 6 and draw(st.booleans()):
            items = draw(st.permutations(items))
        body = ", ".join(items) + draw(st.sampled_from(["", "", ", x", " "]))
        tag = draw(st.sampled_from(["mib2d[1344]: ", "mib2d[1344]: ", "mib2d: ", "RT_IDP: "]))
    if draw(st.integers(0, 3)):
        stamp = draw(st.sampled_from(["Mar  1 11:59:59", "Dec 31 23:59:59", "Jan  1 00:00:01"]))
        host = draw(st.sampled_from(["srx-1", "srx.branch_2", "10.0.0.1"]))
        return f"<14>{stamp} {host} {tag}{event}: {body}"
    sep = draw(st.sampled_from([" ", " ", " ", "  "]))
    return (
        f"{draw(BSD_PRIS)}{draw(BSD_STAMPS)} {draw(BSD_HOSTS)}{sep}{tag}"
        f"{event}:{draw(st.sampled_from([' ', ' ', '']))}{body}"
    )
