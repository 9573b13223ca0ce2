"""What the twin's gateways and switches answer over SNMP: one MIB view per device and minute.

Owns: the objects each device's agent serves and how they follow from one minute of device
telemetry (``devices.Sample``), the state an agent keeps between minutes (the last completed
RPM test of each WAN link, since when each IPsec tunnel has been up) and lookups in a view
(GET, GETNEXT). Must not: decide values (``devices``), encode messages (``snmp_pdu``) or open
sockets (``snmp_agent``).

Served objects (the ones ``collectors.snmp`` polls, numbers in ``collectors.snmp.oids``):

- system: sysDescr.0, sysUpTime.0 (hundredths of a second since the device booted, on the
  simulated clock: the time of the minute's sample), sysName.0;
- IF-MIB ifTable/ifXTable for every interface ``devices`` reports for the device, indexed by
  its ifIndex: ifIndex, ifDescr = ifName = its name, ifType, ifSpeed / ifHighSpeed (none for
  tunnels, which report no speed), admin up, oper up/down, the HC octet counters, HC unicast
  packets = all packets (multicast and broadcast 0), the 32-bit octet and unicast counters;
  physical ports also ifIn/OutErrors, ifIn/OutDiscards and EtherLike-MIB dot3StatsFCSErrors
  (logical units carry no error counters, as their native JTI sensor carries none);
- JUNIPER-MIB jnxOperatingTable: the ``Routing Engine`` (index 9.1.0.0) with CPU, buffer =
  memory used in whole percent, temperature and uptime;
- gateways only: the SPU (jnxJsSPUMonitoringObjectsTable index 0: FPC 0, SPU 0, node
  ``single``) with CPU and current and maximum flow sessions (no memory: the twin models
  none); per WAN link the RPM test ``wan-sla``/<link> (jnxRpmResultsSummaryTable and
  jnxRpmResultsCalculatedTable of the last completed test, pingCtlTargetAddress): probes sent
  and received, loss in 10⁻⁶ %, completion time (the sample time), and per set — roundTripTime
  and posRttJitter — the samples and the minute's mean as minimum, maximum and average with no
  spread (the twin models one mean per minute); a test that got no answer has no calculated
  rows; a link that is down runs no test, so its last result stays. Per IPsec tunnel that is
  up, one IKE SA (jnxIkeTunnelMonTable: remote = the hub, index = link number + 1, local
  gateway address, state up, remote id, active time) and one IPsec SA with the ``st0.n``
  counters as encrypted/decrypted octets and packets.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from assurance.sim import snmp_pdu as pdu
from assurance.sim.devices import (
    GW_MEMORY_BYTES,
    HUB_IP,
    LOGICAL,
    RPM_OWNER,
    RPM_PROBES,
    RPM_TARGET,
    SESSIONS_MAX,
    SW_MEMORY_BYTES,
    TUNNEL,
    DeviceTelemetry,
    Sample,
)
from assurance.sim.world import Site
from collectors.snmp import oids
from collectors.snmp.oids import Oid

RE_INDEX = (9, 1, 0, 0)
SPU_INDEX = 0
RUNNING = 2  # jnxOperatingState running
BOOT_AGE_MS = 3 * 86_400_000  # how long before the scenario starts the devices booted
IF_TYPE = oids.oid("1.3.6.1.2.1.2.2.1.3")
IF_INDEX = oids.IF_INDEX
SYS_DESCR = oids.oid("1.3.6.1.2.1.1.1.0")
SYS_NAME = oids.oid("1.3.6.1.2.1.1.5.0")
ETHERNET, PROP_VIRTUAL, TUNNEL_TYPE = 6, 53, 131
C = oids.COLUMNS


def _col(name: str, index: Oid) -> Oid:
    return (*C[name].oid, *index)


def _text_index(*parts: str) -> Oid:
    out: list[int] = []
    for part in parts:
        raw = part.encode()
        out += [len(raw), *raw]
    return tuple(out)


@dataclass
class View:
    """A device's MIB objects in OID order, values encoded."""

    names: list[Oid] = field(default_factory=list)
    values: list[bytes] = field(default_factory=list)
    columns: frozenset[Oid] = frozenset()

    @staticmethod
    def of(entries: dict[Oid, bytes]) -> View:
        names = sorted(entries)
        columns = frozenset(n[:-1] for n in names) | frozenset(c.oid for c in C.values())
        return View(names, [entries[n] for n in names], columns)

    def get(self, name: Oid) -> bytes:
        i = bisect.bisect_left(self.names, name)
        if i < len(self.names) and self.names[i] == name:
            return self.values[i]
        known = any(name[:k] in self.columns for k in range(len(name) - 1, 6, -1))
        return pdu.NO_SUCH_INSTANCE if known else pdu.NO_SUCH_OBJECT

    def next(self, name: Oid) -> tuple[Oid, bytes]:
        i = bisect.bisect_right(self.names, name)
        if i < len(self.names):
            return self.names[i], self.values[i]
        return name, pdu.END_OF_MIB_VIEW


