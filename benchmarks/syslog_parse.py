"""Benchmark: syslog parse rate of a realistic SRX mix on one core.

Builds (fixed seed) ``--lines`` syslog lines as 20 SD-WAN branch SRXs send them: 80 %
RT_FLOW_SESSION_CLOSE in Junos structured-data form (the 21.x parameter set), 5 % session
create, 3 % deny, 3 % APPTRACK close/volume update, 4 % APPQOE reports, violations and path
changes, and 5 % BSD lines (RT_FLOW close text form, SNMP link traps, IDP attack text). Then it
times ``SyslogParser.parse_batch`` over the lines in batches of ``--batch`` (the listener's
largest batch), Arrow tables included, pinned to one CPU (``--cpu``) with one Arrow thread;
repeats and prints the median lines/s by wall clock, and also per CPU-second of this process
(the figure to trust when other work shares the CPU; on an idle machine the two agree).
Like the collector, it first lets malloc keep freed memory (``collectors.syslog.allocator``;
``--default-malloc`` to compare).
With ``--lake``, it then also writes one pass's tables through the lake writer (Parquet into a
temporary folder) and prints the writer's CPU per line and the bytes written.
Run: ``.venv/bin/python benchmarks/syslog_parse.py [--lake]``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from collectors.syslog.allocator import keep_freed_memory
from collectors.syslog.model import Line
from collectors.syslog.parse import SyslogParser

APPS = [
    ("SSL", "GOOGLE"),
    ("HTTP", "YOUTUBE"),
    ("SSL", "MS-TEAMS"),
    ("DNS", "UNKNOWN"),
    ("SSL", "OFFICE365"),
    ("UNKNOWN", "UNKNOWN"),
    ("SSL", "ZOOM"),
    ("HTTP", "UNKNOWN"),
]
SERVICES = {"SSL": ("junos-https", 443, 6), "HTTP": ("junos-http", 80, 6),
            "DNS": ("junos-dns-udp", 53, 17), "UNKNOWN": ("None", 8443, 6)}  # fmt: skip
REASONS = ["TCP FIN", "TCP RST", "idle Timeout", "TCP CLIENT RST", "TCP SERVER RST", "unset"]
ZONES = [("trust", "untrust"), ("guest", "untrust"), ("trust", "vpn")]


class Mix:
    """Seeded generator of the benchmark's lines."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.devices = [
            (f"srx-branch-{i:02d}", f"192.0.2.{10 + i}", "+01:00" if i % 3 else "Z")
            for i in range(20)
        ]
        self.clock = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
        self.session = 100_000

    def _ip(self, inside: bool) -> str:
        r = self.rng
        if inside:
            return f"10.{r.randrange(1, 40)}.{r.randrange(0, 4)}.{r.randrange(2, 250)}"
        return f"{r.randrange(1, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def _ts(self, zone: str) -> str:
        self.clock += timedelta(microseconds=self.rng.randrange(0, 4000))
        local = self.clock + (timedelta(hours=1) if zone != "Z" else timedelta())
        return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + zone

    def _flow(self) -> dict[str, str]:
        r = self.rng
        app, nested = r.choice(APPS)
        service, port, proto = SERVICES[app]
        src, dst = self._ip(True), self._ip(False)
        szone, dzone = r.choice(ZONES)
        self.session += 1
        return {
            "source-address": src,
            "source-port": str(r.randrange(1024, 65535)),
            "destination-address": dst,
            "destination-port": str(port),
            "service-name": service,
            "nat-source-address": f"100.64.{r.randrange(4)}.{r.randrange(1, 250)}",
            "nat-source-port": str(r.randrange(1024, 65535)),
            "protocol-id": str(proto),
            "policy-name": f"{szone}-to-{dzone}",
            "source-zone-name": szone,
            "destination-zone-name": dzone,
            "session-id-32": str(self.session),
            "application": app,
            "nested-application": nested,
            "packet-incoming-interface": f"ge-0/0/{r.randrange(1, 4)}.0",
        }

    def close(self, tag: str = "RT_FLOW_SESSION_CLOSE") -> str:
        r = self.rng
        host, _, zone = r.choice(self.devices)
        f = self._flow()
        params = [
            ("reason", r.choice(REASONS)),
            ("source-address", f["source-address"]),
            ("source-port", f["source-port"]),
            ("destination-address", f["destination-address"]),
            ("destination-port", f["destination-port"]),
            ("connection-tag", "0"),
            ("service-name", f["service-name"]),
            ("nat-source-address", f["nat-source-address"]),
            ("nat-source-port", f["nat-source-port"]),
            ("nat-destination-address", f["destination-address"]),
            ("nat-destination-port", f["destination-port"]),
            ("nat-connection-tag", "0"),
            ("src-nat-rule-type", "source rule"),
            ("src-nat-rule-name", "snat-internet"),
            ("dst-nat-rule-type", "N/A"),
            ("dst-nat-rule-name", "N/A"),
            ("protocol-id", f["protocol-id"]),
            ("policy-name", f["policy-name"]),
            ("source-zone-name", f["source-zone-name"]),
            ("destination-zone-name", f["destination-zone-name"]),
            ("session-id-32", f["session-id-32"]),
            ("packets-from-client", str(r.randrange(1, 5000))),
            ("bytes-from-client", str(r.randrange(40, 5_000_000))),
            ("packets-from-server", str(r.randrange(0, 9000))),
            ("bytes-from-server", str(r.randrange(0, 90_000_000))),
            ("elapsed-time", str(r.randrange(0, 3600))),
            ("application", f["application"]),
            ("nested-application", f["nested-application"]),
            ("username", "N/A"),
            ("roles", "N/A"),
            ("packet-incoming-interface", f["packet-incoming-interface"]),
            ("encrypted", "No"),
            ("application-category", "Web"),
            ("application-sub-category", "N/A"),
            ("application-risk", str(r.randrange(1, 5))),
            ("application-characteristics", "Can Leak Information;Supports File Transfer;"),
            ("secure-web-proxy-session-type", "NA"),
            ("peer-session-id", "0"),
            ("peer-source-address", "0.0.0.0"),
            ("peer-source-port", "0"),
            ("peer-destination-address", "0.0.0.0"),
            ("peer-destination-port", "0"),
            ("hostname", "NA NA"),
            ("src-vrf-grp", "N/A"),
            ("dst-vrf-grp", "N/A"),
            ("tunnel-inspection", "Off"),
            ("tunnel-inspection-policy-set", "root"),
            ("session-flag", "0"),
            ("source-identity-type", "N/A"),
        ]
        return self._structured(host, zone, tag, params)

    def create(self) -> str:
        host, _, zone = self.rng.choice(self.devices)
        f = self._flow()
        keys = ["source-address", "source-port", "destination-address", "destination-port",
                "service-name", "nat-source-address", "nat-source-port", "protocol-id",
                "policy-name", "source-zone-name", "destination-zone-name", "session-id-32",
                "packet-incoming-interface", "application", "nested-application"]  # fmt: skip
        params = [(k, f[k]) for k in keys] + [("username", "N/A"), ("roles", "N/A")]
        return self._structured(host, zone, "RT_FLOW_SESSION_CREATE", params)

    def deny(self) -> str:
        host, _, zone = self.rng.choice(self.devices)
        f = self._flow()
        keys = ["source-address", "source-port", "destination-address", "destination-port",
                "service-name", "protocol-id", "policy-name", "source-zone-name",
                "destination-zone-name", "application", "nested-application",
                "packet-incoming-interface"]  # fmt: skip
        params = [(k, f[k]) for k in keys] + [
            ("icmp-type", "0"),
            ("username", "N/A"),
            ("roles", "N/A"),
            ("encrypted", "No"),
            ("reason", "Denied by policy"),
            ("session-id-32", f["session-id-32"]),
        ]
        return self._structured(host, zone, "RT_FLOW_SESSION_DENY", params)

    def apptrack(self) -> str:
        tag = self.rng.choice(["APPTRACK_SESSION_CLOSE", "APPTRACK_SESSION_VOL_UPDATE"])
        line = self.close(tag)
        return line

    def appqoe(self) -> str:
        r = self.rng
        host, _, zone = r.choice(self.devices)
        tag = r.choice(
            ["APPQOE_PASSIVE_SLA_METRIC_REPORT"] * 4
            + ["APPQOE_ACTIVE_SLA_METRIC_REPORT"] * 4
            + ["APPQOE_SLA_METRIC_VIOLATION", "APPQOE_BEST_PATH_SELECTED"]
        )
        params = [
            ("source-address", self._ip(True)),
            ("source-port", str(r.randrange(1024, 65535))),
            ("destination-address", self._ip(False)),
            ("destination-port", "443"),
            ("application", r.choice(APPS)[1]),
            ("protocol-id", "17"),
            ("destination-zone-name", "untrust"),
            ("routing-instance", "appqoe-vrf"),
            ("destination-interface-name", f"gr-0/0/0.{r.randrange(3)}"),
            ("ip-dscp", "46"),
            ("ingress-jitter", str(r.randrange(50, 3000))),
            ("egress-jitter", str(r.randrange(50, 3000))),
            ("rtt-jitter", str(r.randrange(50, 9000))),
            ("rtt", str(r.randrange(1000, 250_000))),
            ("pkt-loss", str(r.randrange(0, 5))),
            ("bytes-from-client", str(r.randrange(1000, 900_000))),
            ("bytes-from-server", str(r.randrange(1000, 900_000))),
            ("packets-from-client", str(r.randrange(10, 900))),
            ("packets-from-server", str(r.randrange(10, 900))),
            ("monitoring-time", "30"),
            ("active-probe-params", "probe1"),
            ("destination-group-name", f"hub{r.randrange(2)}"),
        ]
        if tag == "APPQOE_SLA_METRIC_VIOLATION":
            params += [("target-rtt", "150000"), ("rtt-violation-count", "3")]
        return self._structured(host, zone, tag, params)

    def bsd(self) -> str:
        r = self.rng
        host, _, _ = r.choice(self.devices)
        self.clock += timedelta(microseconds=r.randrange(0, 4000))
        stamp = self.clock.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1)
        kind = r.random()
        if kind < 0.6:
            f = self._flow()
            text = (
                f"RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed {r.choice(REASONS)}: "
                f"{f['source-address']}/{f['source-port']}->{f['destination-address']}/"
                f"{f['destination-port']} 0x0 {f['service-name']} {f['nat-source-address']}/"
                f"{f['nat-source-port']}->{f['destination-address']}/{f['destination-port']} 0x0 "
                f"source rule snat-internet N/A N/A {f['protocol-id']} {f['policy-name']} "
                f"{f['source-zone-name']} {f['destination-zone-name']} {f['session-id-32']} "
                f"{r.randrange(1, 99)}({r.randrange(40, 99999)}) {r.randrange(1, 99)}"
                f"({r.randrange(40, 99999)}) {r.randrange(0, 600)} {f['application']} "
                f"{f['nested-application']} N/A(N/A) {f['packet-incoming-interface']} No "
                "Web N/A 3 N/A NA 0 0.0.0.0/0->0.0.0.0/0 NA NA N/A N/A Off root"
            )
        elif kind < 0.8:
            state = r.choice(["up", "down"])
            text = (
                f"mib2d[1344]: SNMP_TRAP_LINK_{state.upper()}: ifIndex {r.randrange(500, 560)}, "
                f"ifAdminStatus up(1), ifOperStatus {state}({1 if state == 'up' else 2}), "
                f"ifName ge-0/0/{r.randrange(0, 8)}"
            )
        else:
            text = (
                f"RT_IDP: IDP_ATTACK_LOG_EVENT: IDP: at {int(self.clock.timestamp())}, SIG Attack "
                f"log <{self._ip(False)}/{r.randrange(1024, 65535)}->{self._ip(True)}/80> for TCP "
                "protocol and service SERVICE_IDP application HTTP by rule 3 of rulebase IPS in "
                "policy Recommended. attack: id=19519, repeat=0, action=DROP, "
                "threat-severity=HIGH, name=HTTP:INVALID:MSNG-HTTP-VER, NAT <0.0.0.0:0->0.0.0.0:0>"
            )
        return f"<14>{stamp} {host} {text}"

    def _structured(self, host: str, zone: str, tag: str, params: list[tuple[str, str]]) -> str:
        sd = " ".join(f'{k}="{v}"' for k, v in params)
        return f"<14>1 {self._ts(zone)} {host} RT_FLOW - {tag} [junos@2636.1.1.1.2.129 {sd}]"

    def line(self) -> str:
        x = self.rng.random()
        if x < 0.80:
            return self.close()
        if x < 0.85:
            return self.create()
        if x < 0.88:
            return self.deny()
        if x < 0.91:
            return self.apptrack()
        if x < 0.95:
            return self.appqoe()
        return self.bsd()


