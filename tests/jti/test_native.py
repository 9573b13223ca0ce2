"""Native JTI (TelemetryStream GPB) → rows, from hand-built messages with hand-computed values."""

from __future__ import annotations

import pytest

from assurance.sim.jti_render import NATIVE_SENSORS, native_datagrams
from assurance.sim.jti_scenario import SimSpu, branch_gateway
from collectors.errors import WireError
from collectors.jti.model import Origin
from collectors.jti.native import NativeDecoder
from collectors.jti.normalize import Normalizer
from collectors.jti.proto import (
    key_management_pb2,
    logical_port_pb2,
    port_pb2,
    rpm_pb2,
    security_spu_pb2,
)
from collectors.jti.proto.telemetry_top_pb2 import TelemetryStream, juniperNetworks
from tests.jti.oc import T0_MS

GW = Origin("10.20.12.1", "br-nyc-012-gw1", "br-nyc-012")
SENSOR = "jsa-ifd:/junos/system/linecard/interface/:/junos/system/linecard/interface/:PFE"


def stream(seq: int, ts_ms: int, sensor: str = SENSOR) -> TelemetryStream:
    return TelemetryStream(
        system_id="br-nyc-012-gw1:10.20.12.1",
        component_id=1,
        sensor_name=sensor,
        sequence_number=seq,
        timestamp=ts_ms,
    )


def port(seq: int, ts_ms: int, in_octets: int, out_octets: int) -> bytes:
    msg = stream(seq, ts_ms)
    ext = msg.enterprise.Extensions[juniperNetworks].Extensions[port_pb2.jnpr_interface_ext]
    info = ext.interface_stats.add(
        if_name="ge-0/0/1",
        snmp_if_index=514,
        if_operational_status="UP",
        if_administration_status="UP",
        ifHighSpeed=1000,
    )
    info.ingress_stats.if_octets = in_octets
    info.ingress_stats.if_pkts = 40_000
    info.egress_stats.if_octets = out_octets
    info.ingress_errors.if_errors = 6
    info.ingress_errors.if_in_frame_errors = 4
    info.egress_queue_info.add(queue_number=0, tail_drop_packets=5, red_drop_packets=1)
    info.egress_queue_info.add(queue_number=1, tail_drop_packets=7)
    return msg.SerializeToString()


def decode(*payloads: bytes) -> tuple[Normalizer, NativeDecoder]:
    norm = Normalizer()
    decoder = NativeDecoder(norm)
    for payload in payloads:
        decoder.decode(payload, GW, T0_MS * 1000)
    return norm, decoder


def test_port_sensor_becomes_interface_stats_with_rates_and_queue_drops() -> None:
    norm, _ = decode(
        port(1, T0_MS + 10_000, 1_000_000, 500_000),
        port(2, T0_MS + 20_000, 26_000_000, 1_750_000),
    )
    tables = norm.tables()
    first, second = tables["interface_stats"].to_pylist()
    assert first["in_bps"] is None
    # (26,000,000 - 1,000,000) B × 8 / 10 s; (1,750,000 - 500,000) B × 8 / 10 s
    assert (second["in_bps"], second["out_bps"]) == (20_000_000.0, 1_000_000.0)
    assert {k: second[k] for k in ("if_name", "if_index", "oper_status", "admin_status")} == {
        "if_name": "ge-0/0/1",
        "if_index": 514,
        "oper_status": "up",
        "admin_status": "up",
    }
    assert second["speed_bps"] == 1_000_000_000
    assert (second["in_errors"], second["in_crc_errors"], second["in_pkts"]) == (6, 4, 40_000)
    assert second["out_discards"] == 13  # 5 + 1 + 7 queue drops: no egress if_discards given
    assert (second["source"], second["device"], second["counter_reset"]) == (
        "jti-udp",
        "br-nyc-012-gw1",
        False,
    )
    telemetry = tables["telemetry"].to_pylist()
    octets = [r for r in telemetry if r["metric"].endswith("ingress_stats/if_octets")]
    assert octets[0]["metric"] == "jnpr_interface_ext/interface_stats/ingress_stats/if_octets"
    assert octets[0]["keys"] == [("if_name", "ge-0/0/1")]
    assert octets[0]["sensor"] == "/junos/system/linecard/interface/"
    assert (octets[0]["component_id"], octets[0]["sequence"]) == (1, 1)
    drops = [r for r in telemetry if r["metric"].endswith("tail_drop_packets")][:2]
    assert [r["keys"] for r in drops] == [
        [("if_name", "ge-0/0/1"), ("queue_number", "0")],
        [("if_name", "ge-0/0/1"), ("queue_number", "1")],
    ]


