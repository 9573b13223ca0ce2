"""Connecting: TLS with a throwaway CA, TLS mismatches, silent and absent devices, and a device
process killed and restarted on the same port — all over real sockets."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import pytest

from assurance.sim.jti_scenario import branch_gateway
from assurance.sim.jti_server import ServerTls, SimTelemetryServer
from collectors.jti.collector import TelemetryCollector
from collectors.jti.target import Sensor, Target, TlsSettings
from tests.jti.conftest import Pki
from tests.jti.helpers import MemorySink, fast_backoff, free_port, metric, wait_for

SENSORS = (Sensor("/interfaces/", 100),)


def failures(collector: TelemetryCollector, device: str, reason: str) -> float:
    return metric(
        collector.metrics,
        "wanassure_telemetry_session_failures_total",
        device=device,
        protocol="jti",
        reason=reason,
    )


async def run_until(
    targets: list[Target], predicate_of: object, timeout: float = 10.0
) -> tuple[TelemetryCollector, MemorySink]:
    sink = MemorySink()
    collector = TelemetryCollector(sink, targets, backoff=fast_backoff)
    await collector.start()
    try:
        await wait_for(lambda: predicate_of(collector, sink), timeout)  # type: ignore[operator]
    finally:
        await collector.stop()
    return collector, sink


def tls_server(pki: Pki) -> SimTelemetryServer:
    device = branch_gateway("gw-tls", 3, epoch_ms=int(time.time() * 1000), interfaces=1)
    return SimTelemetryServer(device, tls=ServerTls(pki.server_cert, pki.server_key))


def test_tls_with_the_devices_ca_streams(pki: Pki) -> None:
    async def scenario() -> MemorySink:
        server = tls_server(pki)
        await server.start()
        tgt = Target(
            "gw-tls",
            "127.0.0.1",
            server.port,
            tls=TlsSettings(ca_file=str(pki.ca)),
            sensors=SENSORS,
        )
        _, sink = await run_until([tgt], lambda c, s: s.count("interface_stats") >= 2)
        await server.stop()
        return sink

    rows = asyncio.run(scenario()).rows("interface_stats")
    assert {r["device"] for r in rows} == {"gw-tls"}


def test_mutual_tls_needs_the_client_certificate(pki: Pki) -> None:
    device = branch_gateway("gw-mtls", 6, epoch_ms=0, interfaces=1)
    tls = ServerTls(pki.server_cert, pki.server_key, client_ca_file=pki.ca)

    async def scenario() -> tuple[TelemetryCollector, MemorySink]:
        server = SimTelemetryServer(device, tls=tls)
        await server.start()
        with_cert = TlsSettings(str(pki.ca), str(pki.client_cert), str(pki.client_key))
        targets = [
            Target("gw-mtls", "127.0.0.1", server.port, tls=with_cert, sensors=SENSORS),
            Target(
                "no-cert", "127.0.0.1", server.port, tls=TlsSettings(str(pki.ca)), sensors=SENSORS
            ),
        ]
        try:
            return await run_until(
                targets,
                lambda c, s: s.count("interface_stats") >= 2 and failures(c, "no-cert", "tls") >= 1,
            )
        finally:
            await server.stop()

    collector, sink = asyncio.run(scenario())
    assert {r["device"] for r in sink.rows("interface_stats")} == {"gw-mtls"}
    assert failures(collector, "gw-mtls", "tls") == 0


@pytest.mark.parametrize("mismatch", ["wrong CA", "TLS to a plain-text port"])
def test_tls_mismatch_is_reported_as_tls(pki: Pki, mismatch: str) -> None:
    async def scenario() -> tuple[TelemetryCollector, MemorySink]:
        if mismatch == "wrong CA":
            server = tls_server(pki)
            tls = TlsSettings(ca_file=str(pki.other_ca))
        else:
            server = SimTelemetryServer(branch_gateway("gw", 4, epoch_ms=0, interfaces=1))
            tls = TlsSettings(ca_file=str(pki.ca))
        await server.start()
        tgt = Target("gw-x", "127.0.0.1", server.port, tls=tls, sensors=SENSORS)
        try:
            return await run_until([tgt], lambda c, s: failures(c, "gw-x", "tls") >= 2)
        finally:
            await server.stop()

    collector, sink = asyncio.run(scenario())
    assert sink.count("interface_stats") == 0
    assert failures(collector, "gw-x", "unreachable") == 0
    error = collector.sessions[0].last_error
    assert error is not None and error.reason == "tls"


def test_silent_and_absent_devices_are_unreachable_and_do_not_hold_up_others() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # completes TCP handshakes, never speaks HTTP/2
    closed = free_port()

    async def scenario() -> tuple[TelemetryCollector, MemorySink]:
        server = SimTelemetryServer(branch_gateway("gw-ok", 5, epoch_ms=0, interfaces=1))
        await server.start()
        silent_port = silent.getsockname()[1]
        targets = [
            Target("gw-silent", "127.0.0.1", silent_port, sensors=SENSORS, connect_timeout_s=0.3),
            Target("gw-absent", "127.0.0.1", closed, sensors=SENSORS, connect_timeout_s=0.3),
            Target("gw-ok", "127.0.0.1", server.port, sensors=SENSORS),
        ]
        try:
            return await run_until(
                targets,
                lambda c, s: (
                    failures(c, "gw-silent", "unreachable") >= 2
                    and failures(c, "gw-absent", "unreachable") >= 2
                    and s.count("interface_stats") >= 3
                ),
            )
        finally:
            await server.stop()

    try:
        collector, sink = asyncio.run(scenario())
    finally:
        silent.close()
    errors = {s.target.device: s.last_error for s in collector.sessions}
    assert errors["gw-silent"] is not None and "no answer" in errors["gw-silent"].detail
    assert errors["gw-absent"] is not None
    assert errors["gw-absent"].reason == "unreachable"
    assert {r["device"] for r in sink.rows("interface_stats")} == {"gw-ok"}


def _spawn_device(port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "SIM_PASSWORD": "s3cret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "assurance.sim.jti_server", "--port", str(port),
         "--interfaces", "1", "--username", "wanassure", "--password-env", "SIM_PASSWORD"],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "ready":
            return process
    raise AssertionError(f"device process exited with {process.wait()}")


def test_reconnects_after_the_device_process_is_killed_and_restarted() -> None:
    port = free_port()
    tgt = Target(
        "sim-gw0000", "127.0.0.1", port, username="wanassure", password="s3cret", sensors=SENSORS
    )

    async def scenario() -> tuple[TelemetryCollector, MemorySink, int]:
        process = _spawn_device(port)
        sink = MemorySink()
        collector = TelemetryCollector(sink, [tgt], backoff=fast_backoff)
        await collector.start()
        try:
            await wait_for(lambda: sink.count("interface_stats") >= 3, what="first stream")
            process.kill()
            process.wait()
            await wait_for(
                lambda: failures(collector, "sim-gw0000", "disconnected") >= 1, what="loss"
            )
            before_restart = sink.count("interface_stats")
            await asyncio.sleep(0.3)  # a few failed attempts while the device is down
            process = await asyncio.to_thread(_spawn_device, port)
            await wait_for(
                lambda: sink.count("interface_stats") >= before_restart + 3, what="second stream"
            )
        finally:
            await collector.stop()
            process.kill()
            process.wait()
        return collector, sink, before_restart

    collector, sink, before_restart = asyncio.run(scenario())
    assert sink.count("interface_stats") >= before_restart + 3  # nothing received was lost
    m = collector.metrics
    assert metric(m, "wanassure_telemetry_streams_total", device="sim-gw0000", protocol="jti") == 2
    assert failures(collector, "sim-gw0000", "unreachable") >= 1  # while it was down
