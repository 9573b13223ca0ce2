"""The hand-built fixture matches, to the minute, the answers worked out by hand.

Every expected value below was derived by hand from the timeline in ``tests/sle/fixture.py``
and the thresholds of ``data/samples/sle/fixture/inventory.yaml``; none was produced by running
the engine.
"""

from __future__ import annotations

import duckdb
import pytest

from assurance.lake.catalog import connect
from assurance.sle.catalog import SLES
from tests.sle.fixture import A1, L1, L2, S2C, W1, W2, W3, C

# (minute, client, sle) -> (classifier, sub-classifier) for every bad user minute.
BAD: dict[tuple[str, str, str], tuple[str, str | None]] = {
    ("10:01", L1, "wan_link_health"): ("network", "latency"),
    ("10:02", L1, "wan_link_health"): ("network", "jitter"),
    ("10:03", L1, "wan_link_health"): ("network", "loss"),
    ("10:04", L1, "wan_link_health"): ("network", "loss"),
    ("10:08", L1, "wan_link_health"): ("interface", "port_down"),
    ("10:09", L1, "wan_link_health"): ("interface", "port_down"),
    ("10:10", L1, "wan_link_health"): ("interface", "port_down"),
    ("10:04", A1, "wan_link_health"): ("interface", "cable"),
    ("10:05", A1, "wan_link_health"): ("interface", "congestion"),
    ("10:07", A1, "wan_link_health"): ("network", "tunnel_down"),
    ("10:06", L2, "wan_link_health"): ("isp_reachability", "probe_failure"),
    **{
        (m, c, "gateway_health"): k
        for m, k in (
            ("10:02", ("cpu", "control_plane")),
            ("10:03", ("memory", "data_plane")),
            ("10:04", ("temperature", "Routing Engine")),
        )
        for c in (L1, A1)
    },
    **{
        (m, c, "gateway_health"): k
        for m, k in (("10:05", ("session_table", "spu")), ("10:06", ("power", "psu")))
        for c in (L1, A1, L2)
    },
    **{
        (m, S2C, "gateway_health"): ("disconnected", "no_telemetry")
        for m in ("10:08", "10:09", "10:10")
    },
    ("10:01", A1, "application_health"): ("latency", "appqoe"),
    ("10:02", A1, "application_health"): ("jitter", "appqoe"),
    ("10:03", A1, "application_health"): ("loss", "appqoe"),
    ("10:04", A1, "application_health"): ("bandwidth", "upload"),
    ("10:06", A1, "application_health"): ("application_services", "no_response"),
    ("10:07", A1, "application_health"): ("application_services", "server_reset"),
    ("10:04", A1, "gateway_bandwidth"): ("headroom", "upload"),
    ("10:05", A1, "gateway_bandwidth"): ("queue_drops", "inet"),
    ("10:14", W1, "wired_throughput"): ("port_errors", "crc"),
    ("10:17", W1, "wired_throughput"): ("speed_mismatch", "10mbps"),
    ("10:18", W2, "wired_throughput"): ("congestion", "download"),
    ("10:13", W2, "wired_successful_connects"): ("authorization", "bad credentials"),
    ("10:15", W1, "wired_successful_connects"): ("dhcp", "no offer"),
    ("10:16", W1, "wired_successful_connects"): ("dns", "timeout"),
    **{
        (m, c, "switch_health"): k
        for m, k in (
            ("10:13", ("uplink", "errors")),
            ("10:15", ("temperature", "Routing Engine")),
            ("10:16", ("poe", "fault")),
            ("10:17", ("cpu", "high")),
            ("10:18", ("memory", "high")),
            ("10:19", ("uplink", "down")),
        )
        for c in (W1, W2)
    },
    ("10:12", W3, "switch_health"): ("disconnected", "no_telemetry"),
    ("10:13", W3, "switch_health"): ("disconnected", "no_telemetry"),
    ("10:22", C[2], "time_to_connect"): ("association", None),
    ("10:23", C[3], "time_to_connect"): ("authorization", None),
    ("10:24", C[4], "time_to_connect"): ("dhcp", None),
    ("10:25", C[5], "time_to_connect"): ("ip_services", None),
    ("10:26", C[6], "successful_connects"): ("association", "ap full"),
    ("10:27", C[7], "successful_connects"): ("authorization", "wrong psk"),
    ("10:28", C[8], "successful_connects"): ("dhcp", "no offer"),
    ("10:29", C[9], "successful_connects"): ("dns", "timeout"),
    ("10:30", C[1], "coverage"): ("weak_signal", "5"),
    ("10:31", C[1], "roaming"): ("slow_11r_roam", None),
    ("10:32", C[1], "roaming"): ("slow_okc_roam", None),
    ("10:33", C[1], "roaming"): ("slow_standard_roam", None),
    ("10:34", C[1], "roaming"): ("failed_roam", None),
    ("10:26", C[1], "wireless_throughput"): ("interference", None),
    ("10:27", C[1], "wireless_throughput"): ("capacity", None),
    ("10:28", C[1], "wireless_throughput"): ("device_capability", None),
    ("10:29", C[1], "wireless_throughput"): ("network_issues", None),
    ("10:30", C[1], "wireless_throughput"): ("coverage", None),
    ("10:25", C[1], "capacity"): ("wifi_interference", None),
    ("10:26", C[1], "capacity"): ("non_wifi_interference", None),
    ("10:27", C[1], "capacity"): ("ap_load", None),
    ("10:22", C[1], "ap_health"): ("ethernet_errors", None),
    ("10:22", C[2], "ap_health"): ("ethernet_errors", None),
    ("10:23", C[1], "ap_health"): ("low_power", "poe"),
    ("10:24", C[1], "ap_health"): ("ap_reboot", "port_flap"),
    ("10:36", C[1], "ap_health"): ("ap_disconnected", "port_down"),
    ("10:37", C[1], "ap_health"): ("ap_disconnected", "port_down"),
}

