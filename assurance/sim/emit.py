"""What the twin's devices report about a minute, for lake mode and wire mode alike.

Owns: ``flows`` rows exactly as the flow collector decodes a gateway's jflow export of them
(IPFIX or NetFlow v9 as ``flow_export`` defines it, active timeout 60 s, every packet sampled),
``flow_options`` rows (the real decoder's reading of each template refresh's options data),
each gateway's export sequence number, and the composition of device telemetry (``devices``)
and syslog (``lines``, ``security_lines``) per minute. Sequence numbers are its only flow
state. Must not: do I/O, or decide anything about traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from assurance.sim import noise
from assurance.sim.devices import DeviceTelemetry
from assurance.sim.flow_export import (
    DATA_TEMPLATE_ID,
    TEMPLATE_EVERY_MIN,
    FlowExport,
)
from assurance.sim.lines import RssiStats, SyslogLines
from assurance.sim.physics import NO_LINK, Minute, Twin
from assurance.sim.world import LAN_IF
from collectors.flow import FlowDecoder
from collectors.tables import FLOWS

US = 1_000_000
TS = pa.timestamp("us", tz="UTC")
P_PORT, P_SERVER = noise.purpose("sport"), noise.purpose("server")
_U32 = 0xFFFFFFFF
_V9_EXTRA = ("flowStartSysUpTime", "flowEndSysUpTime")


I64 = npt.NDArray[np.int64]


@dataclass
class FlowRecords:
    """One minute of data records (``TWIN_FIELDS``, and for v9 the sysUpTime-relative times),
    grouped by gateway in order."""

    export_s: int
    gateway: I64  # shard-local site of the exporting gateway
    sequence: I64  # header sequence number of the message carrying each record
    columns: dict[str, I64]
    refresh: I64 | None = None  # per gateway: sequence at the minute's template refresh


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
        scenario = twin.world.scenario
        self.export = FlowExport(
            scenario.flow_export, twin.sites, scenario.hub, int(scenario.start.timestamp())
        )
        # export sequence per gateway: IPFIX data records (options included) or v9 packets
        self.flow_sent = np.zeros(len(twin.sites), np.int64)
        self.boot_ms = np.array([self.export.boot_ms(n) for n in range(len(twin.sites))])
        self.options_decoder = FlowDecoder()
        self.gw_exporter = pa.array([s.address(1, loopback=True) for s in twin.sites])
        self.gw_device = pa.array([s.gateway for s in twin.sites])
        self.site_names = pa.array([s.name for s in twin.sites])
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
    def flow_records(self, m: Minute) -> FlowRecords:
        """One upload and one download record per user-minute with a path, as exported at the
        end of the minute (active timeout 60 s), grouped by gateway in export order."""
        t = self.twin
        keep = np.flatnonzero(m.link != NO_LINK)
        c = m.active[keep]
        loc, site, num = t.c_local[c], t.c_site[c], t.c_num[c]
        order = np.argsort(loc, kind="stable")
        keep, c, loc, site, num = keep[order], c[order], loc[order], site[order], num[order]
        app, link = m.app[keep], m.link[keep]
        n = len(keep)
        client = self._client_ip_int(site, num)
        block = m.minute // 5
        spread = noise.bits(self.seed, P_SERVER, site, num, block).astype(np.int64)
        server = self.server_base[app] + 1 + spread % (self.server_span[app] - 2)
        sport = 1024 + (noise.bits(self.seed, P_PORT, site, num, block) % 60000).astype(np.int64)
        up_b = np.floor(m.bytes_up[keep]).astype(np.int64)
        dn_b = np.floor(m.bytes_down[keep]).astype(np.int64)
        # every session also keeps a TLS control connection (signalling, keep-alives, sync)
        ctl_up = np.where(up_b > 0, np.maximum(200, up_b // 40), 0)
        ctl_dn = np.where(dn_b > 0, np.maximum(400, dn_b // 40), 0)
        wan_if = 510 + link
        lan_if = np.full(n, LAN_IF[1])
        port, proto1 = self.app_port[app], self.app_proto[app]
        tls, tcp = np.full(n, 443), np.full(n, 6)
        one, zero = np.ones(n, np.int64), np.zeros(n, np.int64)

        def per_user(*kinds: I64) -> I64:
            """Records interleaved per user: app up, app down, control up, control down."""
            return np.column_stack(kinds).ravel()

        nbytes = per_user(up_b, dn_b, ctl_up, ctl_dn)
        npkts = per_user(
            np.maximum(1, up_b // 600), np.where(dn_b > 0, np.maximum(1, dn_b // 1200), 0),
            np.maximum(1, ctl_up // 300), np.where(ctl_dn > 0, np.maximum(1, ctl_dn // 600), 0),
        )  # fmt: skip
        sent = nbytes > 0  # a dead path returns nothing: no download records
        proto = per_user(proto1, proto1, tcp, tcp)[sent]
        gw = per_user(loc, loc, loc, loc)[sent]
        end_ms = (m.epoch_s + 60) * 1000 - (1 + per_user(num, num, num, num)[sent] % 500)
        refresh = None
        if m.minute % TEMPLATE_EVERY_MIN == 0:
            refresh = self.flow_sent.copy()
            self.flow_sent += self.export.refresh_increments()
        counts = np.bincount(gw, minlength=len(t.sites))
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.arange(len(gw)) - first[gw]
        seq = self.export.data_sequence(self.flow_sent[gw], rank)
        self.flow_sent += self.export.data_increment(counts)
        start_ms = np.full(len(gw), m.epoch_s * 1000)
        rec = FlowRecords(
            export_s=m.epoch_s + 60,
            gateway=gw,
            sequence=seq,
            refresh=refresh,
            columns={
                "sourceIPv4Address": per_user(client, server, client, server)[sent],
                "destinationIPv4Address": per_user(server, client, server, client)[sent],
                "sourceTransportPort": per_user(sport, port, sport + 1, tls)[sent],
                "destinationTransportPort": per_user(port, sport, tls, sport + 1)[sent],
                "protocolIdentifier": proto,
                "ipClassOfService": np.zeros(len(gw), np.int64),
                "tcpControlBits": np.where(proto == 6, 0x18, 0),
                "octetDeltaCount": nbytes[sent],
                "packetDeltaCount": npkts[sent],
                "ingressInterface": per_user(lan_if, wan_if, lan_if, wan_if)[sent],
                "egressInterface": per_user(wan_if, lan_if, wan_if, lan_if)[sent],
                "flowDirection": per_user(one, zero, one, zero)[sent],
                "flowStartMilliseconds": start_ms,
                "flowEndMilliseconds": end_ms,
            },
        )
        if self.export.kind == "netflow-v9":
            boot = self.boot_ms[gw]
            rec.columns["flowStartSysUpTime"] = (start_ms - boot) & _U32
            rec.columns["flowEndSysUpTime"] = (end_ms - boot) & _U32
        return rec

    def flow_tables(self, m: Minute) -> dict[str, pa.Table]:
        """The minute's ``flows`` rows, and at a template refresh its ``flow_options`` rows,
        exactly as the flow collector decodes the gateways' export of them."""
        rec = self.flow_records(m)
        out = {"flows": self.flows(rec)}
        if rec.refresh is not None:
            out["flow_options"] = self.flow_options(rec)
        return out

    def flow_options(self, rec: FlowRecords) -> pa.Table:
        """The options rows of a minute's template refresh: each gateway's refresh is encoded
        as it would be sent and read back by the collector's decoder (a few rows per gateway;
        ``device``/``site`` still empty, like the decoder's)."""
        assert rec.refresh is not None
        datagrams = []
        received = rec.export_s * US
        for local, sequence in enumerate(rec.refresh.tolist()):
            encoder = self.export.encoder(sequence)
            exporter = self.twin.sites[local].address(1, loopback=True)
            for data in self.export.refresh_datagrams(encoder, local, rec.export_s):
                datagrams.append((data, exporter, received))
        result = self.options_decoder.decode_many(datagrams)
        assert not result.rejected, result.rejected
        return result.options

    def flows(self, rec: FlowRecords) -> pa.Table:
        """``flows`` rows of the records, exactly as the flow collector decodes their export."""
        cols, rows = rec.columns, len(rec.gateway)
        take = pa.array(rec.gateway)
        end_us = cols["flowEndMilliseconds"] * 1000
        nbytes = cols["octetDeltaCount"].astype(np.uint64)
        npkts = cols["packetDeltaCount"].astype(np.uint64)
        table = {
            "event_time": _ts(end_us),
            "received_at": _ts(rec.export_s * US, rows),
            "exporter": self.gw_exporter.take(take),
            "device": self.gw_device.take(take),
            "site": self.site_names.take(take),
            "version": pa.array(np.full(rows, self.export.version, np.uint8)),
            "observation_domain": pa.array(np.zeros(rows, np.uint32)),
            "template_id": pa.array(np.full(rows, DATA_TEMPLATE_ID, np.uint16)),
            "sequence": pa.array(rec.sequence.astype(np.uint32)),
            "export_time": _ts(rec.export_s * US, rows),
            "start_time": _ts(cols["flowStartMilliseconds"] * 1000),
            "end_time": _ts(end_us),
            "ip_version": pa.array(np.full(rows, 4, np.uint8)),
            "src_addr": _ip_text(cols["sourceIPv4Address"]),
            "dst_addr": _ip_text(cols["destinationIPv4Address"]),
            "src_port": pa.array(cols["sourceTransportPort"].astype(np.uint16)),
            "dst_port": pa.array(cols["destinationTransportPort"].astype(np.uint16)),
            "protocol": pa.array(cols["protocolIdentifier"].astype(np.uint8)),
            "tos": pa.array(cols["ipClassOfService"].astype(np.uint8)),
            "tcp_flags": pa.array(cols["tcpControlBits"].astype(np.uint16)),
            "bytes": pa.array(nbytes),
            "packets": pa.array(npkts),
            "bytes_scaled": pa.array(nbytes),
            "packets_scaled": pa.array(npkts),
            "in_if": pa.array(cols["ingressInterface"].astype(np.uint32)),
            "out_if": pa.array(cols["egressInterface"].astype(np.uint32)),
            "direction": pa.array(cols["flowDirection"].astype(np.uint8)),
            # the sampler's options say every packet: rate 1
            "sampling_rate": pa.array(np.ones(rows, np.uint32)),
            "extra": self._extra(cols, rows),
        }
        for col in FLOWS.columns:
            table.setdefault(col.name, pa.nulls(rows, col.type))
        return pa.table(table, schema=FLOWS.schema)

    def _extra(self, cols: dict[str, I64], rows: int) -> pa.Array:
        """IPFIX: every element has a column, so ``extra`` is empty; v9 keeps the
        sysUpTime-relative first/last switched as reported beside the derived times."""
        kind = FLOWS.column("extra").type
        if self.export.kind == "ipfix":
            empty = pa.array([], pa.string())
            return pa.MapArray.from_arrays(
                pa.array(np.zeros(rows + 1, np.int32)), empty, empty, type=kind
            )
        names = pa.array(np.tile(np.array(_V9_EXTRA, object), rows), pa.string())
        values = np.column_stack([cols[k] for k in _V9_EXTRA]).ravel()
        offsets = pa.array(np.arange(rows + 1, dtype=np.int32) * len(_V9_EXTRA))
        return pa.MapArray.from_arrays(
            offsets, names, pa.array(values).cast(pa.string()), type=kind
        )

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


__all__ = ["Emitter", "FlowRecords", "SyslogOut"]
