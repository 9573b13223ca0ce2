"""Wire mode: the twin's devices send jflow, syslog, JTI and SNMP traps to real collectors.

Owns: the sockets of the simulated devices (each gateway exports IPFIX — or NetFlow v9, as the
scenario's ``flow_export`` says — over UDP from its own loopback address, with its templates
and options data every ``TEMPLATE_EVERY_MIN`` simulated minutes; each gateway, switch and AP
sends syslog over TCP with octet-counting framing from its own address; each gateway and
switch pushes native JTI over UDP and sends SNMPv2c traps from its own address, and serves
JTI over gRPC and SNMP on it), pacing (``speed`` simulated seconds per wall second; payload
times follow the simulated clock), and parsing ``--send`` targets.
What is sent is exactly what lake mode writes, through the same ``emit``/``devices`` code
(``jti_wire`` encodes native JTI, ``snmp_traps`` the traps). Must not: touch the lake.

Target kinds (``--send KIND=HOST:PORT,…``):

- ``flow``: IPFIX or NetFlow v9 over UDP; ``syslog``: syslog over TCP; ``jti``: native JTI
  (GPB) over UDP;
- ``trap``: SNMPv2c linkDown/linkUp traps over UDP (``wanassure collect traps`` receives them);
- ``grpc=:PORT``: the other way round — the collector dials the devices. Every gateway and
  switch serves JTI OpenConfig telemetry (``/system/cpus/``, ``/system/memory/``,
  ``/components/``: the Routing Engine rows of ``device_health``) over gRPC on its own loopback
  address at ``PORT`` (``jti_twin``), which is why the host is left empty. Start
  ``wanassure collect jti --targets INVENTORY`` with the twin's inventory (``wanassure simulate
  inventory``: each gateway and switch has a ``telemetry.jti`` block, insecure, port 32767, so
  use ``grpc=:32767``). The twin waits up to ``subscribe_timeout_s`` for every device to be
  subscribed before its first minute, then hands the servers each minute's values: the
  subscribed streams send that minute's ``OpenConfigData`` stamped with the simulated time.
  The same servers are gNMI targets on the simulated clock (Subscribe STREAM, SAMPLE or
  ON_CHANGE, PROTO or JSON_IETF): an inventory ``telemetry.gnmi`` block with ``port: PORT``
  dials them; the twin's inventory names JTI only, so each value reaches the lake once.
  A caller that dials the devices itself starts a ``TwinJti`` first (port 0 picks a free port
  shared by every device address) and passes it as ``jti_grpc``; it then also closes it.
- ``snmp=:PORT``: polled, too — every gateway and switch answers SNMPv2c GET/GETNEXT/GETBULK
  on its own loopback address at UDP ``PORT`` (``snmp_agent``) with the values of the latest
  simulated minute, for ``wanassure collect snmp --targets`` with the twin's inventory (each
  gateway and switch has a ``telemetry.snmp`` block: port 1161, community from
  ``WANASSURE_TWIN_COMMUNITY``, which the agents read too, default ``public``; so use
  ``snmp=:1161``). The poller stamps rows with its own clock and polls on a wall-clock interval
  (the inventory's 1 s is one simulated minute at the default speed). A caller polling itself
  starts a ``TwinSnmp`` and passes it as ``snmp_agent`` (it then also closes it).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from assurance.errors import AssuranceError
from assurance.sim.emit import Emitter
from assurance.sim.flow_export import DATA_TEMPLATE_ID, RECORDS_PER_DATAGRAM, TEMPLATE_EVERY_MIN
from assurance.sim.jti_twin import TwinJti
from assurance.sim.jti_wire import JtiWire
from assurance.sim.physics import Minute, Twin
from assurance.sim.scenario import Scenario
from assurance.sim.snmp_agent import TwinSnmp
from assurance.sim.snmp_traps import encode_trap
from assurance.sim.world import World
from collectors.pcap.write import PcapWriter

KINDS = ("flow", "syslog", "jti", "trap", "grpc", "snmp")
SERVED = ("grpc", "snmp")  # the devices serve; collectors dial each device's own address
DATAGRAM_KINDS = ("flow", "jti", "trap")


class WireError(AssuranceError):
    """Wire mode cannot start or a collector cannot be reached."""


Target = tuple[str, int]


def parse_targets(text: str) -> dict[str, Target]:
    """``flow=127.0.0.1:2055,syslog=127.0.0.1:5514,jti=127.0.0.1:50000,grpc=:32767`` →
    {"flow": ("127.0.0.1", 2055), …, "grpc": ("", 32767)}; ``snmp=:1161`` like ``grpc``."""
    targets: dict[str, Target] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, address = part.partition("=")
        host, colon, port = address.rpartition(":")
        if not sep or kind not in KINDS:
            raise WireError(f"--send {part!r}: expected KIND=HOST:PORT with KIND one of {KINDS}")
        if kind in SERVED:
            if host or not colon or not port.isdigit() or not 0 < int(port) < 65536:
                raise WireError(
                    f"--send {part!r}: expected {kind}=:PORT (each device serves on its own "
                    "loopback address)"
                )
        elif not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise WireError(f"--send {part!r}: {address!r} is not HOST:PORT")
        targets[kind] = (host, int(port))
    if not targets:
        raise WireError(
            "--send names no collector; e.g. "
            "flow=127.0.0.1:2055,syslog=127.0.0.1:5514,jti=127.0.0.1:50000"
        )
    return targets


@dataclass
class WireStats:
    minutes: int = 0
    flow_records: int = 0
    datagrams: int = 0
    syslog_lines: int = 0
    jti_messages: int = 0
    grpc_messages: int = 0  # JTI gRPC messages queued on subscribed streams
    grpc_unsubscribed: int = 0  # devices without a gRPC subscriber when the first minute began
    traps: int = 0
    snmp_minutes: int = 0  # minutes handed to the SNMP agents
    seconds: float = 0.0
    late_minutes: int = 0  # minutes sent after their pace deadline


class Transport(Protocol):
    """Where the simulated devices' packets go: sockets, or a capture file."""

    def send_datagram(self, kind: str, source: str, data: bytes, at_us: int) -> None:
        """One UDP datagram to the ``kind`` collector (``flow``, ``jti`` or ``trap``)."""

    def send_lines(self, source: str, lines: list[bytes], at_us: int) -> None: ...

    def close(self) -> None: ...


