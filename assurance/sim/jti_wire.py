"""Native JTI datagrams of the twin's gateways and switches: one minute of ``Sample`` → GPB.

Owns the encoding of what ``devices.Sample`` says into Juniper ``TelemetryStream`` messages, one
per device and sensor, stamped with the simulated sample time and numbered per sensor stream:
the port sensor (physical ports), the logical interface sensor (units and ``st0`` tunnels), the
SPU CPU and flow sensors, RPM probe results and the kmd IKE security associations — exactly the
values ``devices`` turns into lake rows, nothing else (see its docstring for which sensor carries
what). Each message goes from the device's own loopback address (gateway ``127.a.b.1``, switch
``127.a.b.2``). Must not: open sockets (``wire``), or decide a value (``devices``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assurance.sim.devices import (
    HUB_IP,
    IKE_EXCHANGE,
    LOGICAL_COUNTERS,
    RPM_OWNER,
    RPM_PROBES,
    RPM_TARGET,
    SPU_CPU,
    SPU_NAME,
    DeviceTelemetry,
    Sample,
)
from assurance.sim.jti_render import envelope, juniper
from collectors.jti.proto import (
    key_management_pb2,
    logical_port_pb2,
    port_pb2,
    rpm_pb2,
    security_spu_pb2,
)
from collectors.jti.proto.telemetry_top_pb2 import JuniperNetworksSensors, TelemetryStream

PORT = "/junos/system/linecard/interface/"
LOGICAL = "/junos/system/linecard/interface/logical/usage/"
SPU_CPU_SENSOR = "/junos/security/spu/cpu/usage/"
SPU_FLOW_SENSOR = "/junos/security/spu/flow/usage/"
RPM = "/junos/rpm/probe-results/"
IKE = "/junos/ike-security-associations/"
#: the sensors a gateway streams, in sending order; a switch streams ``PORT`` only
GATEWAY_SENSORS = (PORT, LOGICAL, SPU_CPU_SENSOR, SPU_FLOW_SENSOR, RPM, IKE)


@dataclass(frozen=True)
class Datagram:
    """One native JTI message: who sends it, when (µs, simulated) and its bytes."""

    source: str
    at_us: int
    payload: bytes


class JtiWire:
    """Turns samples of one ``DeviceTelemetry`` into datagrams; keeps sequence numbers."""

    def __init__(self, devices: DeviceTelemetry) -> None:
        self.devices = devices
        twin = devices.twin
        ifs = devices.ifs
        names = ifs.if_name.to_pylist()
        self.if_names: list[str] = [str(x) for x in names]
        self.gateways = [s.address(1, loopback=True) for s in twin.sites]
        self.switches = [s.address(2, loopback=True) for s in twin.sites]
        self.system_ids = [
            (f"{s.gateway}:{s.address(1)}", f"{s.switch}:{s.address(2)}") for s in twin.sites
        ]
        self.local = [s.address(1) for s in twin.sites]
        # interfaces of each device and sensor, in catalogue order
        self.members: dict[tuple[int, bool, bool], list[int]] = defaultdict(list)
        for i, (site, switch, logical) in enumerate(
            zip(ifs.site.tolist(), ifs.switch.tolist(), ifs.logical.tolist(), strict=True)
        ):
            self.members[(site, switch, logical)].append(i)
        self.link_if = [str(x) for x in devices.link_if.to_pylist()]
        self.link_test = [str(x) for x in devices.link_test.to_pylist()]
        self.sequence: dict[tuple[int, bool, str], int] = defaultdict(int)

    def datagrams(self, p: Sample) -> list[Datagram]:
        """Every device's sensor messages for the sample's minute."""
        out: list[Datagram] = []
        link_site = self.devices.link_site
        rpm_site = link_site[p.rpm_links]
        for n in range(len(self.gateways)):
            t_ms = int(p.gw_time_ms[n])
            for sensor in GATEWAY_SENSORS:
                stream = self._stream(n, False, sensor, t_ms)
                jnpr = juniper(stream)
                if sensor == PORT:
                    self._ports(p, self.members[(n, False, False)], jnpr)
                elif sensor == LOGICAL:
                    self._units(p, self.members[(n, False, True)], jnpr)
                elif sensor == SPU_CPU_SENSOR:
                    spu = jnpr.Extensions[security_spu_pb2.jnpr_spu_cpu_ext].security.spu
                    spu.spu_name = SPU_NAME
                    spu.cpu.add(cpu_name=SPU_CPU, utilization=int(p.spu_cpu[n]))
                elif sensor == SPU_FLOW_SENSOR:
                    flow = jnpr.Extensions[security_spu_pb2.jnpr_spu_flow_ext].security.spu
                    flow.spu_name = SPU_NAME
                    session = flow.flow.stats_scope.system.session
                    session.no_v4, session.no_v6 = int(p.sessions[n]), 0
                elif sensor == RPM:
                    self._rpm(p, np.flatnonzero(rpm_site == n), jnpr)
                else:
                    self._ike(p, n, jnpr)
                out.append(Datagram(self.gateways[n], t_ms * 1000, stream.SerializeToString()))
            t_ms = int(p.sw_time_ms[n])
            stream = self._stream(n, True, PORT, t_ms)
            self._ports(p, self.members[(n, True, False)], juniper(stream))
            out.append(Datagram(self.switches[n], t_ms * 1000, stream.SerializeToString()))
        return out

    def _stream(self, n: int, switch: bool, sensor: str, t_ms: int) -> TelemetryStream:
        key = (n, switch, sensor)
        self.sequence[key] += 1
        return envelope(self.system_ids[n][switch], sensor, t_ms, self.sequence[key])

    def _ports(self, p: Sample, members: list[int], jnpr: JuniperNetworksSensors) -> None:
        port = jnpr.Extensions[port_pb2.jnpr_interface_ext]
        ifs = self.devices.ifs
        for i in members:
            c = p.counters[i].tolist()
            status = "UP" if p.up[i] else "DOWN"
            info = port.interface_stats.add(
                if_name=self.if_names[i],
                snmp_if_index=int(ifs.if_index[i]),
                if_administration_status="UP",
                if_operational_status=status,
                ifHighSpeed=int(p.speed_mbps[i]),
            )
            info.ingress_stats.if_octets, info.egress_stats.if_octets = c[0], c[1]
            info.ingress_stats.if_pkts, info.egress_stats.if_pkts = c[2], c[3]
            info.ingress_errors.if_errors, info.egress_errors.if_errors = c[4], c[5]
            info.ingress_errors.if_discards, info.egress_errors.if_discards = c[6], c[7]
            info.ingress_errors.if_in_frame_errors = c[8]

    def _units(self, p: Sample, members: list[int], jnpr: JuniperNetworksSensors) -> None:
        ports = jnpr.Extensions[logical_port_pb2.jnprLogicalInterfaceExt]
        ifs = self.devices.ifs
        init_s = int(p.if_time_ms[members[0]]) // 1000 - 86_400 * 30 if members else 0
        for i in members:
            c = p.counters[i, :LOGICAL_COUNTERS].tolist()
            info = ports.interface_info.add(
                if_name=self.if_names[i], init_time=init_s, snmp_if_index=int(ifs.if_index[i])
            )
            if p.speed_mbps[i] >= 0:
                info.high_speed = int(p.speed_mbps[i])
            info.administractive_status = "up"
            info.op_state.operational_status = "up" if p.up[i] else "down"
            info.ingress_stats.if_octets, info.egress_stats.if_octets = c[0], c[1]
            info.ingress_stats.if_packets, info.egress_stats.if_packets = c[2], c[3]

    def _rpm(self, p: Sample, rows: npt.NDArray[np.int64], jnpr: JuniperNetworksSensors) -> None:
        render = jnpr.Extensions[rpm_pb2.jnpr_rpm_ext]
        for r in rows.tolist():
            link = int(p.rpm_links[r])
            test = render.rpm.probe_results.probe_test_results.add(
                owner=RPM_OWNER,
                test_name=self.link_test[link],
                target_address=RPM_TARGET,
                destination_interface=self.link_if[link],
            )
            received = int(p.rpm_received[r])
            generic = test.probe_test_generic_results.add(
                results_scope="current-test",
                probes_sent=RPM_PROBES,
                probe_responses=received,
                loss_percentage=int(p.rpm_loss_pct[r]),
            )
            if received:
                generic.probe_test_generic_measurements.add(
                    probe_measurement_type="round-trip-time",
                    avg_delay=int(p.rpm_rtt_us[r]),
                    jitter_delay=int(p.rpm_jitter_us[r]),
                )

    def _ike(self, p: Sample, n: int, jnpr: JuniperNetworksSensors) -> None:
        ike = jnpr.Extensions[key_management_pb2.jnpr_junos_key_management_ext]
        sas = ike.ike_security_associations.ike_security_association
        up = int(np.count_nonzero((self.devices.link_site == n) & p.tunnel_up))
        for _ in range(up):  # one SA per tunnel that is up, all with the hub
            sas.add(remote_ip=HUB_IP, local_ip=self.local[n], exchange_type=IKE_EXCHANGE)


__all__ = ["GATEWAY_SENSORS", "Datagram", "JtiWire"]
