"""The twin's gateways and switches answer SNMP polls with the values of the simulated minute.

Wire mode runs the short scenario with the ``snmp`` target: every gateway and switch serves
SNMPv2c on its own loopback address. After each minute is handed to the agents, the project's
poller polls every device once, with targets built from the twin's inventory as ``collect snmp``
builds them. Its rows must hold exactly the values lake mode writes for that minute (from JTI):
the interface rows column for column (except the times and the rates, which the poller derives
from its own clock), and the health, RPM and tunnel rows value for value. SNMPv3 (authPriv)
polls find what v2c polls find.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections import defaultdict
from typing import Any

import pyarrow as pa
import pytest

from assurance.cli.collect_snmp import snmp_targets
from assurance.sim.devices import DeviceTelemetry
from assurance.sim.emit import Emitter
from assurance.sim.physics import Minute, Twin
from assurance.sim.snmp_agent import TwinSnmp, V3User
from assurance.sim.snmp_pdu import decode_request, encode_response
from assurance.sim.wire import Capture, WireError, parse_targets, run_wire
from assurance.sim.world import SNMP_COMMUNITY_ENV, SNMP_PORT, World
from collectors.snmp import ber
from collectors.snmp import oids as snmp_oids
from collectors.snmp.client import V3, V2c
from collectors.snmp.errors import SnmpError
from collectors.snmp.poller import SnmpPoller, Target
from tests.sim.test_wire_vs_lake import short_scenario

TIMES = ["event_time", "received_at", "in_bps", "out_bps", "source"]


class ListSink:
    def __init__(self) -> None:
        self.tables: dict[str, list[pa.Table]] = defaultdict(list)

    def write(self, table: str, rows: pa.Table) -> None:
        self.tables[table].append(rows)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> dict[str, list[dict[str, Any]]]:
        out = {k: pa.concat_tables(v).to_pylist() for k, v in self.tables.items()}
        self.tables.clear()
        return out


def _key(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in row.items()))


def _check_minute(polled: dict[str, list[dict[str, Any]]], lake: dict[str, pa.Table]) -> None:
    # interfaces: every column but the times and the poller's own rates
    got = sorted(_key(r) for r in pa.Table.from_pylist(polled["interface_stats"])
                 .drop_columns(TIMES).to_pylist())  # fmt: skip
    want = sorted(_key(r) for r in lake["interface_stats"].drop_columns(TIMES).to_pylist())
    assert got == want
    # Routing Engine and SPU
    health = lake["device_health"].to_pylist()
    by = {(r["device"], r["component"], r["source"], k): r[k] for r in health
          for k in ("cpu_pct", "memory_pct", "temperature_c", "sessions_current")
          if r[k] is not None}  # fmt: skip
    polled_health = polled["device_health"]
    assert len([r for r in polled_health if r["component"] == "Routing Engine"]) == 8
    for r in polled_health:
        d = r["device"]
        if r["component"] == "Routing Engine":
            assert r["cpu_pct"] == by[d, "Routing Engine", "jti-grpc", "cpu_pct"]
            assert r["memory_pct"] == round(by[d, "Routing Engine", "jti-grpc", "memory_pct"])
            assert r["temperature_c"] == by[d, "Routing Engine0", "jti-grpc", "temperature_c"]
        elif r["component"] == "SPU 0/0":
            assert r["cpu_pct"] == by[d, "SPU FPC0 PIC0/cpu0", "jti-udp", "cpu_pct"]
            assert r["sessions_current"] == by[d, "SPU FPC0 PIC0", "jti-udp", "sessions_current"]
            assert r["sessions_max"] == 256_000
        else:
            assert r["component"] is None and r["uptime_s"] >= 3 * 86_400
    # RPM: the device's completion time (to the tenth of a second) and every measured value
    rpm = ("device", "probe", "destination", "rtt_ms", "jitter_ms", "loss_pct", "probes_sent",
           "probes_received")  # fmt: skip

    def probes(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        def tenths(t: Any) -> Any:
            return t.replace(microsecond=t.microsecond // 100_000 * 100_000)

        return sorted((*(r[c] for c in rpm), tenths(r["event_time"])) for r in rows)

    assert probes(polled.get("sla_metrics", [])) == probes(lake["sla_metrics"].to_pylist())
    # IPsec: one IKE SA per tunnel up, all to the hub; lake mode has one row per gateway
    tunnels = ("device", "remote_gateway", "local_address", "ike_state")
    lake_vpn = lake.get("vpn_tunnels")
    want_vpn = {tuple(r[c] for c in tunnels) for r in lake_vpn.to_pylist()} if lake_vpn else set()
    polled_vpn = polled.get("vpn_tunnels", [])
    assert {tuple(r[c] for c in tunnels) for r in polled_vpn} == want_vpn
    assert all(r["ipsec_state"] == "up" for r in polled_vpn)


def test_each_polled_minute_holds_the_twins_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SNMP_COMMUNITY_ENV, "twin-secret")
    scenario = short_scenario()
    world = World(scenario)
    twin = Twin(world)
    resolved = snmp_targets(world.inventory())
    assert not resolved.problems and len(resolved.targets) == 8
    assert {t.port for t in resolved.targets} == {SNMP_PORT}
    agents = TwinSnmp(twin.sites)  # the community from the same variable
    port = agents.start()
    targets = [dataclasses.replace(t, port=port, timeout_s=2.0) for t in resolved.targets]
    sink = ListSink()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    poller = SnmpPoller(sink, targets)
    minutes: list[int] = []
    down: list[int] = []

    def poll(m: Minute, emitter: Emitter) -> None:
        async def once() -> list[str]:
            reports = await asyncio.gather(*(poller.poll(t) for t in targets))
            return [r.result for r in reports]

        assert asyncio.run_coroutine_threadsafe(once(), loop).result(30) == ["ok"] * 8
        sample = emitter.devices.last
        assert sample is not None
        _check_minute(sink.take(), emitter.devices.rows_of(sample))
        minutes.append(m.minute)
        down.append(int((~sample.tunnel_up).sum()))

    try:
        stats = run_wire(scenario, {"snmp": ("", port)}, transport=Capture(), on_minute=poll,
                         twin=twin, snmp_agent=agents)  # fmt: skip
    finally:
        asyncio.run_coroutine_threadsafe(poller.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        agents.close()
    assert stats.snmp_minutes == 30 and minutes == list(range(30))
    assert max(down) >= 1  # the MPLS link of br-chi-027 goes down from minute 8
    assert agents.stats.refused == agents.stats.malformed == 0


def test_wrong_community_goes_unanswered_and_snmp_targets_parse() -> None:
    world = World(short_scenario())
    agents = TwinSnmp(world.sites[:1], community="right")
    port = agents.start()
    loop = asyncio.new_event_loop()
    try:
        for community, ok in (("wrong", False), ("right", True)):
            target = Target(agents.addresses[0], V2c(community), port=port, timeout_s=0.3,
                            retries=0)  # fmt: skip
            poller = SnmpPoller(ListSink(), [target])
            report = loop.run_until_complete(poller.poll(target))
            loop.run_until_complete(poller.stop())
            if ok:  # no minute yet: an empty view, every walk ends at once
                assert report.result == "ok" and report.varbinds > 0
            else:
                assert report.result == "failed"
                assert isinstance(report.errors[0], SnmpError)
                assert report.errors[0].kind == "timeout"
    finally:
        loop.close()
        agents.close()
    assert agents.stats.refused == len(snmp_oids.WALKED)  # the first GETBULK of each group
    assert parse_targets("snmp=:1161,grpc=:32767") == {"snmp": ("", 1161), "grpc": ("", 32767)}
    with pytest.raises(WireError, match="snmp=:PORT"):
        parse_targets("snmp=127.0.0.1:1161")


def test_requests_decode_and_responses_are_what_the_poller_decodes() -> None:
    oids = [(1, 3, 6, 1, 2, 1, 1, 3), (1, 3, 6, 1, 4, 1, 2636, 3, 1, 13, 1, 8)]
    raw = ber.encode_request(b"c", ber.GET_BULK, 77, oids, non_repeaters=1, max_repetitions=9)
    request = decode_request(raw)
    assert (request.community, request.pdu, request.request_id) == (b"c", ber.GET_BULK, 77)
    assert (request.non_repeaters, request.max_repetitions, request.oids) == (1, 9, oids)
    response = ber.decode_response(encode_response(request, []))
    assert response.request_id == 77 and response.varbinds == []


def test_v3_auth_priv_polls_find_what_v2c_polls_find() -> None:
    world = World(short_scenario())
    twin = Twin(world, (0,))
    telemetry = DeviceTelemetry(twin)
    user = V3User("twin", "twin-auth-key", "twin-priv-key")
    agents = TwinSnmp(twin.sites, v3=user)
    port = agents.start()
    gateway = agents.addresses[0]
    v3 = V3(user.user, "sha", user.auth_key, "aes", user.priv_key)
    targets = {
        "v2c": Target(gateway, V2c("public"), port=port),
        "v3": Target(gateway, v3, port=agents.v3_port, timeout_s=2.0),
        "bad": Target(gateway, dataclasses.replace(v3, auth_key="wrong-key"),
                      port=agents.v3_port, timeout_s=0.5, retries=0),
    }  # fmt: skip
    got: dict[str, Any] = {}

    async def poll() -> None:
        for name, target in targets.items():
            sink = ListSink()
            poller = SnmpPoller(sink, [target])
            report = await poller.poll(target)
            await poller.stop()
            got[name] = (report, sink.take())

    try:
        agents.publish(telemetry, telemetry.sample(twin.step(0)))
        asyncio.run(poll())
    finally:
        agents.close()
    assert got["v2c"][0].result == got["v3"][0].result == "ok"
    assert got["bad"][0].result == "failed"
    tables = got["v2c"][1]
    assert set(tables) == set(got["v3"][1]) >= {"interface_stats", "sla_metrics", "vpn_tunnels"}
    assert [e.kind for e in got["bad"][0].errors][:1] == ["auth"]

    def same(rs: list[dict[str, Any]]) -> list[tuple[tuple[str, str], ...]]:
        return sorted(_key({k: v for k, v in r.items() if k not in TIMES[:2]}) for r in rs)

    for table, rows in tables.items():
        assert same(rows) == same(got["v3"][1][table]), table
