"""Rules over a real lake: each kind fires on the rows meant to fire it and on nothing else;
an empty lake gives no alerts and no error."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from assurance.alerts.config import alerts_config_from_text
from assurance.alerts.engine import AlertEngine
from tests.alerts import lakedata as ld
from tests.alerts.lakedata import AT, minutes_before, origin

CONFIG = """
receivers: []
rules:
  - {name: wan-sle, kind: sle_below, sle: wan-link-health, threshold: 90, for: 10m}
  - {name: org-sle, kind: sle_below, sle: wan_link_health, threshold: 95, scope: org}
  - {name: incidents, kind: incident, min_confidence: 0.5}
  - {name: anomalies, kind: anomaly, for: 10m, min_score: 0.8}
  - {name: actions, kind: action}
  - {name: links, kind: link_down, for: 5m}
  - {name: devices, kind: device_down, for: 10m, lookback: 2h}
  - {name: collector, kind: collector_health, max_rejects: 3, for: 15m}
overrides:
  - {site: br-002, rule: wan-sle, threshold: 70, severity: critical}
  - {site: br-009, rule: "*", enabled: false}
"""


@pytest.fixture
def lake(tmp_path: Path) -> str:
    return str(tmp_path / "lake")


def evaluate(lake: str, with_inventory: bool = True) -> dict[str, list[dict[str, str]]]:
    cfg = alerts_config_from_text(CONFIG, "rules.yaml")
    with AlertEngine(lake, cfg, inventory=ld.inventory(3) if with_inventory else None) as engine:
        found, failed = engine.evaluate(AT)
    assert failed == []
    return {rule: [dict(a.labels) for a in alerts] for rule, alerts in found.items()}


def test_empty_lake_gives_no_alerts(lake: str) -> None:
    Path(lake).mkdir()
    assert evaluate(lake) == {
        r: []
        for r in (
            "wan-sle",
            "org-sle",
            "incidents",
            "anomalies",
            "actions",
            "links",
            "devices",
            "collector",
        )
    }


def test_sle_below_per_site_with_overrides(lake: str) -> None:
    ld.write(
        lake,
        {
            "sle_minutes": [
                *ld.sle_rows("br-000", "wan_link_health", good=8, total=10),  # 80 % < 90: fires
                *ld.sle_rows("br-001", "wan_link_health", good=19, total=20),  # 95 %: fine
                *ld.sle_rows("br-002", "wan_link_health", good=8, total=10),  # 80 % >= 70 override
                *ld.sle_rows("br-009", "wan_link_health", good=1, total=10),  # disabled at site
                *ld.sle_rows("br-003", "coverage", good=1, total=10),  # other SLE
            ]
        },
    )
    cfg = alerts_config_from_text(CONFIG, "rules.yaml")
    with AlertEngine(lake, cfg) as engine:
        found, _ = engine.evaluate(AT)
    (a,) = found["wan-sle"]
    assert dict(a.labels) == {"alertname": "wan-sle", "site": "br-000", "sle": "wan_link_health"}
    assert a.annotations["value_pct"] == "80.00"
    assert a.severity == "major"
    assert a.summary == "wan-link-health SLE 80.0% below 90% at br-000 over 10 min"
    assert a.link == (
        "http://localhost:8501/site?site=br-000&sle=wan_link_health"
        "&from=2026-11-20T10%3A50%3A00Z&to=2026-11-20T11%3A00%3A00Z"
    )
    # org-wide: (8*10 + 19*15... ) hand sum over 10 minutes of the four sites: good/total
    good = 10 * (8 + 19 + 8 + 1)
    total = 10 * (10 + 20 + 10 + 10)
    (org,) = found["org-sle"]
    assert dict(org.labels) == {"alertname": "org-sle", "sle": "wan_link_health"}
    assert org.annotations["value_pct"] == f"{100 * good / total:.2f}"


def test_incidents_and_actions(lake: str) -> None:
    inc = {"rank": 1, "root_cause": "wan_link:br-000/inet congestion", "sle": "application_health"}
    ld.write(
        lake,
        {
            "incidents": [
                {
                    **inc,
                    "updated_at": minutes_before(30),
                    "incident_id": "i1",
                    "site": "br-000",
                    "status": "open",
                    "started_at": minutes_before(40),
                    "confidence": 0.9,
                },
                {
                    **inc,
                    "updated_at": minutes_before(30),
                    "incident_id": "i1",
                    "site": "br-000",
                    "status": "open",
                    "started_at": minutes_before(40),
                    "confidence": 0.2,
                    "rank": 2,
                    "root_cause": "other",
                },
                {
                    **inc,
                    "updated_at": minutes_before(50),
                    "incident_id": "i2",
                    "site": "br-001",
                    "status": "open",
                    "started_at": minutes_before(55),
                    "confidence": 0.9,
                },
                {
                    **inc,
                    "updated_at": minutes_before(5),
                    "incident_id": "i2",
                    "site": "br-001",
                    "status": "resolved",
                    "started_at": minutes_before(55),
                    "confidence": 0.9,
                },
                {
                    **inc,
                    "updated_at": minutes_before(5),
                    "incident_id": "i3",
                    "site": "br-001",
                    "status": "open",
                    "started_at": minutes_before(5),
                    "confidence": 0.3,
                },
                # written later (a batch analysis), starting after AT: not yet
                {
                    **inc,
                    "updated_at": AT + timedelta(minutes=5),
                    "incident_id": "i4",
                    "site": "br-001",
                    "status": "open",
                    "started_at": AT + timedelta(minutes=1),
                    "confidence": 0.9,
                },
                # a batch analysis wrote only the resolved version: impacted until after AT,
                # so at AT it was open
                {
                    **inc,
                    "updated_at": AT + timedelta(minutes=30),
                    "incident_id": "i5",
                    "site": "br-002",
                    "status": "resolved",
                    "started_at": minutes_before(20),
                    "ended_at": AT,
                    "confidence": 0.9,
                },
                # ... and one that was over a minute before AT
                {
                    **inc,
                    "updated_at": AT + timedelta(minutes=30),
                    "incident_id": "i6",
                    "site": "br-002",
                    "status": "resolved",
                    "started_at": minutes_before(20),
                    "ended_at": minutes_before(1),
                    "confidence": 0.9,
                },
            ],
            "actions": [
                {
                    "updated_at": minutes_before(20),
                    "action_id": "a1",
                    "site": "br-000",
                    "kind": "steer_app",
                    "state": "proposed",
                },
                {
                    "updated_at": minutes_before(10),
                    "action_id": "a2",
                    "site": "br-001",
                    "kind": "steer_app",
                    "state": "proposed",
                },
                {
                    "updated_at": minutes_before(5),
                    "action_id": "a2",
                    "site": "br-001",
                    "kind": "steer_app",
                    "state": "verified",
                },
            ],
        },
    )
    got = evaluate(lake)
    assert got["incidents"] == [
        {"alertname": "incidents", "site": "br-000", "incident_id": "i1"},
        {"alertname": "incidents", "site": "br-002", "incident_id": "i5"},
    ]
    assert got["actions"] == [
        {"alertname": "actions", "site": "br-000", "action_id": "a1", "state": "proposed"}
    ]


def test_link_down_wan_links_with_isp_and_duration(lake: str) -> None:
    ev = {"category": "interface", "event_type": "SNMP_TRAP_LINK_DOWN"}
    ld.write(
        lake,
        {
            "device_events": [
                # gw-000 inet down 20 min ago, never back: fires, labelled with its ISP
                {
                    **origin(minutes_before(20), "gw-000", "br-000"),
                    **ev,
                    "state": "down",
                    "interface": "ge-0/0/1",
                },
                # gw-001 inet went down, came back up: quiet
                {
                    **origin(minutes_before(30), "gw-001", "br-001"),
                    **ev,
                    "state": "down",
                    "interface": "ge-0/0/1",
                },
                {
                    **origin(minutes_before(25), "gw-001", "br-001"),
                    **ev,
                    "state": "up",
                    "interface": "ge-0/0/1",
                },
                # gw-002 LTE down only 2 minutes: not yet (for: 5m)
                {
                    **origin(minutes_before(2), "gw-002", "br-002"),
                    **ev,
                    "state": "down",
                    "interface": "dl0.0",
                },
                # a LAN port down: not a WAN link
                {
                    **origin(minutes_before(20), "gw-002", "br-002"),
                    **ev,
                    "state": "down",
                    "interface": "ge-0/0/5",
                },
            ],
            "interface_stats": [
                # gw-000 inet's logical unit polled down 15 min ago: the same link, one alert
                {
                    **origin(minutes_before(15), "gw-000", "br-000"),
                    "source": "snmp",
                    "if_name": "ge-0/0/1.0",
                    "oper_status": "down",
                },
                # gw-002 LTE reported down by polling 10 minutes ago too: down since then
                {
                    **origin(minutes_before(10), "gw-002", "br-002"),
                    "source": "snmp",
                    "if_name": "dl0.0",
                    "oper_status": "down",
                },
            ],
        },
    )
    got = evaluate(lake)
    assert got["links"] == [
        {
            "alertname": "links",
            "site": "br-000",
            "device": "gw-000",
            "interface": "ge-0/0/1.0",
            "wan_link": "inet",
            "isp": "acme",
            "link_type": "broadband",
        },
        {
            "alertname": "links",
            "site": "br-002",
            "device": "gw-002",
            "interface": "dl0.0",
            "wan_link": "lte",
            "isp": "cellco",
            "link_type": "lte",
        },
    ]
    cfg = alerts_config_from_text(CONFIG, "rules.yaml")
    with AlertEngine(lake, cfg, inventory=ld.inventory(3)) as engine:
        found, _ = engine.evaluate(AT)
    assert [a.starts_at for a in found["links"]] == [minutes_before(20), minutes_before(10)]
    # without an inventory every interface counts, each on its own
    assert len(evaluate(lake, with_inventory=False)["links"]) == 4


def test_sle_below_per_wan_link_carries_the_isp(lake: str) -> None:
    rows = []
    for site in ("br-000", "br-001", "br-002"):
        for link, good in (("inet", 5), ("lte", 10)):
            for r in ld.sle_rows(site, "wan_link_health", good=good, total=10):
                rows.append({**r, "gateway": f"gw-{site[-3:]}", "wan_link": link})
    ld.write(lake, {"sle_minutes": rows})
    cfg = alerts_config_from_text(
        "rules: [{name: isp-sle, kind: sle_below, sle: wan-link-health, threshold: 90, "
        "scope: wan_link, group_by: [alertname, isp]}]",
        "isp.yaml",
    )
    with AlertEngine(lake, cfg, inventory=ld.inventory(3)) as engine:
        found, _ = engine.evaluate(AT)
    assert sorted(dict(a.labels)["site"] for a in found["isp-sle"]) == [
        "br-000",
        "br-001",
        "br-002",
    ]
    for a in found["isp-sle"]:
        assert {k: a.labels[k] for k in ("wan_link", "isp", "link_type")} == {
            "wan_link": "inet",
            "isp": "acme",
            "link_type": "broadband",
        }
    groups = {engine.grouper.group_of(cfg.rules[0], a)[0] for a in found["isp-sle"]}
    assert len(groups) == 1  # an ISP-wide drop is one group


def test_device_down_and_collector_health(lake: str) -> None:
    rej = {"source": "flow", "error": "MalformedPacket", "reason": "short header", "raw": b"\x00"}
    ld.write(
        lake,
        {
            "device_health": [
                {**origin(minutes_before(30), "gw-000", "br-000"), "source": "snmp"},
                {**origin(minutes_before(1), "gw-001", "br-001"), "source": "snmp"},
                {
                    **origin(minutes_before(300), "gw-old", "br-001"),
                    "source": "snmp",
                },  # beyond lookback
            ],
            "syslog_events": [],
            "rejects": [
                *(
                    {**rej, "event_time": minutes_before(m), "exporter": "10.9.9.9"}
                    for m in (1, 2, 3)
                ),
                *({**rej, "event_time": minutes_before(m), "exporter": "10.8.8.8"} for m in (1, 2)),
                *(
                    {**rej, "event_time": minutes_before(m), "exporter": "10.7.7.7"}
                    for m in (20, 21, 22)
                ),
            ],
        },
    )
    got = evaluate(lake)
    assert got["devices"] == [{"alertname": "devices", "site": "br-000", "device": "gw-000"}]
    assert got["collector"] == [
        {"alertname": "collector", "source": "flow", "exporter": "10.9.9.9"}
    ]


def test_anomaly_rule(lake: str) -> None:
    base = {"scope": "wan_link:gw-000/inet", "metric": "rtt_ms", "detector": "ewma"}
    ld.write(
        lake,
        {
            "anomalies": [
                # flagged 3 min ago with a high score: fires, one alert for the series
                {
                    **base,
                    "event_time": minutes_before(3),
                    "site": "br-000",
                    "value": 180.0,
                    "expected": 40.0,
                    "score": 0.95,
                    "is_anomaly": True,
                },
                {
                    **base,
                    "event_time": minutes_before(2),
                    "site": "br-000",
                    "value": 170.0,
                    "expected": 40.0,
                    "score": 0.9,
                    "is_anomaly": True,
                },
                # flagged, but 30 min ago: outside the window
                {
                    **base,
                    "event_time": minutes_before(30),
                    "site": "br-001",
                    "value": 1.0,
                    "expected": 0.0,
                    "score": 0.99,
                    "is_anomaly": True,
                },
                # recent but below min_score, or not flagged
                {
                    **base,
                    "event_time": minutes_before(1),
                    "site": "br-002",
                    "value": 1.0,
                    "expected": 0.0,
                    "score": 0.5,
                    "is_anomaly": True,
                },
                {
                    **base,
                    "event_time": minutes_before(1),
                    "site": "br-003",
                    "value": 1.0,
                    "expected": 0.0,
                    "score": 0.99,
                    "is_anomaly": False,
                },
            ]
        },
    )
    cfg = alerts_config_from_text(CONFIG, "rules.yaml")
    with AlertEngine(lake, cfg) as engine:
        found, _ = engine.evaluate(AT)
    (a,) = found["anomalies"]
    assert dict(a.labels) == {
        "alertname": "anomalies",
        "site": "br-000",
        "scope": "wan_link:gw-000/inet",
        "metric": "rtt_ms",
    }
    assert a.annotations["score"] == "0.950" and a.annotations["value"] == "170"
    assert a.starts_at == minutes_before(3)