def test_logical_spu_rpm_and_ike_extensions() -> None:
    msg = stream(1, T0_MS)
    jnpr = msg.enterprise.Extensions[juniperNetworks]
    logical = jnpr.Extensions[logical_port_pb2.jnprLogicalInterfaceExt]
    unit = logical.interface_info.add(if_name="ge-0/0/1.0", init_time=1)
    unit.ingress_stats.if_octets, unit.ingress_stats.if_packets = 1_234, 5
    unit.egress_stats.if_octets, unit.egress_stats.if_packets = 4_321, 6
    unit.op_state.operational_status = "up"
    spu = jnpr.Extensions[security_spu_pb2.jnpr_spu_cpu_ext].security.spu
    spu.spu_name = "FPC0 PIC0"
    spu.cpu.add(cpu_name="cpu0", utilization=37)
    rpm = jnpr.Extensions[rpm_pb2.jnpr_rpm_ext]
    test = rpm.rpm.probe_results.probe_test_results.add(
        owner="wan", test_name="mpls", target_address="10.255.0.1"
    )
    generic = test.probe_test_generic_results.add(
        results_scope="current-test", probes_sent=10, probe_responses=10, loss_percentage=0
    )
    generic.probe_test_generic_measurements.add(
        probe_measurement_type="round-trip-time", avg_delay=8_250, jitter_delay=400
    )
    ike = jnpr.Extensions[key_management_pb2.jnpr_junos_key_management_ext]
    ike.ike_security_associations.ike_security_association.add(
        remote_ip="198.51.100.1", local_ip="203.0.113.12", in_bytes=99
    )
    norm, _ = decode(msg.SerializeToString())
    tables = norm.tables()
    [unit_row] = tables["interface_stats"].to_pylist()
    assert (unit_row["if_name"], unit_row["in_octets"], unit_row["out_pkts"]) == (
        "ge-0/0/1.0",
        1_234,
        6,
    )
    [health] = tables["device_health"].to_pylist()
    assert (health["component"], health["cpu_pct"], health["memory_pct"]) == (
        "SPU FPC0 PIC0/cpu0",
        37.0,
        None,
    )
    [sla] = tables["sla_metrics"].to_pylist()
    assert (sla["probe"], sla["rtt_ms"], sla["jitter_ms"], sla["destination"]) == (
        "wan/mpls",
        8.25,
        0.4,
        "10.255.0.1",
    )
    assert dict(sla["fields"])["via"] == "jti-udp"
    [vpn] = tables["vpn_tunnels"].to_pylist()
    assert (vpn["remote_gateway"], vpn["local_address"], vpn["in_octets"]) == (
        "198.51.100.1",
        "203.0.113.12",
        99,
    )


def _varint(n: int) -> bytes:
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _number(number: int, value: int) -> bytes:
    """A varint protobuf field."""
    return _varint(number << 3) + _varint(value)


def _juniper(extension: int, payload: bytes) -> bytes:
    """``payload`` as extension ``extension`` of JuniperNetworksSensors inside the envelope's
    enterprise field (101 → 2636)."""
    return _field(101, _field(2636, _field(extension, payload)))


