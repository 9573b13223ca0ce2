"""gNMI: decoding hand-built SubscribeResponses, and subscribing to the simulated gNMI target."""

from __future__ import annotations

import asyncio
import time

import pytest

from assurance.sim.jti_scenario import branch_gateway
from assurance.sim.jti_server import SimTelemetryServer
from collectors.errors import WireError
from collectors.gnmi.decode import GnmiDecoder
from collectors.gnmi.proto import gnmi_ext_pb2, gnmi_pb2, juniper_header_pb2
from collectors.jti.collector import TelemetryCollector
from collectors.jti.model import Origin
from collectors.jti.normalize import Normalizer
from collectors.jti.target import Sensor, Target
from tests.jti.helpers import MemorySink, fast_backoff, metric, wait_for
from tests.jti.oc import T0_MS

GW = Origin("10.20.12.1", "br-nyc-012-gw1", "br-nyc-012")


def path(*elems: tuple[str, dict[str, str]]) -> gnmi_pb2.Path:
    return gnmi_pb2.Path(elem=[gnmi_pb2.PathElem(name=n, key=k) for n, k in elems])


def update(ts_ms: int, octets: int, *, header_seq: int | None = None) -> bytes:
    note = gnmi_pb2.Notification(
        timestamp=ts_ms * 1_000_000,
        prefix=path(("interfaces", {}), ("interface", {"name": "ge-0/0/0"})),
    )
    counters = (("state", {}), ("counters", {}))
    note.update.add(
        path=path(*counters, ("in-octets", {})), val=gnmi_pb2.TypedValue(uint_val=octets)
    )
    note.update.add(
        path=path(("state", {}), ("oper-status", {})), val=gnmi_pb2.TypedValue(string_val="UP")
    )
    note.update.add(
        path=path(*counters, ("out-octets", {})),
        val=gnmi_pb2.TypedValue(json_ietf_val=str(octets // 2).encode()),
    )
    response = gnmi_pb2.SubscribeResponse(update=note)
    if header_seq is not None:
        header = juniper_header_pb2.GnmiJuniperTelemetryHeaderExtension(
            subscribed_path="/interfaces/", component_id=65535, sequence_number=header_seq
        )
        ext = response.extension.add()
        ext.registered_ext.id = gnmi_ext_pb2.EID_JUNIPER_TELEMETRY_HEADER
        ext.registered_ext.msg = header.SerializeToString()
    return response.SerializeToString()


def test_notifications_decode_with_prefix_header_and_json_values() -> None:
    norm = Normalizer()
    decoder = GnmiDecoder(norm)
    decoder.decode(update(T0_MS, 1_000_000, header_seq=1), GW, 0)
    decoder.decode(update(T0_MS + 5_000, 6_000_000, header_seq=3), GW, 0)
    decoder.decode(gnmi_pb2.SubscribeResponse(sync_response=True).SerializeToString(), GW, 0)
    tables = norm.tables()
    _first, second = tables["interface_stats"].to_pylist()
    # 5,000,000 B in 5 s → 8 Mb/s in; half of it out (a JSON_IETF value) → 4 Mb/s
    assert (second["in_bps"], second["out_bps"]) == (8_000_000.0, 4_000_000.0)
    assert (second["if_name"], second["oper_status"], second["source"]) == (
        "ge-0/0/0",
        "up",
        "gnmi",
    )
    row = tables["telemetry"].to_pylist()[0]
    assert row["metric"] == "/interfaces/interface/state/counters/in-octets"
    assert row["keys"] == [("name", "ge-0/0/0")]
    assert (row["sensor"], row["sequence"], row["component_id"]) == ("/interfaces/", 1, 65535)
    counts = norm.take_counts()[GW, "gnmi"]
    assert (counts.sequence_gaps, counts.sequence_lost, counts.sync_responses) == (1, 1, 1)


def _varint(n: int) -> bytes:
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def test_juniper_header_encoded_by_juniper_numbers_reads_back_field_for_field() -> None:
    """A header assembled from the numbers of Juniper's GnmiJuniperTelemetryHeaderExtension.proto
    (11 event, 12 export timestamp, 13 sub-sequence, 14 eom, 16 stream type), not through
    this package's message class: each lands in the field of that name."""

    def number(field: int, value: int) -> bytes:
        return _varint(field << 3) + _varint(value)

    def text(field: int, value: bytes) -> bytes:
        return _varint(field << 3 | 2) + _varint(len(value)) + value

    raw = (
        text(1, b"br-nyc-012-gw1:10.20.12.1")
        + number(2, 65535)
        + text(5, b"/interfaces/")
        + number(8, 41)
        + number(9, T0_MS - 2)
        + number(10, T0_MS - 9_000)
        + number(11, T0_MS - 1)
        + number(12, T0_MS + 3)
        + number(13, 2)
        + number(14, 1)
        + number(15, T0_MS + 4)
        + number(16, 2)
    )
    header = juniper_header_pb2.GnmiJuniperTelemetryHeaderExtension.FromString(raw)
    assert (header.payload_get_timestamp, header.stream_creation_timestamp) == (
        T0_MS - 2,
        T0_MS - 9_000,
    )
    assert (header.event_timestamp, header.export_timestamp, header.event_publish_timestamp) == (
        T0_MS - 1,
        T0_MS + 3,
        T0_MS + 4,
    )
    assert (header.sub_sequence_number, header.eom, header.stream_id) == (
        2,
        True,
        juniper_header_pb2.PERIODIC,
    )
    response = gnmi_pb2.SubscribeResponse.FromString(update(T0_MS, 1_000))
    ext = response.extension.add()
    ext.registered_ext.id = gnmi_ext_pb2.EID_JUNIPER_TELEMETRY_HEADER
    ext.registered_ext.msg = raw
    norm = Normalizer()
    GnmiDecoder(norm).decode(response.SerializeToString(), GW, 0)
    row = norm.tables()["telemetry"].to_pylist()[0]
    assert (row["sensor"], row["sequence"], row["component_id"]) == ("/interfaces/", 41, 65535)


def test_without_juniper_header_the_sensor_is_the_longest_subscribed_path() -> None:
    norm = Normalizer()
    decoder = GnmiDecoder(norm)
    decoder.subscribed(GW, ["/interfaces/", "/interfaces/interface[name='ge-0/0/0']/state/"])
    decoder.decode(update(T0_MS, 5), GW, 0)
    sensors = {r["sensor"] for r in norm.tables()["telemetry"].to_pylist()}
    assert sensors == {"/interfaces/"}  # the prefix path has no state/ under it: the shorter wins


def test_json_objects_are_flattened_and_bad_json_is_a_wire_error() -> None:
    norm = Normalizer()
    decoder = GnmiDecoder(norm)
    note = gnmi_pb2.Notification(timestamp=T0_MS * 1_000_000, prefix=path(("system", {})))
    doc = b'{"openconfig-system:memory": {"state": {"physical": "4294967296", "used": 1073741824}}}'
    note.update.add(path=gnmi_pb2.Path(), val=gnmi_pb2.TypedValue(json_ietf_val=doc))
    decoder.decode(gnmi_pb2.SubscribeResponse(update=note).SerializeToString(), GW, 0)
    [health] = norm.tables()["device_health"].to_pylist()
    assert (health["component"], health["memory_pct"]) == ("Routing Engine", 25.0)
    note.update[0].val.json_ietf_val = b"{not json"
    with pytest.raises(WireError, match="JSON"):
        decoder.decode(gnmi_pb2.SubscribeResponse(update=note).SerializeToString(), GW, 0)


@pytest.mark.parametrize(
    ("encoding", "header"), [("proto", True), ("json_ietf", True), ("proto", False)]
)
def test_subscribe_to_the_gnmi_target(encoding: str, header: bool) -> None:
    dev = branch_gateway("gw-gnmi", 7, epoch_ms=int(time.time() * 1000) - 5_000, interfaces=1)
    dev.interfaces[0].in_bps = 40e6
    sensors = (
        Sensor("/interfaces/", 150),
        Sensor("/system/cpus/", 150),
        Sensor("/junos/rpm/probe-results/", 0),
    )

    async def scenario() -> tuple[MemorySink, TelemetryCollector]:
        server = SimTelemetryServer(dev, username="u", password="p", gnmi_header=header)
        await server.start()
        tgt = Target(
            "gw-gnmi", "127.0.0.1", server.port, protocol="gnmi", username="u", password="p",
            sensors=sensors, encoding=encoding,  # type: ignore[arg-type]
        )  # fmt: skip
        sink = MemorySink()
        collector = TelemetryCollector(sink, [tgt], backoff=fast_backoff)
        await collector.start()
        await wait_for(
            lambda: (
                sum(r["in_bps"] is not None for r in sink.rows("interface_stats")) >= 2
                and sink.count("sla_metrics") >= 2
            ),
        )
        await collector.stop()
        await server.stop()
        assert server.stats.gnmi_subscribes == 1
        return sink, collector

    sink, collector = asyncio.run(scenario())
    rates = [r["in_bps"] for r in sink.rows("interface_stats") if r["if_name"] == "ge-0/0/0"]
    assert [r for r in rates if r is not None] == pytest.approx([40e6] * (len(rates) - 1), rel=1e-3)
    telemetry = sink.rows("telemetry")
    assert {r["sensor"] for r in telemetry} == {
        "/interfaces/",
        "/system/cpus/",
        "/junos/rpm/probe-results/",
    }
    assert {r["source"] for r in telemetry} == {"gnmi"}
    assert all((r["sequence"] is not None) == header for r in telemetry)
    [cpu] = {r["cpu_pct"] for r in sink.rows("device_health")}
    assert cpu == dev.cpu_pct
    m = collector.metrics
    assert metric(m, "wanassure_telemetry_sync_responses_total", device="gw-gnmi") == 1
    assert metric(m, "wanassure_telemetry_streams_total", device="gw-gnmi", protocol="gnmi") == 1


def test_gnmi_wrong_credentials_are_an_auth_failure() -> None:
    dev = branch_gateway("gw-gnmi", 7, epoch_ms=0, interfaces=1)

    async def scenario() -> TelemetryCollector:
        server = SimTelemetryServer(dev, username="u", password="p")
        await server.start()
        tgt = Target(
            "gw-gnmi", "127.0.0.1", server.port, protocol="gnmi", username="u", password="x",
            sensors=(Sensor("/interfaces/", 100),),
        )  # fmt: skip
        collector = TelemetryCollector(MemorySink(), [tgt], backoff=fast_backoff)
        await collector.start()
        await wait_for(lambda: server.stats.refused >= 2)
        await collector.stop()
        await server.stop()
        return collector

    collector = asyncio.run(scenario())
    failures = metric(
        collector.metrics,
        "wanassure_telemetry_session_failures_total",
        device="gw-gnmi",
        protocol="gnmi",
        reason="auth",
    )
    assert failures >= 2
