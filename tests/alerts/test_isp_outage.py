"""An ISP outage across 40 sites, end to end: SLE rows in a real lake, the inventory's ISPs, one
notification per receiver (generic, Mist, Slack, PagerDuty) over loopback HTTP, not 40."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assurance.alerts.config import alerts_config_from_text
from assurance.alerts.engine import AlertEngine
from assurance.alerts.model import fingerprint
from tests.alerts import lakedata as ld
from tests.alerts.conftest import SECRET
from tests.alerts.receiver import Receiver

SITES = 40


@pytest.fixture
def chat() -> Iterator[Receiver]:
    r = Receiver(secret=None).start()  # Slack and PagerDuty requests are not signed
    yield r
    r.stop()


def test_isp_outage_is_one_notification_per_receiver(
    tmp_path: Path, receiver: Receiver, chat: Receiver
) -> None:
    lake = str(tmp_path / "lake")
    rows = []
    for i in range(SITES):
        site = f"br-{i:03d}"
        for link, good in (("inet", 3), ("lte", 10)):  # acme's inet links drop to 30 %
            for r in ld.sle_rows(site, "wan_link_health", good=good, total=10):
                rows.append({**r, "gateway": f"gw-{i:03d}", "wan_link": link})
    ld.write(lake, {"sle_minutes": rows})
    cfg = alerts_config_from_text(
        f"""
receivers:
  - {{name: hook, kind: generic, url: "{receiver.url}", secret: "{SECRET}"}}
  - {{name: mist, kind: mist, url: "{receiver.url}", secret: "{SECRET}"}}
  - {{name: slack, kind: slack, url: "{chat.url}"}}
  - {{name: pd, kind: pagerduty, url: "{chat.url}", secret: R0UTING-KEY}}
rules:
  - name: isp-degraded
    kind: sle_below
    sle: wan-link-health
    scope: wan_link
    threshold: 80
    severity: critical
    group_by: [alertname, isp]
  - {{name: per-site, kind: sle_below, sle: wan-link-health, threshold: 80, receivers: [hook]}}
""",
        "isp.yaml",
    )
    with AlertEngine(lake, cfg, inventory=ld.inventory(SITES)) as engine:
        report = engine.cycle(ld.AT, ignore_wait=True, wait=10)
    # isp-degraded: 1 group x 4 receivers; per-site (default grouping): 40 groups x 1 receiver
    assert report.grouping.notifications == 1 + SITES
    assert report.delivery.delivered == 4 + SITES
    outage = [r.json() for r in receiver.accepted if b"isp-degraded" in r.body]
    assert len(outage) == 2 and not receiver.bad_signatures
    generic = next(b for b in outage if "data" in b)["data"]
    assert generic["group_labels"] == {"alertname": "isp-degraded", "isp": "acme"}
    assert len(generic["alerts"]) == SITES and len(generic["sites"]) == SITES
    mist = next(b for b in outage if "topic" in b)
    assert mist["topic"] == "alarms" and len(mist["events"]) == SITES
    slack, pd = sorted((r.json() for r in chat.accepted), key=lambda b: "routing_key" in b)
    assert "acme" in slack["blocks"][2]["elements"][0]["text"]
    assert pd["dedup_key"] == fingerprint({"alertname": "isp-degraded", "isp": "acme"})
    assert pd["routing_key"] == "R0UTING-KEY" and pd["payload"]["severity"] == "critical"
    assert "40 sites" in pd["payload"]["summary"]