@dataclass
class _Rpm:
    """The last completed test of one WAN link."""

    date_ms: int
    received: int
    loss_pct: int
    rtt_us: int
    jitter_us: int


@dataclass
class DeviceMib:
    """One gateway or switch: its place in the shard's arrays and the state kept across minutes."""

    site: Site
    n: int  # shard-local site number
    gateway: bool
    interfaces: npt.NDArray[np.int64]  # its rows in the shard's interface catalogue
    boot_ms: int | None = None
    rpm: dict[int, _Rpm] = field(default_factory=dict)  # by link number
    tunnel_since_ms: dict[int, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.site.gateway if self.gateway else self.site.switch

    @property
    def address(self) -> str:
        return self.site.address(1 if self.gateway else 2, loopback=True)

    def time_ms(self, sample: Sample) -> int:
        return int((sample.gw_time_ms if self.gateway else sample.sw_time_ms)[self.n])

    def advance(self, telemetry: DeviceTelemetry, sample: Sample) -> None:
        """Keep what outlives the minute: boot time, RPM results, tunnel up times."""
        t = self.time_ms(sample)
        first = self.boot_ms is None
        if self.boot_ms is None:
            self.boot_ms = t - sample.minute * 60_000 - BOOT_AGE_MS - self.n * 61_000
        if not self.gateway:
            return
        mine = np.flatnonzero(telemetry.link_site == self.n)
        for j in mine:
            slot = int(telemetry.link_slot[j])
            if sample.tunnel_up[j]:  # tunnels up at the first minute came up after the boot
                self.tunnel_since_ms.setdefault(slot, self.boot_ms + 60_000 if first else t)
            else:
                self.tunnel_since_ms.pop(slot, None)
        for k in np.flatnonzero(telemetry.link_site[sample.rpm_links] == self.n):
            slot = int(telemetry.link_slot[sample.rpm_links[k]])
            p = sample
            self.rpm[slot] = _Rpm(
                t, int(p.rpm_received[k]), int(p.rpm_loss_pct[k]), int(p.rpm_rtt_us[k]),
                int(p.rpm_jitter_us[k]),
            )  # fmt: skip

    def view(self, telemetry: DeviceTelemetry, sample: Sample) -> View:
        t = self.time_ms(sample)
        boot = self.boot_ms if self.boot_ms is not None else t
        model = self.site.profile.gateway_model if self.gateway else self.site.profile.switch_model
        e: dict[Oid, bytes] = {
            SYS_DESCR: pdu.octets(f"Juniper Networks, Inc. {model.lower()} (network twin)"),
            oids.SYS_UPTIME.oid: pdu.timeticks((t - boot) // 10),
            SYS_NAME: pdu.octets(self.name),
        }
        self._interfaces(e, telemetry, sample)
        self._operating(e, sample, t, boot)
        if self.gateway:
            self._spu(e, sample)
            self._rpm(e, telemetry)
            self._tunnels(e, telemetry, sample, t)
        return View.of(e)

    def _interfaces(self, e: dict[Oid, bytes], telemetry: DeviceTelemetry, p: Sample) -> None:
        ifs = telemetry.ifs
        for i in self.interfaces:
            index = (int(ifs.if_index[i]),)
            kind = int(ifs.kind[i])
            name = str(ifs.if_name[int(i)].as_py())
            c = [int(x) for x in p.counters[i]]
            e[(*IF_INDEX, *index)] = pdu.integer(index[0])
            e[_col("ifDescr", index)] = e[_col("ifName", index)] = pdu.octets(name)
            typ = TUNNEL_TYPE if kind == TUNNEL else PROP_VIRTUAL if ifs.logical[i] else ETHERNET
            e[(*IF_TYPE, *index)] = pdu.integer(typ)
            mbps = int(p.speed_mbps[i])
            if mbps >= 0:
                e[_col("ifSpeed", index)] = pdu.gauge32(mbps * 1_000_000)
                e[_col("ifHighSpeed", index)] = pdu.gauge32(mbps)
            e[_col("ifAdminStatus", index)] = pdu.integer(1)
            e[_col("ifOperStatus", index)] = pdu.integer(1 if p.up[i] else 2)
            for column, value in (
                ("ifHCInOctets", c[0]), ("ifHCOutOctets", c[1]),
                ("ifHCInUcastPkts", c[2]), ("ifHCOutUcastPkts", c[3]),
                ("ifHCInMulticastPkts", 0), ("ifHCInBroadcastPkts", 0),
                ("ifHCOutMulticastPkts", 0), ("ifHCOutBroadcastPkts", 0),
            ):  # fmt: skip
                e[_col(column, index)] = pdu.counter64(value)
            for column, value in (
                ("ifInOctets", c[0]), ("ifOutOctets", c[1]),
                ("ifInUcastPkts", c[2]), ("ifOutUcastPkts", c[3]),
            ):  # fmt: skip
                e[_col(column, index)] = pdu.counter32(value)
            if kind in LOGICAL:
                continue
            for column, value in (
                ("ifInErrors", c[4]), ("ifOutErrors", c[5]), ("ifInDiscards", c[6]),
                ("ifOutDiscards", c[7]), ("dot3StatsFCSErrors", c[8]),
            ):  # fmt: skip
                e[_col(column, index)] = pdu.counter32(value)

    def _operating(self, e: dict[Oid, bytes], p: Sample, t: int, boot: int) -> None:
        n = self.n
        if self.gateway:
            cpu, used, temp, physical = p.re_cpu[n], p.re_mem_used[n], p.re_temp[n], GW_MEMORY_BYTES
        else:
            cpu, used, temp, physical = p.sw_cpu[n], p.sw_mem_used[n], p.sw_temp[n], SW_MEMORY_BYTES
        ix = RE_INDEX
        e[_col("jnxOperatingDescr", ix)] = pdu.octets("Routing Engine")
        e[_col("jnxOperatingState", ix)] = pdu.integer(RUNNING)
        e[_col("jnxOperatingTemp", ix)] = pdu.gauge32(int(temp))
        e[_col("jnxOperatingCPU", ix)] = pdu.gauge32(int(cpu))
        e[_col("jnxOperatingBuffer", ix)] = pdu.gauge32(round(100 * int(used) / physical))
        e[_col("jnxOperatingUpTime", ix)] = pdu.timeticks((t - boot) // 10)

    def _spu(self, e: dict[Oid, bytes], p: Sample) -> None:
        ix = (SPU_INDEX,)
        for column, value in (
            ("jnxJsSPUMonitoringFPCIndex", pdu.gauge32(0)),
            ("jnxJsSPUMonitoringSPUIndex", pdu.gauge32(0)),
            ("jnxJsSPUMonitoringCPUUsage", pdu.gauge32(int(p.spu_cpu[self.n]))),
            ("jnxJsSPUMonitoringCurrentFlowSession", pdu.gauge32(int(p.sessions[self.n]))),
            ("jnxJsSPUMonitoringMaxFlowSession", pdu.gauge32(SESSIONS_MAX)),
            ("jnxJsSPUMonitoringNodeDescr", pdu.octets("single")),
        ):
            e[_col(column, ix)] = value

    def _rpm(self, e: dict[Oid, bytes], telemetry: DeviceTelemetry) -> None:
        target = ipaddress.IPv4Address(RPM_TARGET).packed
        for link in self.site.links:
            r = self.rpm.get(link.index)
            if r is None:
                continue
            test = _text_index(RPM_OWNER, link.profile.name)
            summary = (*test, oids.RPM_LAST_COMPLETED)
            e[_col("jnxRpmResSumSent", summary)] = pdu.gauge32(RPM_PROBES)
            e[_col("jnxRpmResSumReceived", summary)] = pdu.gauge32(r.received)
            e[_col("jnxRpmResSumPercentLost", summary)] = pdu.gauge32(r.loss_pct * 1_000_000)
            e[_col("jnxRpmResSumDate", summary)] = pdu.date_and_time(r.date_ms)
            e[_col("pingCtlTargetAddressType", test)] = pdu.integer(1)
            e[_col("pingCtlTargetAddress", test)] = pdu.octets(target)
            if not r.received:
                continue
            for set_, mean in ((oids.RPM_SET_RTT, r.rtt_us), (oids.RPM_SET_POS_RTT_JITTER,
                                                                r.jitter_us)):  # fmt: skip
                ix = (*summary, set_)
                e[_col("jnxRpmResCalcSamples", ix)] = pdu.gauge32(r.received)
                for column in ("jnxRpmResCalcMin", "jnxRpmResCalcMax", "jnxRpmResCalcAverage"):
                    e[_col(column, ix)] = pdu.gauge32(mean)
                e[_col("jnxRpmResCalcPkToPk", ix)] = pdu.gauge32(0)
                e[_col("jnxRpmResCalcStdDev", ix)] = pdu.gauge32(0)

    def _tunnels(self, e: dict[Oid, bytes], telemetry: DeviceTelemetry, p: Sample, t: int) -> None:
        hub = ipaddress.IPv4Address(HUB_IP).packed
        local = ipaddress.IPv4Address(self.site.address(1)).packed
        ifs = telemetry.ifs
        for link in self.site.links:
            since = self.tunnel_since_ms.get(link.index)
            if since is None:
                continue
            ix = (1, 4, *hub, link.index + 1)
            e[_col("jnxIkeTunMonLocalGwAddr", ix)] = pdu.octets(local)
            e[_col("jnxIkeTunMonState", ix)] = pdu.integer(1)
            e[_col("jnxIkeTunMonRemoteIdValue", ix)] = pdu.octets(HUB_IP)
            e[_col("jnxIkeTunMonActiveTime", ix)] = pdu.timeticks((t - since) // 10)
            row = self.interfaces[
                (ifs.kind[self.interfaces] == TUNNEL) & (ifs.slot[self.interfaces] == link.index)
            ]
            if not len(row):
                continue
            c = p.counters[int(row[0])]
            for column, value in (
                ("jnxIpSecTunMonOutEncryptedBytes", c[1]),
                ("jnxIpSecTunMonOutEncryptedPkts", c[3]),
                ("jnxIpSecTunMonInDecryptedBytes", c[0]),
                ("jnxIpSecTunMonInDecryptedPkts", c[2]),
            ):
                e[_col(column, ix)] = pdu.counter64(int(value))


def device_mibs(sites: Sequence[Site], telemetry: DeviceTelemetry) -> list[DeviceMib]:
    """Every gateway and switch of the shard, in the order gateway, switch per site."""
    ifs = telemetry.ifs
    exporters = np.array(ifs.exporter.to_pylist(), dtype=object)
    out = []
    for n, site in enumerate(sites):
        for gateway in (True, False):
            address = site.address(1 if gateway else 2, loopback=True)
            rows = np.flatnonzero(exporters == address)
            out.append(DeviceMib(site, n, gateway, rows))
    return out


__all__ = ["DeviceMib", "View", "device_mibs"]