@dataclass
class _Devices:
    """Sockets of the simulated devices, opened on first use."""

    targets: dict[str, Target]
    udp: dict[str, socket.socket] = field(default_factory=dict)
    tcp: dict[str, socket.socket] = field(default_factory=dict)

    def send_datagram(self, kind: str, source: str, data: bytes, at_us: int) -> None:
        sock = self.udp.get(source)
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            sock.bind((source, 0))
            self.udp[source] = sock
        sock.sendto(data, self.targets[kind])

    def send_lines(self, source: str, lines: list[bytes], at_us: int) -> None:
        sock = self.tcp.get(source)
        if sock is None:
            try:
                sock = socket.create_connection(
                    self.targets["syslog"], timeout=30, source_address=(source, 0)
                )
            except OSError as exc:
                host, port = self.targets["syslog"]
                raise WireError(
                    f"cannot reach the syslog collector at {host}:{port}: {exc.strerror or exc}"
                ) from None
            self.tcp[source] = sock
        sock.sendall(b"".join(b"%d %s" % (len(line), line) for line in lines))

    def close(self) -> None:
        for sock in (*self.udp.values(), *self.tcp.values()):
            sock.close()


class Capture:
    """Packets as a capture would show them: IPFIX to UDP 2055, native JTI to UDP 50000, SNMP
    traps to UDP 162 and syslog to UDP 514 (RFC 5426, one message per datagram), stamped with
    the simulated time, in pcap files."""

    FLOW_PORT, SYSLOG_PORT, JTI_PORT, TRAP_PORT = 2055, 514, 50000, 162
    COLLECTOR = "127.0.0.1"

    def __init__(self) -> None:
        self.flow = PcapWriter()
        self.jti = PcapWriter()
        self.trap = PcapWriter()
        self.syslog = PcapWriter()
        self.text: list[bytes] = []

    def send_datagram(self, kind: str, source: str, data: bytes, at_us: int) -> None:
        if kind == "jti":
            self.jti.add_udp(at_us, source, 50001, self.COLLECTOR, self.JTI_PORT, data)
        elif kind == "trap":
            self.trap.add_udp(at_us, source, 50162, self.COLLECTOR, self.TRAP_PORT, data)
        else:
            self.flow.add_udp(at_us, source, 50000, self.COLLECTOR, self.FLOW_PORT, data)

    def send_lines(self, source: str, lines: list[bytes], at_us: int) -> None:
        for line in lines:
            self.syslog.add_udp(at_us, source, 50514, self.COLLECTOR, self.SYSLOG_PORT, line)
        self.text += lines

    def close(self) -> None:
        pass


