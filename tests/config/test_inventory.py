"""Inventory: the sample loads as written, lookups work, and every bad file is located exactly."""

from __future__ import annotations

import copy
import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from assurance.config import (
    DeviceRef,
    Inventory,
    PortRange,
    ThresholdOverrides,
    Thresholds,
    inventory_from_text,
    load_config,
    load_inventory,
)
from assurance.config.thresholds import (
    WanOverride,
    WanThresholds,
    WiredOverride,
    WiredThresholds,
    WirelessOverride,
    WirelessThresholds,
)
from assurance.errors import ConfigError

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
BAD = SAMPLES / "bad"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory(SAMPLES / "inventory.yaml")


# --- the valid sample ---------------------------------------------------------------------------


def test_sample_has_org_sites_and_devices(inv: Inventory) -> None:
    assert inv.org.name == "acme-retail"
    assert [s.name for s in inv.sites] == ["hq-sjc", "br-nyc-012", "br-chi-027"]
    hq = inv.site("hq-sjc")
    assert [(g.name, g.model, g.role) for g in hq.gateways] == [("hq-sjc-gw1", "SRX4600", "hub")]
    assert [(g.name, g.model, g.role) for g in inv.site("br-chi-027").gateways] == [
        ("br-chi-027-gw1", "SRX300", "spoke")
    ]
    assert [sw.name for s in inv.sites for sw in s.switches] == [
        "hq-sjc-sw1",
        "br-nyc-012-sw1",
        "br-chi-027-sw1",
    ]
    assert [len(s.aps) for s in inv.sites] == [3, 2, 2]


def test_sample_wan_links(inv: Inventory) -> None:
    gw = inv.site("br-nyc-012").gateway("br-nyc-012-gw1")
    assert gw is not None
    assert [(w.name, w.interface, w.type, w.isp) for w in gw.wan] == [
        ("mpls", "ge-0/0/0.0", "mpls", "Verizon Business MPLS"),
        ("isp-a", "ge-0/0/1.0", "broadband", "Spectrum Business"),
        ("lte", "dl0.0", "lte", "Verizon Wireless"),
    ]
    isp_a = gw.wan[1]
    assert (isp_a.capacity_mbps.down, isp_a.capacity_mbps.up) == (500.0, 35.0)
    assert isp_a.overlay is not None
    assert (isp_a.overlay.tunnel, isp_a.overlay.hub) == ("st0.1", "hq-sjc-gw1")
    assert gw.link_for_interface("st0.2") is gw.wan[2]
    assert gw.link_for_interface("ge-0/0/0.0") is gw.wan[0]
    assert gw.link_for_interface("ge-0/0/5.0") is None
    chi = inv.site("br-chi-027").gateways[0]
    assert [(w.name, w.isp) for w in chi.wan] == [
        ("isp-a", "Comcast Business"),
        ("isp-b", "AT&T Business Fiber"),
    ]
    assert inv.site("hq-sjc").gateways[0].wan[0].overlay is None


def test_sample_switch_ports_and_aps(inv: Inventory) -> None:
    nyc = inv.site("br-nyc-012")
    sw = nyc.switch("br-nyc-012-sw1")
    assert sw is not None and sw.model == "EX2300-C-12P"
    assert [(p.name, p.role, p.vlan, p.poe) for p in sw.ports[:3]] == [
        ("ge-0/1/0", "uplink", None, False),
        ("ge-0/0/0", "access", 100, False),
        ("ge-0/0/1", "access", 100, False),
    ]
    ap1 = nyc.aps[0]
    assert (ap1.switch, ap1.switch_port) == ("br-nyc-012-sw1", "ge-0/0/8")
    port = sw.port("ge-0/0/8")
    assert port is not None and port.poe is True
    # MACs written as 5C-5B-35-12-00-01 and 5c5b.3527.0002 are normalized
    assert ap1.mac == "5c:5b:35:12:00:01"
    assert inv.site("br-chi-027").aps[1].mac == "5c:5b:35:27:00:02"
    assert ap1.ip == ipaddress.ip_address("10.20.12.21")


