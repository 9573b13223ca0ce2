"""``wanassure collect snmp`` and ``collect traps`` end to end: an inventory file, secrets from
the environment, the real snmpd and net-snmp's snmptrap, and the lake they fill."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assurance.cli import collect_snmp
from assurance.config import inventory_from_text
from assurance.lake import connect
from tests.snmp.conftest import COMMUNITY, Snmpd, free_udp_port
from tests.tools import require_tool

INVENTORY = """
org: {{name: lab}}
sites:
  - name: br-lab-001
    gateways:
      - name: br-lab-001-gw1
        model: SRX340
        role: spoke
        mgmt_ip: 127.0.0.1
        telemetry:
          snmp: {{version: "2c", community_env: LAB_SNMP_COMMUNITY, port: {port}, interval_s: 0.5}}
      - name: br-lab-001-gw2
        model: SRX340
        role: spoke
        mgmt_ip: 192.0.2.2
        telemetry:
          address: 127.0.0.1
          snmp:
            version: "3"
            port: {port}
            interval_s: 0.5
            v3: {{user: wanassure, auth_key_env: LAB_SNMP_AUTH, priv_key_env: LAB_SNMP_PRIV}}
"""


def app() -> typer.Typer:
    group = typer.Typer()
    collect_snmp.register(group)
    return group


def inventory(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY.format(port=port))
    return path


def test_targets_come_from_the_inventory_and_missing_secrets_are_named(snmpd: Snmpd) -> None:
    inv = inventory_from_text(INVENTORY.format(port=snmpd.port), "inventory.yaml")
    env = {"LAB_SNMP_COMMUNITY": COMMUNITY, "LAB_SNMP_AUTH": "a" * 10}
    resolved = collect_snmp.snmp_targets(inv, env.get)  # type: ignore[arg-type]
    assert [(t.device, t.site, t.address, t.port, t.interval_s) for t in resolved.targets] == [
        ("br-lab-001-gw1", "br-lab-001", "127.0.0.1", snmpd.port, 0.5)
    ]
    assert resolved.problems == [
        "br-lab-001-gw2: environment variable LAB_SNMP_PRIV (SNMPv3 privacy key) is not set"
    ]


def test_collect_snmp_polls_every_inventory_device_into_the_lake(
    snmpd: Snmpd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAB_SNMP_COMMUNITY", snmpd.community)
    monkeypatch.setenv("LAB_SNMP_AUTH", snmpd.auth_key)
    monkeypatch.setenv("LAB_SNMP_PRIV", snmpd.priv_key)
    lake = tmp_path / "lake"
    arguments = ["snmp", "--targets", str(inventory(tmp_path, snmpd.port)), "--lake", str(lake)]
    result = CliRunner().invoke(app(), [*arguments, "--metrics", "", "--duration", "2.5"])
    assert result.exit_code == 0, result.output
    assert "polling 2 devices over SNMP" in result.output
    rows = (
        connect(str(lake))
        .sql(
            "SELECT device, site, exporter, count(*) FROM device_health "
            "WHERE component = 'Routing Engine' GROUP BY ALL ORDER BY device"
        )
        .fetchall()
    )
    # each device is polled at its own offset in its 0.5 s interval; the first poll of each
    # also starts a pysnmp engine, which can take a while on a busy machine
    assert [r[:3] for r in rows] == [
        ("br-lab-001-gw1", "br-lab-001", "127.0.0.1"),
        ("br-lab-001-gw2", "br-lab-001", "127.0.0.1"),
    ]
    assert all(2 <= r[3] <= 6 for r in rows), rows


def test_collect_traps_writes_device_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snmptrap = require_tool("snmptrap")
    monkeypatch.setenv("LAB_TRAP_COMMUNITY", "lab-traps")
    port = free_udp_port()
    lake = tmp_path / "lake"

    def send() -> None:
        time.sleep(1.0)  # the receiver is listening by then
        for community in ("lab-traps", "other"):
            subprocess.run(
                [
                    snmptrap,
                    "-v2c",
                    "-c",
                    community,
                    f"127.0.0.1:{port}",
                    "",
                    "1.3.6.1.6.3.1.1.5.3",
                    "1.3.6.1.2.1.2.2.1.1.3",
                    "i",
                    "3",
                    "1.3.6.1.2.1.2.2.1.2.3",
                    "s",
                    "ge-0/0/1",
                ],
                check=True,
                env={**os.environ, "MIBS": ""},
            )

    sender = threading.Thread(target=send)
    sender.start()
    arguments = ["traps", "--listen", f"127.0.0.1:{port}", "--lake", str(lake)]
    arguments += ["--community-env", "LAB_TRAP_COMMUNITY", "--metrics", "", "--duration", "2.5"]
    result = CliRunner().invoke(app(), arguments)
    sender.join()
    assert result.exit_code == 0, result.output
    con = connect(str(lake))
    assert con.sql("SELECT event_type, interface FROM device_events").fetchall() == [
        ("linkDown", "ge-0/0/1")
    ]
    assert con.sql("SELECT reason FROM rejects").fetchall() == [("community not accepted",)]
    assert "done: 1 notifications, 1 rejects" in result.output
