"""Rendering simulated devices into wire messages: OpenConfigData, gNMI and native JTI GPB.

Owns how the simulator speaks each telemetry dialect: one OpenConfigData per block with Junos'
metadata keys and ``__prefix__``; one gNMI notification per block with PathElem prefixes,
PROTO or JSON_IETF values and Juniper's header extension; native ``TelemetryStream`` messages
with the port, logical port, SPU, RPM and IKE extensions. Pure functions of a ``SimDevice`` and
a time; no sockets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from assurance.sim.jti_scenario import AVG_PACKET_BYTES, QUEUES, Block, SimDevice
from collectors.gnmi.proto import gnmi_ext_pb2, gnmi_pb2, juniper_header_pb2
from collectors.jti.paths import elements
from collectors.jti.proto import (
    key_management_pb2,
    logical_port_pb2,
    port_pb2,
    rpm_pb2,
    security_spu_pb2,
    telemetry_pb2,
    telemetry_top_pb2,
)

Value = int | float | str | bool


def set_kv(kv: telemetry_pb2.KeyValue, value: Value) -> None:
    if isinstance(value, bool):
        kv.bool_value = value
    elif isinstance(value, int):
        if value >= 0:
            kv.uint_value = value
        else:
            kv.int_value = value
    elif isinstance(value, float):
        kv.double_value = value
    else:
        kv.str_value = value


def oc_message(
    device: SimDevice, sensor: str, block: Block, t_ms: int, sequence: int
) -> telemetry_pb2.OpenConfigData:
    """One block as Junos streams it over gRPC."""
    msg = telemetry_pb2.OpenConfigData(
        system_id=device.system_id,
        component_id=65535,
        sub_component_id=0,
        path=f"sensor_1000:{sensor}:{sensor}:mib2d",
        sequence_number=sequence,
        timestamp=t_ms,
    )
    msg.kv.add(key="__timestamp__", uint_value=t_ms)
    msg.kv.add(key="__junos_re_stream_creation_timestamp__", uint_value=t_ms)
    msg.kv.add(key="__junos_re_payload_get_timestamp__", uint_value=t_ms)
    msg.kv.add(key="__prefix__", str_value=block.prefix)
    for key, value in block.leaves:
        set_kv(msg.kv.add(key=key), value)
    return msg


def gnmi_path(path: str) -> gnmi_pb2.Path:
    return gnmi_pb2.Path(
        elem=[gnmi_pb2.PathElem(name=name, key=keys) for name, keys in elements(path)]
    )


def typed_value(value: Value, json_ietf: bool) -> gnmi_pb2.TypedValue:
    if json_ietf:
        return gnmi_pb2.TypedValue(json_ietf_val=json.dumps(value).encode())
    if isinstance(value, bool):
        return gnmi_pb2.TypedValue(bool_val=value)
    if isinstance(value, int):
        return (
            gnmi_pb2.TypedValue(uint_val=value)
            if value >= 0
            else gnmi_pb2.TypedValue(int_val=value)
        )
    if isinstance(value, float):
        return gnmi_pb2.TypedValue(double_val=value)
    return gnmi_pb2.TypedValue(string_val=value)


def gnmi_response(
    device: SimDevice,
    subscribed: str,
    block: Block,
    t_ms: int,
    sequence: int,
    *,
    json_ietf: bool = False,
    header: bool = True,
) -> gnmi_pb2.SubscribeResponse:
    """One block as a gNMI update, with Juniper's telemetry header unless ``header`` is off."""
    note = gnmi_pb2.Notification(timestamp=t_ms * 1_000_000, prefix=gnmi_path(block.prefix))
    for key, value in block.leaves:
        note.update.add(path=gnmi_path(key), val=typed_value(value, json_ietf))
    response = gnmi_pb2.SubscribeResponse(update=note)
    if header:
        jh = juniper_header_pb2.GnmiJuniperTelemetryHeaderExtension(
            system_id=device.system_id,
            component_id=65535,
            sensor_name="sensor_1000",
            subscribed_path=subscribed,
            streamed_path=subscribed,
            component="mib2d",
            sequence_number=sequence,
            payload_get_timestamp=t_ms,
            export_timestamp=t_ms,
            eom=True,
            stream_id=juniper_header_pb2.PERIODIC,
        )
        ext = response.extension.add()
        ext.registered_ext.id = gnmi_ext_pb2.EID_JUNIPER_TELEMETRY_HEADER
        ext.registered_ext.msg = jh.SerializeToString()
    return response