def test_sample_apps(inv: Inventory) -> None:
    assert [(a.name, a.category) for a in inv.apps] == [
        ("Microsoft Teams", "collaboration"),
        ("Zoom", "collaboration"),
        ("Salesforce", "crm"),
        ("Office 365", "productivity"),
        ("YouTube", "streaming"),
        ("POS Payments", "business-critical"),
    ]
    teams = inv.apps[0]
    assert teams.match.ports == (
        PortRange(protocol="udp", low=3478, high=3481),
        PortRange(protocol="any", low=443),
    )
    assert 3480 in teams.match.ports[0] and 3482 not in teams.match.ports[0]
    assert teams.match.dst_prefixes[0] == ipaddress.ip_network("52.112.0.0/14")
    assert (teams.sla.rtt_ms, teams.sla.jitter_ms, teams.sla.loss_pct) == (100, 30, 1.0)


def test_site_lookup_unknown_raises_keyerror(inv: Inventory) -> None:
    with pytest.raises(KeyError, match="br-lax-001"):
        inv.site("br-lax-001")


def test_inventory_is_frozen(inv: Inventory) -> None:
    with pytest.raises(ValidationError):
        inv.org.name = "other"


# --- thresholds ---------------------------------------------------------------------------------


def test_thresholds_for_merges_site_override(inv: Inventory) -> None:
    nyc = inv.thresholds_for("br-nyc-012")
    assert nyc.wan.link_latency_ms == 200  # overridden
    assert nyc.wireless.coverage_rssi_dbm == -67  # overridden
    assert nyc.wan.link_jitter_ms == 30  # from org
    assert nyc.wired.connect_timeout_s == 10  # from org
    assert inv.thresholds_for("br-chi-027") == inv.thresholds
    assert inv.thresholds.wan.link_latency_ms == 150  # org defaults untouched by the merge


def test_override_merges_over_org_values_not_builtin_defaults() -> None:
    text = """
org: {name: o}
thresholds:
  wan: {link_jitter_ms: 25, link_loss_pct: 0.5}
  wireless: {time_to_connect_s: 3}
sites:
  - name: a
    thresholds: {wan: {link_jitter_ms: 12}}
  - name: b
"""
    inv = inventory_from_text(text)
    a = inv.thresholds_for("a")
    assert a.wan.link_jitter_ms == 12
    assert a.wan.link_loss_pct == 0.5  # org value, not the built-in 1.0
    assert a.wireless.time_to_connect_s == 3
    assert a.wan.link_latency_ms == 150  # built-in default where the org says nothing
    assert inv.thresholds_for("b").wan.link_jitter_ms == 25


def test_builtin_defaults_are_mist_like() -> None:
    t = Thresholds()
    assert t.wireless.coverage_rssi_dbm == -72
    assert t.wireless.time_to_connect_s == 2
    assert (t.wireless.roaming_fast_ms, t.wireless.roaming_standard_ms) == (400, 2000)
    assert (t.wan.gateway_cpu_pct, t.wan.bandwidth_headroom_pct) == (80, 20)


@pytest.mark.parametrize(
    ("full", "partial"),
    [
        (WanThresholds, WanOverride),
        (WirelessThresholds, WirelessOverride),
        (WiredThresholds, WiredOverride),
        (Thresholds, ThresholdOverrides),
    ],
)
def test_override_models_cover_every_threshold(
    full: type[BaseModel], partial: type[BaseModel]
) -> None:
    assert list(full.model_fields) == list(partial.model_fields)


def test_override_values_are_validated() -> None:
    text = "org: {name: o}\nsites:\n  - name: a\n    thresholds:\n      wan: {link_loss_pct: 150}\n"
    with pytest.raises(ConfigError) as info:
        inventory_from_text(text, "mem.yaml")
    assert info.value.problems[0].startswith(
        "mem.yaml:5: sites[0].thresholds.wan.link_loss_pct: Input should be less than or equal"
    )


# --- device index -------------------------------------------------------------------------------


def test_device_index_resolves_every_kind(inv: Inventory) -> None:
    index = inv.device_index()
    assert index["10.20.12.1"] == DeviceRef("br-nyc-012-gw1", "br-nyc-012", "gateway")
    assert index["198.51.100.12"] == DeviceRef("br-nyc-012-gw1", "br-nyc-012", "gateway")
    assert index["10.10.0.11"] == DeviceRef("hq-sjc-sw1", "hq-sjc", "switch")
    assert index["10.20.27.22"] == DeviceRef("br-chi-027-ap2", "br-chi-027", "ap")
    assert len(index) == 15  # 3 gateways (+2 extra exporter IPs), 3 switches, 7 APs


