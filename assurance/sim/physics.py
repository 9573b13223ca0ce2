"""The twin's physics: one simulated minute of a set of sites, vectorized over clients and links.

Owns: who is active (diurnal and weekly demand in each site's local time), which application
each user runs, which WAN link carries it (preference, failover, policy changes), link load
against capacity and what congestion does to latency, jitter, loss and queue drops, what faults
do, Wi-Fi signal and channel load, and the connect/roam steps clients go through. State that
carries over minutes (counters, previous activity, path decisions) lives in ``Twin``; every
random draw comes from ``noise`` keyed by site, entity and minute, so results do not depend on
how sites are sharded. Must not: format records for any table or wire (``emit`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from assurance.sim import noise
from assurance.sim.scenario import FaultSpec
from assurance.sim.world import Site, World

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
B = npt.NDArray[np.bool_]

BLOCK_MIN = 5  # activity and application are drawn per 5-minute block
DETECT_MIN = 2  # minutes until probes declare a silently dead path unusable
NO_LINK = -1
# Share of users active at each local hour on a weekday (retail/office branch).
_DIURNAL = np.array(
    [
        0.04,
        0.03,
        0.03,
        0.03,
        0.04,
        0.08,
        0.2,
        0.45,
        0.75,
        0.88,
        0.9,
        0.88,
        0.72,
        0.8,
        0.88,
        0.86,
        0.78,
        0.55,
        0.3,
        0.18,
        0.12,
        0.08,
        0.06,
        0.05,
    ]
)
_WEEKEND = 0.25


def _p(name: str) -> int:
    return noise.purpose(name)


P_ACTIVE, P_APP, P_BYTES_UP, P_BYTES_DOWN = _p("active"), _p("app"), _p("up"), _p("down")
P_PRESENT = _p("present")
P_LINK, P_RSSI, P_ROAM, P_STEP, P_GW = _p("link"), _p("rssi"), _p("roam"), _p("step"), _p("gw")


@dataclass
class Effects:
    """Fault effects in force during one minute, per entity of the shard."""

    link_loss: F
    link_rtt: F
    link_jitter: F
    link_down: B
    link_dead: B  # up but nothing answers beyond it (ISP outage)
    link_extra_load: F  # fraction of downstream capacity added
    link_crc_pct: F
    link_mtu: B
    tunnel_down: B
    gw_cpu: F  # NaN where no fault
    gw_mem: F
    dhcp_fail: B
    dns_fail: B
    auth_fail: B
    roam_fail: B
    ap_down: B  # (sites, max aps)
    ap_rssi_drop: F
    ap_util: F
    port_duplex: B  # (sites, max ports)
    app_server_ms: F  # (apps,)


@dataclass
class Minute:
    """Everything that happened in one minute across the shard."""

    minute: int  # minutes since scenario start
    epoch_s: int  # start of the minute, Unix seconds
    # clients with traffic this minute (indices into the shard's client arrays)
    active: I
    app: I
    link: I  # NO_LINK when no path carries the traffic
    bytes_up: F
    bytes_down: F
    rtt_ms: F
    jitter_ms: F
    loss_pct: F
    reset: B  # the session broke (MTU black hole, dead path)
    session_end: B  # last minute of the user's 5-minute session
    ap: I  # AP serving each active client (-1 wired)
    rssi: F
    snr: F
    # every associated Wi-Fi client (active or idle) and every connected wired client
    assoc: I
    assoc_ap: I
    assoc_rssi: F
    assoc_snr: F
    wired: I
    # connect attempts this minute: client, step results and durations
    joins: I
    join_ok: dict[str, B]
    join_ms: dict[str, F]
    # roams this minute
    roamers: I
    roam_from: I
    roam_to: I
    roam_ms: F
    roam_ok: B
    # links (sites × max links)
    link_up: B
    tunnel_up: B
    link_usable: B
    util_down: F
    util_up: F
    link_rtt: F
    link_jitter: F
    link_loss: F
    octets_in: F
    octets_out: F
    crc_errors: F
    discards: F
    # gateways, APs and ports
    gw_cpu: F
    gw_mem: F
    gw_temp: F
    gw_sessions: I
    ap_up: B
    ap_util: F
    ap_clients: I
    port_duplex_bad: B
    effects: Effects = field(repr=False)


class Twin:
    """The twin of a shard of sites; ``step`` advances it one minute."""

    def __init__(self, world: World, site_indices: Sequence[int] | None = None) -> None:
        self.world = world
        scenario = world.scenario
        self.site_ix = np.array(
            range(len(world.sites)) if site_indices is None else site_indices, np.int64
        )
        self.local = {int(s): n for n, s in enumerate(self.site_ix)}
        clients = world.clients
        mask = np.isin(clients.site, self.site_ix)
        self.client_ix = np.flatnonzero(mask)
        self.c_site = clients.site[mask]
        self.c_local = np.array([self.local[int(s)] for s in self.c_site], np.int64)
        self.c_num = clients.number[mask]
        self.c_wifi = clients.wifi[mask]
        self.c_home_ap = clients.ap[mask]
        self.c_port = clients.port[mask]
        self.c_rssi = clients.base_rssi[mask]
        self.c_busy = clients.propensity[mask]
        self.sites: list[Site] = [world.sites[int(s)] for s in self.site_ix]
        sites = self.sites
        n_sites = len(sites)
        self.max_links = max(len(s.links) for s in sites)
        self.max_aps = max(1, max(s.profile.aps for s in sites))
        self.max_ports = max(s.profile.access_ports for s in sites)
        self.has_link = np.zeros((n_sites, self.max_links), bool)
        self.cap_down = np.ones((n_sites, self.max_links))
        self.cap_up = np.ones((n_sites, self.max_links))
        self.base_rtt = np.zeros((n_sites, self.max_links))
        self.base_jitter = np.zeros((n_sites, self.max_links))
        self.base_loss = np.zeros((n_sites, self.max_links))
        self.n_aps = np.array([s.profile.aps for s in sites], np.int64)
        for n, site in enumerate(sites):
            for link in site.links:
                k = link.index
                self.has_link[n, k] = True
                self.cap_down[n, k] = link.profile.down_mbps * 1e6
                self.cap_up[n, k] = link.profile.up_mbps * 1e6
                self.base_rtt[n, k] = link.profile.rtt_ms
                self.base_jitter[n, k] = link.profile.jitter_ms
                self.base_loss[n, k] = link.profile.loss_pct
        apps = world.apps
        self.app_share = np.cumsum([a.share for a in apps]) / sum(a.share for a in apps)
        self.app_up_bps = np.array([a.up_kbps * 1e3 for a in apps])
        self.app_down_bps = np.array([a.down_kbps * 1e3 for a in apps])
        self.app_server_ms = np.array([a.server_ms for a in apps])
        self.app_bulk = np.array([a.protocol == "tcp" for a in apps])
        # preference[site, app] = link indices in order, padded with NO_LINK
        self.preference = np.full((n_sites, len(apps), self.max_links), NO_LINK, np.int64)
        for n in range(n_sites):
            for a, app in enumerate(apps):
                self.set_preference(n, a, app.prefer)
        self.changes = sorted(scenario.changes, key=lambda c: c.at)
        self.faults = [
            (f, int(f.at.total_seconds() // 60), int((f.at + f.duration).total_seconds() // 60))
            for f in scenario.faults
        ]
        self.app_index = {a.name: n for n, a in enumerate(apps)}
        self.connected = np.zeros(len(self.client_ix), bool)
        self.current_ap = self.c_home_ap.copy()
        self.dead_for = np.zeros((n_sites, self.max_links), np.int64)
        self.start_s = int(scenario.start.timestamp())

    # -- policy ------------------------------------------------------------------------------
    def set_preference(self, site_local: int, app: int, prefer: Sequence[str]) -> None:
        """Order the site's links for ``app``: each entry is a link name or a link type
        (mpls, broadband, lte); links not named follow in profile order, LTE last."""
        links = self.sites[site_local].links
        order: list[int] = []
        for token in prefer:
            order += [lk.index for lk in links if token in (lk.profile.name, lk.profile.type)]
        rest = sorted(links, key=lambda lk: (lk.profile.type == "lte", lk.index))
        order += [lk.index for lk in rest]
        order = list(dict.fromkeys(order))
        row = np.full(self.max_links, NO_LINK, np.int64)
        row[: len(order)] = order
        self.preference[site_local, app] = row

    def apply_change(self, site: str, app: str, prefer: Sequence[str]) -> bool:
        """Steer ``app`` at ``site`` to links in the order ``prefer``; False if not in the shard."""
        n = self.local.get(self.world.by_name[site].index)
        if n is None:
            return False
        self.set_preference(n, self.app_index[app], prefer)
        return True

    # -- faults ------------------------------------------------------------------------------
    def effects(self, minute: int) -> Effects:
        n_sites, n_links = self.has_link.shape
        z = np.zeros((n_sites, n_links))
        b = np.zeros((n_sites, n_links), bool)
        e = Effects(
            link_loss=z.copy(),
            link_rtt=z.copy(),
            link_jitter=z.copy(),
            link_down=b.copy(),
            link_dead=b.copy(),
            link_extra_load=z.copy(),
            link_crc_pct=z.copy(),
            link_mtu=b.copy(),
            tunnel_down=b.copy(),
            gw_cpu=np.full(n_sites, np.nan),
            gw_mem=np.full(n_sites, np.nan),
            dhcp_fail=np.zeros(n_sites, bool),
            dns_fail=np.zeros(n_sites, bool),
            auth_fail=np.zeros(n_sites, bool),
            roam_fail=np.zeros(n_sites, bool),
            ap_down=np.zeros((n_sites, self.max_aps), bool),
            ap_rssi_drop=np.zeros((n_sites, self.max_aps)),
            ap_util=np.zeros((n_sites, self.max_aps)),
            port_duplex=np.zeros((n_sites, self.max_ports), bool),
            app_server_ms=np.zeros(len(self.world.apps)),
        )
        for fault, start, end in self.faults:
            if start <= minute < end:
                self._apply(e, fault, minute - start)
        return e

    def _apply(self, e: Effects, f: FaultSpec, age: int) -> None:
        if f.type == "app_slowdown":
            e.app_server_ms[self.app_index[str(f.app)]] += f.value("server_ms")
            return
        if f.type == "isp_outage":
            for n, site in enumerate(self.sites):
                for link in site.links:
                    if link.profile.isp == f.isp:
                        e.link_dead[n, link.index] = True
            return
        found = self.local.get(self.world.by_name[str(f.site)].index)
        if found is None:
            return
        n = found
        site = self.sites[n]
        k = next((lk.index for lk in site.links if lk.profile.name == f.link), 0)
        t = f.type
        if t == "isp_loss":
            e.link_loss[n, k] += f.value("loss_pct")
        elif t == "isp_latency":
            e.link_rtt[n, k] += f.value("rtt_ms")
        elif t == "isp_jitter":
            e.link_jitter[n, k] += f.value("jitter_ms")
        elif t == "link_down":
            e.link_down[n, k] = True
        elif t == "link_flap":
            period = max(2, int(f.value("period_min")))
            e.link_down[n, k] |= (age % period) < period // 2
        elif t == "congestion":
            e.link_extra_load[n, k] += f.value("load_pct") / 100.0
        elif t == "bad_cable":
            e.link_crc_pct[n, k] += f.value("error_pct")
        elif t == "tunnel_down":
            e.tunnel_down[n, k] = True
        elif t == "mtu_mismatch":
            e.link_mtu[n, k] = True
        elif t == "gateway_cpu":
            e.gw_cpu[n] = f.value("cpu_pct")
        elif t == "gateway_memory":
            e.gw_mem[n] = f.value("memory_pct")
        elif t == "dhcp_failure":
            e.dhcp_fail[n] = True
        elif t == "dns_failure":
            e.dns_fail[n] = True
        elif t == "auth_failure":
            e.auth_fail[n] = True
        elif t == "roaming_failure":
            e.roam_fail[n] = True
        elif t == "ap_down":
            e.ap_down[n, int(f.ap or 1) - 1] = True
        elif t == "coverage_hole":
            e.ap_rssi_drop[n, int(f.ap or 1) - 1] += f.value("rssi_drop_db")
        elif t == "interference":
            e.ap_util[n, int(f.ap or 1) - 1] += f.value("util_pct")
        elif t == "duplex_mismatch":
            e.port_duplex[n, int(f.port or 1) - 1] = True

    # -- one minute --------------------------------------------------------------------------
    def step(self, minute: int) -> Minute:
        for change in self.changes:
            if int(change.at.total_seconds() // 60) == minute:
                self.apply_change(change.site, change.app, change.prefer)
        seed = self.world.seed
        e = self.effects(minute)
        site, num = self.c_site, self.c_num
        block = minute // BLOCK_MIN
        epoch_s = self.start_s + minute * 60
        local_min = (epoch_s // 60 + self.world.utc_offset_min[self.c_site]) % (7 * 1440)
        hour = (local_min // 60) % 24
        weekday = ((local_min // 1440) + 3) % 7  # 1970-01-01 was a Thursday (3)
        demand = _DIURNAL[hour] * np.where(weekday >= 5, _WEEKEND, 1.0)
        # on site for whole hours; moving traffic in 5-minute blocks while there
        present = noise.uniform(seed, P_PRESENT, site, num, epoch_s // 3600) < np.minimum(
            1.0, 1.1 * demand * self.c_busy
        )
        busy = noise.uniform(seed, P_ACTIVE, site, num, block) < 0.8

        # Wi-Fi association: clients of a failed AP move to the next AP of the site
        ap = self.c_home_ap.copy()
        wifi = self.c_wifi
        down = np.zeros(len(ap), bool)
        down[wifi] = e.ap_down[self.c_local[wifi], ap[wifi]]
        n_aps = self.n_aps[self.c_local]
        moved = down & (n_aps > 1)
        ap[moved] = (ap[moved] + 1) % n_aps[moved]
        stranded = down & ~moved
        present &= ~stranded

        # connecting: a client that is here but not connected tries every minute until it is
        arriving = present & ~self.connected
        loc = self.c_local
        step_ok = {
            "assoc": np.ones(len(ap), bool),
            "auth": ~e.auth_fail[loc],
            "dhcp": ~e.dhcp_fail[loc],
            "dns": ~e.dns_fail[loc],
        }
        base_ms = {"assoc": 30.0, "auth": 120.0, "dhcp": 250.0, "dns": 20.0}
        join_ms = {
            k: base_ms[k] * np.exp(0.4 * noise.normal(seed, P_STEP, site, num, minute * 8 + i))
            for i, k in enumerate(base_ms)
        }
        for k in ("dhcp", "dns", "auth"):
            join_ms[k] = np.where(step_ok[k], join_ms[k], 5000.0 if k == "dhcp" else 3000.0)
        joined = step_ok["auth"] & step_ok["dhcp"] & step_ok["dns"]
        self.connected = present & (self.connected | joined)
        active = self.connected & busy
        joins = np.flatnonzero(arriving)

        # roaming among APs of the site
        roam_draw = noise.uniform(seed, P_ROAM, site, num, minute)
        roams = active & wifi & (n_aps > 1) & (roam_draw < 0.02) & ~moved
        roam_from = ap[roams]
        roam_to = (roam_from + 1) % n_aps[roams]
        roam_ms = 80.0 * np.exp(0.5 * noise.normal(seed, P_ROAM, site[roams], num[roams], minute))
        roam_fail = e.roam_fail[loc[roams]]
        roam_ok = ~(roam_fail & (noise.uniform(seed, P_ROAM + 1, site[roams], minute) < 0.5))
        roam_ms = np.where(roam_fail, roam_ms + 3000.0, roam_ms)
        ap[np.flatnonzero(roams)] = np.where(roam_ok, roam_to, roam_from)
        self.current_ap = ap

        # applications, demand and path
        idx = np.flatnonzero(active)
        a_site, a_num, a_loc = site[idx], num[idx], loc[idx]
        app = np.searchsorted(self.app_share, noise.uniform(seed, P_APP, a_site, a_num, block))
        app = np.minimum(app, len(self.app_share) - 1)
        up = self.app_up_bps[app] * np.exp(
            0.35 * noise.normal(seed, P_BYTES_UP, a_site, a_num, minute)
        )
        dn = self.app_down_bps[app] * np.exp(
            0.35 * noise.normal(seed, P_BYTES_DOWN, a_site, a_num, minute)
        )
        link_up = self.has_link & ~e.link_down
        self.dead_for = np.where(e.link_dead & link_up, self.dead_for + 1, 0)
        # a silently dead path keeps attracting traffic until probes have failed DETECT_MIN times
        usable = link_up & (self.dead_for <= DETECT_MIN)
        prefs = self.preference[a_loc, app]  # (n, max_links)
        ok = np.take_along_axis(usable[a_loc], np.maximum(prefs, 0), axis=1) & (prefs != NO_LINK)
        first = np.argmax(ok, axis=1)
        link = np.where(ok.any(axis=1), prefs[np.arange(len(idx)), first], NO_LINK)

        # link load → congestion
        has = link != NO_LINK
        n_sites, n_links = self.has_link.shape
        flat = a_loc[has] * n_links + link[has]
        load_dn = np.bincount(flat, dn[has], n_sites * n_links).reshape(n_sites, n_links)
        load_up = np.bincount(flat, up[has], n_sites * n_links).reshape(n_sites, n_links)
        site_demand = _DIURNAL[
            (epoch_s // 3600 + self.world.utc_offset_min[self.site_ix] // 60) % 24
        ]
        # offered load in bit/s: users, other traffic of the site, and a congestion fault's extra
        bg_dn = 0.08 * site_demand[:, None] * self.cap_down + e.link_extra_load * self.cap_down
        bg_up = 0.024 * site_demand[:, None] * self.cap_up + e.link_extra_load * self.cap_up
        util_dn = np.where(link_up, (load_dn + bg_dn) / self.cap_down, 0.0)
        util_up = np.where(link_up, (load_up + bg_up) / self.cap_up, 0.0)
        util = np.maximum(util_dn, util_up)
        q = np.clip((util - 0.75) / 0.25, 0.0, None)
        lnoise = noise.normal(seed, P_LINK, self.site_ix[:, None], np.arange(n_links), minute)
        rtt = self.base_rtt * (1 + 0.05 * np.abs(lnoise)) + 40.0 * q**2 + e.link_rtt
        jitter = self.base_jitter * (1 + 0.3 * np.abs(lnoise)) + 12.0 * q + e.link_jitter
        loss = self.base_loss * (1 + 0.5 * np.abs(lnoise)) + np.clip(util - 0.97, 0, None) * 40.0
        loss = np.minimum(loss + e.link_loss, 100.0)
        dead = self.dead_for > 0
        loss = np.where(dead, 100.0, loss)
        # what gets through: capacity caps each direction; the egress queue drops the excess
        delivered = np.minimum(1.0, 1.0 / np.maximum(util_dn, 1e-9))
        sent = np.minimum(1.0, 1.0 / np.maximum(util_up, 1e-9))
        octets_in = np.where(dead, 0.0, (load_dn + bg_dn) * 60 / 8 * delivered)
        octets_out = np.where(link_up, (load_up + bg_up) * 60 / 8 * sent, 0.0)
        pkts_in = octets_in / 900.0
        crc = np.round(pkts_in * e.link_crc_pct / 100.0)
        offered_pkts_out = np.where(link_up, (load_up + bg_up) * 60 / 8 / 700.0, 0.0)
        discards = np.round(offered_pkts_out * (1.0 - sent))

        # what each active user experiences
        safe = np.maximum(link, 0)
        c_rtt = (
            np.where(has, rtt[a_loc, safe], np.nan) + self.app_server_ms[app] + e.app_server_ms[app]
        )
        c_jit = np.where(has, jitter[a_loc, safe], np.nan)
        c_loss = np.where(has, loss[a_loc, safe], 100.0)
        c_dead = ~has | dead[a_loc, safe]
        mtu = has & e.link_mtu[a_loc, safe] & self.app_bulk[app]
        reset = c_dead | mtu
        scale = np.where(has, delivered[a_loc, safe], 0.0)
        bytes_dn = np.where(c_dead, 0.0, dn * 60 / 8 * scale * np.where(mtu, 0.05, 1.0))
        bytes_up = np.where(has, up * 60 / 8, 0.0)

        # Wi-Fi signal of every associated client (APs report all of them), and channel load
        assoc = np.flatnonzero(self.connected & wifi)
        s_loc, s_ap = loc[assoc], ap[assoc]
        s_rssi = self.c_rssi[assoc] + 2.5 * noise.normal(
            seed, P_RSSI, site[assoc], num[assoc], minute
        )
        s_rssi -= e.ap_rssi_drop[s_loc, s_ap] + np.where(moved[assoc], 8.0, 0.0)
        s_rssi = np.minimum(s_rssi, -20.0)
        s_snr = s_rssi + 95.0 - e.ap_util[s_loc, s_ap] / 5.0  # over a raised noise floor
        a_wifi = wifi[idx]
        at = np.searchsorted(assoc, idx[a_wifi])  # every active Wi-Fi client is associated
        rssi = np.full(len(idx), np.nan)
        snr = np.full(len(idx), np.nan)
        rssi[a_wifi], snr[a_wifi] = s_rssi[at], s_snr[at]
        a_ap = np.where(a_wifi, ap[idx], -1)
        ap_clients = np.zeros((n_sites, self.max_aps), np.int64)
        np.add.at(ap_clients, (a_loc[a_wifi], a_ap[a_wifi]), 1)
        ap_up = (np.arange(self.max_aps)[None, :] < self.n_aps[:, None]) & ~e.ap_down
        ap_util = np.where(ap_up, 6.0 + 1.0 * ap_clients + e.ap_util, 0.0)

        # gateway
        g = noise.normal(seed, P_GW, self.site_ix, minute)
        mean_util = np.where(self.has_link, util, 0).sum(1) / self.has_link.sum(1)
        cpu = np.clip(12.0 + 25.0 * mean_util + 2.0 * g, 1, 100)
        cpu = np.where(np.isnan(e.gw_cpu), cpu, e.gw_cpu + np.abs(g))
        mem = np.where(np.isnan(e.gw_mem), 47.0 + 0.8 * g, e.gw_mem + 0.3 * np.abs(g))
        temp = 46.0 + 0.5 * g + 6.0 * mean_util
        sessions = np.bincount(a_loc, minlength=n_sites) * 8 + 40

        session_end = (minute + 1) % BLOCK_MIN == 0
        return Minute(
            minute=minute,
            epoch_s=epoch_s,
            active=idx,
            app=app,
            link=link,
            bytes_up=bytes_up,
            bytes_down=bytes_dn,
            rtt_ms=c_rtt,
            jitter_ms=c_jit,
            loss_pct=c_loss,
            reset=reset,
            session_end=np.full(len(idx), session_end) | reset,
            ap=a_ap,
            assoc=assoc,
            assoc_ap=s_ap,
            assoc_rssi=s_rssi,
            assoc_snr=s_snr,
            wired=np.flatnonzero(self.connected & ~wifi),
            rssi=rssi,
            snr=snr,
            joins=joins,
            join_ok={k: v[joins] for k, v in step_ok.items()},
            join_ms={k: v[joins] for k, v in join_ms.items()},
            roamers=np.flatnonzero(roams),
            roam_from=roam_from,
            roam_to=roam_to,
            roam_ms=roam_ms,
            roam_ok=roam_ok,
            link_up=link_up,
            tunnel_up=link_up & ~e.tunnel_down & ~dead,
            link_usable=usable,
            util_down=util_dn,
            util_up=util_up,
            link_rtt=rtt,
            link_jitter=jitter,
            link_loss=loss,
            octets_in=octets_in,
            octets_out=octets_out,
            crc_errors=crc,
            discards=discards,
            gw_cpu=cpu,
            gw_mem=mem,
            gw_temp=temp,
            gw_sessions=sessions,
            ap_up=ap_up,
            ap_util=np.minimum(ap_util, 100.0),
            ap_clients=ap_clients,
            port_duplex_bad=e.port_duplex,
            effects=e,
        )


__all__ = ["BLOCK_MIN", "NO_LINK", "Minute", "Twin"]
