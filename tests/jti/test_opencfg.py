"""OpenConfigData → telemetry and typed rows, with expected values computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from collectors.errors import WireError
from collectors.jti.model import Origin
from collectors.jti.normalize import Normalizer
from collectors.jti.opencfg import decode
from collectors.jti.proto.telemetry_pb2 import OpenConfigData
from collectors.tables import DEVICE_HEALTH, INTERFACE_STATS, SLA_METRICS, TELEMETRY, VPN_TUNNELS
from tests.jti.oc import T0_MS, oc

GW = Origin("10.20.12.1", "br-nyc-012-gw1", "br-nyc-012")
RECEIVED_US = T0_MS * 1000 + 250_000
GE0 = "/interfaces/interface[name='ge-0/0/0']/"


def interfaces(seq: int, ts_ms: int, in_octets: int, out_octets: int) -> bytes:
    return oc(
        "/interfaces/",
        [
            ("__timestamp__", ts_ms),
            ("__prefix__", GE0),
            ("state/oper-status", "UP"),
            ("state/admin-status", "UP"),
            ("state/ifindex", 513),
            ("state/high-speed", 1000),
            ("state/counters/in-octets", in_octets),
            ("state/counters/out-octets", out_octets),
            ("state/counters/in-pkts", 9_000),
            ("state/counters/in-errors", 3),
            ("state/counters/in-fcs-errors", 2),
            ("__prefix__", GE0 + "subinterfaces/subinterface[index='0']/"),
            ("state/counters/in-octets", in_octets - 100),
        ],
        seq=seq,
        ts_ms=ts_ms,
    )


def test_interface_counters_become_rates_from_deltas() -> None:
    norm = Normalizer()
    decode(interfaces(1, T0_MS, 1_000_000, 2_000_000), GW, RECEIVED_US, norm)
    decode(interfaces(2, T0_MS + 10_000, 13_500_000, 2_250_000), GW, RECEIVED_US, norm)
    tables = norm.tables()
    stats = tables["interface_stats"]
    assert stats.schema.equals(INTERFACE_STATS.schema, check_metadata=True)
    rows = stats.to_pylist()
    assert [r["if_name"] for r in rows] == ["ge-0/0/0", "ge-0/0/0.0"] * 2
    first, later = rows[0], rows[2]
    assert first["in_bps"] is None and first["counter_reset"] is False
    # (13,500,000 - 1,000,000) B / 10 s × 8 = 10,000,000 b/s; (2,250,000 - 2,000,000) → 200,000
    assert later["in_bps"] == 10_000_000.0
    assert later["out_bps"] == 200_000.0
    assert later == {
        **later,
        "device": "br-nyc-012-gw1",
        "site": "br-nyc-012",
        "exporter": "10.20.12.1",
        "source": "jti-grpc",
        "event_time": dt.datetime(2026, 5, 28, 20, 26, 50, tzinfo=dt.UTC),
        "oper_status": "up",
        "admin_status": "up",
        "if_index": 513,
        "speed_bps": 1_000_000_000,
        "in_octets": 13_500_000,
        "out_octets": 2_250_000,
        "in_pkts": 9_000,
        "in_errors": 3,
        "in_crc_errors": 2,
        "counter_reset": False,
    }
    # the subinterface under the second __prefix__: (13,499,900 - 999,900) × 8 / 10
    assert rows[3]["in_bps"] == 10_000_000.0 and rows[3]["oper_status"] is None


def test_every_value_is_a_telemetry_row_with_prefix_applied() -> None:
    norm = Normalizer()
    decode(interfaces(7, T0_MS, 1_000, 2_000), GW, RECEIVED_US, norm)
    telemetry = norm.tables()["telemetry"]
    assert telemetry.schema.equals(TELEMETRY.schema, check_metadata=True)
    rows = telemetry.to_pylist()
    assert len(rows) == 10  # 12 key/values minus __timestamp__ and the two __prefix__
    assert rows[0]["metric"] == "/interfaces/interface/state/oper-status"
    assert rows[0]["keys"] == [("name", "ge-0/0/0")]
    assert (rows[0]["value"], rows[0]["value_text"]) == (None, "UP")
    assert rows[-1]["metric"] == (
        "/interfaces/interface/subinterfaces/subinterface/state/counters/in-octets"
    )
    assert rows[-1]["keys"] == [("name", "ge-0/0/0"), ("index", "0")]
    assert rows[-1]["value"] == 900.0
    assert {(r["sensor"], r["sequence"], r["component_id"], r["source"]) for r in rows} == {
        ("/interfaces/", 7, 0, "jti-grpc")
    }
    assert rows[0]["received_at"] == dt.datetime(2026, 5, 28, 20, 26, 40, 250_000, tzinfo=dt.UTC)


def test_counter_going_backwards_flags_a_reset_and_gives_no_rate() -> None:
    norm = Normalizer()
    decode(interfaces(1, T0_MS, 5_000_000, 10_000), GW, RECEIVED_US, norm)
    decode(interfaces(2, T0_MS + 10_000, 400, 20_000), GW, RECEIVED_US, norm)
    decode(interfaces(3, T0_MS + 20_000, 10_400, 30_000), GW, RECEIVED_US, norm)
    rows = [r for r in norm.tables()["interface_stats"].to_pylist() if r["if_name"] == "ge-0/0/0"]
    assert [r["counter_reset"] for r in rows] == [False, True, False]
    assert rows[1]["in_bps"] is None and rows[1]["in_octets"] == 400
    assert rows[2]["in_bps"] == 8_000.0  # 10,000 B in 10 s
    counts = norm.take_counts()[GW, "jti-grpc"]
    # ge-0/0/0 and its subinterface both went backwards in the second message
    assert counts.counter_resets == 2
    assert counts.reset_instances == ["ge-0/0/0", "ge-0/0/0.0"]


def test_sequence_gaps_are_counted_per_stream_and_restarts_are_not_gaps() -> None:
    norm = Normalizer()
    for seq in (1, 2, 5, 6, 9, 1, 2):
        decode(interfaces(seq, T0_MS + seq, 1_000, 1), GW, RECEIVED_US, norm)
    # another component has its own sequence space
    decode(oc("/interfaces/", [("/a", 1)], seq=100, component_id=3), GW, RECEIVED_US, norm)
    counts = norm.take_counts()[GW, "jti-grpc"]
    assert (counts.sequence_gaps, counts.sequence_lost) == (2, 4)  # 3,4 and 7,8 missing
    assert counts.messages == 8


def test_sync_response_is_counted_and_writes_nothing() -> None:
    norm = Normalizer()
    assert decode(oc("/junos/rpm/probe-results/", [], sync=True), GW, RECEIVED_US, norm) == 0
    assert norm.tables() == {}
    assert norm.take_counts()[GW, "jti-grpc"].sync_responses == 1


def test_cpu_memory_and_spu_values_fill_device_health() -> None:
    norm = Normalizer()
    decode(
        oc("/system/cpus/", [("/system/cpus/cpu[index='ALL']/state/total/instant", 12)]),
        GW,
        RECEIVED_US,
        norm,
    )
    decode(
        oc(
            "/system/memory/",
            [("/system/memory/state/physical", 4 << 30), ("/system/memory/state/used", 1 << 30)],
        ),
        GW,
        RECEIVED_US,
        norm,
    )
    spu = "/junos/security/spu/"
    decode(
        oc(
            "/junos/security/spu/cpu/usage/",
            [
                ("__prefix__", spu + "cpu/usage/spu[name='FPC0 PIC0']/"),
                ("cpu-utilization", 37),
                ("memory-utilization", 61),
            ],
        ),
        GW,
        RECEIVED_US,
        norm,
    )
    decode(
        oc(
            "/junos/security/spu/flow/usage/",
            [
                ("__prefix__", spu + "flow/usage/spu[name='FPC0 PIC0']/"),
                ("flow-session-current", 1_234),
                ("flow-session-max", 65_536),
            ],
        ),
        GW,
        RECEIVED_US,
        norm,
    )
    health = norm.tables()["device_health"]
    assert health.schema.equals(DEVICE_HEALTH.schema, check_metadata=True)
    picked = [
        {k: v for k, v in r.items() if v is not None and k not in TELEMETRY.column_names[:6]}
        for r in health.to_pylist()
    ]
    assert picked == [
        {"component": "Routing Engine", "cpu_pct": 12.0},
        {"component": "Routing Engine", "memory_pct": 25.0},  # 1 GiB of 4 GiB
        {"component": "SPU FPC0 PIC0", "cpu_pct": 37.0, "memory_pct": 61.0},
        {"component": "SPU FPC0 PIC0", "sessions_current": 1_234, "sessions_max": 65_536},
    ]


def test_rpm_probe_results_become_sla_metrics() -> None:
    base = "/junos/rpm/probe-results/probe-test-results[owner='wan' and test-name='isp-a']/"
    generic = "probe-test-generic-results[results-scope='current-test']/"
    rtt = generic + "probe-test-generic-measurements[probe-measurement-type='round-trip-time']/"
    egress = generic + "probe-test-generic-measurements[probe-measurement-type='egress-time']/"
    norm = Normalizer()
    decode(
        oc(
            "/junos/rpm/probe-results/",
            [
                ("__prefix__", base),
                ("target-address", "8.8.8.8"),
                ("destination-interface", "ge-0/0/1.0"),
                ("probe-type", "icmp-ping"),
                (generic + "probes-sent", 10),
                (generic + "probe-responses", 9),
                (generic + "loss-percentage", 10),
                (rtt + "avg-delay", 12_500),
                (rtt + "jitter-delay", 800),
                (egress + "avg-delay", 99_999),  # not round-trip: ignored for rtt_ms
                (
                    "probe-test-generic-results[results-scope='all-tests']/loss-percentage",
                    50,
                ),
            ],
        ),
        GW,
        RECEIVED_US,
        norm,
    )
    sla = norm.tables()["sla_metrics"]
    assert sla.schema.equals(SLA_METRICS.schema, check_metadata=True)
    [row] = sla.to_pylist()
    assert {k: row[k] for k in row if k not in ("event_time", "received_at", "fields")} == {
        "exporter": "10.20.12.1",
        "device": "br-nyc-012-gw1",
        "site": "br-nyc-012",
        "source": "rpm",
        "probe": "wan/isp-a",
        "application": None,
        "interface": "ge-0/0/1.0",
        "path": None,
        "destination": "8.8.8.8",
        "rtt_ms": 12.5,
        "jitter_ms": 0.8,
        "loss_pct": 10.0,  # current test, not all tests
        "probes_sent": 10,
        "probes_received": 9,
        "violation": None,
        "violated_metric": None,
    }
    assert dict(row["fields"]) == {
        "owner": "wan",
        "test_name": "isp-a",
        "probe-type": "icmp-ping",
        "via": "jti-grpc",
    }


def test_ike_security_associations_fill_vpn_tunnels_and_deletes_mark_them_down() -> None:
    sa = "/junos/ike-security-associations/ike-security-association[remote-ip='198.51.100.7']/"
    norm = Normalizer()
    decode(
        oc(
            "/junos/ike-security-associations/",
            [
                ("__prefix__", sa),
                ("local-ip", "203.0.113.12"),
                ("exchange-type", "IKEv2"),
                ("in-bytes", 123_456),
                ("out-packets", 789),
            ],
        ),
        GW,
        RECEIVED_US,
        norm,
    )
    decode(
        oc("/junos/ike-security-associations/", [], seq=2, delete=sa.rstrip("/")),
        GW,
        RECEIVED_US,
        norm,
    )
    tables = norm.tables()
    vpn = tables["vpn_tunnels"]
    assert vpn.schema.equals(VPN_TUNNELS.schema, check_metadata=True)
    up, down = vpn.to_pylist()
    assert (up["remote_gateway"], up["local_address"], up["ike_state"]) == (
        "198.51.100.7",
        "203.0.113.12",
        "up",
    )
    assert (up["in_octets"], up["out_pkts"], dict(up["fields"])) == (
        123_456,
        789,
        {"exchange-type": "IKEv2"},
    )
    assert (down["remote_gateway"], down["ike_state"]) == ("198.51.100.7", "down")
    assert tables["telemetry"].to_pylist()[-1]["value_text"] == "<deleted>"


def test_unknown_sensor_is_kept_in_telemetry_and_flagged() -> None:
    norm = Normalizer()
    decode(
        oc("/lldp/", [("/lldp/interfaces/interface[name='ge-0/0/1']/state/enabled", True)]),
        GW,
        RECEIVED_US,
        norm,
    )
    [row] = norm.tables()["telemetry"].to_pylist()
    assert (row["metric"], row["value"]) == ("/lldp/interfaces/interface/state/enabled", 1.0)
    counts = norm.take_counts()[GW, "jti-grpc"]
    assert counts.unknown_sensors == {"/lldp/"} and counts.unmapped_values == 1


def test_malformed_messages_raise_wire_errors_and_leave_no_partial_rows() -> None:
    norm = Normalizer()
    decode(interfaces(1, T0_MS, 1_000, 1), GW, RECEIVED_US, norm)
    with pytest.raises(WireError, match="OpenConfigData"):
        decode(b"\x0a\xff\xff\xff", GW, RECEIVED_US, norm)
    with pytest.raises(WireError, match="out of range"):
        decode(oc("/interfaces/", [("/x", 1)], ts_ms=2**63), GW, RECEIVED_US, norm)
    assert norm.tables()["telemetry"].num_rows == 10


def test_linecard_queue_drops_sum_into_out_discards_and_temperature_is_health() -> None:
    queue = "state/counters/out-queue[queue-number='{}']/{}"
    norm = Normalizer()
    decode(
        oc(
            "/junos/system/linecard/interface/",
            [
                ("__prefix__", GE0),
                ("state/counters/out-octets", 5_000),
                (queue.format(0, "tail-drop-pkts"), 11),
                (queue.format(0, "red-drop-pkts"), 2),
                (queue.format(3, "tail-drop-pkts"), 4),
                (queue.format(3, "pkts"), 99),  # not a drop
            ],
        ),
        GW,
        RECEIVED_US,
        norm,
    )
    decode(
        oc(
            "/components/",
            [("/components/component[name='Routing Engine0']/state/temperature/instant", 47)],
        ),
        GW,
        RECEIVED_US,
        norm,
    )
    tables = norm.tables()
    [row] = tables["interface_stats"].to_pylist()
    assert (row["if_name"], row["out_octets"], row["out_discards"]) == ("ge-0/0/0", 5_000, 17)
    [health] = tables["device_health"].to_pylist()
    assert (health["component"], health["temperature_c"]) == ("Routing Engine0", 47.0)


def test_several_deletes_float_and_leaf_list_values_in_one_message() -> None:
    """delete (8) is a repeated field on the device side: two withdrawn SAs in one message are
    two deletes, not one merged. float_value (12) and leaflist_value (13) carry values too."""
    sa = "/junos/ike-security-associations/ike-security-association[remote-ip='{}']"
    msg = OpenConfigData.FromString(oc("/junos/ike-security-associations/", [], seq=2))
    msg.delete.add(path=sa.format("198.51.100.7"))
    msg.delete.add(path=sa.format("198.51.100.8"))
    msg.kv.add(key="__prefix__", str_value="/system/")
    msg.kv.add(key="load-average", float_value=0.5)
    servers = msg.kv.add(key="dns-servers").leaflist_value
    servers.element.add(leaflist_str_value="10.0.0.53")
    servers.element.add(leaflist_str_value="10.0.1.53")
    norm = Normalizer()
    assert decode(msg.SerializeToString(), GW, RECEIVED_US, norm) == 3
    tables = norm.tables()
    assert [r["remote_gateway"] for r in tables["vpn_tunnels"].to_pylist()] == [
        "198.51.100.7",
        "198.51.100.8",
    ]
    values = {(r["metric"], tuple(r["keys"])): r for r in tables["telemetry"].to_pylist()}
    assert values["/system/load-average", ()]["value"] == 0.5
    second = values["/system/dns-servers", (("index", "1"),)]
    assert second["value_text"] == "10.0.1.53"
