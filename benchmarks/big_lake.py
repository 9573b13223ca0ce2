"""A month-scale lake for read benchmarks: 30 days × 200 branch sites, fixed seed.

Builds, through the lake's own ``LakeWriter`` (so the layout is the real
``<table>/date=/hour=/part-*.parquet``), exactly the tables the dashboard pages and the read API
(``assurance.query``) read: ``user_minutes`` and the SLE roll-ups ``sle_minutes`` /
``sle_hours`` / ``sle_days`` (summed from ``user_minutes`` with the SLE engine's own grouping
SQL, so every roll-up agrees with the minutes), the raw ``sla_metrics``, ``interface_stats``,
``client_events`` and ``device_events``, and ``incidents``, ``actions`` and ``alerts`` for the
injected faults; plus ``<lake>/inventory.yaml`` (gateways, WAN links with ISP and capacity,
switches, APs) that the dashboard picks up. SLE verdicts are generated, not computed from raw
telemetry (computing them for 30 × 200 site-days takes hours), with the declared schemas.

Per site (sizes vary with the site): one SRX gateway with 2-3 WAN links (MPLS, broadband, some
LTE), one switch with 8-24 access ports and 2-6 APs; a diurnal load in the site's local time
(business hours at the site's peak of 4-16 active clients, evenings a quarter, nights a few,
weekends a third); ten applications; about 70 % of clients on Wi-Fi. About one site-day in six
carries a fault (ISP loss, weak AP coverage, switch port errors or gateway CPU) of 1-3 hours,
with an incident, alert notifications and, for ISP faults, a path-policy action.

Must not read anything but its arguments (no network, no clock: times come from ``START``).

    .venv/bin/python benchmarks/big_lake.py --out /tmp/big-lake [--sites 200 --days 30 --seed 7]

Another benchmark imports ``build(path, sites=..., days=..., seed=...)``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assurance.config.loader import load_inventory
from assurance.lake.writer import LakeWriter
from assurance.sle.assemble import rollup_sql, sle_minutes_sql
from assurance.sle.catalog import SLES
from assurance.tables import table

#: The first day of every lake (a Monday); nothing reads the clock.
START = datetime(2026, 10, 5, tzinfo=UTC)
CITIES = [
    ("nyc", "America/New_York", -5), ("bos", "America/New_York", -5),
    ("atl", "America/New_York", -5), ("mia", "America/New_York", -5),
    ("chi", "America/Chicago", -6), ("dal", "America/Chicago", -6),
    ("hou", "America/Chicago", -6), ("den", "America/Denver", -7),
    ("phx", "America/Phoenix", -7), ("sea", "America/Los_Angeles", -8),
    ("sfo", "America/Los_Angeles", -8), ("lax", "America/Los_Angeles", -8),
]  # fmt: skip
BROADBAND = ["Comcast Business", "Spectrum Business", "AT&T Business Fiber", "Cox Business"]
MPLS = ["Verizon Business MPLS", "Lumen MPLS"]
#: name, base RTT (ms), MB per user-minute, MPLS-steered
APPS = [
    ("Microsoft Teams", 35.0, 1.5, False), ("Zoom", 40.0, 2.0, False),
    ("Salesforce", 60.0, 0.3, True), ("Office 365", 30.0, 0.6, False),
    ("YouTube", 25.0, 4.0, False), ("POS Payments", 20.0, 0.05, True),
    ("Google Workspace", 28.0, 0.5, False), ("ServiceNow", 55.0, 0.2, True),
    ("Slack", 45.0, 0.2, False), ("Box", 50.0, 1.0, False),
]  # fmt: skip
FAULTS = ("isp", "ap", "port", "gateway")
SLE_NAMES = [s.name for s in SLES]
WIRELESS_SLES = {s.name for s in SLES if s.family == "wireless"}
WIRED_SLES = {s.name for s in SLES if s.family == "wired"}
#: SLEs judged only on minutes with a connection attempt (one wireless minute in ten)
EVENT_SLES = {"time_to_connect", "successful_connects", "roaming", "wired_successful_connects"}
#: fault kind → the SLEs it breaks (and the classifier it shows up as)
FAULT_SLES = {
    "isp": {"wan_link_health": "network", "application_health": "loss"},
    "ap": {"coverage": "weak_signal", "wireless_throughput": "coverage"},
    "port": {"wired_throughput": "port_errors"},
    "gateway": {"gateway_health": "cpu", "gateway_bandwidth": "headroom"},
}
#: SLE → (good value expression, bad value expression) over u (uniform) in SQL
VALUES = {
    "gateway_health": ("18 + 20 * u", "92 + 5 * u"),
    "wan_link_health": ("l_rtt * (0.8 + 0.4 * u)", "220 + 80 * u"),
    "application_health": ("a_rtt + l_rtt * (0.8 + 0.4 * u)", "280 + 120 * u"),
    "gateway_bandwidth": ("15 + 50 * u", "85 + 14 * u"),
    "wired_throughput": ("5 + 40 * u", "88 + 10 * u"),
    "wired_successful_connects": ("0", "1"),
    "switch_health": ("12 + 20 * u", "90 + 8 * u"),
    "time_to_connect": ("0.3 + 1.2 * u", "3 + 6 * u"),
    "successful_connects": ("0", "1"),
    "coverage": ("-48 - 20 * u", "-74 - 10 * u"),
    "roaming": ("40 + 300 * u", "900 + 2000 * u"),
    "wireless_throughput": ("25 + 150 * u", "1 + 8 * u"),
    "capacity": ("10 + 50 * u", "85 + 14 * u"),
    "ap_health": ("0", "1 + floor(20 * u)"),
}


@dataclass(frozen=True)
class Site:
    index: int
    name: str
    timezone: str
    utc_offset: int
    peak: int
    links: tuple[tuple[str, str, str, str, int], ...]  # name, interface, isp, type, capacity
    aps: int
    ports: int


def _sites(n: int, rng: np.random.Generator) -> list[Site]:
    out = []
    for i in range(n):
        city, tz, offset = CITIES[i % len(CITIES)]
        links = [
            ("mpls", "ge-0/0/0.0", MPLS[i % 2], "mpls", int(rng.choice([20, 50, 100]))),
            ("isp-a", "ge-0/0/1.0", BROADBAND[i % 4], "broadband", int(rng.choice([200, 500]))),
        ]
        if rng.random() < 0.4:
            links.append(("lte", "dl0.0", "Verizon Wireless", "lte", 50))
        out.append(
            Site(
                index=i,
                name=f"br-{city}-{i:03d}",
                timezone=tz,
                utc_offset=offset,
                peak=int(rng.integers(4, 17)),
                links=tuple(links),
                aps=int(rng.integers(2, 7)),
                ports=int(rng.integers(8, 25)),
            )
        )
    return out


@dataclass(frozen=True)
class Fault:
    site: Site
    kind: str
    start: datetime
    end: datetime

    @property
    def target(self) -> str:
        s = self.site.name
        return {
            "isp": "isp-a",
            "ap": f"{s}-ap1",
            "port": "ge-0/0/1",
            "gateway": f"{s}-gw1",
        }[self.kind]


def _faults(sites: list[Site], days: int, rng: np.random.Generator) -> list[Fault]:
    out = []
    for day in range(days):
        for site in sites:
            if rng.random() >= 1 / 6:
                continue
            kind = FAULTS[int(rng.integers(0, len(FAULTS)))]
            local_hour = int(rng.integers(9, 17))
            start = START + timedelta(days=day, hours=local_hour - site.utc_offset)
            start += timedelta(minutes=int(rng.integers(0, 60)))
            out.append(
                Fault(site, kind, start, start + timedelta(minutes=int(rng.integers(60, 181))))
            )
    return out


def _inventory(sites: list[Site]) -> dict[str, object]:
    entries = []
    for s in sites:
        n = s.index
        ap_ports = [f"ge-0/0/{s.ports + k}" for k in range(s.aps)]
        entries.append(
            {
                "name": s.name,
                "timezone": s.timezone,
                "gateways": [
                    {
                        "name": f"{s.name}-gw1",
                        "model": "SRX340",
                        "role": "spoke",
                        "mgmt_ip": f"10.{100 + n // 250}.{n % 250}.1",
                        "wan": [
                            {
                                "name": name,
                                "interface": ifname,
                                "isp": isp,
                                "type": kind,
                                "capacity_mbps": {"down": cap, "up": max(cap // 5, 10)},
                            }
                            for name, ifname, isp, kind, cap in s.links
                        ],
                    }
                ],
                "switches": [
                    {
                        "name": f"{s.name}-sw1",
                        "model": "EX2300-48P",
                        "mgmt_ip": f"10.{100 + n // 250}.{n % 250}.2",
                        "ports": [
                            {"name": f"ge-0/0/{p}", "role": "access", "vlan": 100}
                            for p in range(s.ports)
                        ]
                        + [{"name": p, "role": "trunk", "vlan": 10, "poe": True} for p in ap_ports],
                    }
                ],
                "aps": [
                    {
                        "name": f"{s.name}-ap{k + 1}",
                        "model": "AP34",
                        "mac": f"5c:5b:35:{n // 256:02x}:{n % 256:02x}:{k + 1:02x}",
                        "ip": f"10.{100 + n // 250}.{n % 250}.{21 + k}",
                        "switch": f"{s.name}-sw1",
                        "switch_port": ap_ports[k],
                    }
                    for k in range(s.aps)
                ],
            }
        )
    return {"org": {"name": "big-retail"}, "sites": entries}


def _dimension_tables(
    con: duckdb.DuckDBPyConnection, sites: list[Site], faults: list[Fault]
) -> None:
    con.register(
        "d_site",
        pa.table(
            {
                "si": [s.index for s in sites],
                "site": [s.name for s in sites],
                "tz": [s.utc_offset for s in sites],
                "peak": [s.peak for s in sites],
                "aps": [s.aps for s in sites],
                "ports": [s.ports for s in sites],
                "links": [len(s.links) for s in sites],
            }
        ),
    )
    rtt = {"mpls": 22.0, "broadband": 16.0, "lte": 55.0}
    con.register(
        "d_link",
        pa.table(
            {
                "site": [s.name for s in sites for _ in s.links],
                "li": [i for s in sites for i in range(len(s.links))],
                "link": [ln[0] for s in sites for ln in s.links],
                "ifname": [ln[1] for s in sites for ln in s.links],
                "cap": [float(ln[4]) for s in sites for ln in s.links],
                "l_rtt": [rtt[ln[3]] for s in sites for ln in s.links],
            }
        ),
    )
    con.register(
        "d_app",
        pa.table(
            {
                "ai": list(range(len(APPS))),
                "app": [a[0] for a in APPS],
                "a_rtt": [a[1] for a in APPS],
                "mb": [a[2] for a in APPS],
                "mpls": [a[3] for a in APPS],
            }
        ),
    )
    con.register(
        "d_fault",
        pa.table(
            {
                "site": pa.array([f.site.name for f in faults], pa.string()),
                "kind": pa.array([f.kind for f in faults], pa.string()),
                "f_start": pa.array([f.start for f in faults], pa.timestamp("us", "UTC")),
                "f_end": pa.array([f.end for f in faults], pa.timestamp("us", "UTC")),
            }
        ),
    )


def _u(seed: int, *parts: str) -> str:
    """A uniform [0, 1) from a hash of the row's identity (deterministic for a seed)."""
    return f"((hash({seed}, {', '.join(parts)}) % 1000003) / 1000003.0)"