# SLE -> (user minutes judged, bad user minutes), counted by hand from the timeline.
TOTALS = {
    "gateway_health": (34, 15),
    "wan_link_health": (33, 11),
    "application_health": (11, 6),
    "gateway_bandwidth": (33, 2),
    "wired_throughput": (17, 3),
    "wired_successful_connects": (6, 3),
    "switch_health": (17, 14),
    "time_to_connect": (5, 4),
    "successful_connects": (9, 4),
    "coverage": (14, 1),
    "roaming": (4, 4),
    "wireless_throughput": (14, 5),
    "capacity": (14, 3),
    "ap_health": (24, 6),
}


def q(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> list[tuple[object, ...]]:
    return con.execute(sql, params or None).fetchall()


@pytest.fixture(scope="module")
def con(fixture_lake: str) -> duckdb.DuckDBPyConnection:
    return connect(fixture_lake)


def test_every_bad_minute_and_its_classifier(con: duckdb.DuckDBPyConnection) -> None:
    found = {}
    for s in SLES:
        rows = q(
            con,
            f"SELECT strftime(minute, '%H:%M'), client_id, {s.name}_classifier, {s.name}_sub "
            f"FROM user_minutes WHERE NOT {s.name}_ok",
        )
        for minute, client, classifier, sub in rows:
            found[(minute, client, s.name)] = (classifier, sub)
    assert found == BAD


def test_totals_per_sle(con: duckdb.DuckDBPyConnection) -> None:
    rows = q(
        con,
        "SELECT sle, sum(total)::INT, (sum(total) - sum(good))::INT FROM sle_minutes GROUP BY 1",
    )
    assert {sle: (total, bad) for sle, total, bad in rows} == TOTALS


def test_every_classifier_is_hit() -> None:
    hit = {(sle, classifier) for (_, _, sle), (classifier, _) in BAD.items()}
    assert hit == {(s.name, c) for s in SLES for c in s.classifiers}


def test_user_minutes_count_and_identity(con: duckdb.DuckDBPyConnection) -> None:
    assert q(con, "SELECT count(*) FROM user_minutes")[0] == (82,)
    row = q(
        con,
        "SELECT gateway, wan_link, overlay_path, application, evidence_sources "
        "FROM user_minutes WHERE client_id = $c AND minute = '2026-11-20 10:08:00+00'",
        c=L1,
    )[0]
    assert row == ("gw1", "inet", "st0.1", None, "flows")
    apps = q(
        con,
        "SELECT client_id, list_distinct(list(application)) FROM user_minutes "
        "WHERE client_id IN ($a, $b) GROUP BY 1 ORDER BY 1",
        a=A1,
        b=L2,
    )
    assert apps == [(A1, ["Microsoft Teams"]), (L2, ["Web"])]
    c1 = q(
        con,
        "SELECT strftime(minute, '%H:%M'), ap, band, wireless, switch_port FROM user_minutes "
        "WHERE client_id = $c AND minute IN ('2026-11-20 10:30:00+00', '2026-11-20 10:31:00+00')"
        " ORDER BY 1",
        c=C[1],
    )
    assert c1 == [("10:30", "ap1", "5", True, "ge-0/0/8"), ("10:31", "ap2", "5", True, "ge-0/0/9")]
    w1 = q(
        con,
        "SELECT DISTINCT switch, switch_port, wireless FROM user_minutes WHERE client_id = $c",
        c=W1,
    )
    assert w1 == [("sw1", "ge-0/0/1", False)]


def test_outage_is_charged_to_the_failed_link(con: duckdb.DuckDBPyConnection) -> None:
    rows = q(
        con,
        "SELECT strftime(minute, '%H:%M'), wan_link, classifier FROM sle_minutes "
        "WHERE sle = 'wan_link_health' AND classifier = 'interface' AND sub_classifier = "
        "'port_down' ORDER BY 1",
    )
    assert rows == [
        ("10:08", "mpls", "interface"),
        ("10:09", "mpls", "interface"),
        ("10:10", "mpls", "interface"),
    ]
    evidence = q(
        con,
        "SELECT wan_link_health_evidence FROM user_minutes WHERE client_id = $c "
        "AND minute = '2026-11-20 10:09:00+00'",
        c=L1,
    )[0]
    assert evidence == (
        "interface/port_down,isp_reachability/probe_failure,network/tunnel_down,network/loss",
    )


def test_unaffected_site_stays_good_apart_from_its_own_fault(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = q(
        con,
        "SELECT sle, sum(good)::INT, sum(total)::INT FROM sle_minutes WHERE site = 's2' "
        "GROUP BY 1 ORDER BY 1",
    )
    assert rows == [
        ("gateway_bandwidth", 10, 10),
        ("gateway_health", 8, 11),
        ("switch_health", 0, 2),
        ("wan_link_health", 10, 10),
        ("wired_successful_connects", 1, 1),
        ("wired_throughput", 2, 2),
    ]


def test_day_and_hour_rollups_sum_the_minutes(con: duckdb.DuckDBPyConnection) -> None:
    minutes = q(con, "SELECT sum(total), sum(good) FROM sle_minutes")[0]
    hours = q(con, "SELECT sum(total), sum(good) FROM sle_hours")[0]
    days = q(con, "SELECT sum(total), sum(good) FROM sle_days")[0]
    total = sum(t for t, _ in TOTALS.values())
    good = sum(t - b for t, b in TOTALS.values())
    assert minutes == hours == days == (total, good)