def test_spu_and_rpm_encoded_by_juniper_numbers_fill_health_and_sla() -> None:
    """Bytes assembled field by field from the numbers in Juniper's published protos
    (spu_cpu_util.proto: 130 → 151 → 151 → {51, 151 {52, 53}}; spu_flow_stats.proto: 131 → 151
    → 151 → {51, 151 → 151 → {151 → 151 {51, 52}, 152 → 152 {151, 152 {51}}}};
    rmopd_render.proto: 74 → 151 → 151 → 151 {51, 52, 53, 152 {55}, 153 {51-54, 151 {51, 55,
    56}}}), not through this package's own message classes."""
    spu = _field(51, b"FPC0 PIC0")
    cpu = _juniper(
        130,
        _field(
            151,
            _field(
                151,
                spu
                + _field(151, _field(52, b"cpu0") + _number(53, 37))
                + _field(151, _field(52, b"cpu1") + _number(53, 41)),
            ),
        ),
    )
    system = _field(151, _field(151, _number(51, 1_200) + _number(52, 300) + _number(53, 1_500)))
    lsys = _field(152, _field(152, _field(151, b"LSYS1") + _field(152, _number(51, 99))))
    flow = _juniper(131, _field(151, _field(151, spu + _field(151, _field(151, system + lsys)))))
    measurement = _field(51, b"round-trip-time") + _number(55, 8_250) + _number(56, 400)
    generic = (
        _field(51, b"current-test")
        + _number(52, 10)
        + _number(53, 9)
        + _number(54, 10)
        + _field(151, measurement)
    )
    test = (
        _field(51, b"wan")
        + _field(52, b"mpls")
        + _field(53, b"10.255.0.1")
        + _field(152, _number(55, 9_000))
        + _field(153, generic)
    )
    rpm = _juniper(74, _field(151, _field(151, _field(151, test))))
    cpu_sensor = "spu-cpu:/junos/security/spu/cpu/usage/:/junos/security/spu/cpu/usage/:PFE"
    flow_sensor = "spu-flow:/junos/security/spu/flow/usage/:/junos/security/spu/flow/usage/:PFE"
    rpm_sensor = "rpm:/junos/rpm/probe-results/:/junos/rpm/probe-results/:rmopd"
    norm, decoder = decode(
        stream(1, T0_MS, cpu_sensor).SerializeToString() + cpu,
        stream(1, T0_MS, flow_sensor).SerializeToString() + flow,
        stream(1, T0_MS, rpm_sensor).SerializeToString() + rpm,
    )
    assert decoder.unknown_extensions == {}
    tables = norm.tables()
    health = {r["component"]: r for r in tables["device_health"].to_pylist()}
    assert set(health) == {"SPU FPC0 PIC0/cpu0", "SPU FPC0 PIC0/cpu1", "SPU FPC0 PIC0"}
    assert (health["SPU FPC0 PIC0/cpu0"]["cpu_pct"], health["SPU FPC0 PIC0/cpu1"]["cpu_pct"]) == (
        37.0,
        41.0,
    )
    # IPv4 + IPv6 sessions of the system scope; the logical system's 99 are a share of them.
    assert health["SPU FPC0 PIC0"]["sessions_current"] == 1_500
    [sla] = tables["sla_metrics"].to_pylist()
    assert (sla["probe"], sla["destination"], sla["rtt_ms"], sla["jitter_ms"]) == (
        "wan/mpls",
        "10.255.0.1",
        8.25,
        0.4,
    )
    assert (sla["loss_pct"], sla["probes_sent"], sla["probes_received"]) == (10.0, 10, 9)
    lsys_rows = [r for r in tables["telemetry"].to_pylist() if ("lsys_name", "LSYS1") in r["keys"]]
    assert [(r["metric"].rsplit("/", 1)[-1], r["value"]) for r in lsys_rows] == [("no_v4", 99.0)]


def test_unknown_extensions_are_counted_not_guessed_and_sequence_gaps_seen() -> None:
    unknown = _field(101, _field(2636, _field(9999, b"\x08\x01")))
    norm, decoder = decode(
        stream(1, T0_MS).SerializeToString() + unknown,
        stream(4, T0_MS + 1).SerializeToString(),
    )
    assert decoder.unknown_extensions == {GW: {9999}}
    assert norm.tables() == {}
    counts = norm.take_counts()[GW, "jti-udp"]
    assert (counts.messages, counts.sequence_gaps, counts.sequence_lost) == (2, 1, 2)


def test_missing_required_fields_and_garbage_are_wire_errors() -> None:
    no_system_id = TelemetryStream(sensor_name="x", timestamp=T0_MS).SerializePartialToString()
    for payload in (no_system_id, b"\xff\xff", port(1, 2**62, 1, 1)):
        with pytest.raises(WireError):
            decode(payload)


def test_simulated_native_datagrams_decode_with_no_unknown_extensions() -> None:
    dev = branch_gateway("gw-udp", 12, epoch_ms=T0_MS, interfaces=2)
    dev.spus.append(SimSpu(name="FPC0 PIC1", cpu_pct=71, sessions=4_000))
    norm, decoder = decode(
        *(payload for _, payload in native_datagrams([dev], NATIVE_SENSORS, T0_MS + 10_000, 7))
    )
    assert decoder.unknown_extensions == {}
    tables = norm.tables()
    health = {r["component"]: r for r in tables["device_health"].to_pylist()}
    assert health["SPU FPC0 PIC1/cpu0"]["cpu_pct"] == 71.0
    assert health["SPU FPC0 PIC1"]["sessions_current"] == 4_000
    assert health["SPU FPC0 PIC0"]["sessions_current"] == dev.spus[0].sessions
    assert {r["probe"] for r in tables["sla_metrics"].to_pylist()} == {"wan/mpls", "wan/isp-a"}
    assert {r["remote_gateway"] for r in tables["vpn_tunnels"].to_pylist()} == {"198.51.100.1"}
    names = {r["if_name"] for r in tables["interface_stats"].to_pylist()}
    assert names == {"ge-0/0/0", "ge-0/0/1", "ge-0/0/0.0", "ge-0/0/1.0"}
    counts = norm.take_counts()[GW, "jti-udp"]
    assert counts.sequence_gaps == 0  # each SPU's messages are a stream of their own
