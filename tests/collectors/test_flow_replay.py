"""The golden captures replayed over loopback UDP to a running collector writing a real lake.

Each capture's export datagrams (payloads, in capture order) are sent from a loopback address
of their own to one ``FlowCollector`` writing to a ``LakeWriter``; the lake, read back through
DuckDB, must hold exactly the records of ``expected.jsonl`` for that sender, with no rejects,
no kernel drops and per-exporter record counters equal to the expected counts. The exporter the
listener sees is the sender's loopback address, not the one in the capture.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assurance.lake import LakeWriter, connect
from collectors.flow.listener import FlowCollector
from collectors.pcap import iter_udp
from tests.flow_golden import load_golden_cases

CASES = load_golden_cases()
#: One sender address per case, none of them the 127.0.0.1 recorded in the captures.
SENDERS = {name: f"127.0.1.{i + 1}" for i, (name, _, _) in enumerate(CASES)}
#: Options records in each capture (softflowd sends one with its sampling and init time).
OPTION_RECORDS = {"softflowd-ipfix": 1, "softflowd-v9": 1, "pmacct-ipfix": 0, "pmacct-v9": 0}
EXPECTED_KEYS = sorted({k for _, _, expected in CASES for rec in expected for k in rec})


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
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


def iso_ms(value: datetime) -> str:
    value = value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def canonical(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows cut to the expected keys, times as ISO-8601 ms text, sorted (multiset compare)."""
    out = [
        {k: iso_ms(r[k]) if isinstance(r[k], datetime) else r[k] for k in EXPECTED_KEYS}
        for r in rows
    ]
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))


def replay(lake: Path, cases: list[tuple[str, Path, list[dict[str, object]]]]) -> FlowCollector:
    """Send every case's datagrams from its own address; wait until all records are decoded."""

    async def scenario() -> FlowCollector:
        writer = LakeWriter(str(lake))
        collector = FlowCollector(writer, host="127.0.0.1", port=0)
        await collector.start()
        m = collector.metrics
        for name, pcap, _ in cases:
            payloads = [d.payload for d in iter_udp(pcap.read_bytes())]
            send(payloads, collector.port, SENDERS[name])
        await wait_for(
            lambda: all(
                m.records.labels(SENDERS[name])._value.get() >= len(expected)
                for name, _, expected in cases
            )
        )
        await collector.stop()
        writer.close()
        return collector

    return asyncio.run(scenario())


def lake_rows(lake: Path, exporter: str) -> list[dict[str, Any]]:
    con = connect(str(lake))
    cur = con.execute("SELECT * FROM flows WHERE exporter = ?", [exporter])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def rejects(lake: Path) -> int:
    con = connect(str(lake))
    row = con.execute("SELECT count(*) FROM rejects").fetchone()
    assert row is not None
    return int(row[0])


def counter(metric: Any, *labels: str) -> float:
    return float(metric.labels(*labels)._value.get())


def samples(metric: Any) -> list[Any]:
    """Every ``_total`` sample of a labelled Prometheus counter."""
    return [s for family in metric.collect() for s in family.samples if s.name.endswith("_total")]


@pytest.mark.parametrize(("name", "pcap", "expected"), CASES, ids=[c[0] for c in CASES])
def test_replayed_capture_lands_in_the_lake_as_expected(
    tmp_path: Path, name: str, pcap: Path, expected: list[dict[str, object]]
) -> None:
    lake = tmp_path / "lake"
    collector = replay(lake, [(name, pcap, expected)])
    sender = SENDERS[name]
    rows = lake_rows(lake, sender)
    assert canonical(rows) == canonical(expected)
    assert len(rows) == len(expected) == 11
    assert rejects(lake) == 0
    assert collector.kernel_drops() == 0
    m = collector.metrics
    datagrams = list(iter_udp(pcap.read_bytes()))
    assert counter(m.records, sender) == len(expected)
    assert counter(m.option_records, sender) == OPTION_RECORDS[name]
    assert counter(m.datagrams, sender) == len(datagrams)
    assert counter(m.bytes, sender) == sum(len(d.payload) for d in datagrams)
    assert all(sample.value == 0 for sample in samples(m.decode_errors))
    assert {r["exporter"] for r in rows} == {sender}
    assert [r["bytes_scaled"] for r in rows] == [r["bytes"] for r in rows]


def test_all_captures_at_once_keep_their_templates_apart(tmp_path: Path) -> None:
    """softflowd-v9 and pmacct-v9 both use domain 0 and template 1024: only the exporter
    address tells their templates apart."""
    lake = tmp_path / "lake"
    collector = replay(lake, CASES)
    for name, _, expected in CASES:
        sender = SENDERS[name]
        assert canonical(lake_rows(lake, sender)) == canonical(expected), name
        assert counter(collector.metrics.records, sender) == len(expected)
    con = connect(str(lake))
    assert con.execute("SELECT count(*) FROM flows").fetchone() == (
        sum(len(e) for _, _, e in CASES),
    )
    assert rejects(lake) == 0
    assert collector.kernel_drops() == 0
