"""Every fault of the catalogue shows in the raw lake at exactly its scope and time.

The every-fault scenario puts one fault type at each lab site (plus two untouched control
sites); lake mode writes it; each check below reads the raw signal a real device would report
for that fault and compares the minutes it shows up in with the ground truth window.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from assurance.lake import connect
from assurance.sim.faults import CATALOGUE
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario

SCENARIO = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "every-fault.yaml"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("every-fault") / "lake"
    simulate_to_lake(load_scenario(SCENARIO), str(path), workers=1)
    return path


@pytest.fixture(scope="module")
def con(lake: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(str(lake))
    yield con
    con.close()


@pytest.fixture(scope="module")
def truth(lake: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (lake / "_sim" / "ground_truth.jsonl").open()]
    return {r["type"]: r for r in rows}


def window(fault: dict[str, Any]) -> set[datetime]:
    start = datetime.fromisoformat(fault["start"]).astimezone(UTC)
    return {start + timedelta(minutes=n) for n in range(fault["minutes"])}


def minutes(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> set[datetime]:
    """Minutes (UTC) returned by ``sql``'s first column ``date_trunc('minute', …)``."""
    return {row[0].astimezone(UTC) for row in con.execute(sql, list(params)).fetchall()}


def test_ground_truth_lists_every_fault_with_scope_and_time(truth: dict[str, Any]) -> None:
    assert set(truth) == set(CATALOGUE)
    for kind, fault in truth.items():
        assert fault["sle"] == CATALOGUE[kind].sle
        assert fault["classifier"] == CATALOGUE[kind].classifier
        assert fault["minutes"] == (20 if kind in ("isp_outage", "app_slowdown") else 30)
        assert fault["sites"], kind
    assert truth["isp_loss"]["scope"]["interface"] == "ge-0/0/1.0"
    assert truth["coverage_hole"]["scope"]["ap"].endswith("-ap1")
    assert truth["isp_outage"]["scope"]["links"] == ["lab-13/isp-a", "lab-22/isp-a"]
    assert truth["isp_outage"]["sites"] == ["lab-13", "lab-22"]


def test_no_rejects_and_every_row_has_a_site(con: duckdb.DuckDBPyConnection) -> None:
    tables = [
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    ]
    assert "rejects" not in tables or con.execute("SELECT count(*) FROM rejects").fetchone() == (0,)
    for table in ("flows", "sessions", "sla_metrics", "client_events", "interface_stats"):
        sql = f"SELECT count(*) FROM {table} WHERE site IS NULL"
        assert con.execute(sql).fetchone() == (0,)


LINK_RPM = """SELECT date_trunc('minute', event_time) FROM sla_metrics
              WHERE source = 'rpm' AND site = ? AND interface = ? AND {cond}"""


@pytest.mark.parametrize(
    ("kind", "cond"),
    [
        ("isp_loss", "loss_pct >= 3"),
        ("isp_latency", "rtt_ms > 200"),
        ("isp_jitter", "jitter_ms > 50"),
        ("isp_outage", "loss_pct = 100"),
    ],
)
def test_path_quality_faults_show_in_rpm_exactly_in_window(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any], kind: str, cond: str
) -> None:
    fault = truth[kind]
    site = fault["sites"][0]
    seen = minutes(con, LINK_RPM.format(cond=cond), site, "ge-0/0/1.0")
    assert seen == window(fault)


