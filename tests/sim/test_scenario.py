"""Scenario files: validation names the key and the problem; durations; site groups; catalogue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from assurance.errors import ConfigError
from assurance.sim.faults import CATALOGUE
from assurance.sim.scenario import load_scenario, parse_duration, scenario_from_text
from assurance.sim.world import World

SAMPLES = Path(__file__).parents[2] / "data" / "samples" / "scenarios"

BASE = """
name: t
start: 2026-11-02T13:00:00Z
org: acme
profiles:
  branch:
    links:
      - {name: mpls, type: mpls, isp: Lumen, down_mbps: 50, up_mbps: 50}
      - {name: isp-a, type: broadband, isp: Comcast, down_mbps: 200, up_mbps: 20}
sites:
  - {prefix: br, count: 3, profile: branch}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        scenario_from_text(text, "s.yaml")
    return info.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        ("30s", timedelta(seconds=30)),
        ("1d", timedelta(days=1)),
        (15, timedelta(minutes=15)),
    ],
)
def test_durations(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2x", "h", "-5m", "1h-5m", True])
def test_bad_durations_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_site_groups_number_their_sites() -> None:
    scenario = scenario_from_text(BASE)
    assert scenario.site_names() == ["br-001", "br-002", "br-003"]
    assert scenario.minutes == 24 * 60


def test_unknown_fault_type_names_the_line_key_and_the_choices() -> None:
    found = problems(
        BASE + "faults:\n  - {type: isp_los, site: br-001, link: isp-a, at: 1h, for: 5m}\n"
    )
    assert len(found) == 1
    assert found[0].startswith("s.yaml:13: faults[0]: unknown fault type 'isp_los'; known: ")
    assert "isp_loss" in found[0]


def test_every_problem_is_listed_with_its_key() -> None:
    found = problems(
        BASE
        + "faults:\n"
        + "  - {type: isp_loss, site: br-001, link: isp-a, at: 1h, for: 5x}\n"
        + "  - {type: ap_down, site: br-001, at: 1h, for: 5m}\n"
        + "  - {type: isp_loss, site: br-001, link: isp-a, at: 1h, for: 5m, params: {rtt: 3}}\n"
    )
    text = "\n".join(found)
    assert "faults[0].for: '5x' is not a duration" in text
    assert "faults[1]: fault ap_down needs ap" in text
    assert "unknown params ['rtt'] for isp_loss; allowed: loss_pct" in text


def test_cross_references_are_checked() -> None:
    found = "\n".join(
        problems(
            BASE
            + "faults:\n"
            + "  - {type: isp_loss, site: br-009, link: isp-a, at: 1h, for: 5m}\n"
            + "  - {type: isp_loss, site: br-001, link: lte, at: 1h, for: 5m}\n"
            + "  - {type: app_slowdown, app: Gopher, at: 1h, for: 5m}\n"
            + "  - {type: isp_outage, isp: Nobody, at: 1h, for: 5m}\n"
        )
    )
    for expected in (
        "faults[0] (isp_loss): unknown site 'br-009'",
        "faults[1] (isp_loss): site br-001 has no link 'lte'",
        "faults[2] (app_slowdown): unknown app 'Gopher'",
        "faults[3] (isp_outage): no link uses ISP 'Nobody'",
    ):
        assert expected in found


def test_unknown_keys_and_profiles_are_refused() -> None:
    assert problems(BASE + "colour: blue\n") == ["s.yaml:12: colour: unknown key"]
    unknown = BASE.replace("count: 3, profile: branch", "count: 3, profile: shop")
    assert "site br: unknown profile 'shop'" in "\n".join(problems(unknown))


def test_catalogue_covers_the_required_faults() -> None:
    required = {
        "isp_loss",
        "isp_latency",
        "isp_jitter",
        "link_down",
        "link_flap",
        "congestion",
        "bad_cable",
        "duplex_mismatch",
        "tunnel_down",
        "gateway_cpu",
        "gateway_memory",
        "dhcp_failure",
        "dns_failure",
        "auth_failure",
        "ap_down",
        "coverage_hole",
        "interference",
        "roaming_failure",
        "app_slowdown",
        "mtu_mismatch",
        "isp_outage",
    }
    assert required <= set(CATALOGUE)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.yaml")))
def test_sample_scenarios_load_and_yield_a_valid_inventory(name: str) -> None:
    scenario = load_scenario(SAMPLES / name)
    inventory = World(scenario).inventory()
    assert {s.name for s in inventory.sites} == {scenario.hub, *scenario.site_names()}
    for site in inventory.sites[1:]:
        assert site.lan_prefixes, site.name
        gateway = site.gateways[0]
        assert inventory.resolve(str(gateway.exporter_ips[0])).device == gateway.name
