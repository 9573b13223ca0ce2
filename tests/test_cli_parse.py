"""``wanassure parse flow`` as a user runs it: a real process, stdout JSON lines, stderr text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from assurance.cli.parse import frame_raw, iter_raw
from collectors.tables import FLOW_OPTIONS, FLOWS
from tests.flow_golden import GOLDEN_DIR, load_golden_cases

ROOT = Path(__file__).resolve().parents[1]
WANASSURE = Path(sys.executable).with_name("wanassure")
CASES = {name: (pcap, expected) for name, pcap, expected in load_golden_cases()}
RAW_SAMPLE = GOLDEN_DIR / "raw" / "pmacct-v9.raw"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}
    return subprocess.run(
        [str(WANASSURE), "parse", "flow", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def projected(records: list[dict[str, Any]], keys: list[str]) -> list[str]:
    return sorted(json.dumps({k: r.get(k) for k in keys}, sort_keys=True) for r in records)


EXPECTED_KEYS = sorted(next(iter(CASES.values()))[1][0])


def test_jsonl_of_a_golden_case() -> None:
    pcap, expected = CASES["pmacct-ipfix"]
    result = run(str(pcap))
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    assert projected(records, EXPECTED_KEYS) == projected(expected, EXPECTED_KEYS)
    dns = next(r for r in records if r["src_port"] == 53001)
    # Canonical keys in order, only those the record has (pmacct sends no next hop, AS or
    # sampling), then every element by IANA name with numbers as numbers.
    assert dns == {
        "exporter": "127.0.0.1",
        "observation_domain": 0,
        "version": 10,
        "template_id": 1024,
        "src_addr": "10.20.1.15",
        "dst_addr": "192.0.2.53",
        "src_port": 53001,
        "dst_port": 53,
        "protocol": 17,
        "ip_version": 4,
        "bytes": 126,
        "packets": 2,
        "in_if": 0,
        "out_if": 0,
        "tcp_flags": 0,
        "tos": 0,
        "start_time": "2026-03-02T09:00:00.005Z",
        "end_time": "2026-03-02T09:00:00.564Z",
        "fields": {
            "flowEndMilliseconds": "2026-03-02T09:00:00.564000Z",
            "flowStartMilliseconds": "2026-03-02T09:00:00.005000Z",
            "octetDeltaCount": 126,
            "packetDeltaCount": 2,
            "ipVersion": 4,
            "ingressInterface": 0,
            "egressInterface": 0,
            "flowDirection": 0,
            "sourceIPv4Address": "10.20.1.15",
            "destinationIPv4Address": "192.0.2.53",
            "sourceTransportPort": 53001,
            "destinationTransportPort": 53,
            "ipClassOfService": 0,
            "tcpControlBits": 0,
            "protocolIdentifier": 17,
        },
    }
    assert list(dns) == [*(k for k in dns if k != "fields"), "fields"]
    assert "type" not in dns  # flows-only output carries no record type
    assert result.stderr == (
        "11 flow records, 0 options records from 3 datagrams in 1 file; "
        "0 rejected datagrams; 4 templates\n"
    )


def test_icmp_and_options_records_with_include_options() -> None:
    pcap, _ = CASES["softflowd-v9"]
    result = run("--include-options", str(pcap))
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    assert [r["type"] for r in records].count("flow") == 11
    options = [r for r in records if r["type"] == "options"]
    assert options == [
        {
            "type": "options",
            "exporter": "127.0.0.1",
            "observation_domain": 0,
            "version": 9,
            "template_id": 256,
            "export_time": "2026-03-02T09:00:04.000Z",
            "scope": {"scopeInterface": 0},
            "fields": {
                "samplingInterval": 1,
                "samplingAlgorithm": 1,
                "interfaceName": "/tmp/flow-golden",
            },
        }
    ]
    icmp = sorted((r["src_port"], r["dst_port"], r["fields"]["icmpTypeCodeIPv4"])
                  for r in records if r.get("protocol") == 1)  # fmt: skip
    assert icmp == [(0, 0, 0), (0, 2048, 2048)]
    assert {r["sampling_rate"] for r in records if r["type"] == "flow"} == {1}


def test_out_writes_the_flows_table_as_parquet(tmp_path: Path) -> None:
    pcap, expected = CASES["softflowd-ipfix"]
    out = tmp_path / "flows.parquet"
    result = run("--out", str(out), "--include-options", str(pcap))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.endswith(f"; wrote 11 rows to {out}\n")
    table = pq.read_table(out)
    assert table.num_rows == len(expected) == 11
    assert table.schema.names == list(FLOWS.column_names)
    assert sum(table.column("bytes").to_pylist()) == sum(int(str(e["bytes"])) for e in expected)
    options = pq.read_table(tmp_path / "flows.options.parquet")
    assert options.schema.names == list(FLOW_OPTIONS.column_names)
    assert options.column("template_id").to_pylist() == [256]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flows.options.parquet", "flows.parquet"]


def test_raw_input_with_an_exporter() -> None:
    _, expected = CASES["pmacct-v9"]
    result = run("--format", "raw", "--exporter", "192.0.2.10", str(RAW_SAMPLE))
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    assert projected(records, EXPECTED_KEYS) == projected(expected, EXPECTED_KEYS)
    assert {r["exporter"] for r in records} == {"192.0.2.10"}


def test_files_share_one_template_cache(tmp_path: Path) -> None:
    """Templates from the first file decode the data of the second, as in one stream."""
    datagrams = list(iter_raw(RAW_SAMPLE.read_bytes()))
    assert len(datagrams) == 3
    first, rest = tmp_path / "1.raw", tmp_path / "2.raw"
    first.write_bytes(frame_raw(datagrams[:1]))
    rest.write_bytes(frame_raw(datagrams[1:]))
    together = run("--format", "raw", str(first), str(rest))
    assert together.returncode == 0, together.stderr
    assert len(lines(together.stdout)) == 11
    assert "warning" not in together.stderr
    alone = run("--format", "raw", str(rest))  # without the first datagram's templates
    assert (alone.returncode, alone.stdout) == (3, "")
    # Data sets of templates 1024, 2048, 1024 in the first datagram, 1024 in the second.
    assert alone.stderr.splitlines() == [
        f"warning: exporter 0.0.0.0 domain 0: UnknownTemplate at offset {offset}: data set for "
        f"template {tid}: no template arrived within the hold time (end of input)"
        for offset, tid in ((20, 1024), (252, 2048), (420, 1024), (20, 1024))
    ] + [
        "0 flow records, 0 options records from 2 datagrams in 1 file; 0 rejected datagrams; "
        "0 templates; 4 held data sets rejected"
    ]


def test_garbage_gives_one_warning_line_per_datagram_and_no_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.raw"
    garbage.write_bytes(frame_raw([b"\x00\x0a\x00\x05garbage", b"\x00\x63xx"]))
    result = run("--format", "raw", "--exporter", "198.51.100.7", str(garbage))
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"warning: {garbage} datagram 1 (exporter 198.51.100.7): "
        "MalformedPacket at offset 0: IPFIX message header truncated",
        f"warning: {garbage} datagram 2 (exporter 198.51.100.7): "
        "UnsupportedVersion at offset 0: export version 99",
        "0 flow records, 0 options records from 2 datagrams in 1 file; "
        "2 rejected datagrams; 0 templates",
    ]


def test_garbage_next_to_good_input_still_decodes_the_good(tmp_path: Path) -> None:
    not_a_capture = tmp_path / "notes.pcap"
    not_a_capture.write_bytes(b"hello, this is not a capture")
    pcap, _ = CASES["softflowd-v9"]
    result = run(str(not_a_capture), str(pcap))
    assert result.returncode == 0
    assert len(lines(result.stdout)) == 11
    warning, summary = result.stderr.splitlines()
    assert warning.startswith(f"warning: {not_a_capture}: not readable as pcap input: ")
    assert summary.startswith("11 flow records, 1 options records from 1 datagrams in 2 files")
    alone = run(str(not_a_capture))
    assert (alone.returncode, alone.stdout) == (3, "")
    assert "Traceback" not in alone.stderr


def test_a_missing_file_fails_clearly_before_any_output(tmp_path: Path) -> None:
    pcap, _ = CASES["softflowd-v9"]
    missing = tmp_path / "absent.pcap"
    result = run(str(pcap), str(missing))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == f"error: cannot read {missing}: no such file"
    assert "Traceback" not in result.stderr


def test_a_bad_exporter_is_a_usage_error() -> None:
    result = run("--format", "raw", "--exporter", "not-an-ip", str(RAW_SAMPLE))
    assert result.returncode == 2
    assert "not an IP address" in result.stderr
    assert result.stdout == ""
