"""The ``collector_drops`` rule: input the collectors lost, read from their ``/metrics`` pages.

Kernel drops, queue overflows and lost flow sequence numbers never reach the lake, so this rule
scrapes each collector's Prometheus endpoint (``metrics_urls``), keeps the last value of every
matching counter in the outbox file (table ``counters``) and fires when one grew by at least
``max_drops`` since the previous evaluation (a counter that went down was reset: its new value
is the growth). An endpoint that cannot be scraped fires with ``metric="up"``. Labels name the
endpoint by host and port only, never its path. Must not: write the lake or decide
notifications.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from prometheus_client.parser import text_string_to_metric_families

from assurance.alerts.config import AlertsConfig, Rule
from assurance.alerts.links import dashboard_link
from assurance.alerts.model import ALERTNAME, Alert
from assurance.alerts.outbox import Outbox

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    rule   TEXT NOT NULL,
    series TEXT NOT NULL,
    value  REAL NOT NULL,
    PRIMARY KEY (rule, series)
)
"""


def instance(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def scrape(
    client: httpx.Client, url: str, pattern: re.Pattern[str], timeout: float
) -> dict[str, float]:
    """Matching samples of one endpoint: series key (JSON of name and labels) -> value."""
    response = client.get(url, timeout=timeout)
    response.raise_for_status()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if pattern.fullmatch(sample.name) and not sample.name.endswith("_created"):
                key = json.dumps([sample.name, sorted(sample.labels.items())])
                found[key] = float(sample.value)
    return found


def evaluate(
    client: httpx.Client, outbox: Outbox, rule: Rule, config: AlertsConfig, at: datetime
) -> list[Alert]:
    """Alerts for the counters of ``rule.metrics_urls`` that grew by ``max_drops`` or more."""
    pattern = re.compile(rule.drop_metrics)
    with outbox.transaction() as con:
        con.execute(_SCHEMA)
        before = dict(
            con.execute("SELECT series, value FROM counters WHERE rule = ?", (rule.name,))
        )
    alerts: list[Alert] = []
    now: dict[str, float] = {}
    link = dashboard_link(config.dashboard_url, end=at)
    for url in rule.metrics_urls:
        where = instance(url)
        try:
            values = scrape(client, url, pattern, config.retry.timeout)
        except (httpx.HTTPError, ValueError) as exc:
            reason = type(exc).__name__
            if isinstance(exc, httpx.HTTPStatusError):
                reason = f"HTTP {exc.response.status_code}"
            alerts.append(
                Alert(
                    labels={ALERTNAME: rule.name, **rule.labels, "instance": where, "metric": "up"},
                    severity=rule.severity,
                    summary=f"collector metrics at {where} cannot be read ({reason})",
                    starts_at=at,
                    link=link,
                )
            )
            continue
        for key, value in values.items():
            series = json.dumps([url, key])
            now[series] = value
            if series not in before:
                continue  # first sight: nothing to compare with yet
            grown = value - before[series] if value >= before[series] else value
            if grown < rule.max_drops:
                continue
            name, labels = json.loads(key)
            metric = re.sub(r"_total$", "", name)
            extra = {k: v for k, v in labels if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k)}
            alerts.append(
                Alert(
                    labels={
                        **extra,
                        ALERTNAME: rule.name,
                        **rule.labels,
                        "instance": where,
                        "metric": metric,
                    },
                    severity=rule.severity,
                    summary=f"{metric} at {where} grew by {grown:g} since the last evaluation",
                    starts_at=at,
                    annotations={"increase": f"{grown:g}", "value": f"{value:g}"},
                    link=link,
                )
            )
    with outbox.transaction() as con:
        con.executemany(
            "INSERT OR REPLACE INTO counters (rule, series, value) VALUES (?, ?, ?)",
            [(rule.name, s, v) for s, v in now.items()],
        )
    return alerts