def _user_minutes_sql(seed: int) -> str:
    """One day of user minutes ($d0 ≤ minute < $d1), every SLE's verdict columns included."""
    verdicts = []
    for i, sle in enumerate(SLE_NAMES):
        u = _u(seed, "client_id", "minute", str(i))
        applies = "true"
        if sle in WIRELESS_SLES:
            applies = "wireless"
        elif sle in WIRED_SLES:
            applies = "NOT wireless"
        if sle in EVENT_SLES:
            applies += f" AND {_u(seed, 'client_id', 'minute', '99')} < 0.1"
        faulty = [k for k, hit in FAULT_SLES.items() if sle in hit]
        hit = " OR ".join(f"f_kind = '{k}'" for k in faulty) or "false"
        if "isp" in faulty:
            hit = hit.replace("f_kind = 'isp'", "(f_kind = 'isp' AND wan_link = 'isp-a')")
        if "ap" in faulty:
            hit = hit.replace("f_kind = 'ap'", "(f_kind = 'ap' AND ap_i = 0)")
        if "port" in faulty:
            hit = hit.replace("f_kind = 'port'", "(f_kind = 'port' AND port_i = 1)")
        fault_cls = [FAULT_SLES[k][sle] for k in faulty]
        classes = [c for s in SLES if s.name == sle for c in s.classifiers]
        base_cls = "[" + ", ".join(f"'{c}'" for c in classes) + "]"
        cls = (
            f"CASE WHEN {hit} THEN '{fault_cls[0]}' ELSE "
            f"{base_cls}[1 + (hash({seed}, client_id, minute, {i}, 7) % {len(classes)})::INT] END"
            if fault_cls
            else f"{base_cls}[1 + (hash({seed}, client_id, minute, {i}, 7) % {len(classes)})::INT]"
        )
        verdicts.append(
            f"CASE WHEN {applies} THEN NOT ({u} < 0.012 OR (coalesce({hit}, false) AND {u} < 0.6)) "
            "END "
            f"AS {sle}_ok_, {u} AS {sle}_u, {cls} AS {sle}_cls_"
        )
    # the outer select turns the raw draws into the five declared columns per SLE
    outer = []
    for sle in SLE_NAMES:
        good, bad = VALUES[sle]
        outer += [
            f"{sle}_ok_ AS {sle}_ok",
            f"CASE WHEN NOT {sle}_ok_ THEN {sle}_cls_ END AS {sle}_classifier",
            f"CASE WHEN NOT {sle}_ok_ THEN {sle}_cls_ || '-' || "
            f"(['a', 'b', 'c'][1 + (hash(client_id, {SLE_NAMES.index(sle)}) % 3)::INT]) END "
            f"AS {sle}_sub",
            f"CASE WHEN {sle}_ok_ IS NULL THEN NULL WHEN {sle}_ok_ THEN {_sql_value(good, sle)} "
            f"ELSE {_sql_value(bad, sle)} END AS {sle}_value",
            f"CASE WHEN NOT {sle}_ok_ THEN {sle}_cls_ END AS {sle}_evidence",
        ]
    load = (
        "CASE WHEN dow IN (0, 6) THEN 0.33 ELSE 1.0 END * CASE "
        "WHEN lh BETWEEN 9 AND 17 THEN 1.0 WHEN lh IN (7, 8, 18, 19) THEN 0.5 "
        "WHEN lh BETWEEN 20 AND 22 THEN 0.25 ELSE 0.08 END"
    )
    return f"""
WITH m AS (SELECT unnest(range($d0::TIMESTAMPTZ, $d1::TIMESTAMPTZ, INTERVAL 1 MINUTE)) AS minute),
sm AS (
  SELECT minute, s.*, ((hour(minute) + tz + 24) % 24) AS lh,
         dayofweek(minute + to_hours(tz)) AS dow
  FROM m CROSS JOIN d_site s
),
n AS (SELECT *, greatest(1, round(peak * ({load}) * (0.85 + 0.3 * {_u(seed, "site", "minute")}))
      )::INT AS active FROM sm),
c AS (
  SELECT minute, site, si, aps, ports, links, k,
         site || '-c' || lpad(k::VARCHAR, 3, '0') AS client_id,
         (hash({seed}, site, k) % 10) < 7 AS wireless,
         ((hash({seed}, site, k, 1) % 100) < 80) AS band5,
         ((k * 7 + (epoch(minute)::BIGINT // 600)) % {len(APPS)})::INT AS ai,
         (k % aps)::INT AS ap_i, (k % ports)::INT AS port_i
  FROM n, unnest(range(active)) AS t(k)
),
j AS (
  SELECT c.*, a.app, a.a_rtt, a.mb,
         CASE WHEN a.mpls THEN 'mpls' ELSE 'isp-a' END AS wan_link,
         f.kind AS f_kind
  FROM c JOIN d_app a USING (ai)
  LEFT JOIN d_fault f ON f.site = c.site AND c.minute >= f.f_start AND c.minute < f.f_end
),
v AS (
  SELECT j.*, l.l_rtt, l.ifname, {", ".join(verdicts)}
  FROM j JOIN d_link l ON l.site = j.site AND l.link = j.wan_link
)
SELECT minute, site, client_id,
  printf('02:%02x:%02x:00:%02x:%02x', si // 256, si % 256, k // 256, k % 256) AS client_mac,
  printf('10.%d.%d.%d', 100 + si // 250, si % 250, 50 + k) AS client_ip,
  NULL AS username, client_id AS hostname,
  CASE WHEN wireless THEN 'iOS' ELSE 'Windows' END AS os,
  CASE WHEN wireless THEN 'corp' END AS ssid,
  CASE WHEN wireless THEN CASE WHEN band5 THEN '5' ELSE '2.4' END END AS band,
  wireless, site || '-gw1' AS gateway, wan_link,
  CASE WHEN wan_link = 'mpls' THEN 'st0.0' ELSE 'st0.1' END AS overlay_path,
  app AS application,
  CASE WHEN wireless THEN site || '-ap' || (ap_i + 1) END AS ap,
  site || '-sw1' AS switch,
  CASE WHEN wireless THEN 'ge-0/0/' || (ports + ap_i) ELSE 'ge-0/0/' || port_i END
    AS switch_port,
  (mb * 0.15e6 * (0.5 + {_u(seed, "client_id", "minute", "11")}))::UBIGINT AS bytes_up,
  (mb * 0.85e6 * (0.5 + {_u(seed, "client_id", "minute", "12")}))::UBIGINT AS bytes_down,
  (1 + hash(client_id, minute) % 12)::UINTEGER AS flows,
  'flows,sessions' AS evidence_sources,
  {", ".join(outer)}
FROM v
"""  # noqa: S608 (names and numbers from this module only)


