"""The demo's alerting step: rules over the analyzed lake, delivered to a local webhook sink.

Owns a loopback HTTP receiver that checks every notification's Standard Webhooks signature
(with a secret made up for the run) and keeps what it accepted, the demo's alert rules, and
replaying the scenario's data time in steps so that alerts fire and resolve as they would have
live. Must not print: the demo does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assurance.alerts.config import AlertsConfig
from assurance.alerts.engine import AlertEngine
from assurance.config import Inventory

STEP = timedelta(minutes=5)


class WebhookSink:
    """A signed-webhook receiver on loopback: accepts only correctly signed notifications."""

    def __init__(self) -> None:
        self.secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self.received: list[dict[str, Any]] = []
        self.rejected = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = sink.verify(self.headers, body)
                if ok:
                    sink.received.append(json.loads(body))
                else:
                    sink.rejected += 1
                self.send_response(204 if ok else 401)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return  # quiet: the demo prints a summary

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/wanassure"

    def verify(self, headers: Any, body: bytes) -> bool:
        """Standard Webhooks: HMAC-SHA256 over ``id.timestamp.body`` with the base64 key."""
        msg_id, stamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
        given = headers.get("webhook-signature", "")
        if not msg_id or not stamp:
            return False
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        want = "v1," + base64.b64encode(mac).decode()
        return any(hmac.compare_digest(want, s) for s in given.split())

    def __enter__(self) -> WebhookSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def config(sink: WebhookSink, dashboard_url: str) -> AlertsConfig:
    """The demo's rules: open incidents, raised actions, WAN link health below 90 % per site."""
    return AlertsConfig.model_validate(
        {
            "dashboard_url": dashboard_url,
            "receivers": [
                {"name": "demo-sink", "kind": "generic", "url": sink.url, "secret": sink.secret}
            ],
            "rules": [
                {"name": "incident", "kind": "incident", "severity": "major"},
                {"name": "action", "kind": "action", "states": ["open"], "severity": "info"},
                {
                    "name": "wan-link-health-low",
                    "kind": "sle_below",
                    "sle": "wan-link-health",
                    "threshold": 90,
                    "for": "10m",
                    "scope": "site",
                    "severity": "minor",
                },
            ],
        }
    )


def replay(
    lake: str,
    inventory: Inventory,
    start: datetime,
    end: datetime,
    sink: WebhookSink,
    dashboard_url: str,
) -> int:
    """Evaluate and deliver every ``STEP`` of data time from ``start`` to ``end``; cycles run."""
    cycles = 0
    with AlertEngine(lake, config(sink, dashboard_url), inventory=inventory) as engine:
        at = start + STEP
        while at <= end + STEP:
            engine.cycle(at, ignore_wait=True, wait=2.0)
            cycles += 1
            at += STEP
    return cycles
