"""Device telemetry of the twin: interface counters, health, tunnels and RPM probes, vectorized.

Owns: the catalogue of every interface the shard's gateways and switches report (WAN links,
their st0 tunnels, the LAN side, switch uplink, access and AP ports), their cumulative device
counters, and one minute's ``interface_stats``, ``device_health``, ``vpn_tunnels`` and RPM
``sla_metrics`` rows as the JTI collector writes them (counters as reported, rates derived
beside them). One row per interface per minute, built with NumPy over the whole shard. Must not:
decide traffic (``physics``) or format syslog (``lines``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from assurance.sim import noise
from assurance.sim.physics import Minute, Twin
from assurance.sim.world import HUB_OCTETS, LAN_IF
from collectors.tables import DEVICE_HEALTH, INTERFACE_STATS, SLA_METRICS, VPN_TUNNELS

US = 1_000_000
TS = pa.timestamp("us", tz="UTC")
RPM_PROBES = 60  # one RPM probe per second per WAN link
SESSIONS_MAX = 256_000
HUB_IP = f"10.{HUB_OCTETS[0]}.{HUB_OCTETS[1]}.1"
SOURCE = "jti-grpc"
# interface kinds
WAN, TUNNEL, LAN, UPLINK, ACCESS, AP_PORT = range(6)
# counter columns, in this order
COUNTERS = (
    "in_octets", "out_octets", "in_pkts", "out_pkts", "in_errors", "out_errors",
    "in_discards", "out_discards", "in_crc_errors",
)  # fmt: skip


@dataclass(frozen=True)
class Interfaces:
    """Every reported interface of the shard as parallel arrays."""

    site: npt.NDArray[np.int64]  # shard-local site
    kind: npt.NDArray[np.int64]
    slot: npt.NDArray[np.int64]  # link, port or AP number
    if_index: npt.NDArray[np.uint32]
    speed: npt.NDArray[np.float64]  # NaN: not reported
    offset_us: npt.NDArray[np.int64]  # sample time within the minute
    exporter: pa.Array
    device: pa.Array
    site_name: pa.Array
    if_name: pa.Array


def _catalogue(twin: Twin) -> Interfaces:
    rows: list[tuple[int, int, int, int, float, int, str, str, str, str]] = []
    for n, site in enumerate(twin.sites):
        gw_ip, sw_ip = site.address(1, loopback=True), site.address(2, loopback=True)
        gw_us = 20 * US + (site.index % 997) * 1000
        sw_us = gw_us + 5 * US
        gw = (gw_ip, site.gateway, site.name)
        sw = (sw_ip, site.switch, site.name)
        for link in site.links:
            speed = max(link.profile.down_mbps, link.profile.up_mbps) * 1e6
            rows.append((n, WAN, link.index, link.if_index, speed, gw_us, *gw, link.interface))
        for link in site.links:
            rows.append((n, TUNNEL, link.index, link.tunnel_if_index, np.nan, gw_us, *gw,
                         link.tunnel))  # fmt: skip
        rows.append((n, LAN, 0, LAN_IF[1], 1e9, gw_us, *gw, LAN_IF[0]))
        rows.append((n, UPLINK, 0, 600, 1e9, sw_us, *sw, "ge-0/1/0"))
        ports = site.profile.access_ports
        for p in range(ports):
            rows.append((n, ACCESS, p, 501 + p, 1e9, sw_us, *sw, site.access_port(p)))
        for a in range(site.profile.aps):
            rows.append((n, AP_PORT, a, 501 + ports + a, 1e9, sw_us, *sw, site.ap_port(a)))
    cols = list(zip(*rows, strict=True))
    return Interfaces(
        site=np.array(cols[0], np.int64),
        kind=np.array(cols[1], np.int64),
        slot=np.array(cols[2], np.int64),
        if_index=np.array(cols[3], np.uint32),
        speed=np.array(cols[4], np.float64),
        offset_us=np.array(cols[5], np.int64),
        exporter=pa.array(cols[6], pa.string()),
        device=pa.array(cols[7], pa.string()),
        site_name=pa.array(cols[8], pa.string()),
        if_name=pa.array(cols[9], pa.string()),
    )


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
        self.counters = np.zeros((n, len(COUNTERS)))
        self.counters[:, :4] = (start % np.uint64(1 << 40) // np.uint64(4096)).astype(float)[
            :, None
        ]
        self.sampled = False
        sites = twin.sites
        self.gw_exporter = pa.array([s.address(1, loopback=True) for s in sites])
        self.gw_device = pa.array([s.gateway for s in sites])
        self.sw_exporter = pa.array([s.address(2, loopback=True) for s in sites])
        self.sw_device = pa.array([s.switch for s in sites])
        self.site_names = pa.array([s.name for s in sites])
        self.gw_offset_us = np.array([20 * US + (s.index % 997) * 1000 for s in sites], np.int64)
        self.local_address = pa.array([s.address(1) for s in sites])
        self.link_site = np.array([n for n, s in enumerate(sites) for _ in s.links], np.int64)
        self.link_slot = np.array([lk.index for s in sites for lk in s.links], np.int64)
        self.link_if = pa.array([lk.interface for s in sites for lk in s.links])
        self.link_tunnel = pa.array([lk.tunnel for s in sites for lk in s.links])
        self.link_probe = pa.array([f"wan-{lk.profile.name}" for s in sites for lk in s.links])
        self.site_index = np.array([s.index for s in sites], np.int64)

    def rows(self, m: Minute) -> dict[str, pa.Table]:
        return {
            "interface_stats": self._interfaces(m),
            "device_health": self._health(m),
            "vpn_tunnels": self._tunnels(m),
            "sla_metrics": self._rpm(m),
        }

    # -- interfaces --------------------------------------------------------------------------
    def _deltas(self, m: Minute) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
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
        for kind in (WAN, TUNNEL):
            sel = ifs.kind == kind
            scale = 1.0 if kind == WAN else 0.1
            o_in, o_out = m.octets_in[s[sel], k[sel]], m.octets_out[s[sel], k[sel]]
            d[sel, 0], d[sel, 1] = o_in * scale, o_out * scale
            d[sel, 2], d[sel, 3] = o_in / 900 * scale, o_out / 700 * scale
            if kind == WAN:
                crc = m.crc_errors[s[sel], k[sel]]
                d[sel, 4], d[sel, 8] = crc, crc
                d[sel, 7] = m.discards[s[sel], k[sel]]
                up[sel] = m.link_up[s[sel], k[sel]]
            else:
                up[sel] = m.tunnel_up[s[sel], k[sel]]
        sel = ifs.kind == LAN  # users' upload arrives on the LAN side, download leaves it
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
        return np.round(d), up

    def _interfaces(self, m: Minute) -> pa.Table:
        ifs = self.ifs
        delta, up = self._deltas(m)
        self.counters += delta
        rows = len(ifs.site)
        access = ifs.kind == ACCESS
        duplex_bad = np.zeros(rows, bool)
        duplex_bad[access] = m.port_duplex_bad[ifs.site[access], ifs.slot[access]]
        speed = np.where(duplex_bad, 1e8, ifs.speed)
        rate_valid = np.full(rows, self.sampled)
        self.sampled = True
        cols: dict[str, pa.Array] = {
            "event_time": pa.array(m.epoch_s * US + ifs.offset_us, TS),
            "received_at": pa.array(m.epoch_s * US + ifs.offset_us, TS),
            "exporter": ifs.exporter,
            "device": ifs.device,
            "site": ifs.site_name,
            "source": pa.array([SOURCE] * rows, pa.string()),
            "if_name": ifs.if_name,
            "if_index": pa.array(ifs.if_index),
            "oper_status": pa.array(np.where(up, "up", "down")),
            "admin_status": pa.array(["up"] * rows, pa.string()),
            "speed_bps": pa.array(speed, pa.float64(), mask=np.isnan(speed)).cast(pa.uint64()),
        }
        for i, name in enumerate(COUNTERS):
            cols[name] = pa.array(self.counters[:, i].astype(np.uint64))
        cols["in_bps"] = pa.array(delta[:, 0] * 8 / 60, pa.float64(), mask=~rate_valid)
        cols["out_bps"] = pa.array(delta[:, 1] * 8 / 60, pa.float64(), mask=~rate_valid)
        cols["counter_reset"] = pa.array(np.zeros(rows, bool))
        return pa.table(cols, schema=INTERFACE_STATS.schema)

    # -- health, tunnels, probes ------------------------------------------------------------
    def _health(self, m: Minute) -> pa.Table:
        n = len(self.twin.sites)
        re_cpu = np.minimum(100.0, 8.0 + 0.3 * m.gw_cpu)
        t = m.epoch_s * US + self.gw_offset_us
        cat = np.concatenate

        def rep(value: object, count: int, kind: pa.DataType) -> pa.Array:
            return pa.array([value] * count, kind)

        sessions = m.gw_sessions.astype(np.uint64)
        cols = {
            "event_time": pa.array(cat([t, t, t + 5 * US]), TS),
            "received_at": pa.array(cat([t, t, t + 5 * US]), TS),
            "exporter": pa.concat_arrays([self.gw_exporter, self.gw_exporter, self.sw_exporter]),
            "device": pa.concat_arrays([self.gw_device, self.gw_device, self.sw_device]),
            "site": pa.concat_arrays([self.site_names] * 3),
            "source": rep(SOURCE, 3 * n, pa.string()),
            "component": pa.array(["Routing Engine"] * n + ["SPU 0"] * n + ["Routing Engine"] * n),
            "cpu_pct": pa.array(np.round(cat([re_cpu, m.gw_cpu, np.full(n, 11.0)]), 1)),
            "memory_pct": pa.array(
                np.round(cat([m.gw_mem, np.full(n, 38.0), np.full(n, 41.0)]), 1)
            ),
            "temperature_c": pa.array(
                cat([np.round(m.gw_temp, 1), np.full(n, np.nan), np.full(n, 39.0)]),
                mask=cat([np.zeros(n, bool), np.ones(n, bool), np.zeros(n, bool)]),
            ),
            "power_status": rep(None, 3 * n, pa.string()),
            "sessions_current": pa.concat_arrays(
                [pa.nulls(n, pa.uint64()), pa.array(sessions), pa.nulls(n, pa.uint64())]
            ),
            "sessions_max": pa.concat_arrays(
                [
                    pa.nulls(n, pa.uint64()),
                    pa.array(np.full(n, SESSIONS_MAX, np.uint64)),
                    pa.nulls(n, pa.uint64()),
                ]
            ),
            "uptime_s": pa.array(
                cat([np.full(2 * n, 86400 * 30), np.full(n, 86400 * 60)]) + m.minute * 60,
                pa.uint64(),
            ),
            "status": rep("ok", 3 * n, pa.string()),
        }
        return pa.table(cols, schema=DEVICE_HEALTH.schema)

    def _tunnels(self, m: Minute) -> pa.Table:
        s, k = self.link_site, self.link_slot
        rows = len(s)
        t = m.epoch_s * US + self.gw_offset_us[s]
        state = pa.array(np.where(m.tunnel_up[s, k], "up", "down"))
        take = pa.array(s)
        cols = {
            "event_time": pa.array(t, TS),
            "received_at": pa.array(t, TS),
            "exporter": self.gw_exporter.take(take),
            "device": self.gw_device.take(take),
            "site": self.site_names.take(take),
            "source": pa.array([SOURCE] * rows, pa.string()),
            "tunnel": self.link_tunnel,
            "remote_gateway": pa.array([HUB_IP] * rows, pa.string()),
            "local_address": self.local_address.take(take),
            "ike_state": state,
            "ipsec_state": state,
        }
        for name in ("uptime_s", "in_octets", "out_octets", "in_pkts", "out_pkts", "fields"):
            cols[name] = pa.nulls(rows, VPN_TUNNELS.column(name).type)
        return pa.table(cols, schema=VPN_TUNNELS.schema)

    def _rpm(self, m: Minute) -> pa.Table:
        s, k = self.link_site, self.link_slot
        running = np.flatnonzero(m.link_up[s, k])  # a down interface runs no probes
        s, k = s[running], k[running]
        rows = len(s)
        u = noise.uniform(self.seed, noise.purpose("rpm"), self.site_index[s], k, m.minute)
        lost = np.minimum(RPM_PROBES, np.floor(RPM_PROBES * m.link_loss[s, k] / 100.0 + u))
        received = RPM_PROBES - lost
        answered = received > 0
        t = m.epoch_s * US + self.gw_offset_us[s]
        take = pa.array(s)
        cols = {
            "event_time": pa.array(t, TS),
            "received_at": pa.array(t, TS),
            "exporter": self.gw_exporter.take(take),
            "device": self.gw_device.take(take),
            "site": self.site_names.take(take),
            "source": pa.array(["rpm"] * rows, pa.string()),
            "probe": self.link_probe.take(pa.array(running)),
            "application": pa.nulls(rows, pa.string()),
            "interface": self.link_if.take(pa.array(running)),
            "path": pa.nulls(rows, pa.string()),
            "destination": pa.array(["192.0.2.53"] * rows, pa.string()),
            "rtt_ms": pa.array(np.round(m.link_rtt[s, k], 3), mask=~answered),
            "jitter_ms": pa.array(np.round(m.link_jitter[s, k], 3), mask=~answered),
            "loss_pct": pa.array(np.round(lost * 100.0 / RPM_PROBES, 3)),
            "probes_sent": pa.array(np.full(rows, RPM_PROBES, np.uint32)),
            "probes_received": pa.array(received.astype(np.uint32)),
            "violation": pa.nulls(rows, pa.bool_()),
            "violated_metric": pa.nulls(rows, pa.string()),
            "fields": pa.nulls(rows, SLA_METRICS.column("fields").type),
        }
        return pa.table(cols, schema=SLA_METRICS.schema)


__all__ = ["DeviceTelemetry"]