def _sql_value(expr: str, sle: str) -> str:
    """A value expression with ``u`` bound to the SLE's own draw."""
    out = []
    for token in expr.replace("(", " ( ").replace(")", " ) ").split():
        out.append(f"{sle}_u" if token == "u" else token)
    return " ".join(out)


def _sla_metrics_sql(seed: int) -> str:
    """One RPM probe result per WAN link per minute; ISP faults add latency and loss."""
    u = _u(seed, "l.site", "l.li", "minute")
    hit = "f.kind IS NOT NULL"
    return f"""
WITH m AS (SELECT unnest(range($d0::TIMESTAMPTZ, $d1::TIMESTAMPTZ, INTERVAL 1 MINUTE)) AS minute)
SELECT minute + INTERVAL 7 SECOND AS event_time, minute + INTERVAL 9 SECOND AS received_at,
  '198.51.100.' || (s.si % 250) AS exporter, l.site || '-gw1' AS device, l.site,
  'rpm' AS source, 'wan-' || l.link AS probe, NULL AS application, l.ifname AS interface,
  l.link AS path, '10.255.0.1' AS destination,
  l.l_rtt * (0.85 + 0.3 * {u}) + CASE WHEN {hit} THEN 180 + 60 * {u} ELSE 0 END AS rtt_ms,
  1 + 3 * {u} + CASE WHEN {hit} THEN 25 ELSE 0 END AS jitter_ms,
  CASE WHEN {hit} THEN 4 + 8 * {u} WHEN {u} > 0.97 THEN 10 ELSE 0 END AS loss_pct,
  10::UINTEGER AS probes_sent,
  CASE WHEN {hit} THEN 9 WHEN {u} > 0.97 THEN 9 ELSE 10 END::UINTEGER AS probes_received,
  {hit} AS violation, CASE WHEN {hit} THEN 'loss' END AS violated_metric
FROM m CROSS JOIN d_link l JOIN d_site s ON s.site = l.site
LEFT JOIN d_fault f ON f.site = l.site AND f.kind = 'isp' AND l.link = 'isp-a'
  AND minute >= f.f_start AND minute < f.f_end
"""  # noqa: S608 (names and numbers from this module only)