# -- native JTI (UDP) ------------------------------------------------------------------------

NATIVE_SENSORS = (
    "/junos/system/linecard/interface/",
    "/junos/system/linecard/interface/logical/usage/",
    "/junos/security/spu/cpu/usage/",
    "/junos/security/spu/flow/usage/",
    "/junos/rpm/probe-results/",
    "/junos/ike-security-associations/",
)


_SPU_SENSORS = ("/junos/security/spu/cpu/usage/", "/junos/security/spu/flow/usage/")


def native_streams(
    device: SimDevice, sensor: str, t_ms: int, sequence: int
) -> list[telemetry_top_pb2.TelemetryStream]:
    """The native GPB messages of ``sensor`` at ``t_ms``: one per SPU for the SPU sensors (their
    messages carry a single SPU each), one for every other sensor."""
    if sensor in _SPU_SENSORS:
        return [
            native_stream(device, sensor, t_ms, sequence, spu=i) for i in range(len(device.spus))
        ]
    return [native_stream(device, sensor, t_ms, sequence)]


def envelope(
    system_id: str, sensor: str, t_ms: int, sequence: int, *, sub_component: int = 0
) -> telemetry_top_pb2.TelemetryStream:
    """The ``TelemetryStream`` header Junos puts on a native sensor message (no payload yet)."""
    return telemetry_top_pb2.TelemetryStream(
        system_id=system_id,
        component_id=0,
        sub_component_id=sub_component,
        sensor_name=f"jti_{sensor.strip('/').replace('/', '_')}:{sensor}:{sensor}:PFE",
        sequence_number=sequence,
        timestamp=t_ms,
        version_major=1,
        version_minor=1,
    )


def juniper(stream: telemetry_top_pb2.TelemetryStream) -> telemetry_top_pb2.JuniperNetworksSensors:
    """The Juniper sensors container of ``stream``, where each sensor's extension goes."""
    return stream.enterprise.Extensions[telemetry_top_pb2.juniperNetworks]


def native_stream(
    device: SimDevice, sensor: str, t_ms: int, sequence: int, *, spu: int = 0
) -> telemetry_top_pb2.TelemetryStream:
    """One native GPB message for ``sensor`` (a path of ``NATIVE_SENSORS``); for the SPU sensors,
    the message of the device's SPU number ``spu`` (its PIC is the sub-component)."""
    stream = envelope(
        device.system_id, sensor, t_ms, sequence, sub_component=spu if sensor in _SPU_SENSORS else 0
    )
    jnpr = juniper(stream)
    if sensor == "/junos/system/linecard/interface/":
        _port(device, t_ms, jnpr.Extensions[port_pb2.jnpr_interface_ext])
    elif sensor == "/junos/system/linecard/interface/logical/usage/":
        _logical(device, t_ms, jnpr.Extensions[logical_port_pb2.jnprLogicalInterfaceExt])
    elif sensor == "/junos/security/spu/cpu/usage/" and device.spus:
        unit = device.spus[spu]
        cpu = jnpr.Extensions[security_spu_pb2.jnpr_spu_cpu_ext].security.spu
        cpu.spu_name = unit.name
        cpu.cpu.add(cpu_name="cpu0", utilization=unit.cpu_pct)
    elif sensor == "/junos/security/spu/flow/usage/" and device.spus:
        unit = device.spus[spu]
        flow = jnpr.Extensions[security_spu_pb2.jnpr_spu_flow_ext].security.spu
        flow.spu_name = unit.name
        session = flow.flow.stats_scope.system.session
        session.no_v4, session.no_v6, session.no_unicast = unit.sessions, 0, unit.sessions
    elif sensor in _SPU_SENSORS:
        pass  # a device without SPUs sends the bare envelope
    elif sensor == "/junos/rpm/probe-results/":
        _rpm(device, jnpr.Extensions[rpm_pb2.jnpr_rpm_ext])
    elif sensor == "/junos/ike-security-associations/":
        ike = jnpr.Extensions[key_management_pb2.jnpr_junos_key_management_ext]
        for sa in device.sas:
            if sa.up:
                ike.ike_security_associations.ike_security_association.add(
                    remote_ip=sa.remote_ip,
                    local_ip=sa.local_ip,
                    exchange_type="IKEv2",
                    in_bytes=device.octets(sa.in_bps, t_ms) % (1 << 32),
                    out_bytes=device.octets(sa.out_bps, t_ms) % (1 << 32),
                )
    else:
        raise ValueError(f"no native sensor {sensor!r}")
    return stream


