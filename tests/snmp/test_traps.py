"""Traps and informs sent by net-snmp's ``snmptrap``/``snmpinform`` to our receiver, checked in
a real Parquet lake: v1, v2c and v3 (authPriv SHA/AES) notifications become ``device_events``
with their raw varbinds; a wrong community, a wrong v3 key and random bytes become ``rejects``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from pathlib import Path

from prometheus_client import Counter

from assurance.lake import LakeWriter, connect
from collectors.snmp.client import V3
from collectors.snmp.traps import TrapReceiver
from tests.snmp.conftest import COMMUNITY, V3_AUTH, V3_PRIV, V3_USER
from tests.tools import require_tool

GATEWAY = ("br-nyc-012-gw1", "br-nyc-012")
PROBE = "5.115.100.119.97.110.10.105.115.112.49.45.112.114.111.98.101"  # "sdwan", "isp1-probe"
SENDER_ENGINE = "0x80001f8880c0ffee0001"
V3_ARGS = ["-v3", "-u", V3_USER, "-l", "authPriv", "-a", "SHA", "-x", "AES", "-X", V3_PRIV]


def notifications(port: int) -> list[list[str]]:
    """snmptrap / snmpinform command lines, in the order they are sent."""
    trap, inform = require_tool("snmptrap"), require_tool("snmpinform")
    to = f"127.0.0.1:{port}"
    v2c = ["-v2c", "-c", COMMUNITY]
    link_down = ["1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.7", "i", "7"]
    link_down += ["1.3.6.1.2.1.2.2.1.2.7", "s", "ge-0/0/3"]
    link_down += ["1.3.6.1.2.1.2.2.1.7.7", "i", "1", "1.3.6.1.2.1.2.2.1.8.7", "i", "2"]
    probe_failed = ["1.3.6.1.2.1.80.0.1", f"1.3.6.1.2.1.80.1.2.1.3.{PROBE}", "i", "1"]
    probe_failed += [f"1.3.6.1.2.1.80.1.2.1.4.{PROBE}", "x", "0A000001"]
    probe_failed += [f"1.3.6.1.2.1.80.1.3.1.7.{PROBE}", "u", "7"]  # pingResultsProbeResponses
    probe_failed += [f"1.3.6.1.2.1.80.1.3.1.8.{PROBE}", "u", "10"]  # pingResultsSentProbes
    rtt_exceeded = ["1.3.6.1.4.1.2636.4.9.0.1", f"1.3.6.1.4.1.2636.3.7.1.3.1.1.{PROBE}", "u"]
    rtt_exceeded += ["152300"]  # jnxPingResultsRttUs
    return [
        [trap, *v2c, to, "", *link_down],
        [trap, *v2c, to, "", *probe_failed],
        [trap, *v2c, to, "", *rtt_exceeded],
        [
            trap,
            *V3_ARGS,
            "-A",
            V3_AUTH,
            "-e",
            SENDER_ENGINE,
            to,
            "",
            "1.3.6.1.6.3.1.1.5.4",
            "1.3.6.1.2.1.2.2.1.1.7",
            "i",
            "7",
            "1.3.6.1.2.1.31.1.1.1.1.7",
            "s",
            "ge-0/0/3",
        ],
        [
            trap,
            "-v1",
            "-c",
            COMMUNITY,
            to,
            "1.3.6.1.4.1.2636",
            "192.0.2.9",
            "2",
            "0",
            "",
            "1.3.6.1.2.1.2.2.1.1.9",
            "i",
            "9",
        ],
        # informs succeed only when acknowledged: exit status 0 proves the ack came back
        [inform, *v2c, "-t", "2", "-r", "1", to, "", "1.3.6.1.6.3.1.1.5.1"],
        [inform, *V3_ARGS, "-A", V3_AUTH, "-t", "2", "-r", "1", to, "", "1.3.6.1.6.3.1.1.5.2"],
        # not accepted: a wrong community and a wrong v3 auth key
        [trap, "-v2c", "-c", "not-our-community", to, "", "1.3.6.1.6.3.1.1.5.3"],
        [
            trap,
            *V3_ARGS,
            "-A",
            "wrong-auth-key",
            "-e",
            SENDER_ENGINE,
            to,
            "",
            "1.3.6.1.6.3.1.1.5.3",
        ],
    ]


def total(counter: Counter) -> float:
    return sum(
        s.value for family in counter.collect() for s in family.samples if s.name.endswith("_total")
    )


def test_traps_and_informs_land_in_device_events_and_bad_ones_in_rejects(
    tmp_path: Path,
) -> None:
    writer = LakeWriter(str(tmp_path / "lake"))
    receiver = TrapReceiver(
        writer,
        host="127.0.0.1",
        port=0,
        communities=[COMMUNITY],
        users=[V3(V3_USER, "sha", V3_AUTH, "aes", V3_PRIV)],
        exporters={"127.0.0.1": GATEWAY},
    )

    async def scenario() -> None:
        await receiver.start()
        env = {**os.environ, "MIBS": ""}
        for command in notifications(receiver.port):
            done = await asyncio.to_thread(
                subprocess.run, command, capture_output=True, text=True, env=env, timeout=20
            )
            assert done.returncode == 0, (command, done.stderr)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"\x30\x03\x02\x01", ("127.0.0.1", receiver.port))  # truncated BER
        deadline = time.monotonic() + 10
        while total(receiver.metrics.rejects) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await receiver.stop()

    asyncio.run(scenario())
    writer.close()
    con = connect(str(tmp_path / "lake"))
    events = (
        con.sql(
            "SELECT category, event_type, state, interface, peer, device, site, exporter, fields "
            "FROM device_events ORDER BY event_time"
        )
        .to_arrow_table()
        .to_pylist()
    )
    assert [
        (e["category"], e["event_type"], e["state"], e["interface"], e["peer"]) for e in events
    ] == [
        ("interface", "linkDown", "down", "ge-0/0/3", None),
        ("rpm", "pingProbeFailed", "failed", None, "10.0.0.1"),
        ("rpm", "jnxPingRttThresholdExceeded", "exceeded", None, None),
        ("interface", "linkUp", "up", "ge-0/0/3", None),
        ("interface", "linkDown", "down", "ifIndex 9", None),
        ("system", "coldStart", "restarted", None, None),
        ("system", "warmStart", "restarted", None, None),
    ]
    assert {(e["device"], e["site"], e["exporter"]) for e in events} == {(*GATEWAY, "127.0.0.1")}
    fields = [dict(e["fields"]) for e in events]
    assert [(f["version"], f["pdu"], f.get("user")) for f in fields] == [
        ("2c", "trap", None),
        ("2c", "trap", None),
        ("2c", "trap", None),
        ("3", "trap", V3_USER),
        ("1", "trap", None),
        ("2c", "inform", None),
        ("3", "inform", V3_USER),
    ]
    link_down = fields[0]
    assert link_down["1.3.6.1.6.3.1.1.4.1.0"] == "1.3.6.1.6.3.1.1.5.3"  # snmpTrapOID.0
    assert link_down["1.3.6.1.2.1.2.2.1.2.7"] == "ge-0/0/3"  # raw ifDescr varbind
    assert (link_down["if_index"], link_down["admin_status"], link_down["oper_status"]) == (
        "7",
        "up",
        "down",
    )
    probe = fields[1]
    assert probe["probe"] == "sdwan/isp1-probe"
    assert probe[f"1.3.6.1.2.1.80.1.2.1.4.{PROBE}"] == "0x0a000001"
    assert (probe["pingResultsProbeResponses"], probe["pingResultsSentProbes"]) == ("7", "10")
    assert (fields[2]["probe"], fields[2]["jnxPingResultsRttUs"]) == ("sdwan/isp1-probe", "152300")
    v1 = fields[4]
    assert v1["1.3.6.1.6.3.18.1.3.0"] == "192.0.2.9"  # agent-addr
    assert COMMUNITY not in v1.values()  # the community is never stored

    rejects = con.sql(
        "SELECT source, error, reason, device, raw FROM rejects ORDER BY event_time"
    ).fetchall()
    assert [r[:4] for r in rejects] == [
        ("trap", "TrapAuthError", "community not accepted", GATEWAY[0]),
        ("trap", "TrapAuthError", "wrong SNMPv3 auth key", GATEWAY[0]),
        ("trap", "MalformedPacket", "not an SNMP message (ProtocolError)", GATEWAY[0]),
    ]
    assert b"not-our-community" in rejects[0][4]
    assert rejects[2][4] == b"\x30\x03\x02\x01"
    registry = receiver.metrics.registry
    assert (
        registry.get_sample_value(
            "wanassure_snmp_trap_notifications_total",
            {"sender": "127.0.0.1", "notification": "linkDown"},
        )
        == 2
    )
    assert (
        registry.get_sample_value(
            "wanassure_snmp_trap_rejects_total",
            {"sender": "127.0.0.1", "reason": "wrong SNMPv3 auth key"},
        )
        == 1
    )