def _interface_stats_sql(seed: int) -> str:
    """WAN interfaces every minute (telemetry), switch ports every 5 minutes (SNMP); rates
    follow the site's diurnal load; the faulty port's error counter climbs."""
    load = (
        "CASE WHEN dayofweek(minute + to_hours(s.tz)) IN (0, 6) THEN 0.33 ELSE 1.0 END * "
        "CASE WHEN ((hour(minute) + s.tz + 24) % 24) BETWEEN 9 AND 17 THEN 1.0 ELSE 0.15 END"
    )
    u = _u(seed, "s.site", "p", "minute")
    return f"""
WITH m AS (SELECT unnest(range($d0::TIMESTAMPTZ, $d1::TIMESTAMPTZ, INTERVAL 1 MINUTE)) AS minute),
wan AS (
  SELECT minute, s.site, s.si, l.site || '-gw1' AS device, 'jti' AS source, l.ifname AS if_name,
         (500 + l.li)::UINTEGER AS if_index, (l.cap * 1e6)::UBIGINT AS speed_bps,
         l.cap * 1e6 * ({load}) * (0.2 + 0.3 * {_u(seed, "s.site", "l.li", "minute")}) AS in_bps,
         NULL::VARCHAR AS f_kind, 0 AS p
  FROM m CROSS JOIN d_link l JOIN d_site s ON s.site = l.site
),
lan AS (
  SELECT minute, s.site, s.si, s.site || '-sw1' AS device, 'snmp' AS source,
         'ge-0/0/' || p AS if_name, (513 + p)::UINTEGER AS if_index,
         1000000000::UBIGINT AS speed_bps,
         CASE WHEN p >= s.ports THEN 40e6 ELSE 4e6 END * ({load}) * (0.5 + {u}) AS in_bps,
         f.kind AS f_kind, p
  FROM m CROSS JOIN d_site s, unnest(range(s.ports + s.aps)) AS t(p)
  LEFT JOIN d_fault f ON f.site = s.site AND f.kind = 'port' AND p = 1
    AND minute >= f.f_start AND minute < f.f_end
  WHERE minute(minute) % 5 = 0
)
SELECT minute + INTERVAL 3 SECOND AS event_time, minute + INTERVAL 4 SECOND AS received_at,
  '10.' || (100 + si // 250) || '.' || (si % 250) || '.1' AS exporter, device, site, source,
  if_name, if_index, 'up' AS oper_status, 'up' AS admin_status, speed_bps,
  (in_bps * epoch(minute) / 8e3)::UBIGINT AS in_octets,
  (in_bps * 0.4 * epoch(minute) / 8e3)::UBIGINT AS out_octets,
  (in_bps * epoch(minute) / 8e6)::UBIGINT AS in_pkts,
  (in_bps * 0.4 * epoch(minute) / 8e6)::UBIGINT AS out_pkts,
  ((epoch(minute) // 86400) + CASE WHEN f_kind IS NOT NULL THEN 40 * minute(minute) ELSE 0 END
  )::UBIGINT AS in_errors, 0::UBIGINT AS out_errors, 0::UBIGINT AS in_discards,
  ((epoch(minute) // 43200))::UBIGINT AS out_discards, 0::UBIGINT AS in_crc_errors,
  in_bps, in_bps * 0.4 AS out_bps, false AS counter_reset
FROM (SELECT * FROM wan UNION ALL BY NAME SELECT * FROM lan)
"""  # noqa: S608 (names and numbers from this module only)


