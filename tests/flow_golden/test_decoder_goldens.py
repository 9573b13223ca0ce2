"""The project's flow decoder against the golden cases of real exporters (softflowd, pmacct).

Every case's ``input.pcap`` is decoded (exporter from the IP header) and compared with its
``expected.jsonl`` exactly on the keys the expected records have, as multisets, times at
millisecond precision; once more through ``wanassure parse flow`` as a real process. The
hand-built datagrams at the end pin the codec semantics the goldens rely on (ICMP type/code in
``dst_port``, sampling-scaled counters, every element by IANA name) for the encodings the
goldens' exporters do not use.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from collectors.flow import FlowDecoder
from collectors.pcap import iter_udp
from tests.flow.wire import EXPORTER, RX, extra, ip4, ipfix, set_, template, v9, v9_template
from tests.flow_golden import load_golden_cases

CASES = load_golden_cases()
WANASSURE = Path(sys.executable).with_name("wanassure")


def iso_ms(value: datetime) -> str:
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def project(rows: Sequence[Mapping[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """``rows`` cut down to ``keys``, times as ISO-8601 ms text, sorted to compare as multisets."""
    out = []
    for row in rows:
        out.append({k: iso_ms(row[k]) if isinstance(row[k], datetime) else row[k] for k in keys})
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))


def keys_of(expected: list[dict[str, object]]) -> list[str]:
    keys = sorted({k for rec in expected for k in rec})
    assert {"src_addr", "dst_port", "bytes", "start_time", "end_time"} <= set(keys)
    return keys


def decode_case(pcap: Path, **options: Any) -> Any:
    datagrams = [(d.payload, d.src_ip, d.ts_us) for d in iter_udp(pcap.read_bytes())]
    assert datagrams, f"{pcap} holds no UDP datagrams"
    return FlowDecoder(**options).decode_many(datagrams)


@pytest.mark.parametrize(("name", "pcap", "expected"), CASES, ids=[c[0] for c in CASES])
def test_decoder_matches_the_golden_records(
    name: str, pcap: Path, expected: list[dict[str, object]]
) -> None:
    result = decode_case(pcap)
    assert result.rejected == []
    assert result.counters.records == len(expected) == 11
    assert result.held == []
    rows = result.flows.to_pylist()
    keys = keys_of(expected)
    assert project(rows, keys) == project(expected, keys)
    assert {r["exporter"] for r in rows} == {"127.0.0.1"}  # the IP source of the export packets
    # Unsampled exports: the derived counters equal the reported ones.
    assert [r["bytes_scaled"] for r in rows] == [r["bytes"] for r in rows]
    assert [r["packets_scaled"] for r in rows] == [r["packets"] for r in rows]


def test_icmp_records_carry_type_and_code_in_dst_port() -> None:
    """softflowd sends IE 32 and no port fields; pmacct sends the value as destination port."""
    by_case = {}
    for name, pcap, _ in CASES:
        rows = decode_case(pcap).flows.to_pylist()
        icmp = sorted(
            (r["src_addr"], r["src_port"], r["dst_port"]) for r in rows if r["protocol"] == 1
        )
        by_case[name] = icmp
    # echo request type 8 code 0 → 2048; echo reply type 0 code 0 → 0.
    want = [("10.20.1.15", 0, 2048), ("192.0.2.1", 0, 0)]
    assert by_case == {name: want for name, _, _ in CASES}
    softflowd_v9 = next(pcap for name, pcap, _ in CASES if name == "softflowd-v9")
    icmp_rows = [r for r in decode_case(softflowd_v9).flows.to_pylist() if r["protocol"] == 1]
    # The element stays in extra as reported (raw beside derived).
    assert sorted(dict(r["extra"])["icmpTypeCodeIPv4"] for r in icmp_rows) == ["0", "2048"]


@pytest.mark.parametrize(("name", "pcap", "expected"), CASES, ids=[c[0] for c in CASES])
def test_keep_all_fields_adds_every_element_by_iana_name(
    name: str, pcap: Path, expected: list[dict[str, object]]
) -> None:
    plain = decode_case(pcap).flows
    full = decode_case(pcap, keep_all_fields=True).flows
    assert full.drop_columns(["extra"]).equals(plain.drop_columns(["extra"]))
    for lean, every, row in zip(
        plain.column("extra").to_pylist(),
        full.column("extra").to_pylist(),
        full.to_pylist(),
        strict=True,
    ):
        fields = dict(every)
        assert dict(lean).items() <= fields.items()
        assert fields["octetDeltaCount"] == str(row["bytes"])
        assert fields["packetDeltaCount"] == str(row["packets"])
        assert fields["protocolIdentifier"] == str(row["protocol"])
        family = "IPv4" if row["ip_version"] == 4 else "IPv6"
        assert fields[f"source{family}Address"] == row["src_addr"]
        assert fields[f"destination{family}Address"] == row["dst_addr"]
        if "sourceTransportPort" in fields:
            assert fields["sourceTransportPort"] == str(row["src_port"])


def test_parse_cli_prints_the_golden_records() -> None:
    _, pcap, expected = next(c for c in CASES if c[0] == "softflowd-ipfix")
    result = subprocess.run(
        [str(WANASSURE), "parse", "flow", str(pcap)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    keys = keys_of(expected)
    assert project(lines, keys) == project(expected, keys)
    assert result.stderr.splitlines() == [
        "11 flow records, 1 options records from 1 datagrams in 1 file; "
        "0 rejected datagrams; 5 templates"
    ]


# -- hand-built datagrams: the same semantics for encodings the goldens' exporters do not use ---

SECS = 1_700_000_000
Fields = list[tuple[int, int] | tuple[int, int, int]]


def ipfix_one(fields: Fields, records: list[bytes], **options: Any) -> pa.Table:
    msg = ipfix([set_(2, template(300, fields)), set_(300, b"".join(records))], export=SECS)
    result = FlowDecoder(**options).decode(msg, EXPORTER, RX)
    assert result.rejected == []
    return result.flows


def test_icmp_split_type_and_code_elements() -> None:
    # protocol, src, dst, icmpTypeIPv4 (176), icmpCodeIPv4 (177): destination unreachable 3/1.
    fields: Fields = [(4, 1), (8, 4), (12, 4), (176, 1), (177, 1)]
    rec = struct.pack(">B", 1) + ip4("10.0.0.1") + ip4("10.0.0.2") + bytes([3, 1])
    row = ipfix_one(fields, [rec]).to_pylist()[0]
    assert (row["src_port"], row["dst_port"]) == (0, 3 * 256 + 1)
    assert dict(row["extra"]) == {"icmpTypeIPv4": "3", "icmpCodeIPv4": "1"}


def test_icmpv6_type_code_element_applies_to_protocol_58_only() -> None:
    fields: Fields = [(4, 1), (27, 16), (28, 16), (139, 2)]
    src, dst = bytes(15) + b"\x01", bytes(15) + b"\x02"
    echo6 = struct.pack(">B", 58) + src + dst + struct.pack(">H", 128 << 8)
    udp6 = struct.pack(">B", 17) + src + dst + struct.pack(">H", 0)
    rows = ipfix_one(fields, [echo6, udp6]).to_pylist()
    assert [(r["src_port"], r["dst_port"]) for r in rows] == [(0, 32768), (None, None)]


def test_icmp_in_a_template_with_ports_fills_only_portless_icmp_records() -> None:
    """SRX-like: one template with ports and icmpTypeCodeIPv4 for TCP, UDP and ICMP."""
    fields: Fields = [(4, 1), (7, 2), (11, 2), (32, 2)]
    tcp = struct.pack(">BHHH", 6, 40000, 443, 0)
    icmp_zero_ports = struct.pack(">BHHH", 1, 0, 0, 0x0B00)  # time exceeded 11/0
    icmp_with_port = struct.pack(">BHHH", 1, 0, 2048, 2048)  # pmacct-style: already there
    rows = ipfix_one(fields, [tcp, icmp_zero_ports, icmp_with_port]).to_pylist()
    assert [(r["src_port"], r["dst_port"]) for r in rows] == [(40000, 443), (0, 2816), (0, 2048)]


def test_scaled_counters_multiply_by_the_sampling_rate() -> None:
    # octetDeltaCount, packetDeltaCount, samplingInterval (34) in the record itself.
    fields: Fields = [(1, 8), (2, 8), (34, 4)]
    recs = [
        struct.pack(">QQI", 1500, 3, 100),
        struct.pack(">QQI", 700, 2, 0),  # 0: unsampled, rate 1
        struct.pack(">QQI", 1 << 62, 5, 4),  # 2**64 does not fit: null, the raw value stays
    ]
    rows = ipfix_one(fields, recs).to_pylist()
    assert [r["sampling_rate"] for r in rows] == [100, 1, 4]
    assert [r["bytes_scaled"] for r in rows] == [150_000, 700, None]
    assert [r["packets_scaled"] for r in rows] == [300, 2, 20]
    assert [r["bytes"] for r in rows] == [1500, 700, 1 << 62]


def test_scaled_counters_equal_the_raw_ones_when_the_rate_is_unknown() -> None:
    rows = ipfix_one([(1, 4), (2, 4)], [struct.pack(">II", 900, 9)]).to_pylist()
    assert (rows[0]["sampling_rate"], rows[0]["bytes_scaled"], rows[0]["packets_scaled"]) == (
        None,
        900,
        9,
    )


def test_keep_all_fields_names_v9_and_enterprise_elements() -> None:
    # v9 IN_BYTES (1), IN_PKTS (2), L4_DST_PORT (11) and an unknown v9 type 400.
    flowset = set_(0, v9_template(260, [(1, 4), (2, 4), (11, 2), (400, 2)]))
    data = set_(260, struct.pack(">IIHH", 5000, 5, 443, 7))
    pkt = v9([flowset, data], uptime=1000, secs=SECS)
    plain = FlowDecoder().decode(pkt, EXPORTER, RX).flows
    full = FlowDecoder(keep_all_fields=True).decode(pkt, EXPORTER, RX).flows
    assert extra(plain) == {"ie0_400": "0007"}
    assert extra(full) == {
        "octetDeltaCount": "5000",
        "packetDeltaCount": "5",
        "destinationTransportPort": "443",
        "ie0_400": "0007",
    }
    ent = ipfix_one([(1, 4), (137, 4, 2636)], [struct.pack(">II", 64, 42)], keep_all_fields=True)
    assert extra(ent) == {"octetDeltaCount": "64", "ie2636_137": "0000002a"}
