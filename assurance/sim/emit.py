"""What the twin's devices report about a minute: Arrow rows for telemetry-fed tables and the
syslog lines the devices send.

Owns: turning a ``physics.Minute`` into (a) ``flows`` rows as the flow collector decodes an
SRX IPFIX export with the ``jflow.SRX_IPV4_FIELDS`` template, (b) ``interface_stats``,
``device_health``, ``vpn_tunnels`` and RPM ``sla_metrics`` rows as the telemetry collectors
write them (counters as cumulative device counters, rates derived beside them), and (c) the
syslog lines SRX, EX and AP send (RT_FLOW session closes, AppQoE passive SLA reports, Wi-Fi
client lines, EX 802.1X, link/VPN/LLDP events), which lake mode parses with the real syslog
parser so that both modes give the same rows. Cumulative counters and flow sequence numbers are
the only state. Must not: do I/O, or decide anything about traffic (``physics`` does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from assurance.sim import noise
from assurance.sim.physics import NO_LINK, Minute, Twin
from assurance.sim.world import HUB_OCTETS, LAN_IF, Site
from collectors.tables import (
    DEVICE_HEALTH,
    FLOWS,
    INTERFACE_STATS,
    SLA_METRICS,
    VPN_TUNNELS,
)

US = 1_000_000
TS = pa.timestamp("us", tz="UTC")
RECORDS_PER_DATAGRAM = 18  # SRX_IPV4_FIELDS records that fit a 1400-byte IPFIX message
IPFIX_TEMPLATE_ID = 256
RPM_PROBES = 60  # one RPM probe per second per WAN link
SESSIONS_MAX = 256_000
HUB_IP = f"10.{HUB_OCTETS[0]}.{HUB_OCTETS[1]}.1"
P_PORT, P_SERVER, P_SAMPLE = noise.purpose("sport"), noise.purpose("server"), noise.purpose("t")
STRUCTURED_ID = "junos@2636.1.1.1.2.129"


@dataclass
class SyslogOut:
    """Lines one device sent in a minute, with the loopback address it sends from."""

    sender: str
    lines: list[bytes]


def _ts(us: npt.NDArray[np.int64] | int, n: int | None = None) -> pa.Array:
    values = np.full(n, us, np.int64) if n is not None else np.asarray(us, np.int64)
    return pa.array(values, TS)


def _iso(us: int) -> str:
    sec, frac = divmod(us, US)
    t = np.datetime64(sec, "s").astype(str)
    return f"{t}.{frac // 1000:03d}Z"


class Emitter:
    """Turns minutes of one ``Twin`` into rows and lines; keeps device counters."""

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.world = twin.world
        self.seed = twin.world.seed
        self.flow_records = np.zeros(len(twin.sites), np.int64)  # IPFIX sequence per gateway
        self.counters: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
        self.last_sample: dict[tuple[str, str], tuple[int, float, float]] = {}
        self.prev_link_up = twin.has_link.copy()
        self.prev_tunnel_up = twin.has_link.copy()
        self.prev_ap_up = np.ones((len(twin.sites), twin.max_aps), bool)
        servers = []
        for app in self.world.apps:
            base, bits = app.server_prefix.split("/")
            a, b, c, d = (int(x) for x in base.split("."))
            servers.append(((a << 24) | (b << 16) | (c << 8) | d, 32 - int(bits)))
        self.server_base = np.array([s[0] for s in servers], np.int64)
        self.server_span = np.array([1 << min(s[1], 16) for s in servers], np.int64)
        self.app_port = np.array([a.port for a in self.world.apps], np.int64)
        self.app_proto = np.array([6 if a.protocol == "tcp" else 17 for a in self.world.apps])

    # -- flows -------------------------------------------------------------------------------
    def flows(self, m: Minute) -> pa.Table:
        """One upload and one download record per user-minute with a path, as exported at the
        end of the minute (active timeout 60 s), grouped by gateway in export order."""
        t = self.twin
        keep = np.flatnonzero(m.link != NO_LINK)
        if not len(keep):
            return FLOWS.schema.empty_table()
        c = m.active[keep]
        loc, site, num = t.c_local[c], t.c_site[c], t.c_num[c]
        order = np.argsort(loc, kind="stable")
        keep, c, loc, site, num = keep[order], c[order], loc[order], site[order], num[order]
        app, link = m.app[keep], m.link[keep]
        n = len(keep)
        client = self._client_ip_int(site, num)
        server = (
            self.server_base[app]
            + 1
            + (
                noise.bits(self.seed, P_SERVER, site, num, m.minute // 5).astype(np.int64)
                % (self.server_span[app] - 2)
            )
        )
        sport = 1024 + (noise.bits(self.seed, P_PORT, site, num, m.minute // 5) % 60000).astype(
            np.int64
        )
        rate = self.world.scenario.sampling_rate
        up_b = np.floor(m.bytes_up[keep] / rate).astype(np.int64)
        dn_b = np.floor(m.bytes_down[keep] / rate).astype(np.int64)
        up_p = np.maximum(1, up_b // 600)
        dn_p = np.where(dn_b > 0, np.maximum(1, dn_b // 1200), 0)
        wan_if = 510 + link
        both = np.concatenate
        # records interleaved per user: upload then download
        src = both([client, server])
        dst = both([server, client])
        sp = both([sport, self.app_port[app]])
        dp = both([self.app_port[app], sport])
        nbytes = both([up_b, dn_b])
        npkts = both([up_p, dn_p])
        in_if = both([np.full(n, LAN_IF[1]), wan_if])
        out_if = both([wan_if, np.full(n, LAN_IF[1])])
        direction = both([np.ones(n, np.int64), np.zeros(n, np.int64)])
        gw = both([loc, loc])
        idx = np.argsort(np.concatenate([np.arange(n) * 2, np.arange(n) * 2 + 1]), kind="stable")
        keep_rec = nbytes[idx] > 0
        idx = idx[keep_rec]
        gw = gw[idx]
        proto = both([self.app_proto[app], self.app_proto[app]])[idx]
        end_us = (m.epoch_s + 60) * US - 1000 * (1 + both([num, num])[idx] % 500)
        start_us = np.full(len(idx), m.epoch_s * US)
        # IPFIX sequence: records exported by the gateway before this record's message
        counts = np.bincount(gw, minlength=len(t.sites))
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.arange(len(idx)) - first[gw]
        seq = self.flow_records[gw] + (rank // RECORDS_PER_DATAGRAM) * RECORDS_PER_DATAGRAM
        self.flow_records += counts
        sites = [t.sites[int(i)] for i in range(len(t.sites))]
        exporter = pa.array([s.address(1, loopback=True) for s in sites]).take(pa.array(gw))
        device = pa.array([s.gateway for s in sites]).take(pa.array(gw))
        site_name = pa.array([s.name for s in sites]).take(pa.array(gw))
        rows = len(idx)
        srcs, dsts = src[idx], dst[idx]
        raw_b, raw_p = nbytes[idx], npkts[idx]
        cols = {
            "event_time": _ts(end_us // 1000 * 1000),
            "received_at": _ts((m.epoch_s + 60) * US, rows),
            "exporter": exporter,
            "device": device,
            "site": site_name,
            "version": pa.array(np.full(rows, 10, np.uint8)),
            "observation_domain": pa.array(np.zeros(rows, np.uint32)),
            "template_id": pa.array(np.full(rows, IPFIX_TEMPLATE_ID, np.uint16)),
            "sequence": pa.array(seq.astype(np.uint32)),
            "export_time": _ts((m.epoch_s + 60) * US, rows),
            "start_time": _ts(start_us),
            "end_time": _ts(end_us // 1000 * 1000),
            "ip_version": pa.array(np.full(rows, 4, np.uint8)),
            "src_addr": _ip_text(srcs),
            "dst_addr": _ip_text(dsts),
            "src_port": pa.array(sp[idx].astype(np.uint16)),
            "dst_port": pa.array(dp[idx].astype(np.uint16)),
            "protocol": pa.array(proto.astype(np.uint8)),
            "tos": pa.array(np.zeros(rows, np.uint8)),
            "tcp_flags": pa.array(np.where(proto == 6, 0x18, 0).astype(np.uint16)),
            "bytes": pa.array(raw_b.astype(np.uint64)),
            "packets": pa.array(raw_p.astype(np.uint64)),
            "bytes_scaled": pa.array((raw_b * rate).astype(np.uint64)),
            "packets_scaled": pa.array((raw_p * rate).astype(np.uint64)),
            "sampling_rate": pa.nulls(rows, pa.uint32()),
            "in_if": pa.array(in_if[idx].astype(np.uint32)),
            "out_if": pa.array(out_if[idx].astype(np.uint32)),
            "next_hop": pa.nulls(rows, pa.string()),
            "src_as": pa.nulls(rows, pa.uint32()),
            "dst_as": pa.nulls(rows, pa.uint32()),
            "src_mask": pa.nulls(rows, pa.uint8()),
            "dst_mask": pa.nulls(rows, pa.uint8()),
            "direction": pa.array(direction[idx].astype(np.uint8)),
            "vlan_id": pa.nulls(rows, pa.uint16()),
            "extra": pa.nulls(rows, FLOWS.column("extra").type),
        }
        return pa.table(cols, schema=FLOWS.schema)

    def _client_ip_int(
        self, site: npt.NDArray[np.int64], num: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        return (10 << 24) | ((16 + site // 256) << 16) | ((site % 256) << 8) | (100 + num)

    # -- interface counters, health, tunnels, probes ---------------------------------------
    def telemetry(self, m: Minute) -> dict[str, pa.Table]:
        t = self.twin
        ifs: dict[str, list[object]] = {k: [] for k in _IF_COLS}
        health: dict[str, list[object]] = {k: [] for k in _HEALTH_COLS}
        vpn: dict[str, list[object]] = {k: [] for k in _VPN_COLS}
        rpm: dict[str, list[object]] = {k: [] for k in _RPM_COLS}
        per_port = self._port_traffic(m)
        for n, site in enumerate(t.sites):
            gw_ip = site.address(1, loopback=True)
            sample_us = (m.epoch_s + 20) * US + (site.index % 997) * 1000
            for link in site.links:
                k = link.index
                up = bool(m.link_up[n, k])
                pkts_in = m.octets_in[n, k] / 900.0
                pkts_out = m.octets_out[n, k] / 700.0
                delta = (
                    m.octets_in[n, k],
                    m.octets_out[n, k],
                    pkts_in,
                    pkts_out,
                    m.crc_errors[n, k],
                    0.0,
                    0.0,
                    m.discards[n, k],
                    m.crc_errors[n, k],
                )
                speed = int(max(link.profile.down_mbps, link.profile.up_mbps) * 1e6)
                self._if_row(
                    ifs,
                    site,
                    gw_ip,
                    site.gateway,
                    link.interface,
                    link.if_index,
                    up,
                    speed,
                    delta,
                    sample_us,
                )
                tun_up = bool(m.tunnel_up[n, k])
                tdelta = (
                    m.octets_in[n, k] * 0.1,
                    m.octets_out[n, k] * 0.1,
                    pkts_in * 0.1,
                    pkts_out * 0.1,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                )
                self._if_row(
                    ifs,
                    site,
                    gw_ip,
                    site.gateway,
                    link.tunnel,
                    link.tunnel_if_index,
                    tun_up,
                    None,
                    tdelta,
                    sample_us,
                )
                self._vpn_row(vpn, site, gw_ip, link.tunnel, tun_up, sample_us, m.minute)
                self._rpm_row(
                    rpm, m, n, site, gw_ip, link.profile.name, link.interface, k, sample_us
                )
            lan = per_port["lan"][n]
            self._if_row(
                ifs,
                site,
                gw_ip,
                site.gateway,
                LAN_IF[0],
                LAN_IF[1],
                True,
                10**9,
                (lan[1], lan[0], lan[1] / 900, lan[0] / 700, 0, 0, 0, 0, 0),
                sample_us,
            )
            spu_cpu = float(m.gw_cpu[n])
            re_cpu = min(100.0, 8.0 + 0.3 * spu_cpu)
            for component, cpu, mem, temp, sess in (
                ("Routing Engine", re_cpu, float(m.gw_mem[n]), float(m.gw_temp[n]), None),
                ("SPU 0", spu_cpu, 38.0, None, int(m.gw_sessions[n])),
            ):
                _append(
                    health,
                    self._origin(site, gw_ip, site.gateway, sample_us),
                    {
                        "source": "jti-grpc",
                        "component": component,
                        "cpu_pct": round(cpu, 1),
                        "memory_pct": round(mem, 1),
                        "temperature_c": None if temp is None else round(temp, 1),
                        "power_status": None,
                        "sessions_current": sess,
                        "sessions_max": SESSIONS_MAX if sess is not None else None,
                        "uptime_s": 86400 * 30 + m.minute * 60,
                        "status": "ok",
                    },
                )
            sw_ip = site.address(2, loopback=True)
            sw_us = sample_us + 5 * US
            self._switch_rows(ifs, health, m, n, site, sw_ip, sw_us, per_port)
        return {
            "interface_stats": _table(INTERFACE_STATS.schema, ifs),
            "device_health": _table(DEVICE_HEALTH.schema, health),
            "vpn_tunnels": _table(VPN_TUNNELS.schema, vpn),
            "sla_metrics": _table(SLA_METRICS.schema, rpm),
        }

    def _switch_rows(
        self,
        ifs: dict[str, list[object]],
        health: dict[str, list[object]],
        m: Minute,
        n: int,
        site: Site,
        sw_ip: str,
        sample_us: int,
        per_port: dict[str, list[npt.NDArray[np.float64]]],
    ) -> None:
        profile = site.profile
        ports = per_port["port"][n]
        aps = per_port["ap"][n]
        total_in = float(ports[:, 0].sum() + aps[:, 0].sum())
        total_out = float(ports[:, 1].sum() + aps[:, 1].sum())
        self._if_row(
            ifs,
            site,
            sw_ip,
            site.switch,
            "ge-0/1/0",
            600,
            True,
            10**9,
            (total_out, total_in, total_out / 900, total_in / 700, 0, 0, 0, 0, 0),
            sample_us,
        )
        for p in range(profile.access_ports):
            up_b, dn_b = float(ports[p, 0]), float(ports[p, 1])
            bad = bool(m.port_duplex_bad[n, p])
            pk_in, pk_out = up_b / 700 + 30, dn_b / 900 + 30
            crc = round(pk_in * 0.03) if bad else 0
            self._if_row(
                ifs,
                site,
                sw_ip,
                site.switch,
                site.access_port(p),
                501 + p,
                True,
                10**8 if bad else 10**9,
                (up_b, dn_b, pk_in, pk_out, crc, 0, 0, 0, crc),
                sample_us,
            )
        for a in range(profile.aps):
            up_b, dn_b = float(aps[a, 0]), float(aps[a, 1])
            ap_up = bool(m.ap_up[n, a])
            self._if_row(
                ifs,
                site,
                sw_ip,
                site.switch,
                site.ap_port(a),
                501 + profile.access_ports + a,
                ap_up,
                10**9,
                (up_b, dn_b, up_b / 700 + 20, dn_b / 900 + 20, 0, 0, 0, 0, 0),
                sample_us,
            )
        _append(
            health,
            self._origin(site, sw_ip, site.switch, sample_us),
            {
                "source": "jti-grpc",
                "component": "Routing Engine",
                "cpu_pct": 11.0,
                "memory_pct": 41.0,
                "temperature_c": 39.0,
                "power_status": None,
                "sessions_current": None,
                "sessions_max": None,
                "uptime_s": 86400 * 60 + m.minute * 60,
                "status": "ok",
            },
        )

    def _port_traffic(self, m: Minute) -> dict[str, list[npt.NDArray[np.float64]]]:
        """Bytes (up, down) per access port, per AP port and through the gateway LAN side."""
        t = self.twin
        c = m.active
        loc = t.c_local[c]
        port = t.c_port[c]
        out: dict[str, list[npt.NDArray[np.float64]]] = {"port": [], "ap": [], "lan": []}
        for n in range(len(t.sites)):
            mine = loc == n
            ports = np.zeros((t.max_ports, 2))
            wired = mine & (port >= 0)
            np.add.at(ports, port[wired], np.column_stack([m.bytes_up[wired], m.bytes_down[wired]]))
            aps = np.zeros((t.max_aps, 2))
            wl = mine & (m.ap >= 0)
            np.add.at(aps, m.ap[wl], np.column_stack([m.bytes_up[wl], m.bytes_down[wl]]))
            out["port"].append(ports)
            out["ap"].append(aps)
            out["lan"].append(np.array([m.bytes_up[mine].sum(), m.bytes_down[mine].sum()]))
        return out

    def _origin(self, site: Site, ip: str, device: str, us: int) -> dict[str, object]:
        return {
            "event_time": us,
            "received_at": us,
            "exporter": ip,
            "device": device,
            "site": site.name,
        }

    def _if_row(
        self,
        ifs: dict[str, list[object]],
        site: Site,
        ip: str,
        device: str,
        name: str,
        if_index: int,
        up: bool,
        speed: int | None,
        delta: tuple[float, ...],
        us: int,
    ) -> None:
        key = (device, name)
        counters = self.counters.get(key)
        if counters is None:
            start = noise.bits(self.seed, noise.purpose(device), noise.purpose(name)) % (1 << 40)
            counters = np.full(9, float(start // 4096))
            counters[4:] = 0.0
            self.counters[key] = counters
        counters += np.round(np.asarray(delta, float))
        prev = self.last_sample.get(key)
        in_bps = out_bps = None
        if prev is not None:
            dt = (us - prev[0]) / US
            in_bps = (counters[0] - prev[1]) * 8 / dt
            out_bps = (counters[1] - prev[2]) * 8 / dt
        self.last_sample[key] = (us, float(counters[0]), float(counters[1]))
        _append(
            ifs,
            self._origin(site, ip, device, us),
            {
                "source": "jti-grpc",
                "if_name": name,
                "if_index": if_index,
                "oper_status": "up" if up else "down",
                "admin_status": "up",
                "speed_bps": speed,
                "in_octets": int(counters[0]),
                "out_octets": int(counters[1]),
                "in_pkts": int(counters[2]),
                "out_pkts": int(counters[3]),
                "in_errors": int(counters[4]),
                "out_errors": int(counters[5]),
                "in_discards": int(counters[6]),
                "out_discards": int(counters[7]),
                "in_crc_errors": int(counters[8]),
                "in_bps": in_bps,
                "out_bps": out_bps,
                "counter_reset": False,
            },
        )

    def _vpn_row(
        self,
        vpn: dict[str, list[object]],
        site: Site,
        ip: str,
        tunnel: str,
        up: bool,
        us: int,
        minute: int,
    ) -> None:
        state = "up" if up else "down"
        _append(
            vpn,
            self._origin(site, ip, site.gateway, us),
            {
                "source": "jti-grpc",
                "tunnel": tunnel,
                "remote_gateway": HUB_IP,
                "local_address": site.address(1),
                "ike_state": state,
                "ipsec_state": state,
                "uptime_s": None,
                "in_octets": None,
                "out_octets": None,
                "in_pkts": None,
                "out_pkts": None,
                "fields": None,
            },
        )

    def _rpm_row(
        self,
        rpm: dict[str, list[object]],
        m: Minute,
        n: int,
        site: Site,
        ip: str,
        link_name: str,
        interface: str,
        k: int,
        us: int,
    ) -> None:
        if not m.link_up[n, k]:
            return  # a down interface runs no probes
        loss = float(m.link_loss[n, k])
        u = float(noise.uniform(self.seed, noise.purpose("rpm"), site.index, k, m.minute))
        lost = min(RPM_PROBES, int(np.floor(RPM_PROBES * loss / 100.0 + u)))
        received = RPM_PROBES - lost
        _append(
            rpm,
            self._origin(site, ip, site.gateway, us),
            {
                "source": "rpm",
                "probe": f"wan-{link_name}",
                "application": None,
                "interface": interface,
                "path": None,
                "destination": "192.0.2.53",
                "rtt_ms": round(float(m.link_rtt[n, k]), 3) if received else None,
                "jitter_ms": round(float(m.link_jitter[n, k]), 3) if received else None,
                "loss_pct": round(lost * 100.0 / RPM_PROBES, 3),
                "probes_sent": RPM_PROBES,
                "probes_received": received,
                "violation": None,
                "violated_metric": None,
                "fields": None,
            },
        )

    # -- syslog --------------------------------------------------------------------------------
    def syslog(self, m: Minute) -> list[SyslogOut]:
        """Every syslog line of the minute, per sending device."""
        by_sender: dict[str, list[bytes]] = {}
        self._sessions(m, by_sender)
        self._appqoe(m, by_sender)
        self._clients(m, by_sender)
        self._device_events(m, by_sender)
        return [SyslogOut(sender, lines) for sender, lines in by_sender.items()]

    def _sessions(self, m: Minute, out: dict[str, list[bytes]]) -> None:
        t = self.twin
        ends = np.flatnonzero(m.session_end & (m.link != NO_LINK))
        apps = self.world.apps
        for i in ends:
            c = int(m.active[i])
            n, num, s = int(t.c_local[c]), int(t.c_num[c]), int(t.c_site[c])
            site = t.sites[n]
            app = apps[int(m.app[i])]
            link = site.links[int(m.link[i])]
            block = m.minute // 5
            client = self.world.client_ip(s, num)
            server = _ip_str(
                int(
                    self.server_base[m.app[i]]
                    + 1
                    + int(noise.bits(self.seed, P_SERVER, s, num, block))
                    % int(self.server_span[m.app[i]] - 2)
                )
            )
            sport = 1024 + int(noise.bits(self.seed, P_PORT, s, num, block)) % 60000
            minutes = m.minute % 5 + 1
            up_b = int(m.bytes_up[i] * minutes)
            dn_b = int(m.bytes_down[i] * minutes)
            reason = (
                ("TCP RST" if app.protocol == "tcp" else "unset")
                if m.reset[i]
                else ("TCP FIN" if app.protocol == "tcp" else "idle Timeout")
            )
            proto = 6 if app.protocol == "tcp" else 17
            sid = int(noise.bits(self.seed, noise.purpose("sid"), s, num, m.minute)) % 4_000_000_000
            when = _iso((m.epoch_s + 59) * US)
            nested = app.nested or "UNKNOWN"
            params = (
                f'reason="{reason}" source-address="{client}" source-port="{sport}" '
                f'destination-address="{server}" destination-port="{app.port}" '
                f'service-name="junos-{app.protocol}-any" protocol-id="{proto}" '
                f'policy-name="lan-to-internet" source-zone-name="trust" '
                f'destination-zone-name="untrust" session-id-32="{sid}" '
                f'packets-from-client="{max(1, up_b // 600)}" bytes-from-client="{up_b}" '
                f'packets-from-server="{dn_b // 1200 if dn_b else 0}" bytes-from-server="{dn_b}" '
                f'elapsed-time="{minutes * 60}" application="{app.apptrack}" '
                f'nested-application="{nested}" username="N/A" '
                f'packet-incoming-interface="{LAN_IF[0]}" '
                f'destination-interface-name="{link.interface}"'
            )
            line = (
                f"<14>1 {when} {site.gateway} RT_FLOW - RT_FLOW_SESSION_CLOSE "
                f"[{STRUCTURED_ID} {params}]"
            )
            out.setdefault(site.address(1, loopback=True), []).append(line.encode())

    def _appqoe(self, m: Minute, out: dict[str, list[bytes]]) -> None:
        """A passive SLA report per site, application and link carrying users this minute."""
        t = self.twin
        has = m.link != NO_LINK
        if not has.any():
            return
        loc = t.c_local[m.active[has]]
        key = (loc * 64 + m.app[has]) * 8 + m.link[has]
        uniq, first = np.unique(key, return_index=True)
        rows = np.flatnonzero(has)[first]
        when = _iso((m.epoch_s + 30) * US)
        for k, i in zip(uniq, rows, strict=True):
            n, a, lk = int(k // 512), int(k // 8 % 64), int(k % 8)
            site, app, link = t.sites[n], self.world.apps[a], t.sites[n].links[lk]
            rtt_us = round(float(m.rtt_ms[i]) * 1000)
            jit_us = round(float(m.jitter_ms[i]) * 1000)
            loss = round(float(m.loss_pct[i]), 2)
            params = (
                f'source-address="{site.address(1)}" destination-address="192.0.2.53" '
                f'application="{app.nested or app.apptrack}" '
                f'destination-interface-name="{link.interface}" '
                f'destination-group-name="{app.category}-paths" sla-rule="{app.category}-sla" '
                f'rtt="{rtt_us}" rtt-jitter="{jit_us}" pkt-loss="{loss}" monitoring-time="60"'
            )
            line = (
                f"<14>1 {when} {site.gateway} RT_FLOW - APPQOE_PASSIVE_SLA_METRIC_REPORT "
                f"[{STRUCTURED_ID} {params}]"
            )
            out.setdefault(site.address(1, loopback=True), []).append(line.encode())

    def _clients(self, m: Minute, out: dict[str, list[bytes]]) -> None:
        t = self.twin
        world = self.world
        clients = world.clients
        when_join = _iso(m.epoch_s * US + 2 * US)
        for j, c in enumerate(m.joins):
            c = int(c)
            n, num, s = int(t.c_local[c]), int(t.c_num[c]), int(t.c_site[c])
            site = t.sites[n]
            mac = world.client_mac(s, num)
            gc = int(t.client_ix[c])
            if t.c_wifi[c]:
                ap = site.ap_name(int(t.current_ap[c]))
                sender = site.address(21 + int(t.current_ap[c]), loopback=True)
                band = clients.band[gc]
                common = f'client_mac={mac} ssid="Corp WiFi" band={band} ap={ap}'
                steps = (
                    ("ASSOC", f"{common} os={clients.os[gc]} channel={_channel(band)}", "assoc"),
                    ("AUTH", f"{common} username=user{num:03d}", "auth"),
                    (
                        "DHCP",
                        f"{common} client_ip={world.client_ip(s, num)} hostname=host-{num:03d}",
                        "dhcp",
                    ),
                    (
                        "DNS",
                        f"{common} server=10.{16 + s // 256}.{s % 256}.1 query=login.example.com",
                        "dns",
                    ),
                )
                lines = out.setdefault(sender, [])
                for tag, body, step in steps:
                    ok = bool(m.join_ok[step][j])
                    if not ok and step != "assoc":
                        extra = f" result=fail reason={_REASONS[step]}"
                    else:
                        extra = "" if step == "assoc" else " result=ok"
                    ms = float(m.join_ms[step][j])
                    lines.append(
                        f"<134>1 {when_join} {ap} wifid - WIFI_CLIENT_{tag} - "
                        f"{body}{extra} duration_ms={ms:.1f}".encode()
                    )
                    if not ok:
                        break
            else:
                port = site.access_port(int(t.c_port[c]))
                ok = bool(m.join_ok["auth"][j])
                tag = "DOT1XD_USR_AUTHENTICATED" if ok else "DOT1XD_USR_ACCESS_DENIED"
                text = (
                    f"User user{num:03d} logged in MacAddress {mac} interface {port}.0 vlan v100"
                    if ok
                    else f"User user{num:03d} access denied MacAddress {mac} interface {port}.0 "
                    "reason: RADIUS server unreachable"
                )
                out.setdefault(site.address(2, loopback=True), []).append(
                    f"<86>1 {when_join} {site.switch} dot1xd - {tag} - {text}".encode()
                )
        # roams
        when_roam = _iso(m.epoch_s * US + 30 * US)
        for r, c in enumerate(m.roamers):
            c = int(c)
            n, num, s = int(t.c_local[c]), int(t.c_num[c]), int(t.c_site[c])
            site = t.sites[n]
            ap, from_ap = site.ap_name(int(m.roam_to[r])), site.ap_name(int(m.roam_from[r]))
            result = "ok" if m.roam_ok[r] else "fail reason=reassociation_timeout"
            out.setdefault(site.address(21 + int(m.roam_to[r]), loopback=True), []).append(
                f"<134>1 {when_roam} {ap} wifid - WIFI_CLIENT_ROAM - "
                f"client_mac={world.client_mac(s, num)} ap={ap} from_ap={from_ap} "
                f"band={clients.band[int(t.client_ix[c])]} roam_type=11r result={result} "
                f"duration_ms={float(m.roam_ms[r]):.1f}".encode()
            )
        # periodic client statistics from the serving AP
        when_rssi = _iso(m.epoch_s * US + 45 * US)
        wifi = np.flatnonzero(m.ap >= 0)
        for i in wifi:
            c = int(m.active[i])
            n, num, s = int(t.c_local[c]), int(t.c_num[c]), int(t.c_site[c])
            site = t.sites[n]
            a = int(m.ap[i])
            band = clients.band[int(t.client_ix[c])] or "5"
            util = float(m.ap_util[n, a])
            non_wifi = float(m.effects.ap_util[n, a])
            rssi = float(m.rssi[i])
            rate = _phy_rate(rssi, band)
            out.setdefault(site.address(21 + a, loopback=True), []).append(
                f"<134>1 {when_rssi} {site.ap_name(a)} wifid - WIFI_CLIENT_RSSI - "
                f"client_mac={world.client_mac(s, num)} ap={site.ap_name(a)} band={band} "
                f"channel={_channel(band)} rssi={rssi:.1f} snr={float(m.snr[i]):.1f} "
                f"channel_util_pct={util:.1f} util_non_wifi_pct={non_wifi:.1f} "
                f"util_other_bss_pct=3.0 rate_mbps={rate:.0f} "
                f"max_rate_mbps={_phy_rate(-40.0, band):.0f}".encode()
            )

    def _device_events(self, m: Minute, out: dict[str, list[bytes]]) -> None:
        t = self.twin
        when = _iso(m.epoch_s * US + 1 * US)
        for n, site in enumerate(t.sites):
            gw_ip = site.address(1, loopback=True)
            for link in site.links:
                k = link.index
                if bool(m.link_up[n, k]) != bool(self.prev_link_up[n, k]):
                    up = bool(m.link_up[n, k])
                    tag = "SNMP_TRAP_LINK_UP" if up else "SNMP_TRAP_LINK_DOWN"
                    state = "up(1)" if up else "down(2)"
                    out.setdefault(gw_ip, []).append(
                        f"<28>1 {when} {site.gateway} mib2d - {tag} [{STRUCTURED_ID} "
                        f'snmp-interface-index="{link.if_index}" admin-status="up(1)" '
                        f'operational-status="{state}" interface-name="{link.interface}"]'.encode()
                    )
                if bool(m.tunnel_up[n, k]) != bool(self.prev_tunnel_up[n, k]):
                    up = bool(m.tunnel_up[n, k])
                    word = "up" if up else "down"
                    tag = "KMD_VPN_UP_ALARM_USER" if up else "KMD_VPN_DOWN_ALARM_USER"
                    out.setdefault(gw_ip, []).append(
                        f"<27>1 {when} {site.gateway} kmd - {tag} - VPN vpn-{link.profile.name} "
                        f"from {HUB_IP} is {word}. Local-ip: {site.address(1)}, gateway name: "
                        f"gw-hub, vpn name: vpn-{link.profile.name}, tunnel-id: {131073 + k}, "
                        f"local tunnel-if: {link.tunnel}, remote tunnel-ip: Not-Available, "
                        f"Local IKE-ID: {site.address(1)}, Remote IKE-ID: {HUB_IP}, "
                        "AAA assigned IP: 0.0.0.0, VR id: 0".encode()
                    )
            for a in range(site.profile.aps):
                if bool(m.ap_up[n, a]) != bool(self.prev_ap_up[n, a]):
                    word = "UP" if m.ap_up[n, a] else "DOWN"
                    out.setdefault(site.address(2, loopback=True), []).append(
                        f"<28>1 {when} {site.switch} lldpd - LLDP_NEIGHBOR_{word} - "
                        f"LLDP neighbor {word.lower()} on interface {site.ap_port(a)}".encode()
                    )
        self.prev_link_up = m.link_up.copy()
        self.prev_tunnel_up = m.tunnel_up.copy()
        self.prev_ap_up = m.ap_up.copy()


_REASONS = {"auth": "radius_timeout", "dhcp": "no_offer", "dns": "server_failure"}
_IF_COLS = [c.name for c in INTERFACE_STATS.columns]
_HEALTH_COLS = [c.name for c in DEVICE_HEALTH.columns]
_VPN_COLS = [c.name for c in VPN_TUNNELS.columns]
_RPM_COLS = [c.name for c in SLA_METRICS.columns]


def _append(cols: dict[str, list[object]], *parts: dict[str, object]) -> None:
    for part in parts:
        for key, value in part.items():
            cols[key].append(value)


def _table(schema: pa.Schema, cols: dict[str, list[object]]) -> pa.Table:
    arrays = []
    for f in schema:
        values = cols[f.name]
        if pa.types.is_timestamp(f.type):
            arrays.append(pa.array(values, pa.int64()).cast(f.type))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _ip_text(values: npt.NDArray[np.int64]) -> pa.Array:
    from collectors.flow.columns import ipv4_text

    return ipv4_text(values.astype(np.uint32))


def _ip_str(value: int) -> str:
    return f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def _channel(band: str | None) -> int:
    return {"2.4": 6, "5": 36, "6": 37}.get(band or "5", 36)


def _phy_rate(rssi: float, band: str) -> float:
    """PHY rate a client gets at a signal level (802.11ac/ax 2×2 ballpark)."""
    top = 286.0 if band == "2.4" else 866.0 if band == "5" else 1200.0
    quality = np.clip((rssi + 82.0) / 30.0, 0.02, 1.0)
    return float(top * quality)


__all__ = ["Emitter", "SyslogOut"]
