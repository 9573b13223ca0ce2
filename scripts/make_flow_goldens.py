#!/usr/bin/env python3
"""Regenerate the flow golden cases in ``data/samples/flow/<case>/`` from real exporters.

For each case (softflowd and pmacct, NetFlow v9 and IPFIX) this script builds the seeded traffic
capture (``tests/flow_golden/traffic.py``), runs the exporter on it, and writes:

* ``input.pcap``     — the datagrams the exporter sent, as received on loopback UDP;
* ``expected.jsonl`` — one canonical record per flow, from the traffic pcap's ground truth;
* ``records.txt``    — nfdump's view of ``input.pcap`` (replayed through a real nfcapd);
* ``README.md``      — exporter, command, versions, flows and the exporter's quirks.

It refuses to write a case unless nfdump's records equal ``expected.jsonl`` exactly (same flows,
packets, bytes, start and end times): that cross-check by an independent decoder is the proof
that a golden is right. It never imports the project's own flow decoder.

Usage: ``.venv/bin/python scripts/make_flow_goldens.py [--out data/samples/flow] [case ...]``
Needs softflowd, pmacct and nfdump (``scripts/install-system-deps.sh``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.pcap import iter_udp  # noqa: E402
from tests.flow_golden.exporters import (  # noqa: E402
    CASES,
    SWAPPED_UPTIME,
    V9_ICMP_PORT,
    ExporterCase,
    datagrams_pcap,
    mismatches,
    nfdump_canonical,
    nfdump_comparable,
    nfdump_records,
    tool_version,
    tshark_records,
    without_times,
)
from tests.flow_golden.traffic import (  # noqa: E402
    SEED,
    TruthFlow,
    build_traffic,
    records,
)

QUIRKS = {
    "softflowd": """\
- Flows are tracked bidirectionally: each conversation gives one record per direction, with
  per-direction packets and bytes but the *conversation's* first and last packet times on both
  records. `expected.jsonl` models exactly that (`ExporterCase.truth`).
- Reading a file (`-r`), softflowd never expires flows on time; it flushes every flow at the end
  of the file and exits (flowEndReason says idle timeout / end of flow; cosmetic here).
- `-a` makes "now" the capture's time: sysUpTime 0 is the first packet (09:00:00.005), the export
  header's time is the last packet's (09:00:04). Without `-a`, times are computed against the
  wall clock and come out as garbage for an old capture.
- `-c none`: with `-r` and a control socket, softflowd 1.1.0 can block forever in `accept()` on
  that socket (it tests the socket's poll flags without having polled when reading a file).
- Times are sysUpTime-relative milliseconds (FIRST_SWITCHED/LAST_SWITCHED, IE 22/21). NetFlow v9
  headers carry whole seconds only, so the traffic's last packet sits on a whole second to keep
  `unix_secs*1000 - sysUptime + FIRST_SWITCHED` exact. The IPFIX export also sends an options
  record (template 256) with systemInitTimeMilliseconds (IE 160) = the first packet's time.
- The v9 header `count` is the number of flow data records only (11 here), not templates plus
  options plus data as RFC 3954 says (17 here). The IPFIX header sequence number of the first
  message is 11, i.e. it already includes that message's own data records (RFC 7011: records
  sent *before* this message, so 0).
- Octets are IP-layer lengths. The traffic has unpadded Ethernet frames, so frame length - 14 and
  the IP total length agree. IPv6 is exported in v9 and IPFIX (templates 2048/2049) without `-6`.
- ICMP records use templates 1025/2049 with ICMP_TYPE (IE 32, type*256+code) or
  icmpTypeCodeIPv6 (IE 139) and no ports; the canonical record puts type*256+code in
  `dst_port` and 0 in `src_port`. An echo request and its reply are separate flows.
""",
    "pmacctd": """\
- pmacctd reads the savefile (`pcap_savefile`), sleeps ~2 s before the plugins start, and on end
  of file exits after the nfprobe plugin (derived from softflowd 0.9.7) flushes every flow.
- Flows are tracked bidirectionally like softflowd: per-direction packets and bytes, both
  directions stamped with the conversation's first and last packet times.
- Times are absolute milliseconds (flowStartMilliseconds/flowEndMilliseconds, IE 152/153) in
  both v9 and IPFIX, taken from the capture; the header's export time and sysUpTime come from
  the wall clock and play no part in the flow times.
- Records are spread over several datagrams, templates first; the v9 header `count` includes
  template records, as RFC 3954 says.
- Octets are IP-layer lengths. IPv6 uses templates 2048/2049.
- ICMP records use the same template as TCP/UDP: L4_SRC_PORT 0 and L4_DST_PORT = type*256+code
  (2048 for an echo request); an echo request and its reply are separate flows.
