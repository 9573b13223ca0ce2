"""Benchmark: decode rate of SRX-like IPFIX on one core.

Builds (with the encoder, fixed seed) 50,000 datagrams of an IPv4 IPFIX template with 21 fields
at 30 records per datagram, then decodes them all with one ``FlowDecoder.decode_many`` call per
``--batch`` datagrams, pinned to one CPU with one Arrow thread; repeats and prints the median
records/s. Run: ``.venv/bin/python benchmarks/flow_decode.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from collectors.flow import FlowDecoder, IpfixEncoder

FIELDS = [
    "sourceIPv4Address",
    "destinationIPv4Address",
    "sourceTransportPort",
    "destinationTransportPort",
    "protocolIdentifier",
    "ipClassOfService",
    ("tcpControlBits", 1),
    "octetDeltaCount",
    "packetDeltaCount",
    "ingressInterface",
    "egressInterface",
    "ipNextHopIPv4Address",
    "bgpSourceAsNumber",
    "bgpDestinationAsNumber",
    "sourceIPv4PrefixLength",
    "destinationIPv4PrefixLength",
    "flowDirection",
    "flowStartMilliseconds",
    "flowEndMilliseconds",
    "vlanId",
    "flowEndReason",
]
PER_DATAGRAM = 30


def build_capture(datagrams: int, seed: int) -> tuple[list[bytes], int]:
    """The datagrams, and the sum of octetDeltaCount they carry (to check the decode)."""
    rng = np.random.default_rng(seed)
    n = datagrams * PER_DATAGRAM
    hosts = rng.integers(0x0A000001, 0x0A00FFFF, 2000, dtype=np.uint32)
    servers = rng.integers(0x01000000, 0xDF000000, 5000, dtype=np.uint32)
    start = 1_700_000_000_000 + np.sort(rng.integers(0, 600_000, n))
    cols = {
        "sourceIPv4Address": hosts[rng.integers(0, len(hosts), n)],
        "destinationIPv4Address": servers[rng.integers(0, len(servers), n)],
        "sourceTransportPort": rng.integers(1024, 65535, n),
        "destinationTransportPort": rng.choice([443, 80, 53, 8443, 22], n),
        "protocolIdentifier": rng.choice([6, 17, 1], n),
        "ipClassOfService": rng.choice([0, 46, 184], n),
        "tcpControlBits": rng.integers(0, 64, n),
        "octetDeltaCount": rng.integers(40, 10_000_000, n),
        "packetDeltaCount": rng.integers(1, 10_000, n),
        "ingressInterface": rng.integers(500, 540, n),
        "egressInterface": rng.integers(500, 540, n),
        "ipNextHopIPv4Address": np.full(n, 0xC0A80101, np.uint32),
        "bgpSourceAsNumber": rng.integers(0, 65000, n),
        "bgpDestinationAsNumber": rng.integers(0, 65000, n),
        "sourceIPv4PrefixLength": np.full(n, 24),
        "destinationIPv4PrefixLength": rng.integers(8, 32, n),
        "flowDirection": rng.integers(0, 2, n),
        "flowStartMilliseconds": start,
        "flowEndMilliseconds": start + rng.integers(0, 60_000, n),
        "vlanId": rng.integers(1, 100, n),
        "flowEndReason": rng.integers(1, 5, n),
    }
    enc = IpfixEncoder(domain=1, mtu=9000)
    enc.define(256, FIELDS)
    export = 1_700_000_600
    out = enc.encode(256, cols, export_time=export, max_records=PER_DATAGRAM)
    return out, int(cols["octetDeltaCount"].sum())


def run_once(capture: list[bytes], batch: int) -> tuple[float, float, int, int]:
    """Wall and CPU seconds of one decode of the capture, records and octets decoded."""
    decoder = FlowDecoder()
    rx = 1_700_000_600_000_000
    records = 0
    octets = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(capture), batch):
        result = decoder.decode_many((d, "192.0.2.1", rx) for d in capture[i : i + batch])
        records += result.flows.num_rows
        octets += pc.sum(result.flows.column("bytes")).as_py()
    return time.perf_counter() - t0, time.process_time() - c0, records, octets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datagrams", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=2_000, help="datagrams per decode_many")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    capture, expected_octets = build_capture(args.datagrams, args.seed)
    rates, cpu_rates = [], []
    for _ in range(args.repeats):
        elapsed, cpu, records, octets = run_once(capture, args.batch)
        if records != args.datagrams * PER_DATAGRAM or octets != expected_octets:
            raise SystemExit(f"decode mismatch: {records} records, {octets} octets")
        rates.append(records / elapsed)
        cpu_rates.append(records / cpu)
        print(
            f"{records} records in {elapsed:.3f} s: {records / elapsed:,.0f} records/s "
            f"({records / cpu:,.0f} per CPU second)"
        )
    print(
        f"median: {statistics.median(rates):,.0f} records/s, "
        f"{statistics.median(cpu_rates):,.0f} per CPU second "
        f"({args.datagrams} datagrams x {PER_DATAGRAM} records, batch {args.batch})"
    )


if __name__ == "__main__":
    main()
