"""The hand-built SLE fixture: raw rows written from a hand-authored timeline.

Day 2026-11-20, all times UTC. Devices report healthy values every minute at second 30; the
timeline below injects one fault per minute and scope (loss lasts two minutes: a single minute
of loss does not count). ``expected`` in ``test_fixture.py`` was
worked out by hand from this timeline and the thresholds in
``data/samples/sle/fixture/inventory.yaml`` (org defaults; s1 latency 120 ms; outage charge 3 min).

Phase A (10:00-10:11) WAN, site s1 gateway gw1: clients L1 (mpls, then inet 10:08-10:10),
A1 (Teams on inet 10:00-10:07), L2 (Web on lte 10:05-10:07); site s2: S2C on gw2, whose
telemetry stops after 10:05:30.
Phase B (10:12-10:19) wired: W1 (sw1 ge-0/0/1), W2 (sw1 ge-0/0/2), W3 (s2, sw3 never reports).
Phase C (10:21-10:37) wireless: C1 connects and stays (ap1/ap2), C2-C9 connect once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from assurance.lake.writer import LakeWriter
from assurance.tables import REGISTRY

DAY = datetime(2026, 11, 20, tzinfo=UTC)
Row = dict[str, Any]

GW1, SW1, GW2 = "10.1.0.1", "10.1.0.2", "10.2.0.1"
AP1, AP2 = "10.1.0.21", "10.1.0.22"
L1, L2, A1, S2C = "10.1.30.1", "10.1.30.2", "10.1.30.11", "10.2.30.1"
W1, W2, W3 = "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"
C = {i: f"02:00:00:00:01:{i:02d}" for i in range(1, 10)}

GW1_IFINDEX = {
    "ge-0/0/0": 100,
    "ge-0/0/0.0": 500,
    "st0.0": 600,
    "ge-0/0/1": 101,
    "ge-0/0/1.0": 501,
    "st0.1": 601,
    "dl0.0": 502,
}
LINK_IF = {"mpls": "ge-0/0/0.0", "inet": "ge-0/0/1.0", "lte": "dl0.0"}


def t(hh: int, mm: int, ss: int = 0) -> datetime:
    return DAY.replace(hour=hh, minute=mm, second=ss)


def minutes(first: datetime, last: datetime) -> list[datetime]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m += timedelta(minutes=1)
    return out


class Rows:
    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = defaultdict(list)

    def add(
        self,
        table: str,
        when: datetime,
        exporter: str,
        device: str | None,
        site: str | None,
        **values: Any,
    ) -> None:
        self.tables[table].append(
            {
                "event_time": when,
                "received_at": when,
                "exporter": exporter,
                "device": device,
                "site": site,
                **values,
            }
        )


def _interfaces(rows: Rows) -> None:
    """Counters grow 10 000 packets a minute each way; faults add errors/discards."""
    counters: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {
            k: 0
            for k in (
                "in_pkts",
                "out_pkts",
                "in_errors",
                "out_errors",
                "in_crc_errors",
                "out_discards",
            )
        }
    )

    def sample(
        exporter: str,
        device: str,
        site: str,
        name: str,
        when: datetime,
        *,
        index: int | None = None,
        oper: str = "up",
        speed: int = 1_000_000_000,
        in_bps: float = 10e6,
        out_bps: float = 5e6,
        **extra: int,
    ) -> None:
        c = counters[(device, name)]
        c["in_pkts"] += 10_000
        c["out_pkts"] += 10_000
        for key, add in extra.items():
            c[key] += add
        rows.add(
            "interface_stats",
            when,
            exporter,
            device,
            site,
            source="snmp",
            if_name=name,
            if_index=index,
            oper_status=oper,
            admin_status="up",
            speed_bps=speed,
            in_bps=in_bps,
            out_bps=out_bps,
            counter_reset=False,
            **c,
        )

    for m in minutes(t(9, 40), t(10, 45)):
        at = m + timedelta(seconds=30)
        hm = (m.hour, m.minute)
        for name, index in GW1_IFINDEX.items():
            kw: dict[str, Any] = {}
            if name in ("ge-0/0/0", "ge-0/0/0.0", "st0.0") and hm in ((10, 8), (10, 9), (10, 10)):
                kw["oper"] = "down"
            if name == "ge-0/0/1" and hm == (10, 4):
                kw["in_errors"] = 20
            if name == "ge-0/0/1" and hm == (10, 5):
                kw["out_discards"] = 50
            if name == "ge-0/0/1.0" and hm == (10, 4):
                kw["out_bps"] = 9e6
            if name == "st0.1" and hm == (10, 7):
                kw["oper"] = "down"
            sample(GW1, "gw1", "s1", name, at, index=index, **kw)
        for name in ("ge-0/1/0", "ge-0/0/1", "ge-0/0/2", "ge-0/0/8", "ge-0/0/9"):
            kw = {"in_bps": 1e6, "out_bps": 1e6}
            if name == "ge-0/1/0" and hm == (10, 13):
                kw["in_errors"] = 50
            if name == "ge-0/1/0" and hm == (10, 19):
                kw["oper"] = "down"
            if name == "ge-0/0/1" and hm == (10, 14):
                kw["in_crc_errors"] = 30
                kw["in_errors"] = 30
            if name == "ge-0/0/1" and hm == (10, 17):
                kw["speed"] = 10_000_000
            if name == "ge-0/0/2" and hm == (10, 18):
                kw["out_bps"] = 900e6
            if name == "ge-0/0/8" and hm == (10, 22):
                kw["in_errors"] = 40
            if name == "ge-0/0/9" and hm in ((10, 36), (10, 37)):
                kw["oper"] = "down"
            sample(SW1, "sw1", "s1", name, at, **kw)
        if m <= t(10, 5):
            sample(GW2, "gw2", "s2", "ge-0/0/0.0", at, index=510)


def _health(rows: Rows) -> None:
    for m in minutes(t(9, 40), t(10, 45)):
        at = m + timedelta(seconds=30)
        hm = (m.hour, m.minute)
        re = {"cpu_pct": 20.0, "memory_pct": 40.0, "temperature_c": 45.0}
        spu = {"cpu_pct": 30.0, "memory_pct": 50.0, "sessions_current": 1000, "sessions_max": 64000}
        psu = "running"
        if hm == (10, 2):
            re["cpu_pct"] = 90.0
        if hm == (10, 3):
            spu["memory_pct"] = 85.0
        if hm == (10, 4):
            re["temperature_c"] = 80.0
        if hm == (10, 5):
            spu["sessions_current"] = 60000
        if hm == (10, 6):
            psu = "down"
        rows.add(
            "device_health",
            at,
            GW1,
            "gw1",
            "s1",
            source="snmp",
            component="Routing Engine",
            status="running",
            **re,
        )
        rows.add("device_health", at, GW1, "gw1", "s1", source="snmp", component="SPU 0/0", **spu)
        rows.add(
            "device_health",
            at,
            GW1,
            "gw1",
            "s1",
            source="snmp",
            component="Power Supply 0",
            power_status=psu,
            status=psu,
        )
        sw = {"cpu_pct": 10.0, "memory_pct": 30.0, "temperature_c": 40.0}
        if hm == (10, 15):
            sw["temperature_c"] = 75.0
        if hm == (10, 17):
            sw["cpu_pct"] = 90.0
        if hm == (10, 18):
            sw["memory_pct"] = 85.0
        rows.add(
            "device_health",
            at,
            SW1,
            "sw1",
            "s1",
            source="snmp",
            component="Routing Engine",
            status="running",
            **sw,
        )
        if m <= t(10, 5):
            rows.add(
                "device_health",
                at,
                GW2,
                "gw2",
                "s2",
                source="snmp",
                component="Routing Engine",
                cpu_pct=10.0,
                memory_pct=20.0,
            )


def _probes(rows: Rows) -> None:
    for m in minutes(t(9, 40), t(10, 45)):
        at = m + timedelta(seconds=20)
        hm = (m.hour, m.minute)
        for link, interface in LINK_IF.items():
            p: dict[str, Any] = {
                "rtt_ms": 20.0,
                "jitter_ms": 2.0,
                "loss_pct": 0.0,
                "probes_sent": 10,
                "probes_received": 10,
            }
            if link == "mpls" and hm == (10, 1):
                p["rtt_ms"] = 130.0
            if link == "mpls" and hm == (10, 2):
                p["jitter_ms"] = 40.0
            if link == "mpls" and hm in ((10, 3), (10, 4)):
                p["loss_pct"] = 2.0
            if (link == "mpls" and hm in ((10, 8), (10, 9), (10, 10))) or (
                link == "lte" and hm == (10, 6)
            ):
                p = {
                    "rtt_ms": None,
                    "jitter_ms": None,
                    "loss_pct": 100.0,
                    "probes_sent": 10,
                    "probes_received": 0,
                }
            rows.add(
                "sla_metrics",
                at,
                GW1,
                "gw1",
                "s1",
                source="rpm",
                probe=f"wan/{link}",
                interface=interface,
                **p,
            )
        q = {"rtt_ms": 30.0, "jitter_ms": 3.0, "loss_pct": 0.0}
        if hm == (10, 1):
            q["rtt_ms"] = 110.0
        if hm == (10, 2):
            q["jitter_ms"] = 35.0
        if hm in ((10, 3), (10, 4)):
            q["loss_pct"] = 1.5
        rows.add(
            "sla_metrics",
            m + timedelta(seconds=25),
            GW1,
            "gw1",
            "s1",
            source="appqoe",
            probe="teams-sla",
            application="MS-TEAMS",
            interface="st0.1",
            **q,
        )
        if m <= t(10, 5):
            rows.add(
                "sla_metrics",
                at,
                GW2,
                "gw2",
                "s2",
                source="rpm",
                probe="wan/inet2",
                interface="ge-0/0/0.0",
                rtt_ms=25.0,
                jitter_ms=2.0,
                loss_pct=0.0,
            )


def flow(
    rows: Rows,
    when: datetime,
    exporter: str,
    device: str,
    site: str,
    src: str,
    dst: str,
    dport: int,
    proto: int,
    out_if: int,
) -> None:
    """One client flow record of 100 kB from ``src`` (port 50000) to ``dst``."""
    rows.add(
        "flows",
        when,
        exporter,
        device,
        site,
        version=10,
        observation_domain=0,
        src_addr=src,
        dst_addr=dst,
        src_port=50000,
        dst_port=dport,
        protocol=proto,
        bytes=100_000,
        packets=100,
        bytes_scaled=100_000,
        packets_scaled=100,
        in_if=200,
        out_if=out_if,
        start_time=when - timedelta(seconds=30),
        end_time=when,
    )


def alive(rows: Rows, when: datetime, exporter: str, device: str, site: str) -> None:
    """A health sample of a device with nothing wrong (its Routing Engine at 10 % CPU)."""
    rows.add(
        "device_health",
        when,
        exporter,
        device,
        site,
        source="snmp",
        component="Routing Engine",
        cpu_pct=10.0,
        memory_pct=20.0,
    )


def _traffic(rows: Rows) -> None:
    mpls, inet, lte = (GW1_IFINDEX[LINK_IF[k]] for k in ("mpls", "inet", "lte"))
    for m in minutes(t(10, 0), t(10, 11)):
        link = inet if t(10, 8) <= m <= t(10, 10) else mpls
        flow(rows, m + timedelta(seconds=40), GW1, "gw1", "s1", L1, "198.51.100.10", 8080, 6, link)
    for m in minutes(t(10, 0), t(10, 7)):
        flow(rows, m + timedelta(seconds=40), GW1, "gw1", "s1", A1, "52.112.1.1", 3478, 17, inet)
    for m in minutes(t(10, 5), t(10, 7)):
        flow(rows, m + timedelta(seconds=40), GW1, "gw1", "s1", L2, "203.0.113.5", 443, 6, lte)
    for m in minutes(t(10, 0), t(10, 9)):
        flow(rows, m + timedelta(seconds=40), GW2, "gw2", "s2", S2C, "198.51.100.20", 22, 6, 510)
    base = {
        "application": "MS-TEAMS",
        "nested_application": "UNKNOWN",
        "src_addr": A1,
        "src_port": 50001,
        "dst_addr": "52.112.1.1",
        "dst_port": 443,
        "protocol": 6,
        "bytes_from_client": 1000,
        "elapsed_s": 30,
    }
    rows.add(
        "sessions",
        t(10, 6, 45),
        GW1,
        "gw1",
        "s1",
        event_type="session_close",
        close_reason="idle Timeout",
        packets_from_server=0,
        bytes_from_server=0,
        **base,
    )
    rows.add(
        "sessions",
        t(10, 7, 45),
        GW1,
        "gw1",
        "s1",
        event_type="session_close",
        close_reason="TCP SERVER RST",
        packets_from_server=5,
        bytes_from_server=500,
        **base,
    )
    rows.add(
        "sessions",
        t(10, 7, 46),
        GW1,
        "gw1",
        "s1",
        event_type="session_close",
        close_reason="TCP FIN",
        packets_from_server=10,
        bytes_from_server=9000,
        **base,
    )


def _wired(rows: Rows) -> None:
    def dot1x(
        when: datetime,
        mac: str,
        event: str,
        result: str | None,
        port: str,
        exporter: str = SW1,
        device: str = "sw1",
        site: str = "s1",
        reason: str | None = None,
    ) -> None:
        rows.add(
            "client_events",
            when,
            exporter,
            device,
            site,
            event_type=event,
            result=result,
            reason=reason,
            client_mac=mac,
            switch_port=port,
        )

    dot1x(t(10, 12, 5), W1, "auth", "ok", "ge-0/0/1")
    dot1x(t(10, 19, 50), W1, "disconnect", None, "ge-0/0/1")
    dot1x(t(10, 13, 10), W2, "auth", "fail", "ge-0/0/2", reason="bad credentials")
    dot1x(t(10, 14, 10), W2, "auth", "ok", "ge-0/0/2")
    dot1x(t(10, 19, 55), W2, "disconnect", None, "ge-0/0/2")
    dot1x(t(10, 12, 0), W3, "auth", "ok", "ge-0/0/1", "10.2.0.2", "sw3", "s2")
    dot1x(t(10, 13, 30), W3, "disconnect", None, "ge-0/0/1", "10.2.0.2", "sw3", "s2")
    rows.add(
        "client_events",
        t(10, 15, 20),
        GW1,
        "gw1",
        "s1",
        event_type="dhcp",
        result="fail",
        reason="no offer",
        client_mac=W1,
    )
    rows.add(
        "client_events",
        t(10, 16, 20),
        GW1,
        "gw1",
        "s1",
        event_type="dns",
        result="fail",
        reason="timeout",
        client_mac=W1,
    )
    rows.add(
        "device_events",
        t(10, 16, 10),
        SW1,
        "sw1",
        "s1",
        category="poe",
        event_type="POE_PORT_FAULT",
        state="fault",
        interface="ge-0/0/2",
    )


def _wifi(rows: Rows, when: datetime, mac: str, event: str, ap: str, **values: Any) -> None:
    exporter = AP1 if ap == "ap1" else AP2
    rows.add(
        "client_events",
        when,
        exporter,
        ap,
        "s1",
        event_type=event,
        client_mac=mac,
        ap=ap,
        ssid="corp",
        band=values.pop("band", "5"),
        **values,
    )


def _connect(
    rows: Rows,
    minute: datetime,
    mac: str,
    ap: str,
    ip: str,
    steps: tuple[float, float, float, float],
) -> None:
    for i, (event, ms) in enumerate(zip(("assoc", "auth", "dhcp", "dns"), steps, strict=True)):
        extra = {"client_ip": ip} if event == "dhcp" else {}
        _wifi(
            rows,
            minute + timedelta(seconds=5 + i),
            mac,
            event,
            ap,
            result="ok",
            duration_ms=ms,
            **extra,
        )


def _wireless(rows: Rows) -> None:
    _connect(rows, t(10, 21), C[1], "ap1", "10.1.20.1", (100, 200, 300, 100))
    rf: dict[tuple[int, int], dict[str, Any]] = {
        (10, 25): {"channel_util_pct": 30, "util_other_bss_pct": 20, "util_non_wifi_pct": 2},
        (10, 26): {
            "channel_util_pct": 40,
            "util_other_bss_pct": 10,
            "util_non_wifi_pct": 15,
            "rate_mbps": 15,
        },
        (10, 27): {
            "channel_util_pct": 50,
            "util_other_bss_pct": 5,
            "util_non_wifi_pct": 2,
            "rate_mbps": 18,
        },
        (10, 28): {"max_rate_mbps": 15, "rate_mbps": 11},
        (10, 29): {"rate_mbps": 10.5},
        (10, 30): {"rate_mbps": 8},
    }
    aps = {(10, 31): "ap2", (10, 32): "ap1", (10, 33): "ap2", (10, 34): "ap2"}
    for m in minutes(t(10, 21), t(10, 34)):
        hm = (m.hour, m.minute)
        fields = {
            "channel_util_pct": 10,
            "util_other_bss_pct": 2,
            "util_non_wifi_pct": 1,
            "rate_mbps": 200,
            "max_rate_mbps": 400,
        }
        fields.update(rf.get(hm, {}))
        rssi = -80.0 if hm == (10, 30) else -60.0
        ap = aps.get(hm, "ap1")
        _wifi(
            rows,
            m + timedelta(seconds=30),
            C[1],
            "rssi",
            ap,
            rssi_dbm=rssi,
            fields={k: str(v) for k, v in fields.items()},
        )
    roams = {
        (10, 31): ("ap2", "11r", 500, "ok"),
        (10, 32): ("ap1", "okc", 450, "ok"),
        (10, 33): ("ap2", "standard", 2500, "ok"),
        (10, 34): ("ap2", "11r", 100, "fail"),
    }
    for (hh, mm), (ap, kind, ms, result) in roams.items():
        _wifi(
            rows,
            t(hh, mm, 10),
            C[1],
            "roam",
            ap,
            result=result,
            duration_ms=ms,
            fields={"roam_type": kind},
        )
    _wifi(rows, t(10, 35), C[1], "disassoc", "ap2")
    slow = {
        2: ("ap1", (1500, 200, 300, 100)),
        3: ("ap2", (100, 1200, 500, 300)),
        4: ("ap2", (100, 200, 1800, 100)),
        5: ("ap2", (100, 200, 300, 1500)),
    }
    for i, (ap, steps) in slow.items():
        _connect(rows, t(10, 20 + i), C[i], ap, f"10.1.20.{i}", steps)
        _wifi(rows, t(10, 21 + i), C[i], "disassoc", ap)
    _wifi(rows, t(10, 26, 5), C[6], "assoc", "ap1", result="fail", reason="ap full")
    _wifi(rows, t(10, 27, 5), C[7], "assoc", "ap1", result="ok", duration_ms=100)
    _wifi(rows, t(10, 27, 6), C[7], "auth", "ap1", result="fail", reason="wrong psk")
    _wifi(rows, t(10, 28, 5), C[8], "assoc", "ap1", result="ok", duration_ms=100)
    _wifi(rows, t(10, 28, 6), C[8], "auth", "ap1", result="ok", duration_ms=100)
    _wifi(rows, t(10, 28, 7), C[8], "dhcp", "ap1", result="fail", reason="no offer")
    _wifi(rows, t(10, 29), C[8], "disassoc", "ap1")
    _wifi(rows, t(10, 29, 5), C[9], "assoc", "ap1", result="ok", duration_ms=100)
    _wifi(rows, t(10, 29, 6), C[9], "auth", "ap1", result="ok", duration_ms=100)
    _wifi(
        rows, t(10, 29, 7), C[9], "dhcp", "ap1", result="ok", duration_ms=100, client_ip="10.1.20.9"
    )
    _wifi(rows, t(10, 29, 8), C[9], "dns", "ap1", result="fail", reason="timeout")
    _wifi(rows, t(10, 30), C[9], "disassoc", "ap1")
    rows.add(
        "device_events",
        t(10, 23, 10),
        SW1,
        "sw1",
        "s1",
        category="poe",
        event_type="POE_PORT_FAULT",
        state="fault",
        interface="ge-0/0/8",
    )
    for when, state in ((t(10, 24, 10), "down"), (t(10, 24, 40), "up")):
        rows.add(
            "device_events",
            when,
            SW1,
            "sw1",
            "s1",
            category="interface",
            event_type=f"SNMP_TRAP_LINK_{state.upper()}",
            state=state,
            interface="ge-0/0/8",
        )


def build() -> dict[str, list[Row]]:
    rows = Rows()
    _interfaces(rows)
    _health(rows)
    _probes(rows)
    _traffic(rows)
    _wired(rows)
    _wireless(rows)
    return rows.tables


def write(lake: str) -> None:
    """Write the fixture's raw rows into the lake at ``lake``."""
    with LakeWriter(lake) as writer:
        for table, rows in build().items():
            spec = REGISTRY[table]
            writer.write(table, pa.Table.from_pylist(rows, schema=spec.schema))
