"""The twin's device-side peers: JTI gRPC on the simulated clock, SNMP traps, ``--send`` kinds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import numpy as np
import pytest

from assurance.sim.devices import GW_MEMORY_BYTES
from assurance.sim.jti_twin import TwinJti
from assurance.sim.physics import Twin
from assurance.sim.scenario import load_scenario
from assurance.sim.snmp_traps import COMMUNITY, LINK_DOWN, Trap, encode_trap
from assurance.sim.wire import WireError, parse_targets
from assurance.sim.world import World
from collectors.jti.client import SUBSCRIBE
from collectors.jti.proto import telemetry_pb2
from collectors.snmp.trapengine import NotificationEngine

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"


def test_send_targets_name_grpc_by_port_and_traps_by_address() -> None:
    targets = parse_targets("trap=127.0.0.1:1162,grpc=:32767")
    assert targets == {"trap": ("127.0.0.1", 1162), "grpc": ("", 32767)}
    with pytest.raises(WireError, match="grpc=:PORT"):
        parse_targets("grpc=127.0.0.1:32767")


def test_a_trap_decodes_into_the_varbinds_lake_mode_writes_rows_from() -> None:
    trap = Trap("127.16.0.1", 1_800_000_000_000_000, 259_254_100, False, 510, "ge-0/0/0.0")
    engine = NotificationEngine(lambda message, address: None, communities=[COMMUNITY.decode()])
    fed = engine.feed(encode_trap(trap, 7), trap.source, 50162, trap.at_us)
    assert fed.kind == "ok", fed.reason
    (note,) = fed.notifications
    assert (note.version, note.pdu) == ("2c", "trap")
    assert note.trap_oid() == LINK_DOWN
    assert list(note.varbinds) == trap.varbinds()


async def _read(port: int, address: str, frequency_ms: int, count: int) -> list[bytes]:
    paths = [telemetry_pb2.Path(path=p, sample_frequency=frequency_ms)
             for p in ("/system/cpus/", "/system/memory/")]  # fmt: skip
    async with grpc.aio.insecure_channel(f"{address}:{port}") as channel:
        call = channel.unary_stream(
            SUBSCRIBE,
            request_serializer=telemetry_pb2.SubscriptionRequest.SerializeToString,
            response_deserializer=None,
        )(telemetry_pb2.SubscriptionRequest(path_list=paths))
        out: list[bytes] = []
        while len(out) < count:
            raw = await asyncio.wait_for(call.read(), 20)
            assert isinstance(raw, bytes)
            out.append(raw)
        call.cancel()
        return out


def test_streams_send_each_published_minute_with_its_simulated_time() -> None:
    world = World(load_scenario(SMALL))
    twin = Twin(world, (0,))
    servers = TwinJti(twin.sites)
    port = servers.start()
    try:
        gateway = twin.sites[0].address(1, loopback=True)
        loop = asyncio.new_event_loop()
        # on change: first values and a sync response, then only what changed
        reader = loop.create_task(_read(port, gateway, 0, 7))
        loop.run_until_complete(asyncio.sleep(0.3))
        assert servers.wait_subscribed(1) == 1  # the switch has no subscriber
        samples = []
        for minute in range(3):
            sample = _Sample(minute, cpu=20 if minute < 2 else 35)
            samples.append(sample)
            servers.publish(sample)  # type: ignore[arg-type]
        got = [telemetry_pb2.OpenConfigData.FromString(x) for x in loop.run_until_complete(reader)]
        loop.close()
    finally:
        servers.close()
    data = [m for m in got if not m.sync_response]
    syncs = [m for m in got if m.sync_response]
    assert len(syncs) == 2 and {m.timestamp for m in syncs} == {samples[0].gw_time_ms[0]}
    # minute 0: cpu and memory; minute 1: memory only (used bytes move); minute 2: both
    cpu = [m for m in data if "cpus" in m.path]
    assert [m.timestamp for m in cpu] == [samples[0].gw_time_ms[0], samples[2].gw_time_ms[0]]
    assert [m.sequence_number for m in cpu] == [1, 2]
    values = {kv.key: kv.uint_value for kv in cpu[1].kv}
    assert values["state/total/instant"] == 35
    assert {m.system_id for m in got} == {f"{twin.sites[0].gateway}:{twin.sites[0].address(1)}"}


class _Sample:
    """The Routing Engine fields of ``devices.Sample`` for one site."""

    def __init__(self, minute: int, cpu: int) -> None:
        t_ms = 1_800_000_000_000 + minute * 60_000
        self.gw_time_ms = np.array([t_ms + 20_000])
        self.sw_time_ms = np.array([t_ms + 25_000])
        self.re_cpu, self.sw_cpu = np.array([cpu]), np.array([11])
        self.re_mem_used = np.array([GW_MEMORY_BYTES // 2 + minute])
        self.sw_mem_used = np.array([1 << 29])
        self.re_temp, self.sw_temp = np.array([45]), np.array([39])