def _client_events_sql() -> str:
    """From the chunk's user minutes (``um``): an RSSI sample per Wi-Fi client every 5 minutes,
    and the connection steps of every minute with a connection attempt."""
    ident = (
        "client_mac, client_ip, hostname, NULL AS username, os, ssid, band, "
        "CASE WHEN band = '5' THEN 36 ELSE 6 END::USMALLINT AS channel, ap"
    )
    steps = "unnest(['assoc', 'auth', 'dhcp', 'dns']) AS step"
    return f"""
SELECT minute + INTERVAL 20 SECOND AS event_time, minute + INTERVAL 21 SECOND AS received_at,
  '10.0.0.1' AS exporter, ap AS device, site, 'rssi' AS event_type, 'ok' AS result,
  NULL AS reason, {ident}, NULL AS switch_port, 10::USMALLINT AS vlan,
  round(coverage_value) AS rssi_dbm, round(coverage_value) + 95 AS snr_db,
  NULL::DOUBLE AS duration_ms
FROM um WHERE wireless AND (minute(minute) + hash(client_id)) % 5 = 0
UNION ALL
SELECT minute + INTERVAL 5 SECOND, minute + INTERVAL 6 SECOND, '10.0.0.1',
  coalesce(ap, switch), site, step,
  CASE WHEN ok = false AND step = cls THEN 'fail' ELSE 'ok' END,
  CASE WHEN ok = false AND step = cls THEN cls || ' timeout' END,
  client_mac, client_ip, hostname, NULL, os, ssid, band,
  CASE WHEN band = '5' THEN 36 ELSE 6 END::USMALLINT, ap,
  CASE WHEN NOT wireless THEN switch_port END, 10::USMALLINT,
  NULL, NULL, 20 + 400 * (hash(client_id, minute, step) % 100) / 100.0
FROM (
  SELECT *, coalesce(successful_connects_ok, wired_successful_connects_ok) AS ok,
    CASE coalesce(successful_connects_classifier, wired_successful_connects_classifier)
      WHEN 'association' THEN 'assoc' WHEN 'authorization' THEN 'auth'
      ELSE coalesce(successful_connects_classifier, wired_successful_connects_classifier)
    END AS cls, {steps}
  FROM um
  WHERE successful_connects_ok IS NOT NULL OR wired_successful_connects_ok IS NOT NULL
)
WHERE wireless OR step IN ('dhcp', 'dns')
"""  # noqa: S608 (names and numbers from this module only)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> pa.Table:
    return con.sql(sql, params=params or None).to_arrow_table()


