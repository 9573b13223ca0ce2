"""Alert webhooks: rules over the lake, Alertmanager-style grouping, a durable outbox, and the
formats people already use (Standard Webhooks JSON, Slack, Teams, PagerDuty, Alertmanager, Mist).

Modules, in the order data flows: ``config`` (the alerts file), ``rules`` (lake → alerts),
``silences``, ``grouping`` (alerts → notifications, dedup by fingerprint), ``outbox`` (SQLite
under ``<lake>/_state``), ``formats`` and ``signing`` (notification → body and headers),
``deliver`` (HTTP with retries), ``mirror`` (outbox → the lake's ``alerts`` table), ``engine``
(one cycle of all of it) and ``links`` (dashboard URLs). Must not: import the CLI or dashboards.
"""

from assurance.alerts.config import (
    AlertsConfig,
    Receiver,
    Rule,
    alerts_config_from_text,
    load_alerts_config,
)
from assurance.alerts.deliver import Deliverer, DeliveryStats
from assurance.alerts.engine import AlertEngine, CycleReport
from assurance.alerts.links import dashboard_link
from assurance.alerts.model import Alert, fingerprint
from assurance.alerts.outbox import Event, Outbox, OutboxError, outbox_path

__all__ = [
    "Alert",
    "AlertEngine",
    "AlertsConfig",
    "CycleReport",
    "Deliverer",
    "DeliveryStats",
    "Event",
    "Outbox",
    "OutboxError",
    "Receiver",
    "Rule",
    "alerts_config_from_text",
    "dashboard_link",
    "fingerprint",
    "load_alerts_config",
    "outbox_path",
]
