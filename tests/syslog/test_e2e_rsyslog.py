"""End to end through independent senders: rsyslog relays SRX lines to our TCP listener
(octet-counted and newline framing) and TLS listener (gtls, certificates from a throwaway CA
made with openssl); util-linux ``logger`` sends RFC 5424 and RFC 3164 over UDP. The real parser
runs and the lake is checked row by row. ``wanassure collect syslog`` itself is run as a process
and fed by ``logger`` over TCP (octet counting) and UDP.

rsyslogd runs in the foreground as a child with its own config, work folder and pid file under
tmp, no imuxsock/imklog, reading three files with imfile (one per relay). Everything is bounded
by deadlines and rsyslogd is killed at the end. Under ``CI=true`` a missing tool fails the test.
"""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assurance.lake import LakeWriter, connect
from collectors.syslog.listener import SyslogCollector
from tests.tools import require_tool

GATEWAY = ("br-nyc-012-gw1", "br-nyc-012")
PER_RELAY = 150
T0 = datetime(2026, 5, 28, 20, 26, 40, 123000, tzinfo=UTC)
SD_ID = "junos@2636.1.1.1.2.129"


def srx_close(n: int) -> str:
    """An SRX RT_FLOW_SESSION_CLOSE line in Junos structured-data format, session ``n``."""
    when = (T0 + timedelta(milliseconds=n)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    src, sport, dst = f"10.12.{n // 250}.{n % 250 + 1}", 40000 + n, "52.112.0.10"
    params = {
        "reason": "TCP FIN",
        "source-address": src,
        "source-port": sport,
        "destination-address": dst,
        "destination-port": 443,
        "connection-tag": 0,
        "service-name": "junos-https",
        "nat-source-address": "203.0.113.10",
        "nat-source-port": 20000 + n,
        "nat-destination-address": dst,
        "nat-destination-port": 443,
        "nat-connection-tag": 0,
        "src-nat-rule-type": "source rule",
        "src-nat-rule-name": "nat-wan1",
        "dst-nat-rule-type": "N/A",
        "dst-nat-rule-name": "N/A",
        "protocol-id": 6,
        "policy-name": "trust-to-untrust",
        "source-zone-name": "trust",
        "destination-zone-name": "untrust",
        "session-id-32": 100000 + n,
        "packets-from-client": 10 + n,
        "bytes-from-client": 1000 + n,
        "packets-from-server": 20 + n,
        "bytes-from-server": 9000 + n,
        "elapsed-time": 4,
        "application": "SSL",
        "nested-application": "MS-TEAMS",
        "username": "N/A",
        "roles": "N/A",
        "packet-incoming-interface": "ge-0/0/1.0",
        "encrypted": "No",
        "application-category": "Web",
        "application-sub-category": "N/A",
        "application-risk": 1,
        "application-characteristics": "N/A",
        "destination-interface-name": "ge-0/0/0.0",
    }
    sd = " ".join(f'{k}="{v}"' for k, v in params.items())
    text = (
        f"session closed TCP FIN: {src}/{sport}->{dst}/443 0x0 junos-https "
        f"203.0.113.10/{20000 + n}->{dst}/443 0x0 source rule nat-wan1 N/A N/A 6 "
        f"trust-to-untrust trust untrust {100000 + n} {10 + n}({1000 + n}) "
        f"{20 + n}({9000 + n}) 4 SSL MS-TEAMS N/A N/A ge-0/0/1.0 No Web N/A 1 N/A"
    )
    return f"<14>1 {when} {GATEWAY[0]} RT_FLOW - RT_FLOW_SESSION_CLOSE [{SD_ID} {sd}] {text}"


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for localhost / 127.0.0.1 signed by it."""
    ca_key, ca, key, csr, cert = (
        folder / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    ext = folder / "san.ext"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl = require_tool("openssl")
    for args in (
        [
            *["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout"],
            ca_key,
            "-out",
            ca,
            "-subj",
            "/CN=wan-assurance test CA",
        ],
        [
            *["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout"],
            key,
            "-out",
            csr,
        ],
        [
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            cert,
            "-extfile",
            ext,
        ],
    ):
        subprocess.run([openssl, *map(str, args)], check=True, capture_output=True, timeout=30)
    return ca, cert, key


def rsyslog_config(tmp: Path, ca: Path, tcp_port: int, tls_port: int) -> str:
    """Three imfile inputs, one relay each: TCP octet-counted, TCP newline, TLS octet-counted."""

    def relay(name: str, port: int, extra: str) -> str:
        return (
            f'input(type="imfile" file="{tmp / (name + ".log")}" tag="{name}" '
            f'ruleset="{name}" freshStartTail="off")\n'
            f'ruleset(name="{name}") {{ action(type="omfwd" target="127.0.0.1" port="{port}" '
            f'protocol="tcp" template="raw" {extra}) }}\n'
        )

    return (
        f'global(workDirectory="{tmp / "work"}" maxMessageSize="64k" '
        f'defaultNetstreamDriverCAFile="{ca}")\n'
        'module(load="imfile")\n'
        'template(name="raw" type="string" string="%rawmsg%")\n'
        + relay("octet", tcp_port, 'tcp_framing="octet-counted"')
        + relay("newline", tcp_port, "")
        + relay(
            "tls",
            tls_port,
            'tcp_framing="octet-counted" StreamDriver="gtls" StreamDriverMode="1" '
            'StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"',
        )
    )


async def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def lines_in(collector: SyslogCollector, transport: str) -> float:
    return float(collector.metrics.lines.labels("127.0.0.1", transport)._value.get())


def test_rsyslog_relays_and_logger_land_in_the_lake_exactly(tmp_path: Path) -> None:
    rsyslogd, logger = require_tool("rsyslogd"), require_tool("logger")
    ca, cert, key = make_certificates(tmp_path)
    (tmp_path / "work").mkdir()
    relayed = {
        name: [srx_close(i) for i in range(k * PER_RELAY, (k + 1) * PER_RELAY)]
        for k, name in enumerate(("octet", "newline", "tls"))
    }
    for name, lines in relayed.items():
        (tmp_path / f"{name}.log").write_text("".join(line + "\n" for line in lines))
    lake = tmp_path / "lake"
    log_file = tmp_path / "rsyslogd.log"

    async def scenario() -> SyslogCollector:
        writer = LakeWriter(lake)
        collector = SyslogCollector(
            writer,
            udp=("127.0.0.1", 0),
            tcp=("127.0.0.1", 0),
            tls=("127.0.0.1", 0),
            certfile=cert,
            keyfile=key,
            exporters={"127.0.0.1": GATEWAY},
        )
        await collector.start()
        assert collector.tcp is not None and collector.tls is not None
        assert collector.udp is not None
        conf = tmp_path / "rsyslog.conf"
        conf.write_text(rsyslog_config(tmp_path, ca, collector.tcp[1], collector.tls[1]))
        with log_file.open("wb") as log:
            relay = subprocess.Popen(
                [rsyslogd, "-n", "-f", str(conf), "-i", str(tmp_path / "rsyslogd.pid")],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            await wait_for(
                lambda: (
                    lines_in(collector, "tcp") == 2 * PER_RELAY
                    and lines_in(collector, "tls") == PER_RELAY
                ),
                20,
                "rsyslog's relays",
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}; rsyslogd said: {log_file.read_text()[-2000:]}") from None
        finally:
            relay.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(relay.wait, 10)
            except subprocess.TimeoutExpired:
                relay.kill()
                relay.wait()
        port = str(collector.udp[1])
        rfc5424 = "--rfc5424 -p user.info -t RT_FLOW --msgid RT_FLOW_SESSION_CLOSE --sd-id"
        for args in (
            [
                *rfc5424.split(),
                SD_ID,
                "--sd-param",
                'source-address="10.9.9.9"',
                "--sd-param",
                'session-id-32="77"',
                "session closed by logger",
            ],
            [
                *["--rfc3164", "-p", "daemon.warning", "-t", "RT_FLOW"],
                "RT_FLOW_SESSION_DENY: session denied 10.1.0.9/5000->8.8.8.8/53",
            ],
        ):
            cmd = [logger, "-n", "127.0.0.1", "-P", port, "-d", *args]
            await asyncio.to_thread(subprocess.run, cmd, check=True, timeout=10)
        await wait_for(lambda: lines_in(collector, "udp") == 2, 10, "logger's datagrams")
        await collector.stop()
        writer.close()
        return collector

    collector = asyncio.run(scenario())
    con = connect(lake)

    # every relayed line, byte for byte, with its transport and the inventory's device and site
    rows = con.execute(
        "SELECT transport, raw FROM syslog_events "
        "WHERE transport IN ('tcp', 'tls') AND exporter = '127.0.0.1' "
        "AND device = 'br-nyc-012-gw1' AND site = 'br-nyc-012' ORDER BY event_time"
    ).fetchall()
    assert sorted(r[1] for r in rows if r[0] == "tls") == sorted(relayed["tls"])
    assert sorted(r[1] for r in rows if r[0] == "tcp") == sorted(
        relayed["octet"] + relayed["newline"]
    )
    assert con.execute("SELECT count(*) FROM syslog_events").fetchone() == (3 * PER_RELAY + 2,)

    # parsed header of one relayed line
    assert con.execute(
        "SELECT format, facility, severity, hostname, app_name, msg_id, event_time, "
        "fields['session-id-32'] FROM syslog_events WHERE raw = ?",
        [relayed["tls"][7]],
    ).fetchone() == (
        "junos-structured",
        1,
        6,
        GATEWAY[0],
        "RT_FLOW",
        "RT_FLOW_SESSION_CLOSE",
        T0 + timedelta(milliseconds=2 * PER_RELAY + 7),
        str(100000 + 2 * PER_RELAY + 7),
    )

    # one session row per RT_FLOW_SESSION_CLOSE, with the reported values
    n = 3 * PER_RELAY
    assert con.execute(
        "SELECT count(*), count(DISTINCT session_id), min(session_id), max(session_id), "
        "sum(bytes_from_client), sum(packets_from_server), any_value(event_type), "
        "any_value(site) FROM sessions WHERE session_id >= 100000"
    ).fetchone() == (
        n,
        n,
        100000,
        100000 + n - 1,
        sum(1000 + i for i in range(n)),
        sum(20 + i for i in range(n)),
        "session_close",
        GATEWAY[1],
    )
    assert con.execute(
        "SELECT src_addr, src_port, dst_addr, dst_port, nat_src_addr, nat_src_port, protocol, "
        "service_name, application, nested_application, policy_name, source_zone, "
        "destination_zone, ingress_interface, elapsed_s, close_reason, event_time "
        "FROM sessions WHERE session_id = 100321"
    ).fetchone() == (
        "10.12.1.72",
        40321,
        "52.112.0.10",
        443,
        "203.0.113.10",
        20321,
        6,
        "junos-https",
        "SSL",
        "MS-TEAMS",
        "trust-to-untrust",
        "trust",
        "untrust",
        "ge-0/0/1.0",
        4,
        "TCP FIN",
        T0 + timedelta(milliseconds=321),
    )

    # logger over UDP: RFC 5424 with Junos structured data, and RFC 3164
    udp = con.execute(
        "SELECT format, facility, severity, app_name, msg_id, fields['session-id-32'], "
        "message, hostname, raw, event_time FROM syslog_events WHERE transport = 'udp' "
        "ORDER BY format"
    ).fetchall()
    host = socket.gethostname()
    assert [r[:8] for r in udp] == [
        (
            "junos-structured",
            1,
            6,
            "RT_FLOW",
            "RT_FLOW_SESSION_CLOSE",
            "77",
            "session closed by logger",
            host,
        ),
        (
            "rfc3164",
            3,
            4,
            "RT_FLOW",
            "RT_FLOW_SESSION_DENY",
            None,
            "session denied 10.1.0.9/5000->8.8.8.8/53",
            host.split(".")[0],
        ),
    ]
    assert re.fullmatch(
        r"<14>1 \S+ \S+ RT_FLOW - RT_FLOW_SESSION_CLOSE \[timeQuality [^]]*\]"
        rf'\[{re.escape(SD_ID)} source-address="10.9.9.9" session-id-32="77"\] '
        r"session closed by logger",
        udp[0][8],
    )
    assert re.fullmatch(
        r"<28>\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ RT_FLOW: RT_FLOW_SESSION_DENY: session denied "
        r"10\.1\.0\.9/5000->8\.8\.8\.8/53",
        udp[1][8],
    )
    for row in udp:  # logger stamps its own clock (RFC 3164: to the second)
        assert abs(row[9] - datetime.now(UTC)) < timedelta(minutes=5)
    assert con.execute(
        "SELECT event_type, session_id, site FROM sessions "
        "WHERE session_id < 100000 OR session_id IS NULL ORDER BY event_type"
    ).fetchall() == [("session_close", 77, GATEWAY[1]), ("session_deny", None, GATEWAY[1])]
    assert con.execute("SELECT src_addr FROM sessions WHERE session_id = 77").fetchall() == [
        ("10.9.9.9",)
    ]
    assert con.execute("SELECT count(*) FROM rejects").fetchone() == (0,)

    m = collector.metrics
    assert m.connections.labels("127.0.0.1", "tcp")._value.get() == 2
    assert m.connections.labels("127.0.0.1", "tls")._value.get() == 1
    assert m.framing_errors.labels("127.0.0.1", "tcp")._value.get() == 0


def free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_collect_syslog_command_with_logger_over_tcp_and_udp(tmp_path: Path) -> None:
    logger = require_tool("logger")
    lake, texts = tmp_path / "lake", tmp_path / "texts.txt"
    messages = [f"message {i} via the command line" for i in range(100)]
    texts.write_text("".join(m + "\n" for m in messages))
    udp, tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    metrics = free_port(socket.SOCK_STREAM)
    wanassure = Path(sys.executable).with_name("wanassure")
    cmd = [str(wanassure), "collect", "syslog", "--lake", str(lake), "--udp", f"127.0.0.1:{udp}"]
    cmd += ["--tcp", f"127.0.0.1:{tcp}", "--metrics", f"127.0.0.1:{metrics}"]
    proc = subprocess.Popen(
        cmd,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline().startswith(
            f"collecting syslog on udp 127.0.0.1:{udp}, tcp 127.0.0.1:{tcp} → "
        )
        common = [logger, "-n", "127.0.0.1", "--rfc5424", "-t", "APP", "-f", str(texts)]
        subprocess.run([*common, "-P", str(tcp), "-T", "--octet-count"], check=True, timeout=20)
        subprocess.run([*common, "-P", str(udp), "-d"], check=True, timeout=20)
        wanted = [
            f'wanassure_syslog_lines_total{{sender="127.0.0.1",transport="{t}"}} 100.0'
            for t in ("tcp", "udp")
        ]
        deadline = time.monotonic() + 20
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics") as page:
                text = page.read().decode()
            if all(w in text for w in wanted):
                break
            assert time.monotonic() < deadline, "lines did not arrive: " + text[-1500:]
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "done: 200 lines" in err
    con = connect(lake)
    rows = con.execute(
        "SELECT transport, app_name, message FROM syslog_events ORDER BY transport, message"
    ).fetchall()
    assert rows == [("tcp", "APP", m) for m in sorted(messages)] + [
        ("udp", "APP", m) for m in sorted(messages)
    ]
