"""Each receiver format against the published shape of its API (documented limits included)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from assurance.alerts.formats import render


def alert(site: str, status: str = "firing", severity: str = "major") -> dict[str, Any]:
    return {
        "fingerprint": "0123456789abcdef0123456789abcdef",
        "status": status,
        "severity": severity,
        "labels": {"alertname": "isp-down", "site": site, "isp": "acme", "device": "gw1"},
        "annotations": {"down_since": "2026-11-20T10:00:00Z"},
        "summary": f"WAN link wan1 (acme) on gw1 at {site} is down",
        "starts_at": "2026-11-20T10:00:00Z",
        "ends_at": "2026-11-20T10:30:00Z" if status == "resolved" else None,
        "dashboard_url": f"http://dash/site?site={site}",
    }


def note(n: int = 3, status: str = "firing") -> dict[str, Any]:
    return {
        "event_id": "msg_00",
        "receiver": "r",
        "version": "1",
        "rule": "isp-down",
        "rule_kind": "link_down",
        "status": status,
        "severity": "critical",
        "summary": "isp-down: 3 firing, 0 resolved across 3 sites (isp=acme)" + "x" * 200,
        "site": None,
        "sites": [f"s{i}" for i in range(n)],
        "fingerprint": "fedcba9876543210fedcba9876543210",
        "group_labels": {"alertname": "isp-down", "isp": "acme"},
        "common_labels": {"alertname": "isp-down", "isp": "acme"},
        "dashboard_url": "http://dash/site",
        "created_at": "2026-11-20T10:05:00Z",
        "alerts": [alert(f"s{i}", status) for i in range(n)],
        "truncated": 0,
    }


def body(kind: str, n: dict[str, Any], **kw: Any) -> Any:
    return json.loads(render(kind, n, **kw))


def test_rendering_is_deterministic() -> None:
    for kind in ("generic", "slack", "teams", "pagerduty", "alertmanager", "mist"):
        assert render(kind, note(), secret="rk") == render(kind, note(), secret="rk")


def test_generic_is_a_standard_webhooks_envelope() -> None:
    b = body("generic", note())
    assert b["type"] == "alert.firing"
    assert b["timestamp"] == "2026-11-20T10:05:00Z"
    assert b["data"]["alerts"][0]["labels"]["site"] == "s0"
    assert body("generic", note(status="resolved"))["type"] == "alert.resolved"


def test_slack_blocks_within_limits() -> None:
    b = body("slack", note(n=25))
    assert isinstance(b["text"], str) and b["text"]
    header, section, context, actions = b["blocks"]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert len(header["text"]["text"]) <= 150  # Block Kit header limit
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert len(section["text"]["text"]) <= 3000
    assert "…and 15 more" in section["text"]["text"]
    assert context["type"] == "context"
    button = actions["elements"][0]
    assert button["type"] == "button" and button["url"] == "http://dash/site"


def test_teams_adaptive_card_in_message_attachment() -> None:
    b = body("teams", note())
    assert b["type"] == "message"
    (att,) = b["attachments"]
    assert att["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = att["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["type"] == "TextBlock"
    assert {"title": "isp", "value": "acme"} in card["body"][1]["facts"]
    assert card["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Open dashboard",
        "url": "http://dash/site",
    }


def test_pagerduty_trigger_and_resolve_share_dedup_key() -> None:
    trig = body("pagerduty", note(), secret="R0UTINGKEY")
    assert trig["routing_key"] == "R0UTINGKEY"
    assert trig["event_action"] == "trigger"
    assert trig["dedup_key"] == "fedcba9876543210fedcba9876543210"
    p = trig["payload"]
    assert p["severity"] in {"critical", "error", "warning", "info"}
    assert p["severity"] == "critical"
    assert 0 < len(p["summary"]) <= 1024
    assert p["source"] == "org"
    assert "component" not in p  # an org-wide group has no site: the key is left out, not null
    assert set(p) <= {
        "summary",
        "source",
        "severity",
        "timestamp",
        "component",
        "group",
        "class",
        "custom_details",
    }
    datetime.fromisoformat(p["timestamp"].replace("Z", "+00:00"))
    assert trig["links"][0]["href"] == "http://dash/site"
    res = body("pagerduty", note(status="resolved"), secret="R0UTINGKEY")
    assert res == {
        "routing_key": "R0UTINGKEY",
        "event_action": "resolve",
        "dedup_key": "fedcba9876543210fedcba9876543210",
    }


def test_alertmanager_postable_alerts() -> None:
    b = body("alertmanager", note(n=2))
    assert isinstance(b, list) and len(b) == 2
    first = b[0]
    assert set(first) == {"labels", "annotations", "startsAt", "generatorURL"}
    assert all(isinstance(v, str) for v in first["labels"].values())
    assert first["labels"]["severity"] == "major"
    assert first["generatorURL"] == "http://dash/site?site=s0"
    resolved = body("alertmanager", note(n=1, status="resolved"))[0]
    assert resolved["endsAt"] == "2026-11-20T10:30:00Z"


def test_mist_topic_and_events() -> None:
    b = body("mist", note(n=2), topic="alarms")
    assert b["topic"] == "alarms"
    assert len(b["events"]) == 2
    e = b["events"][0]
    assert e["id"] == "01234567-89ab-cdef-0123-456789abcdef"
    assert e["type"] == "isp-down"
    assert e["timestamp"] == 1795168800  # date -u -d 2026-11-20T10:00:00Z +%s
    assert e["site_name"] == "s0" and e["hostnames"] == ["gw1"]
    assert e["resolved"] is False


@pytest.mark.parametrize("kind", ["slack", "teams", "generic", "mist", "alertmanager"])
def test_no_routing_key_outside_pagerduty(kind: str) -> None:
    assert b"R0UTINGKEY" not in render(kind, note(), secret="R0UTINGKEY")
