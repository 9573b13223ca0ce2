"""Message families: text forms, routing and typed rows beyond the golden cases."""

from __future__ import annotations

import pyarrow as pa
import pytest

from collectors.syslog import messages
from collectors.syslog.messages import appqoe, clients, device, security
from collectors.syslog.messages.spec import convert, convert_array, to_float, to_uint


@pytest.mark.parametrize(
    ("tag", "family"),
    [
        ("RT_FLOW_SESSION_CLOSE", "rt_flow"),
        ("RT_FLOW_SESSION_DENY_LS", "rt_flow"),
        ("APPTRACK_SESSION_ROUTE_UPDATE", "apptrack"),
        ("APPTRACK_APPQOE_BEST_PATH_SELECTED", "appqoe"),
        ("APPQOE_PASSIVE_SLA_METRIC_REPORT_LS", "appqoe"),
        ("RT_IDP_ATTACK_LOG_EVENT_LS", "security"),
        ("CONTENT_FILTERING_BLOCKED_MT", "security"),
        ("SRX_AAMW_ACTION_LOG", "security"),
        ("SNMP_TRAP_LINK_UP", "device"),
        ("ESWD_MAC_LIMIT_EXCEEDED", "device"),
        ("WIFI_CLIENT_ROAM", "clients"),
        ("DOT1XD_AUTH_SESSION_DELETED", "clients"),
        ("UI_COMMIT", None),
        ("RT_FLOW_SESSION_CLOSED", None),
    ],
)
def test_routing(tag: str, family: str | None) -> None:
    assert messages.family(tag) == family


def test_conversions() -> None:
    assert to_uint("65535", 0xFFFF) == 65535
    assert to_uint("65536", 0xFFFF) is None
    assert to_uint("18446744073709551615", 2**64 - 1) == 2**64 - 1
    assert to_uint("18446744073709551616", 2**64 - 1) is None
    assert [to_uint(v, 255) for v in ("", " 1", "+1", "1.0", "١", "N/A", "007")] == [
        None, None, None, None, None, None, 7
    ]  # fmt: skip
    assert [to_float(v) for v in ("-61.5", "12", "1e3", "nan", "inf", ".5")] == [
        -61.5, 12.0, None, None, None, None
    ]  # fmt: skip
    assert convert("f64", "1851", 1000.0) == 1.851
    assert convert("str", "x") == "x"


def test_batch_conversion_nulls_values_out_of_range() -> None:
    """The column-wise twin of ``convert`` agrees with it even for the largest u64 values."""
    values = ["18446744073709551615", None, "80", "65536", "18446744073709551616"]
    assert convert_array("u16", pa.array(values)).to_pylist() == [
        None if v is None else convert("u16", v) for v in values
    ]


def test_violated_metric_without_counts_or_targets() -> None:
    assert appqoe.violated({"rtt": "5"}) is None
    assert (
        appqoe.violated({"jitter-violation-count": "0", "pkt-loss-violation-count": "3"}) == "loss"
    )


def test_appqoe_text_form_makes_no_row() -> None:
    assert appqoe.derive("APPQOE_SLA_METRIC_VIOLATION", {}) is None


def test_webfilter_action_from_tag_when_not_reported() -> None:
    row = security.derive("WEBFILTER_URL_PERMITTED_LS", {"url": "example.com"})
    assert row is not None and row.values["action"] == "permitted"
    row = security.derive("AV_VIRUS_DETECTED_MT", {"virus-name": "EICAR"})
    assert row is not None and (row.values["action"], row.values["name"]) == (None, "EICAR")


def test_screen_text_without_ports() -> None:
    params = security.text_fields(
        "RT_SCREEN_IP",
        "Record Route IP option! source: 198.51.100.1, destination: 10.0.0.1, protocol-id: 1, "
        "zone name: untrust, interface name: ge-0/0/0.0, action: drop",
    )
    assert params == [
        ("attack-name", "Record Route IP option!"),
        ("source-address", "198.51.100.1"),
        ("destination-address", "10.0.0.1"),
        ("protocol-id", "1"),
        ("source-zone-name", "untrust"),
        ("interface-name", "ge-0/0/0.0"),
        ("action", "drop"),
    ]


def test_other_utm_text_keeps_tuple_and_pairs() -> None:
    params = security.text_fields(
        "AV_VIRUS_DETECTED_MT",
        'Virus Found: 198.51.100.2(80)->10.0.0.3(50000) virus-name="EICAR" url=x.example',
    )
    assert params == [
        ("source-address", "198.51.100.2"),
        ("source-port", "80"),
        ("destination-address", "10.0.0.3"),
        ("destination-port", "50000"),
        ("virus-name", "EICAR"),
        ("url", "x.example"),
    ]


def test_kmd_vpn_up_text() -> None:
    params = device.text_fields(
        "KMD_VPN_UP_ALARM_USER",
        "VPN to-hub from 198.51.100.1 is up. Local-ip: 10.0.0.1, gateway name: hub, "
        "vpn name: to-hub, tunnel-id: 5, local tunnel-if: st0.1, remote tunnel-ip: Not-Available",
    )
    assert params == [
        ("vpn-name", "to-hub"),
        ("peer-address", "198.51.100.1"),
        ("local-address", "10.0.0.1"),
        ("gateway-name", "hub"),
        ("tunnel-id", "5"),
        ("local-tunnel-if", "st0.1"),
        ("remote-tunnel-ip", "Not-Available"),
    ]
    row = device.derive("KMD_VPN_UP_ALARM_USER", dict(params))
    assert row is not None
    assert (row.values["state"], row.values["interface"], row.values["peer"]) == (
        "up", "st0.1", "198.51.100.1"
    )  # fmt: skip


def test_ipsec_negotiation_and_unrelated_kmd_text() -> None:
    found = device.untagged(
        "kmd", "IPSec negotiation failed with error: No proposal chosen. VPN: v1"
    )
    assert found == (
        "IPSEC_NEGOTIATION_FAILED",
        [("reason", "No proposal chosen"), ("vpn-name", "v1")],
    )
    assert device.untagged("kmd", "Config download: Processed 4 - 5 messages") is None
    assert device.untagged("sshd", "Alarm set: x color=RED, class=CHASSIS, reason=y") is None


def test_mac_normalisation() -> None:
    assert clients.normalise_mac("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff"
    assert clients.normalise_mac("aabb.ccdd.eeff") == "aa:bb:cc:dd:ee:ff"
    assert clients.normalise_mac("not-a-mac") == "not-a-mac"
    assert clients.normalise_mac(None) is None


def test_wifi_line_without_parameters_makes_no_row() -> None:
    assert clients.derive("WIFI_CLIENT_AUTH", {}, "ap1") is None
    assert messages.derive(None, {}, None) is None