def _port(device: SimDevice, t_ms: int, port: port_pb2.Port) -> None:
    for i in device.interfaces:
        in_o, out_o = device.octets(i.in_bps, t_ms), device.octets(i.out_bps, t_ms)
        info = port.interface_stats.add(
            if_name=i.name,
            init_time=device.epoch_ms // 1000,
            snmp_if_index=i.if_index,
            if_operational_status=i.oper_status,
            if_administration_status=i.admin_status,
            ifHighSpeed=i.speed_mbps,
            if_description=i.description,
        )
        info.ingress_stats.if_octets = in_o
        info.ingress_stats.if_pkts = in_o // AVG_PACKET_BYTES
        info.egress_stats.if_octets = out_o
        info.egress_stats.if_pkts = out_o // AVG_PACKET_BYTES
        info.ingress_errors.if_errors = device.count(i.in_errors_per_s, t_ms)
        info.ingress_errors.if_discards = 0
        info.egress_errors.if_errors = 0
        drops = device.count(i.queue_drops_per_s, t_ms)
        for q in range(QUEUES):
            info.egress_queue_info.add(
                queue_number=q,
                packets=out_o // QUEUES // AVG_PACKET_BYTES,
                bytes=out_o // QUEUES,
                tail_drop_packets=drops if q == 0 else 0,
            )


def _logical(device: SimDevice, t_ms: int, ports: logical_port_pb2.LogicalPort) -> None:
    for i in device.interfaces:
        in_o, out_o = device.octets(i.in_bps, t_ms), device.octets(i.out_bps, t_ms)
        for unit in i.units:
            info = ports.interface_info.add(
                if_name=f"{i.name}.{unit}", init_time=device.epoch_ms // 1000
            )
            info.ingress_stats.if_octets = in_o
            info.ingress_stats.if_packets = in_o // AVG_PACKET_BYTES
            info.egress_stats.if_octets = out_o
            info.egress_stats.if_packets = out_o // AVG_PACKET_BYTES
            info.op_state.operational_status = i.oper_status.lower()


def _rpm(device: SimDevice, render: rpm_pb2.RpmRender) -> None:
    for p in device.probes:
        test = render.rpm.probe_results.probe_test_results.add(
            owner=p.owner,
            test_name=p.test,
            target_address=p.target,
            destination_interface=p.interface,
            probe_type="icmp-ping",
        )
        test.probe_single_results.rtt = int(p.rtt_ms * 1000)
        generic = test.probe_test_generic_results.add(
            results_scope="current-test",
            probes_sent=p.probes,
            probe_responses=round(p.probes * (100 - p.loss_pct) / 100),
            loss_percentage=p.loss_pct,
        )
        generic.probe_test_generic_measurements.add(
            probe_measurement_type="round-trip-time",
            avg_delay=int(p.rtt_ms * 1000),
            jitter_delay=int(p.jitter_ms * 1000),
        )


def native_datagrams(
    devices: Iterable[SimDevice], sensors: Iterable[str], t_ms: int, sequence: int
) -> list[tuple[SimDevice, bytes]]:
    """The datagrams of every device and sensor at ``t_ms`` (one per SPU for SPU sensors)."""
    sensors = tuple(sensors)
    return [
        (d, stream.SerializeToString())
        for d in devices
        for s in sensors
        for stream in native_streams(d, s, t_ms, sequence)
    ]