def _sle_views(con: duckdb.DuckDBPyConnection) -> None:
    for sle in SLE_NAMES:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW v_{sle} AS SELECT minute, site, gateway, wan_link, "  # noqa: S608
            "application, ap, switch, switch_port, band, "
            f"{sle}_classifier AS classifier, {sle}_sub AS sub, {sle}_ok AS ok, "
            f"{sle}_value AS value FROM um WHERE {sle}_ok IS NOT NULL"
        )


_CAUSES = {
    "isp": ("wan_link:{site}/isp-a loss", "Packet loss on {site} isp-a ({isp})", "wan", 0.82),
    "ap": ("ap:{site}-ap1 coverage", "Weak signal at {site}-ap1", "wireless", 0.74),
    "port": ("switch_port:{site}-sw1/ge-0/0/1 errors", "Input errors on ge-0/0/1", "wired", 0.7),
    "gateway": ("gateway:{site}-gw1 cpu", "{site}-gw1 CPU saturated", "wan", 0.66),
}
_ACTION = {
    "isp": "Steer business applications at {site} from isp-a to mpls",
    "ap": "Check {site}-ap1 placement and transmit power",
    "port": "Replace the cable on {site}-sw1 ge-0/0/1",
    "gateway": "Review {site}-gw1 session load",
}


