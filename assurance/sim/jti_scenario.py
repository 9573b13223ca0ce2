"""Simulated SRX devices for the telemetry simulator: what each sensor would report at time t.

Owns the device model (interfaces whose counters grow at configured rates, CPU, memory,
temperature, SPUs, RPM probes, IKE SAs) and its rendering into *blocks* — a ``__prefix__`` path
and the leaves under it — shaped like Junos' OpenConfig key/values for each sensor path. The
OpenConfig, gNMI and native-GPB renderers (``jti_render``) turn blocks into messages. Values are
pure functions of time (and of a counter epoch a test may move to simulate a reset), so a test
can compute the expected rates by hand. No I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: sensor paths the simulator knows; any other path gets a generic block (an "unknown" sensor)
SENSORS = (
    "/interfaces/",
    "/junos/system/linecard/interface/",
    "/system/cpus/",
    "/system/memory/",
    "/components/",
    "/junos/security/spu/cpu/usage/",
    "/junos/security/spu/flow/usage/",
    "/junos/rpm/probe-results/",
    "/junos/ike-security-associations/",
)
AVG_PACKET_BYTES = 500
QUEUES = 4

Leaf = tuple[str, int | float | str | bool]


@dataclass(frozen=True, slots=True)
class Block:
    """One instance of a sensor: its prefix path (with keys) and the leaves under it."""

    prefix: str
    leaves: tuple[Leaf, ...]


@dataclass
class SimInterface:
    name: str
    if_index: int
    speed_mbps: int = 1000
    in_bps: float = 0.0
    out_bps: float = 0.0
    in_errors_per_s: float = 0.0
    queue_drops_per_s: float = 0.0
    oper_status: str = "UP"
    admin_status: str = "UP"
    description: str = ""
    units: tuple[int, ...] = (0,)


@dataclass
class SimSpu:
    name: str = "FPC0 PIC0"
    cpu_pct: int = 20
    memory_pct: int = 55
    sessions: int = 1_500
    max_sessions: int = 65_536


@dataclass
class SimProbe:
    owner: str
    test: str
    target: str
    interface: str
    rtt_ms: float = 20.0
    jitter_ms: float = 1.0
    loss_pct: int = 0
    probes: int = 10


@dataclass
class SimSa:
    remote_ip: str
    local_ip: str
    in_bps: float = 100_000.0
    out_bps: float = 100_000.0
    up: bool = True


@dataclass
class SimDevice:
    """One SRX gateway. ``epoch_ms`` is when its counters were zero (move it to reset them)."""

    name: str
    system_id: str
    epoch_ms: int
    interfaces: list[SimInterface] = field(default_factory=list)
    cpu_pct: int = 12
    memory_physical: int = 4 << 30
    memory_used: int = 1 << 30
    temperature_c: int = 45
    spus: list[SimSpu] = field(default_factory=list)
    probes: list[SimProbe] = field(default_factory=list)
    sas: list[SimSa] = field(default_factory=list)
    probe_interval_s: float = 5.0

    # -- values at time t ------------------------------------------------------------------

    def octets(self, bps: float, t_ms: int) -> int:
        return int(bps * max(t_ms - self.epoch_ms, 0) / 8000)

    def count(self, per_s: float, t_ms: int) -> int:
        return int(per_s * max(t_ms - self.epoch_ms, 0) / 1000)

    def reset_counters(self, t_ms: int) -> None:
        """Every counter restarts from zero at ``t_ms`` (a line card restart)."""
        self.epoch_ms = t_ms

    # -- blocks per sensor -------------------------------------------------------------------

    def blocks(self, sensor: str, t_ms: int) -> list[Block]:
        render = _RENDERERS.get(sensor)
        if render is None:
            return [Block(sensor, (("state/value", self.count(1.0, t_ms)),))]
        return render(self, t_ms)


def _interfaces(d: SimDevice, t: int) -> list[Block]:
    out = []
    for i in d.interfaces:
        in_o, out_o = d.octets(i.in_bps, t), d.octets(i.out_bps, t)
        prefix = f"/interfaces/interface[name='{i.name}']/"
        out.append(
            Block(
                prefix,
                (
                    ("state/admin-status", i.admin_status),
                    ("state/oper-status", i.oper_status),
                    ("state/ifindex", i.if_index),
                    ("state/high-speed", i.speed_mbps),
                    ("state/description", i.description),
                    ("state/counters/in-octets", in_o),
                    ("state/counters/in-pkts", in_o // AVG_PACKET_BYTES),
                    ("state/counters/in-unicast-pkts", in_o // AVG_PACKET_BYTES),
                    ("state/counters/in-errors", d.count(i.in_errors_per_s, t)),
                    ("state/counters/in-discards", 0),
                    ("state/counters/in-fcs-errors", d.count(i.in_errors_per_s, t) // 2),
                    ("state/counters/out-octets", out_o),
                    ("state/counters/out-pkts", out_o // AVG_PACKET_BYTES),
                    ("state/counters/out-unicast-pkts", out_o // AVG_PACKET_BYTES),
                    ("state/counters/out-errors", 0),
                    ("state/counters/out-discards", d.count(i.queue_drops_per_s, t)),
                ),
            )
        )
        for unit in i.units:
            out.append(
                Block(
                    f"{prefix}subinterfaces/subinterface[index='{unit}']/",
                    (
                        ("state/oper-status", i.oper_status),
                        ("state/counters/in-octets", in_o),
                        ("state/counters/in-pkts", in_o // AVG_PACKET_BYTES),
                        ("state/counters/out-octets", out_o),
                        ("state/counters/out-pkts", out_o // AVG_PACKET_BYTES),
                    ),
                )
            )
    return out


def _linecard(d: SimDevice, t: int) -> list[Block]:
    out = []
    for i in d.interfaces:
        in_o, out_o = d.octets(i.in_bps, t), d.octets(i.out_bps, t)
        leaves: list[Leaf] = [
            ("init_time", d.epoch_ms // 1000),
            ("state/ifindex", i.if_index),
            ("state/high-speed", i.speed_mbps),
            ("state/oper-status", i.oper_status),
            ("state/counters/in-octets", in_o),
            ("state/counters/in-pkts", in_o // AVG_PACKET_BYTES),
            ("state/counters/in-errors", d.count(i.in_errors_per_s, t)),
            ("state/counters/out-octets", out_o),
            ("state/counters/out-pkts", out_o // AVG_PACKET_BYTES),
        ]
        drops = d.count(i.queue_drops_per_s, t)
        for q in range(QUEUES):
            queue = f"state/counters/out-queue[queue-number='{q}']/"
            share = out_o // QUEUES
            leaves += [
                (queue + "pkts", share // AVG_PACKET_BYTES),
                (queue + "bytes", share),
                (queue + "tail-drop-pkts", drops if q == 0 else 0),
                (queue + "red-drop-pkts", 0),
            ]
        out.append(Block(f"/interfaces/interface[name='{i.name}']/", tuple(leaves)))
    return out


def _cpus(d: SimDevice, t: int) -> list[Block]:
    return [
        Block(
            "/system/cpus/cpu[index='ALL']/",
            (
                ("state/total/instant", d.cpu_pct),
                ("state/user/instant", max(d.cpu_pct - 4, 0)),
                ("state/kernel/instant", min(d.cpu_pct, 4)),
            ),
        )
    ]


def _memory(d: SimDevice, t: int) -> list[Block]:
    return [
        Block(
            "/system/memory/state/",
            (
                ("physical", d.memory_physical),
                ("used", d.memory_used),
                ("free", d.memory_physical - d.memory_used),
            ),
        )
    ]


def _components(d: SimDevice, t: int) -> list[Block]:
    return [
        Block(
            "/components/component[name='Routing Engine0']/",
            (("state/temperature/instant", d.temperature_c), ("state/oper-status", "ACTIVE")),
        )
    ]


def _spu_cpu(d: SimDevice, t: int) -> list[Block]:
    return [
        Block(
            f"/junos/security/spu/cpu/usage/spu[name='{s.name}']/",
            (("cpu-utilization", s.cpu_pct), ("memory-utilization", s.memory_pct)),
        )
        for s in d.spus
    ]


def _spu_flow(d: SimDevice, t: int) -> list[Block]:
    return [
        Block(
            f"/junos/security/spu/flow/usage/spu[name='{s.name}']/",
            (
                ("flow-session-current", s.sessions),
                ("flow-session-max", s.max_sessions),
                ("cp-session-current", s.sessions),
                ("cp-session-max", s.max_sessions),
            ),
        )
        for s in d.spus
    ]


def _rpm(d: SimDevice, t: int) -> list[Block]:
    test_no = int(max(t - d.epoch_ms, 0) / 1000 / d.probe_interval_s)
    out = []
    for p in d.probes:
        generic = "probe-test-generic-results[results-scope='current-test']/"
        rtt = generic + "probe-test-generic-measurements[probe-measurement-type='round-trip-time']/"
        received = round(p.probes * (100 - p.loss_pct) / 100)
        prefix = (
            "/junos/rpm/probe-results/"
            f"probe-test-results[owner='{p.owner}' and test-name='{p.test}']/"
        )
        out.append(
            Block(
                prefix,
                (
                    ("target-address", p.target),
                    ("destination-interface", p.interface),
                    ("probe-type", "icmp-ping"),
                    ("probe-single-results/rtt", int(p.rtt_ms * 1000)),
                    (generic + "probes-sent", p.probes),
                    (generic + "probe-responses", received),
                    (generic + "loss-percentage", p.loss_pct),
                    (generic + "last-test-time", str(test_no)),
                    (rtt + "samples", received),
                    (rtt + "avg-delay", int(p.rtt_ms * 1000)),
                    (rtt + "jitter-delay", int(p.jitter_ms * 1000)),
                ),
            )
        )
    return out


def _ike(d: SimDevice, t: int) -> list[Block]:
    return [
        Block(
            f"/junos/ike-security-associations/ike-security-association[remote-ip='{sa.remote_ip}']/",
            (
                ("local-ip", sa.local_ip),
                ("exchange-type", "IKEv2"),
                ("number-ipsec-sa-created", 1),
                ("in-bytes", d.octets(sa.in_bps, t) % (1 << 32)),
                ("out-bytes", d.octets(sa.out_bps, t) % (1 << 32)),
                ("in-packets", d.octets(sa.in_bps, t) // AVG_PACKET_BYTES % (1 << 32)),
                ("out-packets", d.octets(sa.out_bps, t) // AVG_PACKET_BYTES % (1 << 32)),
            ),
        )
        for sa in d.sas
        if sa.up
    ]


_RENDERERS = {
    "/interfaces/": _interfaces,
    "/junos/system/linecard/interface/": _linecard,
    "/system/cpus/": _cpus,
    "/system/memory/": _memory,
    "/components/": _components,
    "/junos/security/spu/cpu/usage/": _spu_cpu,
    "/junos/security/spu/flow/usage/": _spu_flow,
    "/junos/rpm/probe-results/": _rpm,
    "/junos/ike-security-associations/": _ike,
}


def sensor_key(path: str) -> str:
    """A subscribed path in canonical form: ``/system/cpus`` → ``/system/cpus/``."""
    return path.rstrip("/") + "/"


def branch_gateway(
    name: str, index: int, *, epoch_ms: int, interfaces: int = 4, seed: int = 0
) -> SimDevice:
    """A branch SRX like the sample inventory's: WAN links, LAN, an overlay SA and RPM probes."""
    rng = random.Random(f"{seed}:{name}")
    ifaces = [
        SimInterface(
            f"ge-0/0/{n}",
            513 + n,
            speed_mbps=1000,
            in_bps=rng.choice((2e6, 5e6, 20e6, 50e6)),
            out_bps=rng.choice((1e6, 2e6, 8e6)),
            description=("wan-mpls", "wan-isp-a", "lan", "lan")[n % 4],
        )
        for n in range(interfaces)
    ]
    octet = index % 250 + 1
    return SimDevice(
        name=name,
        system_id=f"{name}:10.20.{octet}.1",
        epoch_ms=epoch_ms,
        interfaces=ifaces,
        cpu_pct=rng.randint(5, 40),
        temperature_c=rng.randint(38, 55),
        spus=[SimSpu(cpu_pct=rng.randint(5, 60), sessions=rng.randint(500, 5000))],
        probes=[
            SimProbe("wan", "mpls", "10.255.0.1", "ge-0/0/0.0", rtt_ms=rng.choice((8.0, 12.0))),
            SimProbe("wan", "isp-a", "8.8.8.8", "ge-0/0/1.0", rtt_ms=rng.choice((18.0, 25.0))),
        ],
        sas=[SimSa("198.51.100.1", f"203.0.113.{octet}")],
    )
