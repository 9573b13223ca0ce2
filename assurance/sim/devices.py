"""Device telemetry of the twin: interface counters, health, tunnels and RPM probes, vectorized.

Owns: the catalogue of every interface the shard's gateways and switches report (the WAN and
LAN ports with their units, the st0 tunnels, the switch uplink, access and AP ports), their
cumulative device counters, one minute of what each device's sensors say (``Sample``: the
values ``jti_wire`` puts into native JTI datagrams) and, for lake mode, the ``interface_stats``,
``device_health``, ``vpn_tunnels`` and RPM ``sla_metrics`` rows the JTI UDP collector builds
from those datagrams: source ``jti-udp``, its component names, null where a native sensor
carries no value, rates derived as ``collectors.telemetry.counters`` derives them. Built with
NumPy over the whole shard. Must not: decide traffic (``physics``), format syslog (``lines``)
or encode messages (``jti_wire``).

Which native sensor carries what (``jti_wire`` sends exactly this):

- physical ports (``/junos/system/linecard/interface/``, port extension 3): the WAN ports
  (``ge-0/0/n``, ``dl0``), the LAN port and every switch port, with all nine counters (framing
  errors as CRC errors), status, ifIndex and speed;
- logical units (``…/interface/logical/usage/``, extension 7): the WAN and LAN units
  (``ge-0/0/n.0``, ``dl0.0``) and the ``st0.n`` tunnels, with octet and packet counters, status,
  ifIndex and speed (none for tunnels); the sensor has no error counters, so those stay null and
  the SLE engine reads errors and drops from the parent port;
- the SPU CPU sensor (130): the data-plane CPU as component ``SPU FPC0 PIC0/cpu0``, an integer
  percent; the SPU flow sensor (131): current sessions as component ``SPU FPC0 PIC0``. Neither
  carries SPU memory or the session-table size: those stay null;
- RPM (74): one probe test per running WAN link, round-trip time and jitter in whole
  microseconds, loss as an integer percent;
- kmd (48): the IKE security associations that exist, one per tunnel that is up. The collector
  files SAs by peer address and every tunnel goes to the one hub, so a gateway yields one
  ``vpn_tunnels`` row per minute while any tunnel is up (``ike_state`` up, no ``tunnel``);
  a tunnel going down shows as its ``st0.n`` unit's oper status.

The Routing Engine's CPU, memory and temperature of every gateway and switch travel over JTI
gRPC (OpenConfig dial-in, ``jti_twin`` serves them): ``/system/cpus/`` (total CPU, an integer
percent), ``/system/memory/`` (physical, used and free bytes) and ``/components/`` (the
``Routing Engine0`` temperature, whole degrees), one message per sensor and device each minute.
The gRPC collector writes one ``device_health`` row per message (source ``jti-grpc``): component
``Routing Engine`` with ``cpu_pct``; ``Routing Engine`` with ``memory_pct`` = 100 × used /
physical; ``Routing Engine0`` with ``temperature_c``. ``re_health`` builds exactly those rows.

Interface state changes also go out as SNMP traps (``snmp_traps``); ``rows`` adds the
``device_events`` rows the trap receiver writes for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from assurance.sim import noise
from assurance.sim.physics import Minute, Twin
from assurance.sim.snmp_traps import LinkTraps, Trap
from assurance.sim.world import HUB_OCTETS, LAN_IF
from collectors.tables import DEVICE_HEALTH, INTERFACE_STATS, KV, SLA_METRICS, VPN_TUNNELS

US = 1_000_000
TS = pa.timestamp("us", tz="UTC")
RPM_PROBES = 60  # one RPM probe per second per WAN link
RPM_OWNER = "wan-sla"
RPM_TARGET = "192.0.2.53"
SESSIONS_MAX = 256_000
HUB_IP = f"10.{HUB_OCTETS[0]}.{HUB_OCTETS[1]}.1"
SOURCE = "jti-udp"
RE_SOURCE = "jti-grpc"
SPU_NAME, SPU_CPU = "FPC0 PIC0", "cpu0"
RE_NAME, RE_TEMPERATURE = "Routing Engine", "Routing Engine0"
GW_MEMORY_BYTES, SW_MEMORY_BYTES = 4 << 30, 2 << 30  # Routing Engine physical memory
SW_CPU_PCT, SW_MEMORY_PCT, SW_TEMPERATURE_C = 11, 41.0, 39
IKE_EXCHANGE = "IKEv2"
# interface kinds: logical units first, then physical ports
WAN, TUNNEL, LAN, WAN_PORT, LAN_PORT, UPLINK, ACCESS, AP_PORT = range(8)
LOGICAL = (WAN, TUNNEL, LAN)
# counter columns, in this order; logical units report the first four only
COUNTERS = (
    "in_octets", "out_octets", "in_pkts", "out_pkts", "in_errors", "out_errors",
    "in_discards", "out_discards", "in_crc_errors",
)  # fmt: skip
LOGICAL_COUNTERS = 4
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Interfaces:
    """Every reported interface of the shard as parallel arrays."""

    site: I64  # shard-local site
    kind: I64
    slot: I64  # link, port or AP number
    if_index: npt.NDArray[np.uint32]
    speed_mbps: I64  # -1: not reported
    offset_ms: I64  # sample time within the minute
    logical: npt.NDArray[np.bool_]
    switch: npt.NDArray[np.bool_]
    exporter: pa.Array
    device: pa.Array
    site_name: pa.Array
    if_name: pa.Array


def gateway_offset_ms(site_index: int) -> int:
    """When within each minute a gateway samples its sensors (its switch 5 s later)."""
    return 20_000 + site_index % 997


def _parent(unit: str) -> str:
    return unit.rsplit(".", 1)[0]


def _catalogue(twin: Twin) -> Interfaces:
    rows: list[tuple[int, int, int, int, int, int, str, str, str, str]] = []
    for n, site in enumerate(twin.sites):
        gw_ip, sw_ip = site.address(1, loopback=True), site.address(2, loopback=True)
        gw_ms = gateway_offset_ms(site.index)
        sw_ms = gw_ms + 5_000
        gw = (gw_ip, site.gateway, site.name)
        sw = (sw_ip, site.switch, site.name)
        for link in site.links:
            mbps = round(max(link.profile.down_mbps, link.profile.up_mbps))
            rows.append((n, WAN, link.index, link.if_index, mbps, gw_ms, *gw, link.interface))
        for link in site.links:
            rows.append((n, TUNNEL, link.index, link.tunnel_if_index, -1, gw_ms, *gw,
                         link.tunnel))  # fmt: skip
        rows.append((n, LAN, 0, LAN_IF[1], 1000, gw_ms, *gw, LAN_IF[0]))
        for link in site.links:
            mbps = round(max(link.profile.down_mbps, link.profile.up_mbps))
            rows.append((n, WAN_PORT, link.index, 500 + link.index, mbps, gw_ms, *gw,
                         _parent(link.interface)))  # fmt: skip
        rows.append((n, LAN_PORT, 0, 507, 1000, gw_ms, *gw, _parent(LAN_IF[0])))
        rows.append((n, UPLINK, 0, 600, 1000, sw_ms, *sw, "ge-0/1/0"))
        ports = site.profile.access_ports
        for p in range(ports):
            rows.append((n, ACCESS, p, 501 + p, 1000, sw_ms, *sw, site.access_port(p)))
        for a in range(site.profile.aps):
            rows.append((n, AP_PORT, a, 501 + ports + a, 1000, sw_ms, *sw, site.ap_port(a)))
    cols = list(zip(*rows, strict=True))
    kind = np.array(cols[1], np.int64)
    return Interfaces(
        site=np.array(cols[0], np.int64),
        kind=kind,
        slot=np.array(cols[2], np.int64),
        if_index=np.array(cols[3], np.uint32),
        speed_mbps=np.array(cols[4], np.int64),
        offset_ms=np.array(cols[5], np.int64),
        logical=np.isin(kind, LOGICAL),
        switch=np.isin(kind, (UPLINK, ACCESS, AP_PORT)),
        exporter=pa.array(cols[6], pa.string()),
        device=pa.array(cols[7], pa.string()),
        site_name=pa.array(cols[8], pa.string()),
        if_name=pa.array(cols[9], pa.string()),
    )


@dataclass
class Sample:
    """What every sensor of the shard's devices says about one minute (times in ms)."""

    minute: int
    if_time_ms: I64  # per interface
    counters: npt.NDArray[np.uint64]  # per interface × COUNTERS, cumulative
    up: npt.NDArray[np.bool_]  # per interface
    speed_mbps: I64  # per interface, -1: not reported
    gw_time_ms: I64  # per site
    sw_time_ms: I64
    spu_cpu: I64  # per site, integer percent
    sessions: I64
    re_cpu: I64  # per site: gateway Routing Engine, integer percent
    re_mem_used: I64  # bytes of GW_MEMORY_BYTES
    re_temp: I64  # whole degrees Celsius
    sw_cpu: I64  # per site: switch Routing Engine
    sw_mem_used: I64
    sw_temp: I64
    tunnel_up: npt.NDArray[np.bool_]  # per WAN link of the shard
    rpm_links: I64  # WAN links whose interface is up (they run their probes)
    rpm_received: I64
    rpm_rtt_us: I64
    rpm_jitter_us: I64
    rpm_loss_pct: I64
    traps: list[Trap]  # linkDown/linkUp the devices send this minute