def _incident_rows(faults: list[Fault]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n, f in enumerate(faults):
        site = f.site.name
        isp = next(ln[2] for ln in f.site.links if ln[0] == "isp-a")
        label, title, layer, conf = _CAUSES[f.kind]
        sles = ",".join(FAULT_SLES[f.kind])
        versions = [(f.start + timedelta(minutes=10), "open", None)]
        versions.append((f.end + timedelta(minutes=5), "resolved", f.end))
        for at, status, ended in versions:
            causes = [
                (label.format(site=site), title.format(site=site, isp=isp), conf),
                (f"site:{site} change", f"Recent change at {site}", 0.12),
            ]
            for rank, (cause, text, c) in enumerate(causes, 1):
                rows.append(
                    {
                        "updated_at": at,
                        "incident_id": f"inc-{f.start:%Y%m%d}-{n:05d}",
                        "site": site,
                        "status": status,
                        "started_at": f.start,
                        "ended_at": ended,
                        "sle": sles,
                        "rank": rank,
                        "root_cause": cause,
                        "confidence": c,
                        "impacted_users": 3 + n % 17,
                        "impacted_minutes": 40 + (n * 37) % 900,
                        "evidence": [
                            ("title", text),
                            ("layer", layer),
                            ("kind", f.kind),
                            ("scope", "site"),
                            ("scope_value", site),
                            ("first_bad_minute", f.start.isoformat()),
                            ("detected_at", (f.start + timedelta(minutes=10)).isoformat()),
                            ("bad_user_minutes", str(40 + (n * 37) % 900)),
                        ],
                        "suggested_action": _ACTION[f.kind].format(site=site),
                    }
                )
    return rows


def _action_rows(faults: list[Fault]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n, f in enumerate(faults):
        if f.kind != "isp":
            continue
        site = f.site.name
        states = [("proposed", "policy"), ("approved", "oscar"), ("pushed", "policy")]
        states.append(("verified", "policy") if n % 5 else ("rolled_back", "policy"))
        if n % 7 == 0:
            states = [("proposed", "policy"), ("rejected", "oscar")]
        for k, (state, actor) in enumerate(states):
            rows.append(
                {
                    "updated_at": f.start + timedelta(minutes=12 + 3 * k),
                    "action_id": f"act-{f.start:%Y%m%d}-{n:05d}",
                    "incident_id": f"inc-{f.start:%Y%m%d}-{n:05d}",
                    "site": site,
                    "device": f"{site}-gw1",
                    "kind": "steer_app",
                    "state": state,
                    "change_set": "set security advance-policy-based-routing profile apbr rule "
                    "biz match dynamic-application junos:SALESFORCE\n"
                    "set security advance-policy-based-routing profile apbr rule biz then "
                    "routing-instance ri-mpls",
                    "rollback_set": "delete security advance-policy-based-routing profile apbr "
                    "rule biz",
                    "predicted_benefit": 2.0 + n % 7,
                    "risk": ("low", "medium")[n % 2],
                    "actor": actor,
                    "note": f"{state} ({f.kind} fault)",
                }
            )
    return rows


def _alert_rows(faults: list[Fault]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n, f in enumerate(faults):
        site = f.site.name
        for status, at in (("firing", f.start + timedelta(minutes=11)), ("resolved", f.end)):
            for receiver in ("noc-webhook", "chat"):
                event = f"ev-{n:05d}-{status}"
                dead = receiver == "chat" and n % 23 == 0
                states = [("pending", 0, None), ("delivered", 1, None)]
                if dead:
                    states = [("pending", 0, None), ("retrying", 1, "HTTP 503")]
                    states.append(("dead", 5, "HTTP 503 after 5 attempts"))
                for k, (delivery, attempts, error) in enumerate(states):
                    rows.append(
                        {
                            "updated_at": at + timedelta(seconds=5 + 30 * k),
                            "event_id": event,
                            "fingerprint": f"fp-{site}-{f.kind}",
                            "name": f"{f.kind}-degraded",
                            "site": site,
                            "severity": ("major", "critical")[n % 2],
                            "status": status,
                            "receiver": receiver,
                            "delivery": delivery,
                            "attempts": attempts,
                            "last_error": error,
                            "labels": [("sle", next(iter(FAULT_SLES[f.kind])).replace("_", "-"))],
                            "payload": "{}",
                        }
                    )
    return rows


def _device_event_rows(faults: list[Fault]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for f in faults:
        if f.kind != "isp":
            continue
        for at, state in ((f.start, "down"), (f.end, "up")):
            rows.append(
                {
                    "event_time": at,
                    "received_at": at + timedelta(seconds=1),
                    "exporter": "10.0.0.1",
                    "device": f"{f.site.name}-gw1",
                    "site": f.site.name,
                    "category": "interface",
                    "event_type": "SNMP_TRAP_LINK_" + state.upper(),
                    "state": state,
                    "interface": "ge-0/0/1.0",
                }
            )
    return rows


def _write_pylist(writer: LakeWriter, name: str, rows: list[dict[str, object]]) -> None:
    if rows:
        writer.write(name, pa.Table.from_pylist(rows, schema=table(name).schema))


#: Hours of user minutes generated at once (bounds memory: ~0.2 GB per 6 h of 200 sites).
CHUNK_HOURS = 6


def _shifted(rows: pa.Table, weeks: int) -> pa.Table:
    """``rows`` moved ``weeks`` weeks later (every timestamp column)."""
    if weeks == 0:
        return rows
    delta = pa.scalar(timedelta(weeks=weeks), pa.duration("us"))
    for i, field in enumerate(rows.schema):
        if pa.types.is_timestamp(field.type):
            rows = rows.set_column(i, field, pc.add(rows.column(i), delta).cast(field.type))
    return rows


def _template_day(
    con: duckdb.DuckDBPyConnection, writer: LakeWriter, seed: int, day: int, days: int
) -> None:
    """Generate day ``day`` of the first week and write it for every week of the lake."""
    weeks = range(0, (days - day + 6) // 7)
    d = START + timedelta(days=day)
    users_sql = _user_minutes_sql(seed)

    def write(name: str, rows: pa.Table) -> None:
        for week in weeks:
            writer.write(name, _shifted(rows, week))

    for h in range(0, 24, CHUNK_HOURS):
        params = {"d0": d + timedelta(hours=h), "d1": d + timedelta(hours=h + CHUNK_HOURS)}
        con.execute(f"CREATE OR REPLACE TEMP TABLE um AS {users_sql}", params)
        write("user_minutes", con.sql("SELECT * FROM um").to_arrow_table())
        _sle_views(con)
        con.execute(sle_minutes_sql())
        con.execute(rollup_sql("out_sle_minutes", "out_sle_hours", "minute", "hour_start", "hour"))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE day_hours AS SELECT * FROM out_sle_hours"
            if h == 0
            else "INSERT INTO day_hours SELECT * FROM out_sle_hours"
        )
        write("sle_minutes", con.sql("SELECT * FROM out_sle_minutes").to_arrow_table())
        write("sle_hours", con.sql("SELECT * FROM out_sle_hours").to_arrow_table())
        write("client_events", _rows(con, _client_events_sql(), {}))
        write("sla_metrics", _rows(con, _sla_metrics_sql(seed), params))
        write("interface_stats", _rows(con, _interface_stats_sql(seed), params))
        writer.flush()
    con.execute(rollup_sql("day_hours", "out_sle_days", "hour_start", "day_start", "day"))
    write("sle_days", con.sql("SELECT * FROM out_sle_days").to_arrow_table())
    writer.flush()


def _worker(path: str, sites: int, days: int, seed: int, template_days: list[int]) -> None:
    """One process: the template days given, through a writer of its own."""
    rng = np.random.default_rng(seed)
    site_list = _sites(sites, rng)
    faults = _faults(site_list, min(days, 7), rng)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    _dimension_tables(con, site_list, faults)
    writer = LakeWriter(path, writer_id=f"big{seed}w{template_days[0]}", flush_age_s=1e9)
    began = time.perf_counter()
    try:
        for day in template_days:
            _template_day(con, writer, seed, day, days)
            print(
                f"weekday {day + 1} of every week written ({time.perf_counter() - began:.0f} s)",
                file=sys.stderr,
            )
    finally:
        writer.close()
        con.close()


def build(path: str, *, sites: int = 200, days: int = 30, seed: int = 7, workers: int = 2) -> None:
    """Write a ``days`` × ``sites`` lake at ``path`` (replaced if it exists); same seed, same
    rows. The first week is generated and repeated week after week (faults included), so the
    cost is about seven days of generation plus writing every day. ``workers`` processes share
    the seven weekdays. Prints progress to stderr."""
    if sites < 1 or days < 1:
        raise ValueError("sites and days must be at least 1")
    rng = np.random.default_rng(seed)
    site_list = _sites(sites, rng)
    week = _faults(site_list, min(days, 7), rng)
    faults = [
        Fault(f.site, f.kind, f.start + timedelta(weeks=k), f.end + timedelta(weeks=k))
        for k in range((days + 6) // 7)
        for f in week
        if f.start + timedelta(weeks=k) < START + timedelta(days=days)
    ]
    root = Path(path)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "inventory.yaml").write_text(yaml.safe_dump(_inventory(site_list), sort_keys=False))
    load_inventory(root / "inventory.yaml")  # the dashboard must be able to read it
    template = list(range(min(days, 7)))
    shares = [template[i :: max(1, workers)] for i in range(max(1, workers))]
    shares = [s for s in shares if s]
    if len(shares) == 1:
        _worker(str(root), sites, days, seed, shares[0])
    else:
        ctx = multiprocessing.get_context("spawn")
        procs = [
            ctx.Process(target=_worker, args=(str(root), sites, days, seed, share))
            for share in shares
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        failed = [p.exitcode for p in procs if p.exitcode != 0]
        if failed:
            raise RuntimeError(f"lake worker(s) failed with exit code(s) {failed}")
    with LakeWriter(str(root), writer_id=f"big{seed}", flush_age_s=1e9) as writer:
        _write_pylist(writer, "incidents", _incident_rows(faults))
        _write_pylist(writer, "actions", _action_rows(faults))
        _write_pylist(writer, "alerts", _alert_rows(faults))
        _write_pylist(writer, "device_events", _device_event_rows(faults))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="lake folder to write (replaced)")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    began = time.perf_counter()
    cpu = _cpu()
    try:
        build(args.out, sites=args.sites, days=args.days, seed=args.seed, workers=args.workers)
    except ValueError as exc:
        parser.error(str(exc))
    size = sum(p.stat().st_size for p in Path(args.out).rglob("*.parquet"))
    print(
        f"{args.sites} sites × {args.days} days → {args.out}: {size / 2**30:.2f} GiB in "
        f"{time.perf_counter() - began:.0f} s wall, {_cpu() - cpu:.0f} s CPU (all processes)"
    )


if __name__ == "__main__":
    main()