@dataclass
class _Run:
    """One wire-mode run: the twin's outputs, where they go, and the counts."""

    twin: Twin
    targets: dict[str, Target]
    devices: Transport
    jti_grpc: TwinJti | None
    snmp_agent: TwinSnmp | None = None
    stats: WireStats = field(default_factory=WireStats)
    request_ids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.emitter = Emitter(self.twin)
        self.jti = JtiWire(self.emitter.devices)
        self.sampled = (
            self.jti_grpc is not None
            or self.snmp_agent is not None
            or "jti" in self.targets
            or "trap" in self.targets
        )
        self.encoders = [self.emitter.export.encoder() for _ in self.twin.sites]

    def minute(self, minute: int) -> Minute:
        m = self.twin.step(minute)
        if "flow" in self.targets:
            self._flows(m)
        if self.sampled:
            self._device_telemetry(m)
        if "syslog" in self.targets:
            for out in self.emitter.syslog(m):
                self.devices.send_lines(out.sender, out.lines, (m.epoch_s + 60) * 1_000_000)
                self.stats.syslog_lines += len(out.lines)
        self.stats.minutes += 1
        return m

    def _flows(self, m: Minute) -> None:
        records = self.emitter.flow_records(m)
        export = self.emitter.export
        at_us = records.export_s * 1_000_000
        for local, encoder in enumerate(self.encoders):
            source = self.twin.sites[local].address(1, loopback=True)
            uptime = int(export.uptime_ms(local, records.export_s * 1000))
            if m.minute % TEMPLATE_EVERY_MIN == 0:
                for datagram in export.refresh_datagrams(encoder, local, records.export_s):
                    self.devices.send_datagram("flow", source, datagram, at_us)
                    self.stats.datagrams += 1
            mine = records.gateway == local
            if not mine.any():
                continue
            columns = {k: v[mine] for k, v in records.columns.items()}
            for datagram in encoder.encode(
                DATA_TEMPLATE_ID, columns, export_time=records.export_s, uptime_ms=uptime,
                with_template=False, max_records=RECORDS_PER_DATAGRAM,
            ):  # fmt: skip
                self.devices.send_datagram("flow", source, datagram, at_us)
                self.stats.datagrams += 1
            self.stats.flow_records += int(mine.sum())

    def _device_telemetry(self, m: Minute) -> None:
        sample = self.emitter.devices.sample(m)
        if "jti" in self.targets:
            for message in self.jti.datagrams(sample):
                self.devices.send_datagram("jti", message.source, message.payload, message.at_us)
                self.stats.jti_messages += 1
        if self.jti_grpc is not None:
            self.stats.grpc_messages += self.jti_grpc.publish(sample)
        if self.snmp_agent is not None:
            self.snmp_agent.publish(self.emitter.devices, sample)
            self.stats.snmp_minutes += 1
        if "trap" in self.targets:
            for trap in sample.traps:
                request_id = self.request_ids.get(trap.source, 0) + 1
                self.request_ids[trap.source] = request_id
                payload = encode_trap(trap, request_id)
                self.devices.send_datagram("trap", trap.source, payload, trap.at_us)
                self.stats.traps += 1


