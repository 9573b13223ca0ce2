"""SNMPv3 authPriv against the real snmpd, and what bad credentials and dead devices look like.

Each failure must give one clear log line per change of state, a counter per device, and must
not stop the other devices from being polled.
"""

from __future__ import annotations

import asyncio
import logging

import pyarrow as pa
import pytest

from collectors.snmp.client import V3, V2c
from collectors.snmp.poller import SnmpPoller, Target
from tests.snmp.conftest import Snmpd, free_udp_port


class MemorySink:
    """Keeps every batch written, per table (a real ``Sink``, just not a durable one)."""

    def __init__(self) -> None:
        self.batches: dict[str, list[pa.Table]] = {}

    def write(self, table: str, batch: pa.Table | pa.RecordBatch) -> None:
        self.batches.setdefault(table, []).append(pa.table(batch))

    def flush(self) -> None: ...

    def close(self) -> None: ...

    def rows(self, table: str) -> list[dict[str, object]]:
        return [row for batch in self.batches.get(table, []) for row in batch.to_pylist()]


def v3_target(snmpd: Snmpd, device: str, auth_key: str, priv_key: str) -> Target:
    credentials = V3(snmpd.user, "sha", auth_key, "aes", priv_key)
    return Target(
        "127.0.0.1", credentials, port=snmpd.port, timeout_s=0.5, retries=0, device=device
    )


def value(poller: SnmpPoller, name: str, **labels: str) -> float | None:
    return poller.metrics.registry.get_sample_value(name, labels)


def test_v3_auth_priv_sha_aes_polls_everything(snmpd: Snmpd) -> None:
    sink = MemorySink()
    good = v3_target(snmpd, "gw-v3", snmpd.auth_key, snmpd.priv_key)
    poller = SnmpPoller(sink, [good], stagger=False)

    async def scenario() -> None:
        report = await poller.poll(good)
        assert report.result == "ok", report.errors
        await poller.stop()

    asyncio.run(scenario())
    routing_engine = [r for r in sink.rows("device_health") if r["component"] == "Routing Engine"]
    assert [(r["device"], r["cpu_pct"], r["memory_pct"]) for r in routing_engine] == [
        ("gw-v3", 12.0, 37.0)
    ]
    assert "lo" in {r["if_name"] for r in sink.rows("interface_stats")}
    assert {r["probe"] for r in sink.rows("sla_metrics")} == {
        "sdwan/isp1-probe",
        "sdwan/isp2-probe",
    }


def test_wrong_v3_keys_give_one_clear_line_and_a_counter_each(
    snmpd: Snmpd, caplog: pytest.LogCaptureFixture
) -> None:
    sink = MemorySink()
    wrong_auth = v3_target(snmpd, "wrong-auth", "not-the-auth-key", snmpd.priv_key)
    wrong_priv = v3_target(snmpd, "wrong-priv", snmpd.auth_key, "not-the-priv-key")
    good = v3_target(snmpd, "gw-v3", snmpd.auth_key, snmpd.priv_key)
    poller = SnmpPoller(sink, [wrong_auth, wrong_priv, good], stagger=False)

    async def scenario() -> None:
        for _ in range(3):
            reports = await asyncio.gather(*(poller.poll(t) for t in poller.targets))
            assert [r.result for r in reports] == ["failed", "failed", "ok"]
        await poller.stop()

    with caplog.at_level(logging.WARNING, logger="collectors.snmp.poller"):
        asyncio.run(scenario())
    lines = [r.getMessage() for r in caplog.records]
    auth_lines = [line for line in lines if line.startswith("snmp wrong-auth:")]
    priv_lines = [line for line in lines if line.startswith("snmp wrong-priv:")]
    assert auth_lines == [
        "snmp wrong-auth: failed poll: credentials rejected: Wrong SNMP PDU digest "
        "(wrong auth key or auth protocol)"
    ]
    # snmpd drops what it cannot decrypt, so a wrong privacy key looks like silence
    assert priv_lines == [
        "snmp wrong-priv: failed poll: no response after 1 × 0.5 s "
        "(device down or unreachable, or wrong privacy key)"
    ]
    assert value(poller, "wanassure_snmp_poll_errors_total", device="wrong-auth", kind="auth") == 3
    assert (
        value(poller, "wanassure_snmp_poll_errors_total", device="wrong-priv", kind="timeout") == 3
    )
    assert value(poller, "wanassure_snmp_device_up", device="wrong-auth") == 0
    assert value(poller, "wanassure_snmp_polls_total", device="gw-v3", result="ok") == 3
    assert {r["device"] for r in sink.rows("interface_stats")} == {"gw-v3"}


def test_a_dead_device_times_out_while_another_keeps_being_polled(
    snmpd: Snmpd, caplog: pytest.LogCaptureFixture
) -> None:
    sink = MemorySink()
    alive = Target(
        "127.0.0.1",
        V2c(snmpd.community),
        port=snmpd.port,
        interval_s=1.0,
        timeout_s=1.0,
        retries=0,
        device="alive",
    )
    # nothing listens there; every poll overruns its 0.2 s interval by far
    dead = Target(
        "127.0.0.1",
        V2c(snmpd.community),
        port=free_udp_port(),
        interval_s=0.2,
        timeout_s=0.6,
        retries=0,
        device="dead",
    )
    poller = SnmpPoller(sink, [alive, dead], stagger=False)

    async def scenario() -> None:
        await poller.start()
        await asyncio.sleep(2.6)
        await poller.stop()

    with caplog.at_level(logging.WARNING, logger="collectors.snmp.poller"):
        asyncio.run(scenario())
    alive_ok = value(poller, "wanassure_snmp_polls_total", device="alive", result="ok")
    assert alive_ok == 3  # at 0, 1 and 2 s
    assert value(poller, "wanassure_snmp_missed_intervals_total", device="alive") is None
    timeouts = value(poller, "wanassure_snmp_poll_errors_total", device="dead", kind="timeout")
    assert timeouts is not None and 2 <= timeouts <= 5
    missed = value(poller, "wanassure_snmp_missed_intervals_total", device="dead")
    assert missed is not None and missed >= 2 * timeouts - 2  # each 0.6 s poll skips 2-3 starts
    assert value(poller, "wanassure_snmp_device_up", device="dead") == 0
    timeout_lines = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("snmp dead: failed")
    ]
    assert timeout_lines == [
        "snmp dead: failed poll: no response after 1 × 0.6 s "
        "(device down or unreachable, or wrong community)"
    ]
    alive_rows = [r for r in sink.rows("interface_stats") if r["if_name"] == "lo"]
    assert len(alive_rows) == alive_ok
    assert all(r["device"] == "alive" for r in sink.rows("interface_stats"))
