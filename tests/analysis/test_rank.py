"""Cause ranking on hand-built incident cubes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from assurance.analysis.rank import candidates, port_name

T0 = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
COLUMNS = [
    "site",
    "sle",
    "classifier",
    "sub_classifier",
    "gateway",
    "wan_link",
    "application",
    "ap",
    "switch_port",
    "band",
    "bad",
    "total",
    "first_bad",
]


def leaf(
    sle: str,
    classifier: str,
    sub: str | None,
    bad: float,
    total: float,
    minute: int = 0,
    **dims: str,
) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(COLUMNS)
    row.update(
        site="s1",
        sle=sle,
        classifier=classifier,
        sub_classifier=sub,
        bad=bad,
        total=total,
        first_bad=T0 + timedelta(minutes=minute),
        **dims,
    )
    return row


def test_link_loss_outranks_its_echo_in_application_health() -> None:
    leaves = pd.DataFrame(
        [
            leaf("wan_link_health", "network", "loss", 300, 400, wan_link="isp-a", gateway="gw"),
            leaf(
                "application_health",
                "loss",
                None,
                250,
                400,
                1,
                wan_link="isp-a",
                application="Teams",
            ),
            leaf("coverage", "weak_signal", None, 5, 400, 7, ap="ap1", band="5"),
        ]
    )
    causes = candidates(leaves, {}, "s1")
    assert causes[0].kind == "isp_degradation"
    assert causes[0].scope_value == "isp-a"
    assert causes[0].sles == {"wan_link_health", "application_health"}
    assert causes[0].label() == "link:s1/isp-a isp_degradation"
    assert abs(sum(c.confidence for c in causes) - 1.0) < 0.01
    assert causes[-1].kind == "coverage_hole"


def test_usual_badness_is_discounted() -> None:
    # 10 % of coverage minutes are always bad at this site; 12 % now is no cause.
    leaves = pd.DataFrame(
        [
            leaf("coverage", "weak_signal", None, 12, 100, ap="ap1", band="5"),
            leaf("ap_health", "ap_disconnected", "port_down", 20, 100, 2, ap="ap2"),
        ]
    )
    causes = candidates(leaves, {("s1", "coverage"): 0.10}, "s1")
    assert causes[0].kind == "ap_down"
    assert causes[0].scope_value == "ap2"


def test_concentrated_cause_beats_a_smeared_one() -> None:
    leaves = pd.DataFrame(
        [leaf("coverage", "weak_signal", None, 30, 40, ap="ap1", band="5")]
        + [leaf("coverage", "weak_signal", None, 2, 40, ap=f"ap{i}", band="5") for i in (2, 3)]
    )
    causes = candidates(leaves, {}, "s1")
    assert causes[0].scope_value == "ap1"
    assert causes[0].concentration > 0.85


def test_site_scoped_cause_and_port_names() -> None:
    leaves = pd.DataFrame([leaf("successful_connects", "dhcp", "no_offer", 40, 40, ap="ap1")])
    causes = candidates(leaves, {}, "s1")
    assert (causes[0].kind, causes[0].scope_value) == ("dhcp_failure", "s1")
    assert port_name("ge-0/0/3.0") == "ge-0/0/3"
    assert port_name(None) is None