class DeviceTelemetry:
    """One minute of device telemetry for a shard; keeps the cumulative counters."""

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.seed = twin.world.seed
        self.ifs = _catalogue(twin)
        n = len(self.ifs.site)
        device_keys = [noise.purpose(str(d)) for d in self.ifs.device.to_pylist()]
        name_keys = [noise.purpose(str(x)) for x in self.ifs.if_name.to_pylist()]
        start = noise.bits(self.seed, np.array(device_keys), np.array(name_keys))
        self.counters = np.zeros((n, len(COUNTERS)), np.uint64)
        self.counters[:, :4] = (start % np.uint64(1 << 40) // np.uint64(4096))[:, None]
        self.previous: tuple[npt.NDArray[np.uint64], I64] | None = None  # counters, time
        self.last: Sample | None = None  # the latest minute's sample
        sites = twin.sites
        self.gw_exporter = pa.array([s.address(1, loopback=True) for s in sites])
        self.gw_device = pa.array([s.gateway for s in sites])
        self.sw_exporter = pa.array([s.address(2, loopback=True) for s in sites])
        self.sw_device = pa.array([s.switch for s in sites])
        self.site_names = pa.array([s.name for s in sites])
        self.gw_offset_ms = np.array([gateway_offset_ms(s.index) for s in sites], np.int64)
        self.local_address = pa.array([s.address(1) for s in sites])
        self.link_site = np.array([n for n, s in enumerate(sites) for _ in s.links], np.int64)
        self.link_slot = np.array([lk.index for s in sites for lk in s.links], np.int64)
        self.link_if = pa.array([lk.interface for s in sites for lk in s.links])
        self.link_tunnel = pa.array([lk.tunnel for s in sites for lk in s.links])
        self.link_test = pa.array([lk.profile.name for s in sites for lk in s.links])
        self.link_probe = pa.array([f"{RPM_OWNER}/{lk.profile.name}" for s in sites
                                    for lk in s.links])  # fmt: skip
        self.site_index = np.array([s.index for s in sites], np.int64)
        self.link_traps = LinkTraps(twin)

    # -- one minute of sensor values --------------------------------------------------------
    def sample(self, m: Minute) -> Sample:
        """Advance the counters by the minute and read every sensor (call once per minute)."""
        delta, up = self._deltas(m)
        self.counters += delta
        ifs = self.ifs
        access = ifs.kind == ACCESS
        duplex_bad = np.zeros(len(ifs.site), bool)
        duplex_bad[access] = m.port_duplex_bad[ifs.site[access], ifs.slot[access]]
        gw_ms = m.epoch_s * 1000 + self.gw_offset_ms
        s, k = self.link_site, self.link_slot
        running = np.flatnonzero(m.link_up[s, k])  # a down interface runs no probes
        rs, rk = s[running], k[running]
        u = noise.uniform(self.seed, noise.purpose("rpm"), self.site_index[rs], rk, m.minute)
        lost = np.minimum(RPM_PROBES, np.floor(RPM_PROBES * m.link_loss[rs, rk] / 100.0 + u))
        self.last = Sample(
            minute=m.minute,
            if_time_ms=m.epoch_s * 1000 + ifs.offset_ms,
            counters=self.counters.copy(),
            up=up,
            speed_mbps=np.where(duplex_bad, 100, ifs.speed_mbps),
            gw_time_ms=gw_ms,
            sw_time_ms=gw_ms + 5_000,
            spu_cpu=np.round(m.gw_cpu).astype(np.int64),
            sessions=m.gw_sessions.astype(np.int64),
            re_cpu=np.round(np.minimum(8.0 + 0.3 * m.gw_cpu, 100.0)).astype(np.int64),
            re_mem_used=np.round(GW_MEMORY_BYTES * np.clip(m.gw_mem, 0, 100) / 100).astype(
                np.int64
            ),
            re_temp=np.round(m.gw_temp).astype(np.int64),
            sw_cpu=np.full(len(gw_ms), SW_CPU_PCT, np.int64),
            sw_mem_used=np.full(len(gw_ms), round(SW_MEMORY_BYTES * SW_MEMORY_PCT / 100), np.int64),
            sw_temp=np.full(len(gw_ms), SW_TEMPERATURE_C, np.int64),
            tunnel_up=m.tunnel_up[s, k],
            rpm_links=running,
            rpm_received=(RPM_PROBES - lost).astype(np.int64),
            rpm_rtt_us=np.round(m.link_rtt[rs, rk] * 1000).astype(np.int64),
            rpm_jitter_us=np.round(m.link_jitter[rs, rk] * 1000).astype(np.int64),
            rpm_loss_pct=np.floor(lost * 100.0 / RPM_PROBES + 0.5).astype(np.int64),
            traps=self.link_traps.minute(m),
        )
        return self.last

    def _deltas(self, m: Minute) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
        t, ifs = self.twin, self.ifs
        n_sites = len(t.sites)
        c = m.active
        loc = t.c_local[c]
        updown = np.column_stack([m.bytes_up, m.bytes_down])
        per_site = np.zeros((n_sites, 2))
        np.add.at(per_site, loc, updown)
        ports = np.zeros((n_sites, t.max_ports, 2))
        wired = t.c_port[c] >= 0
        np.add.at(ports, (loc[wired], t.c_port[c][wired]), updown[wired])
        aps = np.zeros((n_sites, t.max_aps, 2))
        wifi = m.ap >= 0
        np.add.at(aps, (loc[wifi], m.ap[wifi]), updown[wifi])

        d = np.zeros((len(ifs.site), len(COUNTERS)))
        up = np.ones(len(ifs.site), bool)
        s, k = ifs.site, ifs.slot
        for kind in (WAN, WAN_PORT, TUNNEL):
            sel = ifs.kind == kind
            scale = 0.1 if kind == TUNNEL else 1.0
            o_in, o_out = m.octets_in[s[sel], k[sel]], m.octets_out[s[sel], k[sel]]
            d[sel, 0], d[sel, 1] = o_in * scale, o_out * scale
            d[sel, 2], d[sel, 3] = o_in / 900 * scale, o_out / 700 * scale
            if kind == WAN_PORT:  # errors and queue drops count on the port
                crc = m.crc_errors[s[sel], k[sel]]
                d[sel, 4], d[sel, 8] = crc, crc
                d[sel, 7] = m.discards[s[sel], k[sel]]
            if kind == TUNNEL:
                up[sel] = m.tunnel_up[s[sel], k[sel]]
            else:
                up[sel] = m.link_up[s[sel], k[sel]]
        for kind in (LAN, LAN_PORT):  # users' upload arrives on the LAN side, download leaves
            sel = ifs.kind == kind
            d[sel, 0], d[sel, 1] = per_site[s[sel], 0], per_site[s[sel], 1]
            d[sel, 2], d[sel, 3] = per_site[s[sel], 0] / 900, per_site[s[sel], 1] / 700
        sel = ifs.kind == UPLINK  # toward the gateway: users' upload leaves, download arrives
        d[sel, 0], d[sel, 1] = per_site[s[sel], 1], per_site[s[sel], 0]
        d[sel, 2], d[sel, 3] = per_site[s[sel], 1] / 900, per_site[s[sel], 0] / 700
        sel = ifs.kind == ACCESS
        up_b, dn_b = ports[s[sel], k[sel], 0], ports[s[sel], k[sel], 1]
        d[sel, 0], d[sel, 1] = up_b, dn_b
        d[sel, 2], d[sel, 3] = up_b / 700 + 30, dn_b / 900 + 30
        bad = m.port_duplex_bad[s[sel], k[sel]]
        crc = np.where(bad, np.round(d[sel, 2] * 0.03), 0.0)
        d[sel, 4], d[sel, 8] = crc, crc
        sel = ifs.kind == AP_PORT
        up_b, dn_b = aps[s[sel], k[sel], 0], aps[s[sel], k[sel], 1]
        d[sel, 0], d[sel, 1] = up_b, dn_b
        d[sel, 2], d[sel, 3] = up_b / 700 + 20, dn_b / 900 + 20
        up[sel] = m.ap_up[s[sel], k[sel]]
        return np.round(d).astype(np.uint64), up

    # -- lake mode: the rows the JTI collectors build -----------------------------------------
    def rows(self, m: Minute) -> dict[str, pa.Table]:
        return self.rows_of(self.sample(m))

    def rows_of(self, sample: Sample) -> dict[str, pa.Table]:
        health = pa.concat_tables([self._health(sample), self.re_health(sample)])
        out = {
            "interface_stats": self._interfaces(sample),
            "device_health": health,
            "sla_metrics": self._rpm(sample),
        }
        tunnels = self._tunnels(sample)
        if tunnels.num_rows:
            out["vpn_tunnels"] = tunnels
        traps = self.link_traps.rows(sample.traps)
        if traps is not None:
            out["device_events"] = traps
        return out

    def _interfaces(self, p: Sample) -> pa.Table:
        ifs = self.ifs
        rows = len(ifs.site)
        t_us = p.if_time_ms * 1000
        in_bps, out_bps = _rates(self.previous, p.counters, t_us)
        self.previous = (p.counters, t_us)
        cols: dict[str, pa.Array] = {
            "event_time": pa.array(t_us, TS),
            "received_at": pa.array(t_us, TS),
            "exporter": ifs.exporter,
            "device": ifs.device,
            "site": ifs.site_name,
            "source": _const(SOURCE, rows),
            "if_name": ifs.if_name,
            "if_index": pa.array(ifs.if_index),
            "oper_status": pa.array(np.where(p.up, "up", "down")),
            "admin_status": _const("up", rows),
            "speed_bps": pa.array(
                p.speed_mbps.astype(np.uint64) * np.uint64(US), mask=p.speed_mbps < 0
            ),
        }
        for i, name in enumerate(COUNTERS):
            mask = ifs.logical if i >= LOGICAL_COUNTERS else None
            cols[name] = pa.array(p.counters[:, i], mask=mask)
        cols["in_bps"] = in_bps
        cols["out_bps"] = out_bps
        cols["counter_reset"] = pa.array(np.zeros(rows, bool))
        return pa.table(cols, schema=INTERFACE_STATS.schema)

    def _health(self, p: Sample) -> pa.Table:
        """The SPU CPU row and the SPU flow row of every gateway."""
        n = len(self.twin.sites)
        t = pa.array(np.concatenate([p.gw_time_ms, p.gw_time_ms]) * 1000, TS)
        null_f, null_u = pa.nulls(n, pa.float64()), pa.nulls(n, pa.uint64())
        cols = {
            "event_time": t,
            "received_at": t,
            "exporter": pa.concat_arrays([self.gw_exporter, self.gw_exporter]),
            "device": pa.concat_arrays([self.gw_device, self.gw_device]),
            "site": pa.concat_arrays([self.site_names, self.site_names]),
            "source": _const(SOURCE, 2 * n),
            "component": pa.array(
                [f"SPU {SPU_NAME}/{SPU_CPU}"] * n + [f"SPU {SPU_NAME}"] * n, pa.string()
            ),
            "cpu_pct": pa.concat_arrays([pa.array(p.spu_cpu.astype(np.float64)), null_f]),
            "sessions_current": pa.concat_arrays([null_u, pa.array(p.sessions.astype(np.uint64))]),
        }
        return _filled(cols, 2 * n, DEVICE_HEALTH.schema)

    def re_health(self, p: Sample) -> pa.Table:
        """The Routing Engine rows of every gateway and switch (see the module docstring):
        per device, a CPU row, a memory row and a temperature row."""
        n = len(self.twin.sites)
        cat = np.concatenate
        t_us = cat([p.gw_time_ms, p.sw_time_ms]) * 1000
        physical = cat([np.full(n, GW_MEMORY_BYTES), np.full(n, SW_MEMORY_BYTES)])
        used = cat([p.re_mem_used, p.sw_mem_used]).astype(np.float64)
        per_device = {
            "cpu_pct": cat([p.re_cpu, p.sw_cpu]).astype(np.float64),
            "memory_pct": 100.0 * used / physical.astype(np.float64),
            "temperature_c": cat([p.re_temp, p.sw_temp]).astype(np.float64),
        }
        origin = {
            "event_time": pa.array(t_us, TS),
            "received_at": pa.array(t_us, TS),
            "exporter": pa.concat_arrays([self.gw_exporter, self.sw_exporter]),
            "device": pa.concat_arrays([self.gw_device, self.sw_device]),
            "site": pa.concat_arrays([self.site_names, self.site_names]),
            "source": _const(RE_SOURCE, 2 * n),
        }
        tables = []
        for column, values in per_device.items():
            name = RE_TEMPERATURE if column == "temperature_c" else RE_NAME
            cols = {**origin, "component": _const(name, 2 * n), column: pa.array(values)}
            tables.append(_filled(cols, 2 * n, DEVICE_HEALTH.schema))
        return pa.concat_tables(tables)

    def _tunnels(self, p: Sample) -> pa.Table:
        """One row per gateway with an IKE SA: every tunnel's SA has the hub as its peer."""
        any_up = np.zeros(len(self.twin.sites), bool)
        any_up[self.link_site[p.tunnel_up]] = True
        gw = np.flatnonzero(any_up)
        rows = len(gw)
        t = pa.array(p.gw_time_ms[gw] * 1000, TS)
        take = pa.array(gw)
        cols = {
            "event_time": t,
            "received_at": t,
            "exporter": self.gw_exporter.take(take),
            "device": self.gw_device.take(take),
            "site": self.site_names.take(take),
            "source": _const(SOURCE, rows),
            "remote_gateway": _const(HUB_IP, rows),
            "local_address": self.local_address.take(take),
            "ike_state": _const("up", rows),
            "fields": _kv(rows, [("exchange_type", IKE_EXCHANGE)]),
        }
        return _filled(cols, rows, VPN_TUNNELS.schema)

    def _rpm(self, p: Sample) -> pa.Table:
        s = self.link_site[p.rpm_links]
        rows = len(s)
        answered = p.rpm_received > 0
        t = pa.array(p.gw_time_ms[s] * 1000, TS)
        take, links = pa.array(s), pa.array(p.rpm_links)
        cols = {
            "event_time": t,
            "received_at": t,
            "exporter": self.gw_exporter.take(take),
            "device": self.gw_device.take(take),
            "site": self.site_names.take(take),
            "source": _const("rpm", rows),
            "probe": self.link_probe.take(links),
            "interface": self.link_if.take(links),
            "destination": _const(RPM_TARGET, rows),
            "rtt_ms": pa.array(p.rpm_rtt_us / 1000.0, mask=~answered),
            "jitter_ms": pa.array(p.rpm_jitter_us / 1000.0, mask=~answered),
            "loss_pct": pa.array(p.rpm_loss_pct.astype(np.float64)),
            "probes_sent": pa.array(np.full(rows, RPM_PROBES, np.uint32)),
            "probes_received": pa.array(p.rpm_received.astype(np.uint32)),
            "fields": _rpm_fields(self.link_test.take(links), rows),
        }
        return _filled(cols, rows, SLA_METRICS.schema)


# -- column helpers --------------------------------------------------------------------------
def _const(value: str, rows: int) -> pa.Array:
    return pa.array([value], pa.string()).take(pa.array(np.zeros(rows, np.int32)))


def _filled(cols: dict[str, pa.Array], rows: int, schema: pa.Schema) -> pa.Table:
    """A table of ``schema`` with ``cols``; every other column null."""
    arrays = [cols.get(f.name, pa.nulls(rows, f.type)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _kv(rows: int, pairs: list[tuple[str, str]]) -> pa.Array:
    """The same map on every row."""
    width = len(pairs)
    offsets = pa.array(np.arange(rows + 1, dtype=np.int32) * width)
    keys = pa.array([k for k, _ in pairs] * rows, pa.string())
    values = pa.array([v for _, v in pairs] * rows, pa.string())
    return pa.MapArray.from_arrays(offsets, keys, values, type=KV)


def _rpm_fields(tests: pa.Array, rows: int) -> pa.Array:
    """RPM ``fields`` as the collector fills them: owner, test name and the transport."""
    offsets = pa.array(np.arange(rows + 1, dtype=np.int32) * 3)
    keys = pa.array(["owner", "test_name", "via"] * rows, pa.string())
    idx = np.arange(rows * 3)
    values = np.empty(rows * 3, object)
    values[idx % 3 == 0] = RPM_OWNER
    values[idx % 3 == 1] = tests.to_numpy(zero_copy_only=False)
    values[idx % 3 == 2] = SOURCE
    return pa.MapArray.from_arrays(offsets, keys, pa.array(values, pa.string()), type=KV)


_EXACT = float(1 << 53)


def _rates(
    previous: tuple[npt.NDArray[np.uint64], I64] | None,
    counters: npt.NDArray[np.uint64],
    t_us: I64,
) -> tuple[pa.Array, pa.Array]:
    """``in_bps``/``out_bps`` as ``CounterRates`` derives them: octets × 10⁶ / elapsed µs × 8,
    none on the first sample. A quotient of integers is rounded once, as Python's ``/`` rounds
    it: exact in float64 while the numerator stays below 2⁵³, per value beyond."""
    rows = len(t_us)
    if previous is None:
        return pa.nulls(rows, pa.float64()), pa.nulls(rows, pa.float64())
    before, t_before = previous
    elapsed = t_us - t_before
    out = []
    for column in (0, 1):
        delta = (counters[:, column] - before[:, column]).astype(np.int64)
        numerator = delta.astype(np.float64) * 1e6
        rate = numerator / elapsed * 8
        for i in np.flatnonzero(numerator >= _EXACT):
            rate[i] = int(delta[i]) * 1_000_000 / int(elapsed[i]) * 8
        out.append(pa.array(rate))
    return out[0], out[1]


__all__ = ["DeviceTelemetry", "Interfaces", "Sample"]