def test_resolve(inv: Inventory) -> None:
    assert inv.resolve("192.0.2.10") == DeviceRef("hq-sjc-gw1", "hq-sjc", "gateway")
    assert inv.resolve(ipaddress.ip_address("10.20.27.2")) == DeviceRef(
        "br-chi-027-sw1", "br-chi-027", "switch"
    )
    # a dual-stack socket reports IPv4 exporters as IPv4-mapped IPv6
    assert inv.resolve("::ffff:10.20.12.1") == DeviceRef("br-nyc-012-gw1", "br-nyc-012", "gateway")
    assert inv.resolve("203.0.113.77") is None
    assert inv.resolve("not-an-ip") is None
    assert inv.resolve("") is None
    assert inv.device("hq-sjc-ap2") == DeviceRef("hq-sjc-ap2", "hq-sjc", "ap")
    assert inv.device("nope") is None


def test_device_index_is_a_copy(inv: Inventory) -> None:
    inv.device_index().clear()
    assert inv.resolve("10.10.0.1") is not None


# --- bad files: file, exact key path, exact line ------------------------------------------------


def _problems(name: str) -> list[str]:
    path = BAD / name
    with pytest.raises(ConfigError) as info:
        load_inventory(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)
    return info.value.problems


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "wrong_type.yaml",
            [(19, "sites[1].gateways[0].wan[0].capacity_mbps.down", "valid number")],
        ),
        (
            "unknown_key.yaml",
            [
                (16, "sites[0].gateways[0].wan[1].capacity_mbps", "required key is missing"),
                (
                    20,
                    "sites[0].gateways[0].wan[1].capcity_mbps",
                    "unknown key (did you mean 'capacity_mbps'?)",
                ),
            ],
        ),
        (
            "duplicate_device.yaml",
            [
                (
                    15,
                    "sites[1].switches[1].name",
                    "duplicate device name hq-sjc-gw1 (first at sites[0].gateways[0].name)",
                )
            ],
        ),
        (
            "ap_unknown_port.yaml",
            [
                (
                    22,
                    "sites[0].aps[1].switch_port",
                    "switch 'br-chi-027-sw1' has no port 'ge-0/0/47'",
                )
            ],
        ),
        (
            "duplicate_ip.yaml",
            [
                (
                    16,
                    "sites[0].switches[0].exporter_ips[0]",
                    "duplicate IP address 10.20.12.9 (first used by br-nyc-012-gw1",
                )
            ],
        ),
        (
            "overlay_not_hub.yaml",
            [
                (
                    23,
                    "sites[1].gateways[1].wan[0].overlay.hub",
                    "'br-chi-027-gw1' is not a hub gateway (hubs: hq-sjc-gw1)",
                )
            ],
        ),
        (
            "many_errors.yaml",
            [
                (9, "sites[0].gateways[0].mgmt_ip", "'10.20.300.1' is not a valid IPv4 or IPv6"),
                (14, "sites[0].gateways[0].wan[0].type", "(got '5g')"),
                (15, "sites[0].gateways[0].wan[0].capacity_mbps.up", "greater than 0 (got -10)"),
            ],
        ),
        ("unquoted_mac.yaml", [(8, "sites[0].aps[0].mac", "quote it in YAML")]),
        ("duplicate_key.yaml", [(5, "sites[0].name", "duplicate key (first at line 3)")]),
        ("syntax_error.yaml", [(5, "<root>", "YAML syntax error (column 17)")]),
        ("not_a_mapping.yaml", [(2, "<root>", "expected a mapping")]),
    ],
)
def test_bad_file_is_located(name: str, expected: list[tuple[int, str, str]]) -> None:
    problems = _problems(name)
    assert len(problems) == len(expected), problems
    for problem, (line, path, text) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{BAD / name}:{line}: {path}: "), problem
        assert text in problem, problem


def test_empty_and_missing_files() -> None:
    assert _problems("empty.yaml") == [f"{BAD / 'empty.yaml'}: <root>: file is empty"]
    assert _problems("no-such-file.yaml") == [
        f"{BAD / 'no-such-file.yaml'}: <root>: file not found"
    ]
    with pytest.raises(ConfigError, match="is a directory"):
        load_inventory(BAD)


def test_direct_validation_also_enforces_cross_tree_rules() -> None:
    data = yaml.safe_load((BAD / "overlay_not_hub.yaml").read_text())
    with pytest.raises(ValidationError, match=r"sites\[1\]\.gateways\[1\]\.wan\[0\]\.overlay\.hub"):
        Inventory.model_validate(data)


