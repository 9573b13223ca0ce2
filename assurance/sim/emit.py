"""What the twin's devices report about a minute, for lake mode and wire mode alike.

Owns: ``flows`` rows exactly as the flow collector decodes an SRX IPFIX export of them (the
``jflow.SRX_IPV4_FIELDS`` template, active timeout 60 s, IPFIX sequence numbers per gateway),
and the composition of device telemetry (``devices``) and syslog (``lines``) per minute. Flow
sequence numbers are its only state. Must not: do I/O, or decide anything about traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from assurance.sim import noise
from assurance.sim.devices import DeviceTelemetry
from assurance.sim.lines import RssiStats, SyslogLines
from assurance.sim.physics import NO_LINK, Minute, Twin
from assurance.sim.world import LAN_IF
from collectors.tables import FLOWS

US = 1_000_000
TS = pa.timestamp("us", tz="UTC")
RECORDS_PER_DATAGRAM = 18  # SRX_IPV4_FIELDS records that fit a 1400-byte IPFIX message
IPFIX_TEMPLATE_ID = 256
P_PORT, P_SERVER = noise.purpose("sport"), noise.purpose("server")


@dataclass
class SyslogOut:
    """Lines one device sent in a minute, with the loopback address it sends from."""

    sender: str
    lines: list[bytes]


def _ts(us: npt.NDArray[np.int64] | int, n: int | None = None) -> pa.Array:
    values = np.full(n, us, np.int64) if n is not None else np.asarray(us, np.int64)
    return pa.array(values, TS)


class Emitter:
    """Turns minutes of one ``Twin`` into rows and lines; keeps device counters."""

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.world = twin.world
        self.seed = twin.world.seed
        self.flow_records = np.zeros(len(twin.sites), np.int64)  # IPFIX sequence per gateway
        servers = []
        for app in self.world.apps:
            base, bits = app.server_prefix.split("/")
            a, b, c, d = (int(x) for x in base.split("."))
            servers.append(((a << 24) | (b << 16) | (c << 8) | d, 32 - int(bits)))
        self.server_base = np.array([s[0] for s in servers], np.int64)
        self.server_span = np.array([1 << min(s[1], 16) for s in servers], np.int64)
        self.app_port = np.array([a.port for a in self.world.apps], np.int64)
        self.app_proto = np.array([6 if a.protocol == "tcp" else 17 for a in self.world.apps])
        self.devices = DeviceTelemetry(twin)
        self.lines = SyslogLines(twin, self.server_base, self.server_span, self.app_port)

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
        """``interface_stats``, ``device_health``, ``vpn_tunnels`` and RPM ``sla_metrics``."""
        return self.devices.rows(m)

    def syslog(self, m: Minute) -> list[SyslogOut]:
        """Every syslog line of the minute, per sending device (wire mode)."""
        by_sender = self.lines.lines(m)
        stats = self.lines.rssi_stats(m)
        lines = stats.lines().to_pylist()
        for sender, line in zip(stats.senders.to_pylist(), lines, strict=True):
            by_sender.setdefault(sender, []).append(line.encode())
        return [SyslogOut(sender, lines) for sender, lines in by_sender.items()]

    def syslog_for_lake(self, m: Minute) -> tuple[list[SyslogOut], RssiStats]:
        """The lines to parse, and the Wi-Fi statistics whose rows are built directly."""
        by_sender = self.lines.lines(m)
        return [SyslogOut(s, lines) for s, lines in by_sender.items()], self.lines.rssi_stats(m)


def _ip_text(values: npt.NDArray[np.int64]) -> pa.Array:
    from collectors.flow.columns import ipv4_text

    return ipv4_text(values.astype(np.uint32))


__all__ = ["Emitter", "SyslogOut"]