""",
}


NFDUMP_QUIRK_TEXT = {
    SWAPPED_UPTIME: "nfdump 1.7 prints this case's first/last times swapped: its IPFIX table "
    "maps flowEndSysUpTime (IE 21) to first-seen and flowStartSysUpTime (IE 22) to last-seen "
    "(ipfix.c), so `records.txt` shows end before start. The check swaps them back; tshark and "
    "the NetFlow v9 case of the same exporter show the right order.",
    V9_ICMP_PORT: "nfdump 1.7's v9 path zeroes the destination port of an ICMP record that has "
    "no ICMP_TYPE element (netflow_v9.c), so `records.txt` shows 0 where pmacct exported 2048; "
    "the nfdump check skips ICMP `dst_port` and the tshark check covers it.",
}


def endpoint(addr: str, port: int) -> str:
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def describe_flows(truth: list[TruthFlow]) -> str:
    lines = [
        "| src | dst | proto | packets | bytes | start | end |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in truth:
        record = f.record()
        lines.append(
            f"| {endpoint(f.src_addr, f.src_port)} | {endpoint(f.dst_addr, f.dst_port)} "
            f"| {f.protocol} | {f.packets} | {f.bytes} "
            f"| {record['start_time']} | {record['end_time']} |"
        )
    return "\n".join(lines)


def readme(case: ExporterCase, truth: list[TruthFlow], datagrams: int) -> str:
    kind = "NetFlow v9" if case.version == 9 else "IPFIX (v10)"
    quirks = "".join(f"\n- {NFDUMP_QUIRK_TEXT[q]}" for q in sorted(case.nfdump_quirks))
    package = "softflowd" if case.tool == "softflowd" else "pmacct"
    return f"""# {case.name}

{kind} exported by **{case.tool}** (Debian package `{package}` {tool_version(case.tool)}) from the
seeded traffic capture of `tests/flow_golden/traffic.py` (seed {SEED}): IPv4 TCP (HTTPS, SSH),
IPv4 UDP (DNS, a one-way RTP-like stream), IPv6 UDP (QUIC-like) and ICMP echo, 2026-03-02 from
09:00:00.005Z to 09:00:04.000Z.

- `input.pcap`: the {datagrams} export datagram(s) as received on loopback, 127.0.0.1:<exporter
  port> → 127.0.0.1:2055, stamped with the receive time. Templates precede data.
- `expected.jsonl`: {len(truth)} records computed from the traffic pcap's packets (not from any
  decoder): src/dst address and port, protocol, packets, bytes (sum of IP total lengths),
  start/end (ISO-8601 UTC, ms), ip_version.
- `records.txt`: nfdump {tool_version("nfcapd")}'s view of `input.pcap` (replayed to `nfcapd`,
  read with `nfdump -q -6 -o fmt:...`, TZ=UTC).

## Cross-checks (run by the script before it writes anything)

- nfdump's JSON records (`nfdump -o json`) equal `expected.jsonl`: same flows, ports, packets,
  bytes, start and end times.{quirks}
- tshark {tool_version("tshark")} (cflow dissector on `input.pcap`) gives the same addresses,
  ports, protocols, packets and bytes.

Regenerate: `.venv/bin/python scripts/make_flow_goldens.py {case.name}` (export datagrams and
receive times change between runs; `expected.jsonl` does not).

## Command

```
{case.command().rstrip()}
```

## Exporter semantics and quirks

{QUIRKS[case.tool]}
## Flows

{describe_flows(truth)}
"""


def check(case: ExporterCase, decoder: str, problems: list[str]) -> None:
    if problems:
        raise SystemExit(
            f"{case.name}: {decoder} disagrees with the truth:\n" + "\n".join(problems)
        )


def make_case(case: ExporterCase, out: Path, traffic: bytes, workdir: Path) -> None:
    traffic_path = workdir / "traffic.pcap"
    traffic_path.write_bytes(traffic)
    truth = case.truth(traffic)
    expected = records(truth)
    datagrams = case.run(traffic_path, workdir / case.name)
    golden = datagrams_pcap(datagrams)
    payloads = [d.payload for d in iter_udp(golden, strict=True)]  # the stored file, read back
    nf_json, nf_lines = nfdump_records(payloads, workdir / f"{case.name}-nfdump")
    quirks = case.nfdump_quirks
    check(
        case,
        "nfdump",
        mismatches(
            [nfdump_comparable(r, quirks) for r in expected],
            [nfdump_comparable(nfdump_canonical(r, quirks), quirks) for r in nf_json],
        ),
    )
    staged = workdir / f"{case.name}-input.pcap"
    staged.write_bytes(golden)
    check(case, "tshark", mismatches([without_times(r) for r in expected], tshark_records(staged)))
    target = out / case.name
    target.mkdir(parents=True, exist_ok=True)
    (target / "input.pcap").write_bytes(golden)
    (target / "expected.jsonl").write_text(
        "".join(json.dumps(r, sort_keys=False) + "\n" for r in expected)
    )
    (target / "records.txt").write_text(nf_lines)
    (target / "README.md").write_text(readme(case, truth, len(payloads)))
    print(f"{case.name}: {len(payloads)} datagrams, {len(expected)} flows; nfdump, tshark agree")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "samples" / "flow")
    args = parser.parse_args(argv)
    chosen = [c for c in CASES if not args.cases or c.name in args.cases]
    unknown = set(args.cases) - {c.name for c in CASES}
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    traffic = build_traffic()
    with tempfile.TemporaryDirectory(prefix="flow-goldens-") as tmp:
        for case in chosen:
            make_case(case, args.out, traffic, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
