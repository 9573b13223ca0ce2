"""Receiver formats: one notification rendered as the body and headers each receiver expects.

A notification is a neutral JSON-ready dict (see ``engine.notification``); this module turns it
into: generic JSON (Standard Webhooks envelope and headers, plus ``X-Hub-Signature-256``), a
Slack incoming-webhook message with blocks, a Microsoft Teams message carrying an Adaptive Card,
a PagerDuty Events API v2 event (trigger or resolve, ``dedup_key`` = the group fingerprint), a
Prometheus Alertmanager ``/api/v2/alerts`` list, or a Mist-style ``{topic, events}`` message
signed with ``X-Mist-Signature-v2``. Rendering is deterministic, so every retry of an event sends
the same bytes. Must not: do I/O or read the clock (the send timestamp is passed in).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from assurance import __version__
from assurance.alerts.signing import (
    hub_signature_256,
    mist_signature_v2,
    standard_webhooks_signature,
)

Notification = dict[str, Any]
USER_AGENT = f"wanassure-alerts/{__version__}"

_PD_SEVERITY = {"critical": "critical", "major": "error", "minor": "warning", "info": "info"}
_MIST_SEVERITY = {"critical": "critical", "major": "major", "minor": "warn", "info": "info"}
_SLACK_EMOJI = {
    "critical": ":red_circle:",
    "major": ":large_orange_circle:",
    "minor": ":large_yellow_circle:",
    "info": ":large_blue_circle:",
}
_TEAMS_COLOUR = {"critical": "Attention", "major": "Warning", "minor": "Accent", "info": "Default"}
#: Alerts listed one by one in chat formats; the rest are counted.
CHAT_ALERTS = 10


def dumps(value: Any) -> bytes:
    """Compact, deterministic JSON bytes (insertion order, UTF-8)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _title(n: Notification) -> str:
    status = "RESOLVED" if n["status"] == "resolved" else n["severity"].upper()
    firing = sum(1 for a in n["alerts"] if a["status"] == "firing")
    count = f" ({firing} firing)" if len(n["alerts"]) > 1 and n["status"] == "firing" else ""
    return f"[{status}] {n['summary']}{count}"


def _alert_line(a: dict[str, Any]) -> str:
    mark = "resolved" if a["status"] == "resolved" else a["severity"]
    return f"{mark}: {a['summary']}"


# -- generic (Standard Webhooks) --------------------------------------------------------------


def generic_body(n: Notification) -> Any:
    return {"type": f"alert.{n['status']}", "timestamp": n["created_at"], "data": n}


# -- Slack ------------------------------------------------------------------------------------


def slack_body(n: Notification) -> Any:
    title = _title(n)
    lines = [_alert_line(a) for a in n["alerts"][:CHAT_ALERTS]]
    more = len(n["alerts"]) - CHAT_ALERTS + n.get("truncated", 0)
    if more > 0:
        lines.append(f"…and {more} more")
    labels = ", ".join(f"{k}={v}" for k, v in n["group_labels"].items() if v)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _clip(title, 150), "emoji": True},
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": _clip("\n".join(f"• {line}" for line in lines), 3000),
            },
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": _clip(f"{_SLACK_EMOJI[n['severity']]} {labels}", 3000)}
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open dashboard"},
                    "url": n["dashboard_url"],
                }
            ],
        },
    ]
    return {"text": _clip(title, 3000), "blocks": blocks}


# -- Microsoft Teams (Adaptive Card in a message attachment) ----------------------------------


