"""Polling a real net-snmp snmpd over v2c into a real Parquet lake.

IF-MIB comes from the machine itself and is checked against /proc/net/dev; the Juniper objects
come from ``jnx_agent.py`` and the expected rows below are written by hand from its values.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assurance.lake import LakeWriter, connect
from collectors.snmp.client import V2c
from collectors.snmp.poller import SnmpPoller, Target
from tests.snmp.conftest import Snmpd

#: net-snmp serves IF-MIB from a cache it reloads every ~3 s on a timer (NETSNMP_CACHE_AUTO_RELOAD),
#: so a polled counter is the kernel's value at some moment in the 3 s before the poll: the
#: "before" reading is taken this long before the poll.
IF_CACHE_S = 3.5


def proc_net_dev(interface: str) -> tuple[int, int, int, int]:
    """(rx bytes, rx packets, tx bytes, tx packets) of ``interface`` from /proc/net/dev."""
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        name, _, counters = line.partition(":")
        if name.strip() == interface:
            fields = [int(x) for x in counters.split()]
            return fields[0], fields[1], fields[8], fields[9]
    raise AssertionError(f"{interface} not in /proc/net/dev")


def target(snmpd: Snmpd) -> Target:
    return Target(
        "127.0.0.1",
        V2c(snmpd.community),
        port=snmpd.port,
        timeout_s=2.0,
        retries=1,
        device="br-nyc-012-gw1",
        site="br-nyc-012",
    )


def test_loopback_counters_lie_between_two_readings_of_proc_net_dev(
    snmpd: Snmpd, tmp_path: Path
) -> None:
    writer = LakeWriter(str(tmp_path / "lake"))
    poller = SnmpPoller(writer, [target(snmpd)], stagger=False)

    async def scenario() -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
        first = await poller.poll(poller.targets[0])
        assert first.result == "ok", first.errors
        before = proc_net_dev("lo")
        await asyncio.sleep(IF_CACHE_S)
        second = await poller.poll(poller.targets[0])
        after = proc_net_dev("lo")
        assert second.result == "ok", second.errors
        await poller.stop()
        return before, after

    before, after = asyncio.run(scenario())
    writer.close()
    rows = (
        connect(str(tmp_path / "lake"))
        .sql(
            "SELECT event_time, if_index, oper_status, admin_status, in_octets, out_octets, "
            "in_pkts, out_pkts, in_bps, out_bps, counter_reset, device, site, source "
            "FROM interface_stats WHERE if_name = 'lo' ORDER BY event_time"
        )
        .fetchall()
    )
    assert len(rows) == 2
    (t1, _, _, _, in1, out1, *_), second = rows[0], rows[1]
    t2, if_index, oper, admin, in2, out2, pkts_in, pkts_out, in_bps, out_bps, reset, *origin = (
        second
    )
    assert before[0] <= in2 <= after[0]
    assert before[2] <= out2 <= after[2]
    assert before[1] <= pkts_in <= after[1]
    assert before[3] <= pkts_out <= after[3]
    assert (oper, admin, reset) == ("up", "up", False)
    assert if_index >= 1
    assert origin == ["br-nyc-012-gw1", "br-nyc-012", "snmp"]
    elapsed_s = (t2 - t1).total_seconds()
    assert elapsed_s >= IF_CACHE_S
    assert in_bps == pytest.approx((in2 - in1) * 8 / elapsed_s, rel=1e-6)
    assert out_bps == pytest.approx((out2 - out1) * 8 / elapsed_s, rel=1e-6)
    assert rows[0][8] is None  # no rate on the first sample


def test_juniper_tables_become_health_sla_and_tunnel_rows(snmpd: Snmpd, tmp_path: Path) -> None:
    writer = LakeWriter(str(tmp_path / "lake"))
    poller = SnmpPoller(writer, [target(snmpd)], stagger=False)

    async def scenario() -> None:
        for _ in range(2):  # the second poll finds the same RPM results: no new sla rows
            report = await poller.poll(poller.targets[0])
            assert report.result == "ok", report.errors
        await poller.stop()

    asyncio.run(scenario())
    writer.close()
    con = connect(str(tmp_path / "lake"))
    health = con.sql(
        "SELECT component, cpu_pct, memory_pct, temperature_c, power_status, sessions_current, "
        "sessions_max, uptime_s, status FROM device_health WHERE component IS NOT NULL "
        "ORDER BY component, event_time"
    ).fetchall()
    expected_health = [
        ("FPC: SRX340 @ 0/*/*", 23.0, 55.0, 41.0, None, None, None, 86_300, "running"),
        ("Fan 1", 0.0, 0.0, None, None, None, None, 0, "down"),
        ("Power Supply 0", 0.0, 0.0, None, "running", None, None, 0, "running"),
        ("Routing Engine", 12.0, 37.0, 45.0, None, None, None, 86_400, "running"),
        ("SPU 0/0", 31.0, 62.0, None, None, 15_234, 262_144, None, None),
    ]
    assert health == [row for row in expected_health for _ in range(2)]
    uptimes = con.sql(
        "SELECT uptime_s FROM device_health WHERE component IS NULL ORDER BY event_time"
    ).fetchall()
    assert len(uptimes) == 2 and 0 <= uptimes[0][0] <= uptimes[1][0] < 3600

    sla = con.sql(
        "SELECT event_time, source, probe, destination, rtt_ms, jitter_ms, loss_pct, "
        "probes_sent, probes_received FROM sla_metrics ORDER BY probe"
    ).fetchall()
    assert sla == [
        (
            datetime(2026, 5, 28, 20, 26, 40, tzinfo=UTC),
            "rpm",
            "sdwan/isp1-probe",
            "10.0.0.1",
            15.6,
            2.1,
            10.0,
            10,
            9,
        ),
        (
            datetime(2026, 5, 28, 20, 27, 40, tzinfo=UTC),
            "rpm",
            "sdwan/isp2-probe",
            "probe.example.net",
            48.2,
            9.1,
            0.0,
            10,
            10,
        ),
    ]

    tunnels = con.sql(
        "SELECT tunnel, remote_gateway, local_address, ike_state, ipsec_state, uptime_s, "
        "in_octets, out_octets, in_pkts, out_pkts FROM vpn_tunnels "
        "ORDER BY event_time, tunnel LIMIT 2"
    ).fetchall()
    assert tunnels == [
        ("1", "192.0.2.1", "198.51.100.1", "up", "up", 3600, 7_002_000, 5_001_000, 5020, 4010),
        ("2", "192.0.2.2", "198.51.100.1", "down", "down", 0, None, None, None, None),
    ]

    telemetry = (
        con.sql(
            "SELECT sensor, metric, value, keys FROM telemetry WHERE metric IN "
            "('jnxRpmResSumSent', 'jnxIpSecTunMonInDecryptedBytes', 'jnxOperatingCPU')"
        )
        .to_arrow_table()
        .to_pylist()
    )
    by_key = {(r["metric"], tuple(sorted(dict(r["keys"]).items()))): r["value"] for r in telemetry}
    moving = (
        "jnxRpmResSumSent",
        (
            ("collection", "movingAverage"),
            ("index", "5.115.100.119.97.110.10.105.115.112.49.45.112.114.111.98.101.3"),
            ("owner", "sdwan"),
            ("test", "isp1-probe"),
        ),
    )
    assert by_key[moving] == 90.0
    second_sa = (
        "jnxIpSecTunMonInDecryptedBytes",
        (("index", "1.4.192.0.2.1.2"), ("remote_gateway", "192.0.2.1")),
    )
    assert by_key[second_sa] == 2000.0
    routing_engine = (
        "jnxOperatingCPU",
        (("component", "Routing Engine"), ("index", "9.1.0.0")),
    )
    assert by_key[routing_engine] == 12.0
    assert {r["sensor"] for r in telemetry} == {
        "JUNIPER-RPM-MIB::jnxRpmResultsSummaryTable",
        "JUNIPER-IPSEC-FLOW-MON-MIB::jnxIpSecTunnelMonTable",
        "JUNIPER-MIB::jnxOperatingTable",
    }
    # per poll: 2 tests × 4 collections, 2 IPsec SAs, 4 jnxOperating entries
    assert len(telemetry) == 2 * (8 + 2 + 4)


def test_missing_objects_are_counted_and_logged_once(
    snmpd: Snmpd, caplog: pytest.LogCaptureFixture
) -> None:
    class Nothing:
        def write(self, table: str, batch: object) -> None: ...
        def flush(self) -> None: ...
        def close(self) -> None: ...

    poller = SnmpPoller(Nothing(), [target(snmpd)], stagger=False)

    async def scenario() -> None:
        for _ in range(3):
            await poller.poll(poller.targets[0])
        await poller.stop()

    with caplog.at_level("WARNING", logger="collectors.snmp.poller"):
        asyncio.run(scenario())
    # isp2-probe has no posRttJitter row: its 6 jnxRpmResultsCalculatedTable columns are missing
    registry = poller.metrics.registry
    assert (
        registry.get_sample_value(
            "wanassure_snmp_missing_objects_total", {"device": "br-nyc-012-gw1"}
        )
        == 18
    )
    lines = [r.getMessage() for r in caplog.records if "noSuch" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].startswith("snmp br-nyc-012-gw1: 6 object(s) answered noSuchObject")
    assert "1.3.6.1.4.1.2636.3.50.1.3.1.2.5.115.100.119.97.110.10.105.115.112.50" in lines[0]
    assert (
        registry.get_sample_value(
            "wanassure_snmp_polls_total", {"device": "br-nyc-012-gw1", "result": "ok"}
        )
        == 3
    )
