"""``wanassure junos-config``: golden device configurations and the documented hierarchy.

The expected files in ``data/samples/junos/<case>/`` were written by hand from Juniper's
documented statement hierarchies, not saved from this renderer. A second check holds every
rendered ``set`` line of every device of the sample inventories to the hierarchy levels that
Juniper documents for the statements used, so a new line cannot land somewhere Junos refuses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assurance.config.loader import load_inventory
from assurance.onboard.junos import Deployment, render

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "data" / "samples" / "junos"
WANASSURE = Path(sys.executable).with_name("wanassure")

NAME = r"[A-Za-z0-9_.-]+"
ADDR = r"[0-9a-fA-F.:]+"
#: Statement paths as documented (CLI reference "Hierarchy Level" of each statement).
DOCUMENTED = [
    rf"set services flow-monitoring version-ipfix template {NAME} "
    r"(flow-active-timeout \d+|flow-inactive-timeout \d+|template-refresh-rate seconds \d+"
    r"|option-refresh-rate seconds \d+|ipv4-template)",
    rf"set forwarding-options sampling instance {NAME} (input rate \d+"
    rf"|family inet output flow-server {ADDR} (port \d+|version-ipfix template {NAME})"
    rf"|family inet output inline-jflow source-address {ADDR})",
    rf"set chassis (tfeb slot 0|fpc \d+) sampling-instance {NAME}",
    r"set interfaces [a-z]+[0-9/-]* unit \d+ family inet sampling (input|output)",
    r"set security log (mode stream|format sd-syslog|source-address " + ADDR + ")",
    rf"set security log stream {NAME} (format sd-syslog|category all|host {ADDR}|host port \d+"
    rf"|transport protocol (tcp|tls|udp)|transport tls-profile {NAME})",
    r"set security application-tracking (first-update|session-update-interval \d+)",
    rf"set security pki ca-profile {NAME} ca-identity {NAME}",
    rf"set services ssl initiation profile {NAME} trusted-ca {NAME}",
    rf"set system syslog host {ADDR} (any info|port \d+|transport (tcp|tls|udp)"
    rf"|source-address {ADDR}|structured-data|tlsdetails trusted-ca-group {NAME} ca-profiles"
    rf" {NAME})",
    r"set system services extension-service request-response grpc (clear-text port \d+"
    rf"|ssl port \d+|ssl local-certificate {NAME})",
    rf"set system services extension-service notification allow-clients address {ADDR}/\d+",
    rf"set services analytics (streaming-server {NAME} (remote-address {ADDR}|remote-port \d+)"
    rf"|export-profile {NAME} (local-address {ADDR}|reporting-rate \d+|format gpb"
    rf"|transport udp)|sensor {NAME} (server-name {NAME}|export-name {NAME}|resource /\S+/))",
    r'set snmp community "[^"]+" (authorization read-only|clients ' + ADDR + r"/\d+)",
    rf"set snmp trap-group {NAME} (version v2|destination-port \d+|categories (link|chassis"
    rf"|services)|targets {ADDR})",
    rf"set snmp v3 usm local-engine user {NAME} (authentication-(md5|sha|sha256|sha512)"
    r' authentication-password "[^"]+"|privacy-(aes128|des) privacy-password "[^"]+"'
    r"|privacy-none)",
    rf"set snmp view {NAME} oid \.1 include",
    rf"set snmp v3 vacm security-to-group security-model usm security-name {NAME} group {NAME}",
    rf"set snmp v3 vacm access group {NAME} default-context-prefix security-model usm"
    rf" security-level (privacy|authentication) (read|notify)-view {NAME}",
    rf"set snmp v3 target-address {NAME} (address {ADDR}|port \d+|tag-list {NAME}"
    rf"|target-parameters {NAME})",
    rf"set snmp v3 target-parameters {NAME} parameters (message-processing-model v3"
    rf"|security-model usm|security-level (privacy|authentication)|security-name {NAME})",
    rf"set snmp v3 notify {NAME} (type trap|tag {NAME})",
]
DOCUMENTED_RE = re.compile("|".join(f"(?:{p})" for p in DOCUMENTED))


def _cases() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "expected.set").is_file())


@pytest.mark.parametrize("case", _cases())
def test_rendered_configuration_matches_the_hand_written_golden(case: str) -> None:
    args = (CASES / case / "args").read_text().split()
    result = subprocess.run(
        [str(WANASSURE), "junos-config", "--inventory", str(CASES / "inventory.yaml"),
         "--collector", "192.0.2.50", *args],
        capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("SNMP_")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == (CASES / case / "expected.set").read_text()


@pytest.mark.parametrize("transport", ["tcp", "tls"])
@pytest.mark.parametrize(
    "inventory", ["data/samples/inventory.yaml", "data/samples/junos/inventory.yaml"]
)
def test_every_set_line_sits_at_a_documented_hierarchy(inventory: str, transport: str) -> None:
    inv = load_inventory(ROOT / inventory)
    rendered = render(inv, Deployment("192.0.2.50", syslog_transport=transport))  # type: ignore[arg-type]
    assert {r.kind for r in rendered} == {"gateway", "switch", "ap"}
    set_lines = [
        line for r in rendered if r.kind != "ap" for line in r.lines if line.startswith("set ")
    ]
    assert len(set_lines) > 50
    stray = [line for line in set_lines if not DOCUMENTED_RE.fullmatch(line)]
    assert stray == []
    others = [
        line
        for r in rendered
        if r.kind != "ap"
        for line in r.lines
        if not line.startswith(("set ", "# "))
    ]
    assert others == []  # anything else would be refused by `load set`


def test_secrets_are_placeholders_unless_asked_for() -> None:
    inventory = str(CASES / "inventory.yaml")
    base = [str(WANASSURE), "junos-config", "--inventory", inventory, "--collector", "192.0.2.50",
            "--device", "br-lab-001-gw1"]  # fmt: skip
    env = {**os.environ, "SNMP_AUTH": "auth-secret-1", "SNMP_PRIV": "priv-secret-2"}
    plain = subprocess.run(base, capture_output=True, text=True, timeout=60, env=env)
    assert "auth-secret-1" not in plain.stdout and '"${SNMP_AUTH}"' in plain.stdout
    filled = subprocess.run(
        [*base, "--with-secrets"], capture_output=True, text=True, timeout=60, env=env
    )
    assert 'authentication-password "auth-secret-1"' in filled.stdout
    assert 'privacy-password "priv-secret-2"' in filled.stdout


def test_unknown_device_is_a_clear_error() -> None:
    result = subprocess.run(
        [str(WANASSURE), "junos-config", "--inventory", str(CASES / "inventory.yaml"),
         "--collector", "192.0.2.50", "--device", "nope"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no device 'nope' in" in result.stderr
    assert "Traceback" not in result.stderr