def test_isp_outage_hits_every_site_on_that_isp_and_no_other(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    fault = truth["isp_outage"]
    dead = con.execute(
        "SELECT DISTINCT site FROM sla_metrics WHERE source = 'rpm' AND loss_pct = 100"
    ).fetchall()
    assert sorted(r[0] for r in dead) == sorted(fault["sites"])


def test_interface_faults_show_in_interface_state(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    down = """SELECT date_trunc('minute', event_time) FROM interface_stats
              WHERE site = ? AND if_name = ? AND oper_status = 'down'"""
    link_down = truth["link_down"]
    assert minutes(con, down, link_down["sites"][0], "ge-0/0/1.0") == window(link_down)
    flap = truth["link_flap"]
    flapping = minutes(con, down, flap["sites"][0], "ge-0/0/1.0")
    assert flapping and flapping < window(flap)
    tunnel = truth["tunnel_down"]
    # a tunnel that goes down shows as its st0 unit (the IKE sensor just stops listing its SA)
    assert minutes(con, down, tunnel["sites"][0], "st0.1") == window(tunnel)
    ap = truth["ap_down"]
    assert minutes(con, down, ap["sites"][0], ap["scope"]["switch_port"]) == window(ap)


def _counter_minutes(
    con: duckdb.DuckDBPyConnection, site: str, if_name: str, col: str
) -> set[datetime]:
    sql = f"""SELECT date_trunc('minute', event_time) FROM (
                SELECT event_time, {col}::BIGINT - lag({col}::BIGINT)
                    OVER (PARTITION BY device ORDER BY event_time) AS delta
                FROM interface_stats WHERE site = ? AND if_name = ?) WHERE delta > 0"""
    return minutes(con, sql, site, if_name)


def test_error_and_drop_counters_rise_only_in_window(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    cable = truth["bad_cable"]
    # errors and drops count on the physical port: the logical unit sensor has no error counters
    assert _counter_minutes(con, cable["sites"][0], "ge-0/0/1", "in_crc_errors") == window(cable)
    duplex = truth["duplex_mismatch"]
    port = duplex["scope"]["switch_port"]
    assert _counter_minutes(con, duplex["sites"][0], port, "in_crc_errors") == window(duplex)
    congestion = truth["congestion"]
    drops = _counter_minutes(con, congestion["sites"][0], "ge-0/0/1", "out_discards")
    assert drops == window(congestion)
    busy = minutes(
        con,
        """SELECT date_trunc('minute', event_time) FROM interface_stats
                           WHERE site = ? AND if_name = 'ge-0/0/1.0'
                             AND in_bps > 0.95 * 200e6 AND out_bps > 0.95 * 20e6""",
        congestion["sites"][0],
    )
    # rates are per sample interval: the first sample of the fault still averages a calm minute
    assert busy <= window(congestion) and len(busy) >= len(window(congestion)) - 1


def test_gateway_faults_show_in_device_health(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    sql = """SELECT date_trunc('minute', event_time) FROM device_health
             WHERE site = ? AND component = ? AND {col} > 90"""
    cpu, mem = truth["gateway_cpu"], truth["gateway_memory"]
    assert minutes(con, sql.format(col="cpu_pct"), cpu["sites"][0], "SPU FPC0 PIC0/cpu0") == window(
        cpu
    )
    assert minutes(con, sql.format(col="memory_pct"), mem["sites"][0], "Routing Engine") == window(
        mem
    )


@pytest.mark.parametrize(
    ("kind", "event"), [("dhcp_failure", "dhcp"), ("dns_failure", "dns"), ("auth_failure", "auth")]
)
def test_connect_failures_happen_only_at_the_site_in_window(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any], kind: str, event: str
) -> None:
    fault = truth[kind]
    failed = con.execute(
        """SELECT site, date_trunc('minute', event_time) FROM client_events
           WHERE event_type = ? AND result = 'fail'""",
        [event],
    ).fetchall()
    assert failed
    assert {site for site, _ in failed} == set(fault["sites"])
    assert {t.astimezone(UTC) for _, t in failed} <= window(fault)


def test_wifi_faults_show_at_the_ap_in_window(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    hole = truth["coverage_hole"]
    weak = minutes(
        con,
        """SELECT date_trunc('minute', event_time) FROM client_events
                           WHERE event_type = 'rssi' AND ap = ? GROUP BY 1
                           HAVING avg(rssi_dbm) < -72""",
        hole["scope"]["ap"],
    )
    assert weak and weak <= window(hole)
    assert len(weak) >= 0.8 * hole["minutes"]
    noisy = truth["interference"]
    busy = minutes(
        con,
        """SELECT date_trunc('minute', event_time) FROM client_events
                           WHERE event_type = 'rssi' AND ap = ?
                             AND CAST(fields['channel_util_pct'] AS DOUBLE) > 50""",
        noisy["scope"]["ap"],
    )
    assert busy and busy <= window(noisy)
    roam = truth["roaming_failure"]
    bad = con.execute("""SELECT DISTINCT site, date_trunc('minute', event_time) FROM client_events
                         WHERE event_type = 'roam' AND (result = 'fail' OR duration_ms > 2000)""")
    rows = bad.fetchall()
    assert rows and {s for s, _ in rows} == set(roam["sites"])
    assert {t.astimezone(UTC) for _, t in rows} <= window(roam)


def test_app_faults_show_in_sessions_and_appqoe(
    con: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    slow = truth["app_slowdown"]
    sites = con.execute("""SELECT count(DISTINCT site) FROM sla_metrics WHERE source = 'appqoe'
                           AND application = 'SALESFORCE' AND rtt_ms > 500""").fetchone()
    assert sites is not None and sites[0] >= 0.8 * len(slow["sites"])
    late = minutes(
        con,
        """SELECT date_trunc('minute', event_time) FROM sla_metrics
                           WHERE source = 'appqoe' AND application = 'SALESFORCE'
                             AND rtt_ms > 500""",
    )
    assert late <= window(slow)
    mtu = truth["mtu_mismatch"]
    resets = con.execute(
        """SELECT DISTINCT site, date_trunc('minute', event_time) FROM sessions
                            WHERE close_reason = 'TCP RST' AND site = ?""",
        [mtu["sites"][0]],
    )
    at_site = {t.astimezone(UTC) for _, t in resets.fetchall()}
    assert at_site and at_site <= window(mtu)
    elsewhere = con.execute(
        """SELECT DISTINCT site FROM sessions WHERE close_reason = 'TCP RST'
                               AND site <> ?""",
        [mtu["sites"][0]],
    ).fetchall()
    # a silently dead path (ISP outage) also breaks sessions until probes reroute traffic
    outage = truth["isp_outage"]
    assert {s for (s,) in elsewhere} <= set(outage["sites"])


def test_control_sites_stay_clean(con: duckdb.DuckDBPyConnection) -> None:
    worst = con.execute(
        """SELECT max(loss_pct), max(rtt_ms) FROM sla_metrics
           WHERE source = 'rpm' AND site LIKE 'ctl-%'"""
    ).fetchone()
    # baseline loss is a few hundredths of a percent: at most one of 60 probes lost a minute
    # (RPM reports loss as a whole percent: 1/60 is 2 %)
    assert worst is not None and worst[0] <= 2 and worst[1] < 100
    fails = con.execute(
        "SELECT count(*) FROM client_events WHERE site LIKE 'ctl-%' AND result = 'fail'"
    ).fetchone()
    assert fails == (0,)
