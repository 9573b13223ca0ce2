"""Building blocks for the alert tests: configs pointing at a receiver, hand-made events."""

from __future__ import annotations

import json
from typing import Any

from assurance.alerts.config import AlertsConfig, alerts_config_from_text

__all__ = ["alerts_config_from_text", "config", "enqueue", "notification"]
from assurance.alerts.outbox import Event, Outbox
from tests.alerts.conftest import SECRET


def config(url: str, kind: str = "generic", extra: str = "", **retry: Any) -> AlertsConfig:
    policy = {"max_attempts": 5, "base": 0.05, "cap": 0.2, "timeout": 2, "concurrency": 2}
    policy.update(retry)
    lines = "\n".join(f"  {k}: {v}" for k, v in policy.items())
    text = f"""
dashboard_url: http://dash.example:8501
receivers:
  - name: hook
    kind: {kind}
    url: {url}
    secret: {SECRET}
retry:
{lines}
{extra}
"""
    return alerts_config_from_text(text, "test-alerts.yaml")


def notification(event_id: str, site: str = "br-001") -> dict[str, Any]:
    return {
        "event_id": event_id,
        "receiver": "hook",
        "version": "1",
        "rule": "wan-down",
        "rule_kind": "link_down",
        "status": "firing",
        "severity": "major",
        "summary": f"WAN link down at {site}",
        "site": site,
        "sites": [site],
        "fingerprint": "f" * 32,
        "group_labels": {"alertname": "wan-down", "site": site},
        "common_labels": {"alertname": "wan-down", "site": site},
        "dashboard_url": f"http://dash.example:8501/site?site={site}",
        "created_at": "2026-11-20T10:00:00Z",
        "alerts": [],
        "truncated": 0,
    }


def enqueue(outbox: Outbox, event_id: str, now: float, receiver: str = "hook") -> None:
    with outbox.transaction() as con:
        Outbox.insert_event(
            con,
            Event(
                event_id=event_id,
                receiver=receiver,
                rule="wan-down",
                group_key="f" * 32,
                site="br-001",
                severity="major",
                status="firing",
                notification=json.dumps(notification(event_id)),
                state="pending",
                attempts=0,
                next_attempt=now,
                last_error=None,
                created_at=now,
                updated_at=now,
            ),
        )
