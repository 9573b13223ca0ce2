"""The alerts file: the sample loads, every problem is located, secrets never echo."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance.alerts.config import alerts_config_from_text, load_alerts_config
from assurance.errors import ConfigError

SAMPLE = Path(__file__).parents[2] / "data" / "samples" / "alerts" / "alerts.yaml"


def test_sample_config_loads() -> None:
    cfg = load_alerts_config(SAMPLE)
    assert [r.kind for r in cfg.receivers] == [
        "generic",
        "slack",
        "teams",
        "pagerduty",
        "alertmanager",
        "mist",
    ]
    rules = {r.name: r for r in cfg.rules}
    assert cfg.group_by(rules["isp-outage"]) == ("alertname", "isp")
    assert cfg.group_by(rules["wan-link-down"]) == ("alertname", "site")
    assert (
        rules["wan-link-health-low"].for_ == 600
        and rules["wan-link-health-low"].sle_name == "wan_link_health"
    )
    assert cfg.grouping.repeat_interval == 4 * 3600
    assert cfg.retry.cap == 600
    assert cfg.inventory is not None and Path(cfg.inventory).is_file()
    assert cfg.receiver("alertmanager").resolved_url() == "http://127.0.0.1:9093/api/v2/alerts"
    assert cfg.receiver("pagerduty").resolved_url() == "https://events.pagerduty.com/v2/enqueue"


def test_every_problem_is_reported_with_file_line_and_key() -> None:
    text = """receivers:
  - {name: a, kind: slack}
  - {name: b, kind: pager}
rules:
  - {name: r1, kind: sle_below, sle: wan-link-health}
  - {name: r2, kind: link_down, for: soon}
grouping: {group_wiat: 5s}
"""
    with pytest.raises(ConfigError) as info:
        alerts_config_from_text(text, "alerts.yaml")
    lines = info.value.problems
    assert any(p.startswith("alerts.yaml:2: receivers[0]:") and "needs url" in p for p in lines)
    assert any(p.startswith("alerts.yaml:3: receivers[1].kind:") for p in lines)
    assert any(p.startswith("alerts.yaml:5: rules[0]:") and "threshold" in p for p in lines)
    assert any(p.startswith("alerts.yaml:6: rules[1].for:") and "duration" in p for p in lines)
    assert any("grouping.group_wiat: unknown key (did you mean 'group_wait'?)" in p for p in lines)


def test_unknown_receiver_in_rule_and_bad_matcher() -> None:
    with pytest.raises(ConfigError) as info:
        alerts_config_from_text(
            "rules: [{name: r, kind: incident, receivers: [ghost]}]\n", "a.yaml"
        )
    assert "unknown receiver(s) ghost" in str(info.value)
    with pytest.raises(ConfigError) as info:
        alerts_config_from_text(
            "silences: [{matchers: ['site=~(['], starts_at: 2026-01-01, ends_at: 2026-01-02}]\n",
            "a.yaml",
        )
    assert "a.yaml:1: silences[0].matchers[0]: 'site=~([': bad regular expression" in str(
        info.value
    )


def test_inline_secrets_never_echo_in_errors_or_repr() -> None:
    secret = "whsec_c2hvcnQ="  # decodes to 5 bytes: too short
    with pytest.raises(ConfigError) as info:
        alerts_config_from_text(
            f"receivers: [{{name: h, kind: generic, url: 'https://h/T0KEN', secret: '{secret}'}}]",
            "a.yaml",
        )
    assert secret not in str(info.value) and "c2hvcnQ" not in str(info.value)
    assert "24 to 64 bytes" in str(info.value)
    good = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    cfg = alerts_config_from_text(
        f"receivers: [{{name: h, kind: generic, url: 'https://h/T0KEN', secret: '{good}'}}]",
        "a.yaml",
    )
    shown = repr(cfg) + str(cfg.receivers[0]) + cfg.receivers[0].describe_url()
    assert good not in shown and "T0KEN" not in shown
    assert cfg.receivers[0].describe_url() == "https://h/…"


def test_alerts_section_inside_a_bigger_file() -> None:
    cfg = alerts_config_from_text(
        "lake: {path: lake}\nalerts:\n  dashboard_url: http://d:1\n  rules:\n"
        "    - {name: r, kind: device_down}\n",
        "wanassure.yaml",
    )
    assert cfg.dashboard_url == "http://d:1" and cfg.rules[0].kind == "device_down"
    with pytest.raises(ConfigError) as info:
        alerts_config_from_text("alerts:\n  rules:\n    - {name: r, kind: nope}\n", "w.yaml")
    assert "w.yaml:3: alerts.rules[0].kind:" in str(info.value)


def test_label_names_must_suit_alertmanager() -> None:
    with pytest.raises(ConfigError) as info:
        alerts_config_from_text(
            "rules: [{name: r, kind: incident, labels: {team-name: noc}, group_by: [1site]}]",
            "a.yaml",
        )
    assert "'team-name', '1site'" in str(info.value)
