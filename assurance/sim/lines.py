"""The syslog the twin's devices send: SRX session closes and AppQoE reports (security and
AppTrack lines come from ``security_lines``), AP client lines, EX 802.1X results, link, VPN
and LLDP events — and, for the bulk of Wi-Fi client statistics, the rows the syslog collector
makes of them.

Owns: rendering each line exactly as the device would (Junos structured data, the Wi-Fi client
line format of ``collectors.syslog.messages.clients``, EX dot1xd text), and ``RssiStats``: the
per-minute client statistics lines together with their ``syslog_events`` and ``client_events``
rows built column-wise, so lake mode does not parse millions of lines it wrote itself (a test
checks these rows equal what the real parser makes of the lines). Must not: decide traffic or
do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from assurance.sim import noise
from assurance.sim.devices import HUB_IP
from assurance.sim.physics import NO_LINK, Minute, Twin
from assurance.sim.security_lines import SecurityLines
from assurance.sim.text import ip_text, iso
from assurance.sim.world import LAN_IF
from collectors.tables import CLIENT_EVENTS, KV, SYSLOG_EVENTS

US = 1_000_000
TS = pa.timestamp("us", tz="UTC")
STRUCTURED_ID = "junos@2636.1.1.1.2.129"
P_PORT, P_SERVER, P_SID = noise.purpose("sport"), noise.purpose("server"), noise.purpose("sid")
_REASONS = {"auth": "radius_timeout", "dhcp": "no_offer", "dns": "server_failure"}
_CHANNEL = {"2.4": 6, "5": 36, "6": 37}
_TOP_RATE = {"2.4": 286.0, "5": 866.0, "6": 1200.0}


def phy_rate(
    rssi: npt.NDArray[np.float64], top: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """PHY rate a client gets at a signal level (802.11ac/ax 2x2 ballpark)."""
    return top * np.clip((rssi + 82.0) / 30.0, 0.02, 1.0)


_RSSI_KEYS = (
    "client_mac", "ap", "band", "channel", "rssi", "snr", "channel_util_pct",
    "util_non_wifi_pct", "util_other_bss_pct", "rate_mbps", "max_rate_mbps",
)  # fmt: skip


def tenths(values: npt.NDArray[np.float64]) -> tuple[pa.Array, npt.NDArray[np.float64]]:
    """``f"{v:.1f}"`` for values first rounded to tenths, and those rounded values: the text
    and the number a parser reads back from it are then exactly equal."""
    t = np.round(values * 10).astype(np.int64)
    a = np.abs(t)
    text = pc.binary_join_element_wise(
        pc.binary_join_element_wise(
            pa.array(np.where(t < 0, "-", "")), pa.array(a // 10).cast(pa.string()), ""
        ),
        pa.array(a % 10).cast(pa.string()),
        ".",
    )
    return text, t / 10.0


@dataclass
class RssiStats:
    """One minute of per-client Wi-Fi statistics lines, and the rows they make."""

    event_us: int
    senders: pa.Array
    hostnames: pa.Array
    macs: pa.Array
    bands: pa.Array
    channels: npt.NDArray[np.int64]
    values: list[pa.Array]  # one string column per key of _RSSI_KEYS
    rssi: npt.NDArray[np.float64]
    snr: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.senders)

    @property
    def messages(self) -> pa.Array:
        pairs = [
            pc.binary_join_element_wise(k, v, "=")
            for k, v in zip(_RSSI_KEYS, self.values, strict=True)
        ]
        return pc.binary_join_element_wise(*pairs, " ")

    def lines(self) -> pa.Array:
        prefix = f"<134>1 {iso(self.event_us)} "
        return pc.binary_join_element_wise(
            prefix, self.hostnames, " wifid - WIFI_CLIENT_RSSI - ", self.messages, ""
        )

    def fields(self) -> pa.Array:
        n = len(self)
        keys = pa.array(np.tile(np.array(_RSSI_KEYS, object), n), pa.string())
        order = (np.arange(n)[:, None] + np.arange(len(_RSSI_KEYS))[None, :] * n).ravel()
        values = pa.concat_arrays([v.cast(pa.string()) for v in self.values]).take(pa.array(order))
        offsets = pa.array(np.arange(n + 1, dtype=np.int32) * len(_RSSI_KEYS))
        return pa.MapArray.from_arrays(offsets, keys, values, type=KV)

    def rows(self, received_us: int) -> dict[str, pa.Table]:
        """The ``syslog_events`` and ``client_events`` rows the syslog collector writes for
        these lines (``device``/``site`` still empty, like the parser's)."""
        n = len(self)
        common = {
            "event_time": pa.array(np.full(n, self.event_us), TS),
            "received_at": pa.array(np.full(n, received_us), TS),
            "exporter": self.senders,
            "device": pa.nulls(n, pa.string()),
            "site": pa.nulls(n, pa.string()),
        }
        fields = self.fields()

        def same(value: object, kind: pa.DataType) -> pa.Array:
            return pa.array([value] * n, kind)

        events = {
            **common,
            "transport": same("tcp", pa.string()),
            "format": same("rfc5424", pa.string()),
            "facility": pa.array(np.full(n, 16, np.uint8)),
            "severity": pa.array(np.full(n, 6, np.uint8)),
            "hostname": self.hostnames,
            "app_name": same("wifid", pa.string()),
            "proc_id": pa.nulls(n, pa.string()),
            "msg_id": same("WIFI_CLIENT_RSSI", pa.string()),
            "fields": fields,
            "message": self.messages,
            "raw": self.lines(),
        }
        clients = {
            **common,
            "event_type": same("rssi", pa.string()),
            "client_mac": self.macs,
            "band": self.bands,
            "channel": pa.array(self.channels.astype(np.uint16)),
            "ap": self.hostnames,
            "rssi_dbm": pa.array(self.rssi),
            "snr_db": pa.array(self.snr),
            "fields": fields,
        }
        for col in CLIENT_EVENTS.columns:
            clients.setdefault(col.name, pa.nulls(n, col.type))
        return {
            "syslog_events": pa.table(events, schema=SYSLOG_EVENTS.schema),
            "client_events": pa.table(clients, schema=CLIENT_EVENTS.schema),
        }


class SyslogLines:
    """Renders one minute of a shard's syslog; remembers link, tunnel and AP state."""

    def __init__(
        self,
        twin: Twin,
        server_base: npt.NDArray[np.int64],
        server_span: npt.NDArray[np.int64],
        app_port: npt.NDArray[np.int64],
    ) -> None:
        self.twin = twin
        self.world = twin.world
        self.seed = twin.world.seed
        self.server_base, self.server_span, self.app_port = server_base, server_span, app_port
        self.prev_link_up = twin.has_link.copy()
        self.prev_tunnel_up = twin.has_link.copy()
        self.prev_ap_up = np.ones((len(twin.sites), twin.max_aps), bool)
        clients = twin.world.clients
        pairs = list(zip(twin.c_site.tolist(), twin.c_num.tolist(), strict=True))
        self.c_mac = pa.array([self.world.client_mac(s, n) for s, n in pairs], pa.string())
        self.c_ip = [self.world.client_ip(s, n) for s, n in pairs]
        bands = [clients.band[int(g)] or "5" for g in twin.client_ix]
        self.c_band = pa.array(bands, pa.string())
        self.c_top = np.array([_TOP_RATE[b] for b in bands])
        self.c_channel = np.array([_CHANNEL[b] for b in bands], np.int64)
        self.ap_names = pa.array([s.ap_name(a) for s in twin.sites for a in range(twin.max_aps)])
        self.security = SecurityLines(twin, self.c_ip)
        self.ap_senders = pa.array(
            [s.address(21 + a, loopback=True) for s in twin.sites for a in range(twin.max_aps)]
        )

    def lines(self, m: Minute) -> dict[str, list[bytes]]:
        """Every line of the minute except the Wi-Fi statistics, by sending address."""
        out: dict[str, list[bytes]] = {}
        self._sessions(m, out)
        self._appqoe(m, out)
        self._clients(m, out)
        self._device_events(m, out)
        self.security.lines(m, out)
        return out

    def _sessions(self, m: Minute, out: dict[str, list[bytes]]) -> None:
        t = self.twin
        ends = np.flatnonzero(m.session_end & (m.link != NO_LINK))
        if not len(ends):
            return
        c = m.active[ends]
        site, num, app = t.c_site[c], t.c_num[c], m.app[ends]
        block = m.minute // 5
        server = (
            self.server_base[app]
            + 1
            + (
                noise.bits(self.seed, P_SERVER, site, num, block).astype(np.int64)
                % (self.server_span[app] - 2)
            )
        )
        sport = 1024 + (noise.bits(self.seed, P_PORT, site, num, block) % np.uint64(60000)).astype(
            np.int64
        )
        sid = (noise.bits(self.seed, P_SID, site, num, m.minute) % np.uint64(4_000_000_000)).astype(
            np.int64
        )
        minutes = m.minute % 5 + 1
        up_b = (m.bytes_up[ends] * minutes).astype(np.int64)
        dn_b = (m.bytes_down[ends] * minutes).astype(np.int64)
        when = iso((m.epoch_s + 59) * US)
        apps = self.world.apps
        for j, i in enumerate(ends):
            ci = int(c[j])
            s = t.sites[int(t.c_local[ci])]
            a = apps[int(app[j])]
            link = s.links[int(m.link[i])]
            tcp = a.protocol == "tcp"
            if m.reset[i]:
                reason = "TCP RST" if tcp else "unset"
            else:
                reason = "TCP FIN" if tcp else "idle Timeout"
            ub, db = int(up_b[j]), int(dn_b[j])
            p = {
                "reason": reason, "source-address": self.c_ip[ci], "source-port": sport[j],
                "destination-address": ip_text(int(server[j])), "destination-port": a.port,
                "service-name": f"junos-{a.protocol}-any", "protocol-id": 6 if tcp else 17,
                "policy-name": "lan-to-internet", "source-zone-name": "trust",
                "destination-zone-name": "untrust", "session-id-32": sid[j],
                "packets-from-client": max(1, ub // 600), "bytes-from-client": ub,
                "packets-from-server": db // 1200 if db else 0, "bytes-from-server": db,
                "elapsed-time": minutes * 60, "application": a.apptrack,
                "nested-application": a.nested or "UNKNOWN", "username": "N/A",
                "packet-incoming-interface": LAN_IF[0],
                "destination-interface-name": link.interface,
            }  # fmt: skip
            params = " ".join(f'{k}="{v}"' for k, v in p.items())
            line = (
                f"<14>1 {when} {s.gateway} RT_FLOW - RT_FLOW_SESSION_CLOSE "
                f"[{STRUCTURED_ID} {params}]"
            )
            sent = out.setdefault(s.address(1, loopback=True), [])
            sent.append(line.encode())
            appt = self.security.apptrack_close(int(t.c_local[ci]), when, p)
            if appt is not None:
                sent.append(appt)

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
        when = iso((m.epoch_s + 30) * US)
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
        when_join = iso(m.epoch_s * US + 2 * US)
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
                    (
                        "ASSOC",
                        f"{common} os={clients.os[gc]} channel={_CHANNEL[band or '5']}",
                        "assoc",
                    ),
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
        # 802.1X re-authentication of connected wired clients, hourly at a minute of their own
        reauth = m.wired[(m.minute + t.c_num[m.wired] * 7 + t.c_site[m.wired] * 13) % 60 == 0]
        for c in np.setdiff1d(reauth, m.joins):
            c = int(c)
            n, num, s = int(t.c_local[c]), int(t.c_num[c]), int(t.c_site[c])
            site = t.sites[n]
            text = (
                f"User user{num:03d} logged in MacAddress {world.client_mac(s, num)} "
                f"interface {site.access_port(int(t.c_port[c]))}.0 vlan v100"
            )
            line = f"<86>1 {when_join} {site.switch} dot1xd - DOT1XD_USR_AUTHENTICATED - {text}"
            out.setdefault(site.address(2, loopback=True), []).append(line.encode())
        # roams
        when_roam = iso(m.epoch_s * US + 30 * US)
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

    def rssi_stats(self, m: Minute) -> RssiStats:
        """Per-client statistics every AP sends each minute for its associated clients."""
        t = self.twin
        c = m.assoc
        loc = t.c_local[c]
        ap = m.assoc_ap
        slot = pa.array(loc * t.max_aps + ap)
        take = pa.array(c)
        rssi_txt, rssi = tenths(m.assoc_rssi)
        snr_txt, snr = tenths(m.assoc_snr)
        util_txt, _ = tenths(m.ap_util[loc, ap])
        other_txt, _ = tenths(m.effects.ap_util[loc, ap])
        rate = np.rint(phy_rate(rssi, self.c_top[c])).astype(np.int64)
        best = np.rint(phy_rate(np.full(len(c), -40.0), self.c_top[c])).astype(np.int64)
        names = self.ap_names.take(slot)
        values = [
            self.c_mac.take(take), names, self.c_band.take(take),
            pa.array(self.c_channel[c]).cast(pa.string()), rssi_txt, snr_txt, util_txt,
            other_txt, pa.array(["3.0"] * len(c), pa.string()),
            pa.array(rate).cast(pa.string()), pa.array(best).cast(pa.string()),
        ]  # fmt: skip
        return RssiStats(
            event_us=m.epoch_s * US + 45 * US,
            senders=self.ap_senders.take(slot),
            hostnames=names,
            macs=values[0],
            bands=values[2],
            channels=self.c_channel[c],
            values=values,
            rssi=rssi,
            snr=snr,
        )

    def _device_events(self, m: Minute, out: dict[str, list[bytes]]) -> None:
        t = self.twin
        when = iso(m.epoch_s * US + 1 * US)
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


__all__ = ["RssiStats", "SyslogLines"]
