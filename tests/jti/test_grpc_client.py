"""The JTI gRPC client against the project's simulated device, over real loopback gRPC."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from assurance.sim.jti_scenario import SimDevice, branch_gateway
from assurance.sim.jti_server import SimTelemetryServer
from collectors.jti.client import JtiSession
from collectors.jti.collector import TelemetryCollector
from collectors.jti.target import Sensor, Target
from tests.jti.helpers import MemorySink, fast_backoff, metric, wait_for

USER, PASSWORD = "wanassure", "s3cret"
SENSORS = (
    Sensor("/interfaces/", 200),
    Sensor("/system/cpus/", 200),
    Sensor("/junos/security/spu/flow/usage/", 200),
    Sensor("/junos/rpm/probe-results/", 0),
    Sensor("/junos/ike-security-associations/", 0),
)


def device(name: str = "br-nyc-012-gw1", index: int = 12) -> SimDevice:
    return branch_gateway(name, index, epoch_ms=int(time.time() * 1000) - 60_000, interfaces=2)


def target(server: SimTelemetryServer, name: str, **changes: object) -> Target:
    fields: dict[str, object] = {
        "device": name,
        "address": "127.0.0.1",
        "port": server.port,
        "site": "br-nyc-012",
        "username": USER,
        "password": PASSWORD,
        "sensors": SENSORS,
        "quiet_after_s": 5.0,
        "connect_timeout_s": 2.0,
    }
    fields.update(changes)
    return Target(**fields)  # type: ignore[arg-type]


def interface_rows(sink: MemorySink, dev: str, if_name: str) -> list[dict[str, object]]:
    return [
        r for r in sink.rows("interface_stats") if r["device"] == dev and r["if_name"] == if_name
    ]


def test_streams_every_sensor_into_typed_tables_with_rates_matching_the_device() -> None:
    dev = device()
    wan = dev.interfaces[0]
    wan.in_bps, wan.out_bps = 20e6, 2e6

    async def scenario() -> tuple[MemorySink, TelemetryCollector, SimTelemetryServer]:
        server = SimTelemetryServer(dev, username=USER, password=PASSWORD)
        await server.start()
        sink = MemorySink()
        collector = TelemetryCollector(sink, [target(server, dev.name)], backoff=fast_backoff)
        await collector.start()
        await wait_for(
            lambda: (
                len(interface_rows(sink, dev.name, "ge-0/0/0")) >= 3
                and sink.count("sla_metrics") >= 2
                and sink.count("vpn_tunnels") >= 1
            ),
            what="rows of every typed table",
        )
        await collector.stop()
        await server.stop()
        return sink, collector, server

    sink, collector, server = asyncio.run(scenario())
    rows = interface_rows(sink, dev.name, "ge-0/0/0")
    assert rows[0]["in_bps"] is None  # first sample: no rate yet
    for row in rows[1:]:
        assert row["in_bps"] == pytest.approx(20e6, rel=1e-3)
        assert row["out_bps"] == pytest.approx(2e6, rel=1e-3)
        assert (row["oper_status"], row["speed_bps"], row["source"]) == ("up", 10**9, "jti-grpc")
        assert (row["site"], row["exporter"]) == ("br-nyc-012", "127.0.0.1")
    health = {r["component"]: r for r in sink.rows("device_health")}
    assert health["Routing Engine"]["cpu_pct"] == dev.cpu_pct
    assert health["SPU FPC0 PIC0"]["sessions_current"] == dev.spus[0].sessions
    probes = {r["probe"]: r for r in sink.rows("sla_metrics")}
    assert probes["wan/mpls"]["rtt_ms"] == dev.probes[0].rtt_ms
    assert probes["wan/isp-a"]["destination"] == "8.8.8.8"
    [tunnel, *_] = sink.rows("vpn_tunnels")
    assert (tunnel["remote_gateway"], tunnel["ike_state"]) == ("198.51.100.1", "up")
    m = collector.metrics
    assert metric(m, "wanassure_telemetry_sync_responses_total", device=dev.name) >= 2
    assert metric(m, "wanassure_telemetry_streams_total", device=dev.name, protocol="jti") == 1
    assert server.stats.logins == 1  # LoginCheck before the subscription
    assert sink.flushes >= 1


def test_wrong_credentials_fail_with_one_log_line_while_other_devices_stream(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="collectors.jti")
    good, bad = device("gw-good", 1), device("gw-bad", 2)

    async def scenario() -> tuple[MemorySink, TelemetryCollector, SimTelemetryServer]:
        s_good = SimTelemetryServer(good, username=USER, password=PASSWORD)
        s_bad = SimTelemetryServer(bad, username=USER, password=PASSWORD)
        await s_good.start()
        await s_bad.start()
        sink = MemorySink()
        targets = [target(s_good, "gw-good"), target(s_bad, "gw-bad", password="wrong")]
        collector = TelemetryCollector(sink, targets, backoff=fast_backoff)
        await collector.start()
        await wait_for(
            lambda: (
                s_bad.stats.failed_logins >= 4
                and len(interface_rows(sink, "gw-good", "ge-0/0/0")) >= 2
            ),
            what="repeated refused logins and data from the good device",
        )
        await collector.stop()
        await s_good.stop()
        await s_bad.stop()
        return sink, collector, s_bad

    sink, collector, s_bad = asyncio.run(scenario())
    failures = metric(
        collector.metrics,
        "wanassure_telemetry_session_failures_total",
        device="gw-bad",
        protocol="jti",
        reason="auth",
    )
    assert failures >= 4
    lines = [r.getMessage() for r in caplog.records if "gw-bad" in r.getMessage()]
    assert lines == ["jti gw-bad: auth: LoginCheck refused user 'wanassure'"]
    assert {r["device"] for r in sink.rows("interface_stats")} == {"gw-good"}
    assert s_bad.stats.subscribes == 0


def test_stalled_stream_is_resubscribed_by_the_watchdog_and_resumes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="collectors.jti")
    dev = device()

    async def scenario() -> tuple[MemorySink, TelemetryCollector, int]:
        server = SimTelemetryServer(dev, username=USER, password=PASSWORD)
        await server.start()
        sink = MemorySink()
        tgt = target(server, dev.name, quiet_after_s=0.4, sensors=(Sensor("/interfaces/", 100),))
        collector = TelemetryCollector(sink, [tgt], backoff=fast_backoff)
        await collector.start()
        await wait_for(lambda: sink.count("interface_stats") > 0)
        server.faults.stalled = True
        await wait_for(lambda: server.stats.subscribes >= 3, what="watchdog resubscribes")
        stalled_rows = sink.count("interface_stats")
        server.faults.stalled = False
        await wait_for(lambda: sink.count("interface_stats") > stalled_rows + 4, what="resume")
        await collector.stop()
        await server.stop()
        return sink, collector, stalled_rows

    sink, collector, stalled_rows = asyncio.run(scenario())
    m = collector.metrics
    quiet = metric(
        m,
        "wanassure_telemetry_session_failures_total",
        device=dev.name,
        protocol="jti",
        reason="quiet",
    )
    assert quiet >= 2
    assert metric(m, "wanassure_telemetry_streams_total", device=dev.name, protocol="jti") == 2
    messages = [r.getMessage() for r in caplog.records]
    assert sum("quiet: no message for 0.4 s" in line for line in messages) == 1
    assert any("streaming after" in line for line in messages)
    assert sink.count("interface_stats") > stalled_rows


def test_malformed_messages_go_to_rejects_and_the_stream_continues() -> None:
    dev = device()

    async def scenario() -> tuple[MemorySink, TelemetryCollector]:
        server = SimTelemetryServer(dev, username=USER, password=PASSWORD)
        await server.start()
        sink = MemorySink()
        tgt = target(server, dev.name, sensors=(Sensor("/interfaces/", 100),))
        collector = TelemetryCollector(sink, [tgt], backoff=fast_backoff)
        await collector.start()
        await wait_for(lambda: sink.count("interface_stats") > 0)
        server.faults.malformed = 2
        await wait_for(lambda: sink.count("rejects") == 2, what="two rejects")
        after = sink.count("interface_stats")
        await wait_for(lambda: sink.count("interface_stats") > after + 2, what="more rows")
        await collector.stop()
        await server.stop()
        assert server.stats.subscribes == 1  # never disconnected
        return sink, collector

    sink, collector = asyncio.run(scenario())
    rejects = sink.rows("rejects")
    assert [(r["source"], r["device"], r["site"], r["error"]) for r in rejects] == [
        ("jti", dev.name, "br-nyc-012", "MalformedMessage")
    ] * 2
    assert rejects[0]["raw"] == b"\x0a\xff\xff\xff\xff\xff"
    assert "OpenConfigData" in rejects[0]["reason"]
    errors = metric(
        collector.metrics,
        "wanassure_telemetry_rejects_total",
        device=dev.name,
        error="MalformedMessage",
    )
    assert errors == 2


def test_disconnect_and_counter_reset_are_survived_and_flagged() -> None:
    dev = device()

    async def scenario() -> tuple[MemorySink, TelemetryCollector]:
        server = SimTelemetryServer(dev, username=USER, password=PASSWORD)
        await server.start()
        sink = MemorySink()
        tgt = target(server, dev.name, sensors=(Sensor("/interfaces/", 100),))
        collector = TelemetryCollector(sink, [tgt], backoff=fast_backoff)
        await collector.start()
        await wait_for(lambda: len(interface_rows(sink, dev.name, "ge-0/0/0")) >= 2)
        server.disconnect()
        await wait_for(lambda: server.stats.subscribes == 2, what="reconnect after disconnect")
        dev.reset_counters(int(time.time() * 1000))
        await wait_for(
            lambda: any(r["counter_reset"] for r in interface_rows(sink, dev.name, "ge-0/0/0")),
            what="a reset row",
        )
        await collector.stop()
        await server.stop()
        return sink, collector

    sink, collector = asyncio.run(scenario())
    m = collector.metrics
    disconnected = metric(
        m,
        "wanassure_telemetry_session_failures_total",
        device=dev.name,
        protocol="jti",
        reason="disconnected",
    )
    assert disconnected == 1
    assert metric(m, "wanassure_telemetry_counter_resets_total", device=dev.name) >= 1
    rows = interface_rows(sink, dev.name, "ge-0/0/0")
    reset = next(i for i, r in enumerate(rows) if r["counter_reset"])
    assert rows[reset]["in_bps"] is None
    assert rows[reset]["in_octets"] < rows[reset - 1]["in_octets"]


def test_subscriptions_can_be_listed_and_cancelled() -> None:
    dev = device()

    async def scenario() -> None:
        server = SimTelemetryServer(dev, username=USER, password=PASSWORD)
        await server.start()
        sink = MemorySink()
        tgt = target(server, dev.name, sensors=(Sensor("/interfaces/", 100), SENSORS[3]))
        collector = TelemetryCollector(sink, [tgt], backoff=fast_backoff)
        await collector.start()
        await wait_for(lambda: sink.count("interface_stats") > 0)
        session = collector.sessions[0]
        assert isinstance(session, JtiSession)
        [sub] = await session.subscriptions()
        assert [(p.path, p.sample_frequency) for p in sub.path_list] == [
            ("/interfaces/", 100),
            ("/junos/rpm/probe-results/", 0),
        ]
        reply = await session.cancel(sub.response.subscription_id)
        assert reply.code_str == "ok"
        # the device ended the stream: the session subscribes again
        await wait_for(lambda: server.stats.subscribes == 2, what="resubscribe after cancel")
        assert (await session.cancel(999)).code_str == "no such subscription"
        await collector.stop()
        await server.stop()

    asyncio.run(scenario())
