"""The flow collector end to end over loopback UDP into a real Parquet lake."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from assurance.lake import LakeWriter, connect
from collectors.flow import IpfixEncoder
from collectors.flow.listener import FlowCollector

EXPORT_TIME = 1_780_000_000  # 2026-05-28T20:26:40Z
FIELDS = [
    "sourceIPv4Address",
    "destinationIPv4Address",
    "sourceTransportPort",
    "destinationTransportPort",
    "protocolIdentifier",
    "octetDeltaCount",
    "packetDeltaCount",
    "ingressInterface",
    "egressInterface",
    "flowStartMilliseconds",
    "flowEndMilliseconds",
]


def records(first: int, count: int) -> list[dict[str, object]]:
    return [
        {
            "sourceIPv4Address": f"10.1.0.{i % 250 + 1}",
            "destinationIPv4Address": "52.112.0.10",
            "sourceTransportPort": 40000 + i,
            "destinationTransportPort": 443,
            "protocolIdentifier": 6,
            "octetDeltaCount": 1000 + i,
            "packetDeltaCount": 10,
            "ingressInterface": 501,
            "egressInterface": 502,
            "flowStartMilliseconds": EXPORT_TIME * 1000 - 5000,
            "flowEndMilliseconds": EXPORT_TIME * 1000 - 1000,
        }
        for i in range(first, first + count)
    ]


async def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def send(datagrams: list[bytes], port: int, source: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        for d in datagrams:
            sock.sendto(d, ("127.0.0.1", port))


def test_records_land_in_the_lake_with_site_and_rejects_for_garbage(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    encoder = IpfixEncoder(domain=7)
    encoder.define(300, FIELDS)
    datagrams = encoder.encode(300, records(0, 1000), export_time=EXPORT_TIME)

    async def scenario() -> FlowCollector:
        writer = LakeWriter(lake)
        collector = FlowCollector(
            writer,
            host="127.0.0.1",
            port=0,
            exporters={"127.0.0.2": ("br-nyc-012-gw1", "br-nyc-012")},
            state_file=tmp_path / "templates.json",
        )
        await collector.start()
        send(datagrams, collector.port, "127.0.0.2")
        send([b"\x00\x0a\x00\x05garbage"], collector.port, "127.0.0.3")
        m = collector.metrics
        await wait_for(lambda: m.records.labels("127.0.0.2")._value.get() == 1000)
        await wait_for(
            lambda: m.decode_errors.labels("127.0.0.3", "MalformedPacket")._value.get() == 1
        )
        await collector.stop()
        writer.close()
        return collector

    collector = asyncio.run(scenario())
    con = connect(lake)
    assert con.execute(
        "SELECT count(*), sum(bytes), min(src_port), max(src_port), any_value(site), "
        "any_value(device), count(DISTINCT observation_domain) FROM flows"
    ).fetchone() == (
        1000,
        sum(1000 + i for i in range(1000)),
        40000,
        40999,
        "br-nyc-012",
        "br-nyc-012-gw1",
        1,
    )
    assert con.execute(
        "SELECT exporter, site, source, error, octet_length(raw) FROM rejects"
    ).fetchall() == [("127.0.0.3", None, "flow", "MalformedPacket", 11)]
    m = collector.metrics
    assert m.datagrams.labels("127.0.0.2")._value.get() == len(datagrams)
    assert m.bytes.labels("127.0.0.2")._value.get() == sum(len(d) for d in datagrams)
    assert collector.kernel_drops() == 0
    assert (tmp_path / "templates.json").exists()


def test_a_restarted_collector_decodes_data_at_once_from_saved_templates(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    encoder = IpfixEncoder(domain=1)
    encoder.define(256, FIELDS)
    with_template = encoder.encode(256, records(0, 10), export_time=EXPORT_TIME)
    data_only = encoder.encode(256, records(10, 10), export_time=EXPORT_TIME, with_template=False)

    async def run_once(datagrams: list[bytes], expect: int) -> None:
        writer = LakeWriter(lake)
        collector = FlowCollector(
            writer, host="127.0.0.1", port=0, state_file=tmp_path / "state.json"
        )
        await collector.start()
        send(datagrams, collector.port, "127.0.0.1")
        await wait_for(lambda: collector.metrics.records.labels("127.0.0.1")._value.get() == expect)
        await collector.stop()
        writer.close()

    asyncio.run(run_once(with_template, 10))
    asyncio.run(run_once(data_only, 10))  # a new process would see exactly this
    con = connect(lake)
    assert con.execute("SELECT count(*), count(DISTINCT src_port) FROM flows").fetchone() == (
        20,
        20,
    )
    assert con.execute("SELECT count(*) FROM rejects").fetchone() == (0,)
