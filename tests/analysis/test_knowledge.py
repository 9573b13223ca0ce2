"""The symptom → cause table stays in step with the SLE catalogue."""

from __future__ import annotations

from assurance.analysis.knowledge import DIRECTNESS, KINDS, RULES, cause_for
from assurance.sle.catalog import BY_NAME, SLES


def test_every_rule_names_a_real_sle_classifier_and_kind() -> None:
    for rule in RULES:
        assert rule.sle in BY_NAME, rule
        assert rule.classifier in BY_NAME[rule.sle].classifiers, rule
        assert rule.kind in KINDS, rule


def test_every_classifier_points_at_a_cause() -> None:
    unmapped = [
        (s.name, c) for s in SLES for c in s.classifiers if cause_for(s.name, c, None) is None
    ]
    assert unmapped == []


def test_every_sle_has_a_directness() -> None:
    assert set(DIRECTNESS) == {s.name for s in SLES}


def test_sub_classifier_picks_the_specific_rule() -> None:
    assert cause_for("wan_link_health", "interface", "congestion") == "congestion"
    assert cause_for("wan_link_health", "interface", "cable") == "bad_cable_wan"
    assert cause_for("wan_link_health", "interface", "port_down") == "link_down"
    assert cause_for("wan_link_health", "network", "tunnel_down") == "vpn_down"
    assert cause_for("wan_link_health", "network", "loss") == "isp_degradation"
    assert cause_for("application_health", "application_services", "server_reset") == (
        "mtu_mismatch"
    )
    assert cause_for("coverage", None, None) is None
