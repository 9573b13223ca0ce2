"""The policy settings file: the sample loads into loop settings, problems name file, line and
key, credentials are refused, and the CLI reads it (maintenance window, config errors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assurance.errors import ConfigError
from assurance.policy.config import load_policy_config, policy_config_from_text
from assurance.policy.model import Thresholds

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "policy" / "policy.yaml"


def test_sample_loads_into_loop_settings() -> None:
    s = load_policy_config(SAMPLE).loop_settings()
    assert s.mode == "recommend"
    assert s.limits.apps == ("Microsoft Teams", "RingCentral Voice")
    assert (s.window, s.settle, s.verify) == (
        timedelta(minutes=10),
        timedelta(minutes=2),
        timedelta(minutes=10),
    )
    assert s.confirm_minutes == 30
    assert s.limits.hold_down == timedelta(minutes=30)
    assert s.limits.retry_after == timedelta(hours=2)
    assert s.limits.maintenance == (
        (
            "br-nyc-012",
            datetime(2026, 11, 21, 2, tzinfo=UTC),
            datetime(2026, 11, 21, 4, tzinfo=UTC),
        ),
    )
    assert s.device_sla == {("*", "video"): Thresholds(150, 30, 2)}


def test_empty_and_top_level_forms() -> None:
    assert policy_config_from_text("{}").mode == "recommend"
    with pytest.raises(ConfigError, match="file is empty"):
        policy_config_from_text("")
    assert policy_config_from_text("mode: auto\n").mode == "auto"
    assert policy_config_from_text("lake: {path: x}\npolicy:\n  mode: auto\n").mode == "auto"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("mode: yolo\n", "cfg.yaml:1: mode:"),
        ("limits:\n  hold_down: soon\n", "cfg.yaml:2: limits.hold_down:"),
        ("limits:\n  margin: 2\n", "cfg.yaml:2: limits.margin:"),
        ("confirm_minutes: 5\n", "confirm_minutes (5) must exceed settle + verify (12 min)"),
        (
            "maintenance:\n  - {site: a, start: 2026-01-02T00:00Z, end: 2026-01-01T00:00Z}\n",
            "end must be after start",
        ),
        ("netconf:\n  password: hunter2\n", "WANASSURE_NETCONF_PASSWORD"),
        ("typo_key: 1\n", "typo_key"),
    ],
)
def test_problems_name_file_line_and_key(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as exc:
        policy_config_from_text(text, "cfg.yaml")
    assert needle in str(exc.value)
    assert "hunter2" not in str(exc.value)
