"""Wire mode: the twin's devices send IPFIX, syslog and JTI to real collectors, accelerated.

Owns: the sockets of the simulated devices (each gateway exports IPFIX over UDP from its own
loopback address; each gateway, switch and AP sends syslog over TCP with octet-counting framing
from its own address; each gateway and switch pushes native JTI over UDP from its own address),
pacing (``speed`` simulated seconds per wall second; payload times follow the simulated clock),
and parsing ``--send`` targets. What is sent is exactly what lake mode writes, through the same
``emit``/``devices`` code (``jti_wire`` encodes the telemetry). Must not: touch the lake.

The Routing Engine rows of ``device_health`` (CPU, memory, temperature; OpenConfig over JTI gRPC
on a real device) are not served yet: ``DeviceTelemetry.re_health`` builds them for callers
that want them in the lake.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from assurance.errors import AssuranceError
from assurance.sim.emit import IPFIX_TEMPLATE_ID, RECORDS_PER_DATAGRAM, TWIN_FIELDS, Emitter
from assurance.sim.jti_wire import JtiWire
from assurance.sim.physics import Minute, Twin
from assurance.sim.scenario import Scenario
from assurance.sim.world import World
from collectors.flow import IpfixEncoder
from collectors.pcap.write import PcapWriter

KINDS = ("flow", "syslog", "jti")
TEMPLATE_EVERY_MIN = 10  # template refresh, in simulated minutes


class WireError(AssuranceError):
    """Wire mode cannot start or a collector cannot be reached."""


Target = tuple[str, int]


def parse_targets(text: str) -> dict[str, Target]:
    """``flow=127.0.0.1:2055,syslog=127.0.0.1:5514,jti=127.0.0.1:50000`` →
    {"flow": ("127.0.0.1", 2055), …}."""
    targets: dict[str, Target] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, address = part.partition("=")
        host, colon, port = address.rpartition(":")
        if not sep or kind not in KINDS:
            raise WireError(f"--send {part!r}: expected KIND=HOST:PORT with KIND one of {KINDS}")
        if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
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
    seconds: float = 0.0
    late_minutes: int = 0  # minutes sent after their pace deadline


class Transport(Protocol):
    """Where the simulated devices' packets go: sockets, or a capture file."""

    def send_datagram(self, kind: str, source: str, data: bytes, at_us: int) -> None:
        """One UDP datagram to the ``kind`` collector (``flow`` or ``jti``)."""

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
    """Packets as a capture would show them: IPFIX to UDP 2055, native JTI to UDP 50000 and
    syslog to UDP 514 (RFC 5426, one message per datagram), stamped with the simulated time,
    in pcap files."""

    FLOW_PORT, SYSLOG_PORT, JTI_PORT, COLLECTOR = 2055, 514, 50000, "127.0.0.1"

    def __init__(self) -> None:
        self.flow = PcapWriter()
        self.jti = PcapWriter()
        self.syslog = PcapWriter()
        self.text: list[bytes] = []

    def send_datagram(self, kind: str, source: str, data: bytes, at_us: int) -> None:
        if kind == "jti":
            self.jti.add_udp(at_us, source, 50001, self.COLLECTOR, self.JTI_PORT, data)
        else:
            self.flow.add_udp(at_us, source, 50000, self.COLLECTOR, self.FLOW_PORT, data)

    def send_lines(self, source: str, lines: list[bytes], at_us: int) -> None:
        for line in lines:
            self.syslog.add_udp(at_us, source, 50514, self.COLLECTOR, self.SYSLOG_PORT, line)
        self.text += lines

    def close(self) -> None:
        pass


def run_wire(
    scenario: Scenario,
    targets: dict[str, Target],
    *,
    speed: float = 60.0,
    report: Callable[[str], None] | None = None,
    twin: Twin | None = None,
    transport: Transport | None = None,
    on_minute: Callable[[Minute, Emitter], None] | None = None,
) -> WireStats:
    """Send the whole scenario to ``targets`` paced at ``speed``×; returns what was sent.

    ``twin`` lets a caller keep a handle on the running twin (e.g. to push policy changes);
    ``transport`` replaces the sockets (``Capture`` writes pcap instead, with no pacing);
    ``on_minute`` sees every simulated minute after it was sent (progress, extra outputs).
    """
    world = World(scenario) if twin is None else twin.world
    twin = twin or Twin(world)
    emitter = Emitter(twin)
    jti = JtiWire(emitter.devices)
    devices = _Devices(targets) if transport is None else transport
    paced = transport is None
    encoders = {}
    for site in twin.sites:
        encoder = IpfixEncoder(domain=0, mtu=1400)
        encoder.define(IPFIX_TEMPLATE_ID, TWIN_FIELDS)
        encoders[site.address(1, loopback=True)] = encoder
    stats = WireStats()
    began = time.monotonic()
    wall_per_minute = 60.0 / speed
    try:
        for minute in range(scenario.minutes):
            m = twin.step(minute)
            if "flow" in targets:
                records = emitter.flow_records(m)
                for local, encoder in enumerate(encoders.values()):
                    source = twin.sites[local].address(1, loopback=True)
                    if minute % TEMPLATE_EVERY_MIN == 0:
                        template = encoder.template_datagram(export_time=records.export_s)
                        devices.send_datagram(
                            "flow", source, template, records.export_s * 1_000_000
                        )
                    mine = records.gateway == local
                    if not mine.any():
                        continue
                    columns = {k: v[mine] for k, v in records.columns.items()}
                    for datagram in encoder.encode(
                        IPFIX_TEMPLATE_ID, columns, export_time=records.export_s,
                        with_template=False, max_records=RECORDS_PER_DATAGRAM,
                    ):  # fmt: skip
                        devices.send_datagram(
                            "flow", source, datagram, records.export_s * 1_000_000
                        )
                        stats.datagrams += 1
                    stats.flow_records += int(mine.sum())
            if "jti" in targets:
                for message in jti.datagrams(emitter.devices.sample(m)):
                    devices.send_datagram("jti", message.source, message.payload, message.at_us)
                    stats.jti_messages += 1
            if "syslog" in targets:
                for out in emitter.syslog(m):
                    devices.send_lines(out.sender, out.lines, (m.epoch_s + 60) * 1_000_000)
                    stats.syslog_lines += len(out.lines)
            stats.minutes += 1
            if on_minute is not None:
                on_minute(m, emitter)
            deadline = began + (minute + 1) * wall_per_minute
            wait = deadline - time.monotonic()
            if not paced:
                pass
            elif wait > 0:
                time.sleep(wait)
            else:
                stats.late_minutes += 1
            if report is not None and (minute + 1) % 60 == 0:
                report(
                    f"{(minute + 1) // 60} h simulated: {stats.flow_records:,} flow records, "
                    f"{stats.syslog_lines:,} syslog lines, {stats.jti_messages:,} JTI messages sent"
                )
    finally:
        devices.close()
    stats.seconds = time.monotonic() - began
    return stats


__all__ = ["Capture", "Transport", "WireError", "WireStats", "parse_targets", "run_wire"]
