"""Grouping and dedup: group wait, group interval, repeat interval, resolved notifications,
one notification per receiver for an ISP outage across 40 sites, silences and maintenance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assurance.alerts.config import AlertsConfig, alerts_config_from_text
from assurance.alerts.grouping import Grouper
from assurance.alerts.model import Alert, fingerprint
from assurance.alerts.outbox import Outbox
from tests.alerts.conftest import SECRET

T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)
CONFIG = f"""
receivers:
  - {{name: hook, kind: generic, url: "http://127.0.0.1:9/h", secret: "{SECRET}"}}
  - {{name: chat, kind: slack, url: "http://127.0.0.1:9/s"}}
rules:
  - {{name: wan-down, kind: link_down}}
  - {{name: isp-outage, kind: link_down, group_by: [alertname, isp], receivers: [hook, chat]}}
silences:
  - matchers: ["site=s-silenced", "alertname=~wan-.*"]
    starts_at: 2026-11-20T09:00:00Z
    ends_at: 2026-11-20T11:00:00Z
maintenance:
  - {{sites: ["maint-*"], start: 2026-11-20T09:00:00Z, end: 2026-11-20T10:30:00Z}}
grouping: {{group_wait: 30s, group_interval: 5m, repeat_interval: 1h}}
"""


def link(rule: str, site: str, isp: str = "acme", device: str = "gw1", note: str = "") -> Alert:
    return Alert(
        labels={"alertname": rule, "site": site, "device": device, "isp": isp},
        severity="major",
        summary=f"link down at {site}",
        starts_at=T0,
        annotations={"note": note} if note else {},
        link=f"http://dash/site?site={site}",
    )


@pytest.fixture
def cfg() -> AlertsConfig:
    return alerts_config_from_text(CONFIG, "grouping.yaml")


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "alerts.sqlite")


def events(outbox: Outbox) -> list[dict[str, Any]]:
    return [e.payload for e in reversed(outbox.events())]


def test_group_wait_then_dedup_then_repeat(outbox: Outbox, cfg: AlertsConfig) -> None:
    g = Grouper(outbox, cfg)
    alerts = {"wan-down": [link("wan-down", "s1"), link("wan-down", "s1", device="gw2")]}
    assert g.step(alerts, data_time=T0, now=0).events == 0
    assert g.step(alerts, data_time=T0, now=29).events == 0
    result = g.step(alerts, data_time=T0, now=30)
    assert (result.notifications, result.events) == (1, 2)  # one per receiver
    sent = events(outbox)
    assert {e["receiver"] for e in sent} == {"hook", "chat"}
    assert len({e["event_id"] for e in sent}) == 2
    assert all(len(e["alerts"]) == 2 and e["status"] == "firing" for e in sent)
    for t in (60, 600, 3600 + 29):
        assert g.step(alerts, data_time=T0, now=t).events == 0  # same alerts: nothing new
    assert g.step(alerts, data_time=T0, now=3630).events == 2  # repeat_interval


def test_change_waits_for_group_interval_and_resolves_once(
    outbox: Outbox, cfg: AlertsConfig
) -> None:
    g = Grouper(outbox, cfg)
    one = [link("wan-down", "s1")]
    two = [*one, link("wan-down", "s1", device="gw2")]
    g.step({"wan-down": one}, data_time=T0, now=0, ignore_wait=True)
    assert len(outbox.events()) == 2
    assert g.step({"wan-down": two}, data_time=T0, now=100).events == 0
    assert g.step({"wan-down": two}, data_time=T0, now=299).events == 0
    assert g.step({"wan-down": two}, data_time=T0, now=300).events == 2
    later = T0 + timedelta(minutes=20)
    assert g.step({"wan-down": []}, data_time=later, now=400).events == 0
    assert g.step({"wan-down": []}, data_time=later, now=600).events == 2
    resolved = events(outbox)[-1]
    assert resolved["status"] == "resolved"
    assert {a["status"] for a in resolved["alerts"]} == {"resolved"}
    assert {a["ends_at"] for a in resolved["alerts"]} == {"2026-11-20T10:20:00Z"}
    for t in (900, 5000, 20000):
        assert g.step({"wan-down": []}, data_time=later, now=t).events == 0
    assert outbox.query("SELECT count(*) FROM groups")[0][0] == 0


def test_rule_missing_from_evaluation_keeps_its_alerts(outbox: Outbox, cfg: AlertsConfig) -> None:
    g = Grouper(outbox, cfg)
    g.step({"wan-down": [link("wan-down", "s1")]}, data_time=T0, now=0, ignore_wait=True)
    g.step({}, data_time=T0, now=10_000)  # the rule failed to evaluate: no resolution
    assert {e["status"] for e in events(outbox)} == {"firing"}


def test_isp_outage_across_40_sites_is_one_notification_per_receiver(
    outbox: Outbox, cfg: AlertsConfig
) -> None:
    g = Grouper(outbox, cfg)
    outage = [link("isp-outage", f"br-{i:03d}") for i in range(40)]
    g.step({"isp-outage": outage}, data_time=T0, now=0)
    result = g.step({"isp-outage": outage}, data_time=T0, now=30)
    assert (result.notifications, result.events) == (1, 2)
    (hook,) = [e for e in events(outbox) if e["receiver"] == "hook"]
    assert hook["group_labels"] == {"alertname": "isp-outage", "isp": "acme"}
    assert len(hook["sites"]) == 40 and len(hook["alerts"]) == 40
    assert hook["fingerprint"] == fingerprint({"alertname": "isp-outage", "isp": "acme"})
    # the same outage under the default grouping (alertname, site) is 40 groups
    per_site = [link("wan-down", f"br-{i:03d}") for i in range(40)]
    assert g.step({"wan-down": per_site}, data_time=T0, now=40, ignore_wait=True).events == 80


def test_silences_and_maintenance_mute(outbox: Outbox, cfg: AlertsConfig) -> None:
    g = Grouper(outbox, cfg)
    alerts = [
        link("wan-down", "s-silenced"),
        link("wan-down", "maint-nyc"),
        link("wan-down", "s-open"),
    ]
    r = g.step({"wan-down": alerts}, data_time=T0, now=0, ignore_wait=True)
    assert (r.firing, r.muted, r.notifications) == (1, 2, 1)
    assert [e["site"] for e in events(outbox)] == ["s-open", "s-open"]
    # maintenance ends at 10:30: the alert is told as a new group then
    after = T0 + timedelta(minutes=31)
    r = g.step({"wan-down": alerts}, data_time=after, now=100, ignore_wait=True)
    assert (r.firing, r.muted, r.notifications) == (2, 1, 1)
    assert events(outbox)[-1]["site"] == "maint-nyc"


def test_annotation_changes_do_not_renotify(outbox: Outbox, cfg: AlertsConfig) -> None:
    g = Grouper(outbox, cfg)
    g.step({"wan-down": [link("wan-down", "s1", note="a")]}, data_time=T0, now=0, ignore_wait=True)
    assert (
        g.step({"wan-down": [link("wan-down", "s1", note="b")]}, data_time=T0, now=400).events == 0
    )


def test_fingerprint_is_order_free_and_separates_fields() -> None:
    a = {"alertname": "x", "site": "s1", "device": "gw1"}
    b = dict(reversed(list(a.items())))
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint({"a": "b=c"}) != fingerprint({"a=b": "c"})
    assert fingerprint(a) != fingerprint({**a, "device": "gw2"})
    assert len(fingerprint(a)) == 32
    assert link("wan-down", "s1").fingerprint == fingerprint(
        {"alertname": "wan-down", "site": "s1", "device": "gw1", "isp": "acme"}
    )


def test_events_carry_no_secret(outbox: Outbox, cfg: AlertsConfig) -> None:
    g = Grouper(outbox, cfg)
    g.step({"wan-down": [link("wan-down", "s1")]}, data_time=T0, now=0, ignore_wait=True)
    dump = json.dumps(outbox.query("SELECT * FROM events"))
    assert "whsec_" not in dump and "127.0.0.1:9" not in dump


def test_timers_fire_between_evaluations(outbox: Outbox, cfg: AlertsConfig) -> None:
    """The run loop calls step({}) every second: group_wait and repeat run out without a rule
    evaluation, and an unchanged group is not even loaded until then."""
    g = Grouper(outbox, cfg)
    g.step({"wan-down": [link("wan-down", "s1")]}, data_time=T0, now=0)
    assert g.step({}, data_time=T0, now=10).events == 0
    assert g.step({}, data_time=T0, now=30).events == 2
    assert outbox.query("SELECT dirty FROM groups") == [(0,)]
    assert g.step({}, data_time=T0, now=3000).events == 0
    assert g.step({}, data_time=T0, now=3630).events == 2