def teams_body(n: Notification) -> Any:
    facts = [{"title": k, "value": v} for k, v in n["group_labels"].items() if v]
    lines = [_alert_line(a) for a in n["alerts"][:CHAT_ALERTS]]
    more = len(n["alerts"]) - CHAT_ALERTS + n.get("truncated", 0)
    if more > 0:
        lines.append(f"…and {more} more")
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": _title(n),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "color": "Good" if n["status"] == "resolved" else _TEAMS_COLOUR[n["severity"]],
            },
            {"type": "FactSet", "facts": facts},
            *(
                {"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"}
                for line in lines
            ),
        ],
        "actions": [
            {"type": "Action.OpenUrl", "title": "Open dashboard", "url": n["dashboard_url"]}
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


# -- PagerDuty Events API v2 ------------------------------------------------------------------


def pagerduty_body(n: Notification, routing_key: str) -> Any:
    """One event per group: trigger while any alert fires, resolve once all have resolved."""
    if n["status"] == "resolved":
        return {
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": n["fingerprint"],
        }
    firing = [a for a in n["alerts"] if a["status"] == "firing"]
    payload = {
        "summary": _clip(_title(n), 1024),
        "source": n.get("site") or "org",
        "severity": _PD_SEVERITY[n["severity"]],
        "timestamp": min(a["starts_at"] for a in firing) if firing else n["created_at"],
        "component": n["group_labels"].get("site") or None,
        "group": n["rule"],
        "class": n["rule_kind"],
        "custom_details": {
            "group_labels": n["group_labels"],
            "alerts": [_alert_line(a) for a in n["alerts"][:CHAT_ALERTS]],
            "firing": len(firing),
        },
    }
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": n["fingerprint"],
        "payload": {k: v for k, v in payload.items() if v is not None},
        "links": [{"href": n["dashboard_url"], "text": "Dashboard"}],
        "client": "wan-assurance",
        "client_url": n["dashboard_url"],
    }


# -- Prometheus Alertmanager /api/v2/alerts ---------------------------------------------------


def alertmanager_body(n: Notification) -> Any:
    """Postable alerts; a firing alert carries no ``endsAt`` (Alertmanager's resolve_timeout
    applies), a resolved one its end time."""
    out = []
    for a in n["alerts"]:
        item: dict[str, Any] = {
            "labels": {**a["labels"], "severity": a["severity"]},
            "annotations": {"summary": a["summary"], **a["annotations"]},
            "startsAt": a["starts_at"],
            "generatorURL": a["dashboard_url"],
        }
        if a["status"] == "resolved" and a.get("ends_at"):
            item["endsAt"] = a["ends_at"]
        out.append(item)
    return out


# -- Mist-compatible {topic, events} ----------------------------------------------------------


def _uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"wanassure:{kind}:{name}"))


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def mist_body(n: Notification, topic: str) -> Any:
    group = "marvis" if n["rule_kind"] in ("sle_below", "incident", "action") else "infrastructure"
    events = []
    for a in n["alerts"]:
        fp = a["fingerprint"]
        site = a["labels"].get("site")
        event: dict[str, Any] = {
            "id": str(uuid.UUID(fp)),
            "type": a["labels"]["alertname"],
            "group": group,
            "severity": _MIST_SEVERITY[a["severity"]],
            "timestamp": _epoch(a["starts_at"]),
            "last_seen": _epoch(n["created_at"]),
            "count": 1,
            "resolved": a["status"] == "resolved",
            "site_id": _uuid("site", site) if site else None,
            "site_name": site,
            "reason": a["summary"],
            "details": {**a["labels"], **a["annotations"]},
            "url": a["dashboard_url"],
        }
        if a["labels"].get("device"):
            event["hostnames"] = [a["labels"]["device"]]
        events.append(event)
    return {"topic": topic, "events": events}


# -- one entry point --------------------------------------------------------------------------


def render(
    kind: str, n: Notification, *, secret: str | None = None, topic: str = "alarms"
) -> bytes:
    """The body bytes for a receiver of ``kind``."""
    builders: dict[str, Callable[[], Any]] = {
        "generic": lambda: generic_body(n),
        "slack": lambda: slack_body(n),
        "teams": lambda: teams_body(n),
        "pagerduty": lambda: pagerduty_body(n, secret or ""),
        "alertmanager": lambda: alertmanager_body(n),
        "mist": lambda: mist_body(n, topic),
    }
    return dumps(builders[kind]())


def headers(
    kind: str, event_id: str, timestamp: int, body: bytes, secret: str | None
) -> dict[str, str]:
    """HTTP headers for one attempt; signatures cover exactly ``body``."""
    out = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Wanassure-Event-Id": event_id,
    }
    if kind == "generic" and secret:
        out["webhook-id"] = event_id
        out["webhook-timestamp"] = str(timestamp)
        out["webhook-signature"] = standard_webhooks_signature(secret, event_id, timestamp, body)
        out["X-Hub-Signature-256"] = hub_signature_256(secret, body)
    elif kind == "mist" and secret:
        out["X-Mist-Signature-v2"] = mist_signature_v2(secret, body)
    return out
