"""The simulator samples in data/samples/sim/: a small lake with its ground truth and inventory,
and wire captures that an independent decoder (tshark) reads as the same flows.

Rebuild them with ``scripts/make_sim_samples.py``.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assurance.config.loader import load_inventory
from assurance.sim.faults import CATALOGUE
from tests.tools import require_tool

SAMPLES = Path(__file__).parents[2] / "data" / "samples" / "sim"
LAKE = SAMPLES / "small-lake"
CAPTURES = SAMPLES / "captures"
START = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # small.yaml's start


def test_sample_lake_has_truth_inventory_and_every_raw_table() -> None:
    truth = [json.loads(line) for line in (LAKE / "_sim" / "ground_truth.jsonl").open()]
    assert [t["id"] for t in truth] == [
        "loss-nyc-isp-a", "cov-chi-ap1", "dhcp-bos", "sfdc-slow", "mpls-down-chi",
    ]  # fmt: skip
    assert all(t["type"] in CATALOGUE and t["clients"] for t in truth)
    inventory = load_inventory(LAKE / "_sim" / "inventory.yaml")
    for table in ("flows", "sessions", "sla_metrics", "client_events", "interface_stats",
                  "device_health", "vpn_tunnels", "device_events", "syslog_events"):  # fmt: skip
        data = pq.read_table(LAKE / table, columns=["exporter", "site"])
        assert data.num_rows > 0, table
        assert data.column("site").null_count == 0, table
        exporters = set(data.column("exporter").to_pylist())
        assert all(inventory.resolve(ip) is not None for ip in exporters), table
    size = sum(p.stat().st_size for p in LAKE.rglob("*") if p.is_file())
    assert size < 8_000_000


def test_tshark_reads_the_ipfix_capture_as_the_sample_lakes_flows() -> None:
    tshark = require_tool("tshark")
    fields = ["cflow.srcaddr", "cflow.dstaddr", "cflow.srcport", "cflow.dstport",
              "cflow.octets", "cflow.packets"]  # fmt: skip
    run = subprocess.run(
        [
            tshark,
            "-r",
            str(CAPTURES / "small-ipfix.pcap"),
            "-d",
            "udp.port==2055,cflow",
            "-T",
            "fields",
            *(x for f in fields for x in ("-e", f)),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    decoded: Counter[tuple[str, ...]] = Counter()
    for line in run.stdout.splitlines():
        columns = [c.split(",") for c in line.split("\t")]
        if columns[0] == [""]:
            continue  # a template-only message
        decoded.update(zip(*columns, strict=True))
    flows = pq.read_table(LAKE / "flows")
    early = flows.filter(pc.less(flows.column("event_time"), START + timedelta(minutes=15)))
    expected = Counter(
        (
            r["src_addr"],
            r["dst_addr"],
            str(r["src_port"]),
            str(r["dst_port"]),
            str(r["bytes"]),
            str(r["packets"]),
        )
        for r in early.to_pylist()
    )
    assert sum(decoded.values()) == early.num_rows > 500
    assert decoded == expected


def test_syslog_capture_matches_its_text_and_the_lake() -> None:
    lines = (CAPTURES / "small-syslog.log").read_bytes().splitlines()
    assert len(lines) > 500
    events = pq.read_table(LAKE / "syslog_events", columns=["event_time", "raw"])
    early = events.filter(pc.less(events.column("event_time"), START + timedelta(minutes=15)))
    assert sorted(early.column("raw").to_pylist()) == sorted(x.decode() for x in lines)


def test_the_jti_capture_decodes_into_the_sample_lakes_telemetry_rows() -> None:
    from collectors.jti.model import Origin
    from collectors.jti.native import NativeDecoder
    from collectors.jti.normalize import Normalizer
    from collectors.pcap.read import iter_udp

    inventory = load_inventory(LAKE / "_sim" / "inventory.yaml")
    norm = Normalizer()
    decoder = NativeDecoder(norm)
    for d in iter_udp((CAPTURES / "small-jti.pcap").read_bytes()):
        ref = inventory.resolve(d.src_ip)
        assert ref is not None and d.dst_port == 50000
        decoder.decode(d.payload, Origin(d.src_ip, ref.device, ref.site), d.ts_us)
    decoded = norm.tables()
    end = START + timedelta(minutes=15)
    for table in ("interface_stats", "device_health", "vpn_tunnels", "sla_metrics"):
        lake = pq.read_table(LAKE / table).drop_columns(["date", "hour", "received_at"])
        t = lake.column("event_time")
        keep = pc.and_(pc.greater_equal(t, START), pc.less(t, end))
        keep = pc.and_(keep, pc.is_in(lake.column("source"), pa.array(["jti-udp", "rpm"])))
        want = lake.filter(keep).to_pylist()
        got = decoded[table].drop_columns(["received_at"]).to_pylist()
        key = repr
        assert sorted(map(key, got)) == sorted(map(key, want)), table


class _Rows:
    """A sink that keeps what it is given."""

    def __init__(self) -> None:
        self.tables: dict[str, list[pa.Table]] = {}

    def write(self, table: str, rows: pa.Table) -> None:
        self.tables.setdefault(table, []).append(rows)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_trap_capture_decodes_into_the_sample_lakes_trap_rows() -> None:
    from collectors.pcap.read import iter_udp
    from collectors.receive import Datagram
    from collectors.snmp.traps import TrapReceiver

    inventory = load_inventory(LAKE / "_sim" / "inventory.yaml")
    exporters = {ip: (r.device, r.site) for ip, r in inventory.device_index().items()}
    sink = _Rows()
    receiver = TrapReceiver(sink, exporters=exporters)  # decoding only: no socket opened
    batch = [
        Datagram(d.payload, d.src_ip, d.src_port, d.ts_us)
        for d in iter_udp((CAPTURES / "small-traps.pcap").read_bytes())
    ]
    assert batch and all(d.port for d in batch)
    receiver.process(batch)
    assert "rejects" not in sink.tables
    got = pa.concat_tables(sink.tables["device_events"]).drop_columns(["received_at"])
    lake = pq.read_table(LAKE / "device_events").drop_columns(["date", "hour", "received_at"])
    traps = pc.is_in(lake.column("event_type"), pa.array(["linkDown", "linkUp"]))
    want = lake.filter(traps)
    # the receiver stamps receipt as event time: the capture's time is the simulated send time
    assert sorted(map(repr, got.to_pylist())) == sorted(map(repr, want.to_pylist()))
    assert [r["state"] for r in sorted(want.to_pylist(), key=lambda r: r["event_time"])] == [
        "down", "up"
    ]  # fmt: skip