def run_wire(
    scenario: Scenario,
    targets: dict[str, Target],
    *,
    speed: float = 60.0,
    report: Callable[[str], None] | None = None,
    twin: Twin | None = None,
    transport: Transport | None = None,
    on_minute: Callable[[Minute, Emitter], None] | None = None,
    jti_grpc: TwinJti | None = None,
    subscribe_timeout_s: float = 60.0,
    snmp_agent: TwinSnmp | None = None,
) -> WireStats:
    """Send the whole scenario to ``targets`` paced at ``speed``×; returns what was sent.

    ``twin`` lets a caller keep a handle on the running twin (e.g. to push policy changes);
    ``transport`` replaces the sockets (``Capture`` writes pcap instead, with no pacing);
    ``on_minute`` sees every simulated minute after it was sent (progress, extra outputs);
    ``jti_grpc`` is a started ``TwinJti`` of the twin's sites the caller owns (else a
    ``grpc`` target starts one for the run and closes it at the end); ``snmp_agent`` likewise
    for ``snmp``.
    """
    world = World(scenario) if twin is None else twin.world
    twin = twin or Twin(world)
    paced = transport is None
    own_grpc = jti_grpc is None and "grpc" in targets and transport is None
    own_snmp = snmp_agent is None and "snmp" in targets and transport is None
    devices = _Devices(targets) if transport is None else transport
    began = time.monotonic()
    try:
        if own_grpc:
            jti_grpc = TwinJti(twin.sites, targets["grpc"][1])
            jti_grpc.start()
        if own_snmp:
            snmp_agent = TwinSnmp(twin.sites, targets["snmp"][1])
            snmp_agent.start()
        run = _Run(twin, targets, devices, jti_grpc, snmp_agent)
        stats = run.stats
        if jti_grpc is not None:
            stats.grpc_unsubscribed = jti_grpc.wait_subscribed(subscribe_timeout_s)
            if stats.grpc_unsubscribed and report is not None:
                report(
                    f"{stats.grpc_unsubscribed} device(s) have no JTI gRPC subscriber after "
                    f"{subscribe_timeout_s:g} s; their Routing Engine minutes are not streamed"
                )
        began = time.monotonic()
        wall_per_minute = 60.0 / speed
        for minute in range(scenario.minutes):
            m = run.minute(minute)
            if on_minute is not None:
                on_minute(m, run.emitter)
            wait = began + (minute + 1) * wall_per_minute - time.monotonic()
            if not paced:
                pass
            elif wait > 0:
                time.sleep(wait)
            else:
                stats.late_minutes += 1
            if report is not None and (minute + 1) % 60 == 0:
                report(
                    f"{(minute + 1) // 60} h simulated: {stats.flow_records:,} flow records, "
                    f"{stats.syslog_lines:,} syslog lines, {stats.jti_messages:,} JTI messages, "
                    f"{stats.grpc_messages:,} JTI gRPC messages, {stats.traps:,} traps sent"
                )
    finally:
        devices.close()
        if own_grpc and jti_grpc is not None:
            jti_grpc.close()
        if own_snmp and snmp_agent is not None:
            snmp_agent.close()
    stats.seconds = time.monotonic() - began
    return stats


__all__ = [
    "Capture", "Transport", "TwinJti", "TwinSnmp", "WireError", "WireStats", "parse_targets",
    "run_wire",
]  # fmt: skip
