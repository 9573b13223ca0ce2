"""Whatever arrives on the trap port, the decoder answers with a verdict and never raises:
random bytes and every truncation of a real trap (captured from net-snmp's snmptrap)."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.snmp.oids import TRAPS
from collectors.snmp.trapengine import NotificationEngine
from tests.tools import require_tool

ENGINE = NotificationEngine(lambda message, address: None, communities=["public"])


@pytest.fixture(scope="module")
def link_down() -> bytes:
    """A v2c linkDown trap as snmptrap sends it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(10)
        port = sock.getsockname()[1]
        subprocess.run(
            [
                require_tool("snmptrap"),
                "-v2c",
                "-c",
                "public",
                f"127.0.0.1:{port}",
                "",
                "1.3.6.1.6.3.1.1.5.3",
                "1.3.6.1.2.1.2.2.1.1.7",
                "i",
                "7",
            ],
            check=True,
            env={**os.environ, "MIBS": ""},
        )
        return sock.recv(65535)


def test_the_captured_trap_decodes(link_down: bytes) -> None:
    fed = ENGINE.feed(link_down, "192.0.2.1", 162, 1)
    assert fed.kind == "ok"
    assert [TRAPS[n.trap_oid() or ()].name for n in fed.notifications] == ["linkDown"]


def test_every_truncation_is_rejected_with_a_reason(link_down: bytes) -> None:
    for cut in range(len(link_down)):
        fed = ENGINE.feed(link_down[:cut], "192.0.2.1", 162, 1)
        assert (fed.kind, bool(fed.reason)) == ("bad", True), cut


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_get_a_verdict_not_an_exception(payload: bytes) -> None:
    fed = ENGINE.feed(payload, "192.0.2.1", 162, 1)
    assert fed.kind in ("ok", "bad", "auth", "other", "sync")
    assert fed.kind == "ok" or fed.reason
