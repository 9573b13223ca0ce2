"""Live runs of the real softflowd on the seeded traffic, and the committed goldens' determinism.

softflowd is required under CI (the env var ``CI`` is set) and skipped only when it is missing
outside CI. The export datagrams are checked here by their header version and count/length only;
comparing records with the project's flow decoder is left to ``load_golden_cases`` users.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from collectors.pcap import PROTO_ICMP, iter_ip_packets, iter_udp
from tests.flow_golden import GOLDEN_DIR, load_golden_cases
from tests.flow_golden.exporters import (
    CASES,
    COLLECTOR_PORT,
    ExporterCase,
    datagrams_pcap,
    mismatches,
    nfdump_canonical,
    nfdump_comparable,
    nfdump_records,
    run_softflowd,
    tshark_records,
    without_times,
)
from tests.flow_golden.traffic import LAST_PACKET_MS, START_US, build_traffic, ground_truth, records
from tests.tools import require_tool

FIRST_PACKET_MS = 5  # the first DNS query, ms after START_US
N_FLOWS = 11


@pytest.fixture(scope="module")
def traffic() -> bytes:
    return build_traffic()


@pytest.fixture
def traffic_pcap(tmp_path: Path, traffic: bytes) -> Path:
    path = tmp_path / "traffic.pcap"
    path.write_bytes(traffic)
    return path


@pytest.mark.parametrize("version", [9, 10])
def test_softflowd_exports_what_the_goldens_assume(
    traffic_pcap: Path, tmp_path: Path, version: int
) -> None:
    require_tool("softflowd")
    received = run_softflowd(traffic_pcap, version, tmp_path / "work")
    assert {d.src_ip for d in received} == {"127.0.0.1"}
    # Through our pcap writer and reader, as the goldens store them.
    datagrams = list(iter_udp(datagrams_pcap(received), strict=True))
    assert [(d.src_port, d.dst_port) for d in datagrams] == [
        (r.src_port, COLLECTOR_PORT) for r in received
    ]
    export_secs = (START_US // 1000 + LAST_PACKET_MS) // 1000  # -a: "now" is the last packet
    for d in datagrams:
        assert struct.unpack_from(">H", d.payload)[0] == version
        if version == 10:
            _, length, secs = struct.unpack_from(">HHI", d.payload)
            assert length == len(d.payload)
            assert secs == export_secs
        else:
            _, _count, uptime, secs = struct.unpack_from(">HHII", d.payload)
            assert uptime == LAST_PACKET_MS - FIRST_PACKET_MS  # sysUpTime 0 = first packet
            assert secs == export_secs
    if version == 9:
        # softflowd's v9 header count is its number of flow records (templates not counted).
        assert sum(struct.unpack_from(">H", d.payload, 2)[0] for d in datagrams) == N_FLOWS


@pytest.mark.parametrize("case", [c for c in CASES if c.tool == "softflowd"], ids=lambda c: c.name)
def test_softflowd_export_agrees_with_nfdump_and_tshark(
    traffic_pcap: Path, tmp_path: Path, traffic: bytes, case: ExporterCase
) -> None:
    """The golden pipeline end to end: live softflowd, nfcapd/nfdump and tshark vs the truth."""
    for name in ("softflowd", "nfcapd", "nfdump", "tshark"):
        require_tool(name)
    golden = datagrams_pcap(case.run(traffic_pcap, tmp_path / "work"))
    expected = records(case.truth(traffic))
    payloads = [d.payload for d in iter_udp(golden)]
    nf_json, lines = nfdump_records(payloads, tmp_path / "nfdump")
    quirks = case.nfdump_quirks
    assert (
        mismatches(
            [nfdump_comparable(r, quirks) for r in expected],
            [nfdump_comparable(nfdump_canonical(r, quirks), quirks) for r in nf_json],
        )
        == []
    )
    assert len(lines.splitlines()) == N_FLOWS
    (tmp_path / "input.pcap").write_bytes(golden)
    from_tshark = tshark_records(tmp_path / "input.pcap")
    assert mismatches([without_times(r) for r in expected], from_tshark) == []


def test_traffic_is_deterministic_and_shaped_as_documented(traffic: bytes) -> None:
    assert build_traffic() == traffic
    packets = list(iter_ip_packets(traffic, strict=True))
    assert len(packets) == 217
    stamps = [p.ts_us for p in packets]
    assert stamps == sorted(stamps) and all(t % 1000 == 0 for t in stamps)
    assert stamps[0] == START_US + FIRST_PACKET_MS * 1000
    assert stamps[-1] == START_US + LAST_PACKET_MS * 1000  # a whole second (v9 headers)
    truth = {(f.src_addr, f.src_port, f.dst_addr, f.dst_port): f for f in ground_truth(traffic)}
    assert len(truth) == N_FLOWS
    assert sum(f.packets for f in truth.values()) == 217
    voice = truth[("10.20.1.40", 16384, "203.0.113.77", 20000)]
    assert (voice.packets, voice.bytes, voice.ip_version) == (120, 120 * (20 + 8 + 172), 4)
    echo = truth[("10.20.1.15", 0, "192.0.2.1", 8 * 256)]
    reply = truth[("192.0.2.1", 0, "10.20.1.15", 0)]
    assert (echo.protocol, echo.packets, echo.bytes) == (PROTO_ICMP, 4, 4 * (20 + 8 + 56))
    assert reply.record()["end_time"] == "2026-03-02T09:00:04.000Z"
    assert sum(f.ip_version == 6 for f in truth.values()) == 2
    assert {f.protocol for f in truth.values()} == {1, 6, 17}


def test_conversation_times_cover_both_directions(traffic: bytes) -> None:
    per_direction = {(f.src_addr, f.src_port): f for f in ground_truth(traffic)}
    both = {(f.src_addr, f.src_port): f for f in ground_truth(traffic, conversation_times=True)}
    query, answer = per_direction[("10.20.1.15", 53001)], per_direction[("192.0.2.53", 53)]
    assert answer.start_ms > query.start_ms and query.end_ms < answer.end_ms
    for key in (("10.20.1.15", 53001), ("192.0.2.53", 53)):
        assert (both[key].start_ms, both[key].end_ms) == (query.start_ms, answer.end_ms)
        assert both[key].bytes == per_direction[key].bytes  # counters stay per direction
    # An echo request and its reply are different conversations (type in the port).
    assert both[("192.0.2.1", 0)] == per_direction[("192.0.2.1", 0)]


def test_committed_goldens_match_a_fresh_ground_truth(traffic: bytes) -> None:
    cases = {name: (path, expected) for name, path, expected in load_golden_cases()}
    assert sorted(cases) == sorted(c.name for c in CASES)
    for case in CASES:
        path, expected = cases[case.name]
        assert expected == records(case.truth(traffic)), case.name
        datagrams = list(iter_udp(path.read_bytes(), strict=True))
        assert datagrams, case.name
        assert {(d.src_ip, d.dst_ip, d.dst_port) for d in datagrams} == {
            ("127.0.0.1", "127.0.0.1", COLLECTOR_PORT)
        }
        assert {struct.unpack_from(">H", d.payload)[0] for d in datagrams} == {case.version}
        readme = (GOLDEN_DIR / case.name / "README.md").read_text()
        assert case.name in readme and "records.txt" in readme
        nf_lines = (GOLDEN_DIR / case.name / "records.txt").read_text().splitlines()
        assert len(nf_lines) == len(expected) == N_FLOWS


def test_expected_jsonl_is_canonical_json_lines() -> None:
    keys = ["src_addr", "dst_addr", "src_port", "dst_port", "protocol", "packets", "bytes",
            "start_time", "end_time", "ip_version"]  # fmt: skip
    for case in CASES:
        for line in (GOLDEN_DIR / case.name / "expected.jsonl").read_text().splitlines():
            record = json.loads(line)
            assert list(record) == keys
            assert str(record["start_time"]).endswith("Z") and len(str(record["end_time"])) == 24