def build_lines(count: int, seed: int) -> list[Line]:
    mix = Mix(seed)
    senders = {host: ip for host, ip, _ in mix.devices}
    out = []
    received = 1_709_287_200_000_000
    for _ in range(count):
        text = mix.line()
        host = text.split(" ", 3)[2] if text.startswith("<14>1 ") else text.split()[3]
        received += 7
        out.append(Line(text.encode(), senders.get(host, "192.0.2.99"), received, "udp"))
    return out


def run_once(parser: SyslogParser, lines: list[Line], batch: int) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, syslog_events rows, sessions rows) of one pass."""
    events = sessions = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(lines), batch):
        result = parser.parse_batch(lines[i : i + batch])
        events += result.tables["syslog_events"].num_rows
        table = result.tables.get("sessions")
        sessions += table.num_rows if table is not None else 0
    return time.perf_counter() - t0, time.process_time() - c0, events, sessions


def write_lake(parser: SyslogParser, lines: list[Line], batch: int) -> tuple[float, int]:
    """(writer CPU seconds, Parquet bytes) of writing one pass's tables to a fresh lake."""
    from assurance.lake.writer import LakeWriter

    results = [parser.parse_batch(lines[i : i + batch]) for i in range(0, len(lines), batch)]
    folder = Path(tempfile.mkdtemp(prefix="syslog-parse-lake-"))
    try:
        writer = LakeWriter(str(folder))
        c0 = time.process_time()
        for result in results:
            for name, table in result.tables.items():
                writer.write(name, table)
        writer.close()
        cpu = time.process_time() - c0
        return cpu, sum(f.stat().st_size for f in folder.rglob("*.parquet"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=8192, help="lines per parse_batch")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--slow", action="store_true", help="per-line path only (for contrast)")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: first)")
    parser.add_argument("--lake", action="store_true", help="also time the lake writer")
    parser.add_argument(
        "--default-malloc",
        action="store_true",
        help="leave glibc malloc's defaults (the collector raises its thresholds)",
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[0] if args.cpu is None else args.cpu
        os.sched_setaffinity(0, {cpu})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    if not args.default_malloc:
        keep_freed_memory()  # as `wanassure collect syslog` and its decoder processes do
    lines = build_lines(args.lines, args.seed)
    syslog = SyslogParser(fast=not args.slow)
    run_once(syslog, lines[: args.batch], args.batch)  # warm up caches and imports
    rates, cpu_rates = [], []
    for _ in range(args.repeats):
        elapsed, cpu, events, sessions = run_once(syslog, lines, args.batch)
        if events != len(lines):
            raise SystemExit(f"parse mismatch: {events} syslog_events rows for {len(lines)} lines")
        rates.append(events / elapsed)
        cpu_rates.append(events / cpu)
        print(
            f"{events} lines in {elapsed:.3f} s ({cpu:.3f} s CPU): {events / elapsed:,.0f} "
            f"lines/s, {events / cpu:,.0f} lines/CPU-s ({sessions} sessions)"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"median: {statistics.median(rates):,.0f} lines/s, "
        f"{statistics.median(cpu_rates):,.0f} lines per CPU-second "
        f"({args.lines} lines, batch {args.batch}, {'per-line' if args.slow else 'batch'} path, "
        f"load average {load:.2f})"
    )
    if args.lake:
        cpus = [write_lake(syslog, lines, args.batch) for _ in range(3)]
        cpu_s, size = min(cpus)
        print(
            f"lake writer: {cpu_s * 1e6 / len(lines):.2f} µs CPU per line (best of 3), "
            f"{size / 1e6:.1f} MB of Parquet"
        )


if __name__ == "__main__":
    main()
