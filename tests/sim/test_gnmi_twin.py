"""A twin device serves gNMI Subscribe on the simulated clock; the gNMI collector's rows are the
Routing Engine rows lake mode writes for the same minutes (source aside)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from typing import Any

import pyarrow as pa

from assurance.sim.devices import DeviceTelemetry
from assurance.sim.jti_twin import TwinJti
from assurance.sim.physics import Twin
from assurance.sim.world import RE_SENSORS, World
from collectors.jti.collector import TelemetryCollector
from collectors.jti.target import Sensor, Target
from tests.sim.test_wire_vs_lake import short_scenario

MINUTES = 3


class ListSink:
    def __init__(self) -> None:
        self.tables: dict[str, list[pa.Table]] = defaultdict(list)
        self.lock = threading.Lock()

    def write(self, table: str, rows: pa.Table) -> None:
        with self.lock:
            self.tables[table].append(rows)

    def rows(self, table: str) -> list[dict[str, Any]]:
        with self.lock:
            parts = list(self.tables.get(table, []))
        return pa.concat_tables(parts).to_pylist() if parts else []

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _key(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in row.items() if k not in ("received_at", "source")))


def test_a_gnmi_subscriber_gets_each_published_minute_as_lake_mode_writes_it() -> None:
    world = World(short_scenario())
    twin = Twin(world, (0,))
    telemetry = DeviceTelemetry(twin)
    site = twin.sites[0]
    servers = TwinJti(twin.sites)
    port = servers.start()
    target = Target(
        device=site.gateway,
        address=site.address(1, loopback=True),
        port=port,
        site=site.name,
        protocol="gnmi",
        sensors=tuple(Sensor(path, 60_000) for path in RE_SENSORS),
    )
    sink = ListSink()
    collector = TelemetryCollector(sink, [target])
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    want: list[dict[str, Any]] = []
    try:
        asyncio.run_coroutine_threadsafe(collector.start(), loop).result(10)
        (gateway, switch) = servers.servers
        deadline = time.monotonic() + 15
        while not gateway.subscribed and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(gateway.gnmi_streams) == len(RE_SENSORS) and not switch.subscribed
        for minute in range(MINUTES):
            sample = telemetry.sample(twin.step(minute))
            assert servers.publish(sample) == len(RE_SENSORS)
            health = telemetry.re_health(sample).to_pylist()
            want += [r for r in health if r["device"] == site.gateway]
        deadline = time.monotonic() + 20
        while len(sink.rows("device_health")) < len(want) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        asyncio.run_coroutine_threadsafe(collector.stop(), loop).result(20)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        servers.close()
    got = sink.rows("device_health")
    assert len(want) == MINUTES * len(RE_SENSORS)
    assert {r["source"] for r in got} == {"gnmi"}
    assert sorted(map(_key, got)) == sorted(map(_key, want))
    assert gateway.stats.gnmi_subscribes == 1