def test_yaml_merge_keys_are_located() -> None:
    text = """
org: {name: o}
sites:
  - name: a
    switches:
      - &sw
        name: sw1
        model: EX2300-C-12P
        mgmt_ip: 10.0.0.2
      - <<: *sw
        name: sw2
"""
    with pytest.raises(ConfigError) as info:
        inventory_from_text(text, "m.yaml")
    assert info.value.problems == [
        "m.yaml:9: sites[0].switches[1].mgmt_ip: duplicate IP address 10.0.0.2 "
        "(first used by sw1 at sites[0].switches[0].mgmt_ip)"
    ]


def test_load_config_accepts_bare_inventory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WANASSURE_LAKE__FLUSH_ROWS", raising=False)
    config = load_config(SAMPLES / "inventory.yaml")
    assert [s.name for s in config.inventory.sites] == ["hq-sjc", "br-nyc-012", "br-chi-027"]
    assert config.settings.lake.flush_rows == 1_000_000


# --- property: random scalar mutations load or raise ConfigError, nothing else ------------------

_SAMPLE: dict[str, Any] = yaml.safe_load((SAMPLES / "inventory.yaml").read_text())
_LINE = re.compile(r"^<sample>(:\d+)?: \S+: .+")


def _scalar_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _scalar_paths(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _scalar_paths(v, (*path, i))]
    return [path]


_PATHS = _scalar_paths(_SAMPLE)
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(
        [
            "hq-sjc-gw1",
            "10.10.0.1",
            "10.20.12.21",
            "st0.1",
            "ge-0/0/99",
            "mpls",
            "hub",
            "trunk",
            "5c:5b:35:10:00:01",
            "udp/1-2",
            "0.0.0.0/0",
            "SRX",
            [],
            {},
            [1, 2],
            {"x": 1},
        ]
    ),
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _VALUES, st.booleans()), min_size=1, max_size=3))
def test_mutated_sample_loads_or_raises_config_error(
    mutations: list[tuple[tuple[Any, ...], Any, bool]],
) -> None:
    data = copy.deepcopy(_SAMPLE)
    for path, value, delete in mutations:
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if delete and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif path[-1] in (parent if isinstance(parent, dict) else range(len(parent))):
            parent[path[-1]] = value
    text = yaml.safe_dump(data, sort_keys=False)
    try:
        inv = inventory_from_text(text, "<sample>")
    except ConfigError as exc:
        assert exc.file == "<sample>"
        assert exc.problems
        for line in exc.problems:
            assert _LINE.match(line), line
    else:
        for ip, ref in inv.device_index().items():
            assert inv.resolve(ip) == ref


def test_telemetry_targets_come_from_the_inventory_with_secrets_by_name(monkeypatch) -> None:
    from assurance.config import load_inventory, secret

    inv = load_inventory(SAMPLES / "inventory.yaml")
    targets = {t.ref.device: t for t in inv.telemetry_targets()}
    assert sorted(targets) == ["br-nyc-012-gw1", "br-nyc-012-sw1"]
    gw = targets["br-nyc-012-gw1"]
    assert (gw.address, gw.ref.site, gw.ref.kind) == ("10.20.12.1", "br-nyc-012", "gateway")
    assert gw.settings.jti is not None and gw.settings.jti.tls is not None
    assert [(s.path, s.frequency_ms) for s in gw.settings.jti.sensors] == [
        ("/interfaces/", 10000),
        ("/junos/security/spu/cpu/usage/", 30000),
        ("/junos/rpm/probe-results/", 0),
    ]
    assert gw.settings.snmp is not None and gw.settings.snmp.v3 is not None
    assert gw.settings.snmp.v3.priv_protocol == "aes"
    sw = targets["br-nyc-012-sw1"].settings.snmp
    assert sw is not None and sw.community_env == "WANASSURE_SNMP_COMMUNITY"
    monkeypatch.setenv("WANASSURE_SNMP_COMMUNITY", "s3cret")
    assert secret(sw.community_env) == "s3cret"


def test_telemetry_block_errors_name_the_key() -> None:
    from assurance.config import inventory_from_text
    from assurance.errors import ConfigError

    text = (SAMPLES / "inventory.yaml").read_text().replace(
        "community_env: WANASSURE_SNMP_COMMUNITY", "community_env: not-an-env-name"
    )
    with pytest.raises(ConfigError) as info:
        inventory_from_text(text, "inv.yaml")
    assert "sites[1].switches[0].telemetry.snmp.community_env" in str(info.value)
    assert "not an environment variable name" in str(info.value)
