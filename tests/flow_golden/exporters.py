"""Run real, independent flow exporters on a capture and catch what they send on loopback UDP.

This module owns the subprocess plumbing for the flow golden cases: ``softflowd`` and pmacct's
``pmacctd`` (``nfprobe`` plugin) read a pcap and export NetFlow v9 or IPFIX to a ``UdpReceiver``
bound on 127.0.0.1; ``datagrams_pcap`` stores what arrived as a classic pcap (source = the
exporter on 127.0.0.1, destination port 2055); ``nfdump_records`` replays datagrams to a real
``nfcapd`` and returns ``nfdump -o json``'s view, the independent decoder the goldens are checked
against. Every file it writes goes into a caller-given work directory; every child it starts is
waited for or stopped by its own pid.

It must not import the flow decoder (``collectors.flow``): the goldens exist to test it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from collectors.pcap import PcapWriter
from tests.flow_golden.traffic import TruthFlow, ground_truth

COLLECTOR_PORT = 2055  # destination port recorded in the golden pcaps (the IANA NetFlow port)


class ExporterError(RuntimeError):
    """An exporter or nfdump tool did not behave (exit status, nothing exported, timeout)."""


@dataclass(frozen=True)
class Received:
    """One datagram as it arrived: receive time (µs UTC), sender address and port, payload."""

    ts_us: int
    src_ip: str
    src_port: int
    payload: bytes


class UdpReceiver:
    """A loopback UDP socket that records every datagram in a background thread."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.port: int = self._sock.getsockname()[1]
        self.datagrams: list[Received] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> UdpReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                payload, (host, port) = self._sock.recvfrom(65535)
            except TimeoutError:
                continue
            self.datagrams.append(Received(time.time_ns() // 1000, host, port, payload))

    def settle(self, quiet_s: float = 0.3, timeout_s: float = 5.0) -> list[Received]:
        """Wait until nothing new has arrived for ``quiet_s``; return what arrived so far."""
        deadline = time.monotonic() + timeout_s
        seen, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = len(self.datagrams)
            if count != seen:
                seen, last_change = count, time.monotonic()
            elif time.monotonic() - last_change >= quiet_s:
                break
            time.sleep(0.02)
        return list(self.datagrams)


def require(tool: str) -> str:
    """The absolute path of ``tool`` (looked up in PATH plus the sbin directories)."""
    path = shutil.which(tool, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
    if path is None:
        raise ExporterError(f"{tool} is not installed (see scripts/install-system-deps.sh)")
    return path


def tool_version(tool: str) -> str:
    """The installed Debian package version of the package that ships ``tool``, or ``unknown``."""
    package = {"softflowd": "softflowd", "pmacctd": "pmacct", "nfcapd": "nfdump"}.get(tool, tool)
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def softflowd_command(pcap: Path, port: int, version: int, workdir: Path) -> list[str]:
    """softflowd reading ``pcap`` and exporting NetFlow ``version`` (9, or 10 = IPFIX).

    ``-d`` stays in the foreground, ``-T full`` tracks 5-tuples, ``-a`` takes "now" from the
    capture (else sysUpTime-relative times would be computed against the wall clock and come out
    negative); ``-c none`` disables the control socket: with ``-r`` softflowd 1.1.0 may call a
    blocking ``accept()`` on it (its poll result is stale when reading a file) and hang forever.
    The pid file goes into ``workdir``. softflowd exits at the end of the file after expiring
    (flushing) every flow; reading a file, it never expires flows on time.
    """
    return [
        require("softflowd"), "-d", "-r", str(pcap), "-n", f"127.0.0.1:{port}",
        "-v", str(version), "-T", "full", "-a",
        "-p", str(workdir / "softflowd.pid"), "-c", "none",
    ]  # fmt: skip


def run_softflowd(pcap: Path, version: int, workdir: Path, timeout_s: float = 20) -> list[Received]:
    """Run softflowd on ``pcap`` and return the datagrams it exported."""
    workdir.mkdir(parents=True, exist_ok=True)
    with UdpReceiver() as receiver:
        command = softflowd_command(pcap, receiver.port, version, workdir)
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        if result.returncode != 0:
            raise ExporterError(f"softflowd exited {result.returncode}: {result.stderr[-500:]}")
        (workdir / "softflowd.log").write_text(result.stdout + result.stderr)
        datagrams = receiver.settle()
    if not datagrams:
        raise ExporterError(f"softflowd exported nothing; its output:\n{result.stdout[-800:]}")
    return datagrams


def pmacctd_config(pcap: Path, port: int, version: int) -> str:
    """pmacctd reading ``pcap`` once into the nfprobe plugin, exporting to 127.0.0.1:``port``."""
    return "\n".join(
        [
            "daemonize: false",
            f"pcap_savefile: {pcap}",
            "plugins: nfprobe",
            f"nfprobe_receiver: 127.0.0.1:{port}",
            f"nfprobe_version: {version}",
            "aggregate: src_host, dst_host, src_port, dst_port, proto, tos",
            "",
        ]
    )


def _run_in_own_group(command: list[str], timeout_s: float) -> tuple[int, str]:
    """Run ``command`` in its own process group; on timeout kill that group (the daemon and the
    plugin processes it forked), identified by the child's pid. Returns (status, output)."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ExporterError(f"{command[0]} did not exit within {timeout_s} s") from None
    return process.returncode, output


def run_pmacctd(pcap: Path, version: int, workdir: Path, timeout_s: float = 30) -> list[Received]:
    """Run pmacctd + nfprobe on ``pcap``; it exits at the end of the file after flushing."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "pmacctd.conf"
    with UdpReceiver() as receiver:
        config.write_text(pmacctd_config(pcap, receiver.port, version))
        status, output = _run_in_own_group([require("pmacctd"), "-f", str(config)], timeout_s)
        (workdir / "pmacctd.log").write_text(output)
        if status != 0:
            raise ExporterError(f"pmacctd exited {status}: {output[-500:]}")
        datagrams = receiver.settle()
    if not datagrams:
        raise ExporterError(f"pmacctd exported nothing; its log:\n{output[-800:]}")
    return datagrams


def datagrams_pcap(datagrams: Sequence[Received]) -> bytes:
    """A classic pcap of the exported datagrams: 127.0.0.1:<exporter port> → 127.0.0.1:2055."""
    writer = PcapWriter()
    for d in datagrams:
        writer.add_udp(d.ts_us, d.src_ip, d.src_port, "127.0.0.1", COLLECTOR_PORT, d.payload)
    return writer.getvalue()


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _udp_port_bound(port: int) -> bool:
    """Whether some socket is bound to UDP ``port`` on 127.0.0.1 (Linux: /proc/net/udp)."""
    table = Path("/proc/net/udp")
    if table.exists():
        wanted = f"0100007F:{port:04X}"
        return any(line.split()[1] == wanted for line in table.read_text().splitlines()[1:])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # elsewhere: try to bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
        return False


def _wait_bound(port: int, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Wait until ``process`` has bound UDP ``port`` on 127.0.0.1."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ExporterError(f"nfcapd exited early with status {process.returncode}")
        if _udp_port_bound(port):
            return
        time.sleep(0.05)
    raise ExporterError(f"nfcapd did not bind 127.0.0.1:{port}")


def nfcapd_capture(payloads: Sequence[bytes], workdir: Path) -> list[Path]:
    """Replay ``payloads`` to a fresh nfcapd on loopback; return the nfcapd files it wrote."""
    flowdir = workdir / "nfcapd"
    flowdir.mkdir(parents=True, exist_ok=True)
    port = _free_udp_port()
    log = (workdir / "nfcapd.log").open("wb")
    process = subprocess.Popen(
        [require("nfcapd"), "-b", "127.0.0.1", "-p", str(port), "-w", str(flowdir), "-t", "3600"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_bound(port, process, 5.0)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for payload in payloads:
                sender.sendto(payload, ("127.0.0.1", port))
                time.sleep(0.005)  # keep order and spare nfcapd's socket buffer
        time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)  # nfcapd flushes and closes its file on TERM
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    files = sorted(p for p in flowdir.iterdir() if p.name.startswith("nfcapd.2"))
    if not files:
        raise ExporterError(f"nfcapd wrote no file; see {workdir / 'nfcapd.log'}")
    return files


def nfdump_json(files: Sequence[Path]) -> list[dict[str, object]]:
    """``nfdump -o json`` over nfcapd ``files`` (times printed in UTC)."""
    records: list[dict[str, object]] = []
    env = {**os.environ, "TZ": "UTC"}
    for path in files:
        result = subprocess.run(
            [require("nfdump"), "-r", str(path), "-o", "json"],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise ExporterError(f"nfdump failed on {path}: {result.stderr[-500:]}")
        text = result.stdout.strip()
        records.extend(json.loads(text) if text else [])
    return [r for r in records if r.get("type") == "FLOW"]


def nfdump_lines(files: Sequence[Path]) -> str:
    """nfdump's human-readable line view (full IPv6 addresses, UTC), one flow per line."""
    fmt = "fmt:%ts %te %pr %sap -> %dap %pkt %byt"
    env = {**os.environ, "TZ": "UTC"}
    lines: list[str] = []
    for path in files:
        result = subprocess.run(
            [require("nfdump"), "-r", str(path), "-q", "-6", "-o", fmt],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise ExporterError(f"nfdump failed on {path}: {result.stderr[-500:]}")
        lines.extend(line.rstrip() for line in result.stdout.splitlines() if line.strip())
    return "\n".join(lines) + "\n"


def nfdump_records(payloads: Sequence[bytes], workdir: Path) -> tuple[list[dict[str, object]], str]:
    """nfdump's JSON records and line view of ``payloads`` replayed through nfcapd."""
    files = nfcapd_capture(payloads, workdir)
    return nfdump_json(files), nfdump_lines(files)


# Known nfdump 1.7 quirks a case's cross-check has to allow for (each checked in nfdump's source):
# - SWAPPED_UPTIME: its IPFIX translation table files flowEndSysUpTime (IE 21) as the first-seen
#   time and flowStartSysUpTime (IE 22) as the last-seen time (ipfix.c: STACK_MSECFIRST and
#   STACK_MSECLAST crossed), so such records print with first and last swapped; its v9 path
#   reads the same elements the right way round.
# - V9_ICMP_PORT: for an ICMP record without ICMP_TYPE (IE 32) its v9 path sets the destination
#   port to 0 (netflow_v9.c), dropping the type*256+code the exporter put in L4_DST_PORT; the
#   tshark cross-check covers that field instead.
SWAPPED_UPTIME = "swapped-uptime-times"
V9_ICMP_PORT = "v9-icmp-port-zeroed"


@dataclass(frozen=True)
class ExporterCase:
    """One golden case: which exporter, which export version, how to run and check it."""

    name: str
    tool: str  # "softflowd" or "pmacctd"
    version: int  # 9 or 10 (IPFIX)
    nfdump_quirks: frozenset[str] = frozenset()

    def truth(self, traffic: bytes) -> list[TruthFlow]:
        """The flows this exporter must report for ``traffic``, from the traffic's packets.

        Both exporters track flows bidirectionally: per-direction packets and bytes, the
        conversation's first and last packet times on both directions' records.
        """
        return ground_truth(traffic, conversation_times=True)

    def run(self, pcap: Path, workdir: Path) -> list[Received]:
        """Run the exporter on ``pcap``; return what it exported."""
        if self.tool == "softflowd":
            return run_softflowd(pcap, self.version, workdir)
        return run_pmacctd(pcap, self.version, workdir)

    def command(self) -> str:
        """The command line, with placeholders for the per-run paths and port."""
        if self.tool == "softflowd":
            words = softflowd_command(Path("traffic.pcap"), 0, self.version, Path("WORKDIR"))
            text = " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words))
            return text.replace("127.0.0.1:0", "127.0.0.1:PORT")
        return "pmacctd -f pmacctd.conf  # pmacctd.conf:\n" + pmacctd_config(
            Path("traffic.pcap"), 0, self.version
        ).replace("127.0.0.1:0", "127.0.0.1:PORT")


CASES: tuple[ExporterCase, ...] = (
    ExporterCase("softflowd-v9", "softflowd", 9),
    ExporterCase("softflowd-ipfix", "softflowd", 10, frozenset({SWAPPED_UPTIME})),
    ExporterCase("pmacct-v9", "pmacctd", 9, frozenset({V9_ICMP_PORT})),
    ExporterCase("pmacct-ipfix", "pmacctd", 10),
)


def nfdump_canonical(record: dict[str, object], quirks: frozenset[str]) -> dict[str, object]:
    """An ``nfdump -o json`` flow (printed with TZ=UTC) in the golden's canonical keys.

    nfdump shows ICMP type/code as ``icmp_type``/``icmp_code``; the goldens carry them the
    NetFlow v5 way, as destination port type*256+code with source port 0. ``quirks`` undoes
    what can be undone of nfdump's known quirks (see ``SWAPPED_UPTIME``).
    """
    first, last = record["first"], record["last"]
    if SWAPPED_UPTIME in quirks:
        first, last = last, first
    v6 = "src6_addr" in record
    if "icmp_type" in record:
        sport, dport = 0, int(str(record["icmp_type"])) * 256 + int(str(record["icmp_code"]))
    else:
        sport, dport = int(str(record.get("src_port", 0))), int(str(record.get("dst_port", 0)))
    return {
        "src_addr": record["src6_addr" if v6 else "src4_addr"],
        "dst_addr": record["dst6_addr" if v6 else "dst4_addr"],
        "src_port": sport,
        "dst_port": dport,
        "protocol": int(str(record["proto"])),
        "packets": int(str(record["in_packets"])),
        "bytes": int(str(record["in_bytes"])),
        "start_time": f"{first}Z",
        "end_time": f"{last}Z",
        "ip_version": 6 if v6 else 4,
    }


def nfdump_comparable(record: dict[str, object], quirks: frozenset[str]) -> dict[str, object]:
    """``record`` without the fields nfdump cannot show for this case (see ``V9_ICMP_PORT``)."""
    if V9_ICMP_PORT in quirks and record["protocol"] in (1, 58):
        return {k: v for k, v in record.items() if k != "dst_port"}
    return record


def tshark_records(pcap: Path) -> list[dict[str, object]]:
    """Flow records of a golden ``input.pcap`` as tshark's cflow dissector decodes them.

    Only what tshark shows unambiguously for every exporter: addresses, ports (ICMP type/code
    as type*256+code in ``dst_port``), protocol, packets, bytes, ip_version; no times.
    """
    result = subprocess.run(
        [require("tshark"), "-r", str(pcap), "-T", "json",
         "-d", f"udp.port=={COLLECTOR_PORT},cflow"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ExporterError(f"tshark failed on {pcap}: {result.stderr[-500:]}")
    records: list[dict[str, object]] = []
    for packet in json.loads(result.stdout):
        cflow = packet["_source"]["layers"].get("cflow", {})
        for set_name, flowset in cflow.items():
            if not isinstance(flowset, dict) or not set_name.startswith(("Set ", "FlowSet ")):
                continue
            for flow_name, flow in flowset.items():
                if flow_name.startswith("Flow ") and "cflow.protocol" in flow:
                    records.append(_tshark_canonical(flow))
    return records


def _tshark_canonical(flow: dict[str, str]) -> dict[str, object]:
    v6 = "cflow.srcaddrv6" in flow
    icmp = flow.get("cflow.icmp_type_code_ipv4", flow.get("cflow.icmp_type_code_ipv6"))
    if icmp is not None:
        sport, dport = 0, int(icmp, 16)
    else:
        sport, dport = int(flow.get("cflow.srcport", 0)), int(flow.get("cflow.dstport", 0))
    return {
        "src_addr": flow["cflow.srcaddrv6" if v6 else "cflow.srcaddr"],
        "dst_addr": flow["cflow.dstaddrv6" if v6 else "cflow.dstaddr"],
        "src_port": sport,
        "dst_port": dport,
        "protocol": int(flow["cflow.protocol"]),
        "packets": int(flow["cflow.packets"]),
        "bytes": int(flow["cflow.octets"]),
        "ip_version": 6 if v6 else 4,
    }


def without_times(record: dict[str, object]) -> dict[str, object]:
    """``record`` without its start and end times (for the tshark cross-check)."""
    return {k: v for k, v in record.items() if k not in ("start_time", "end_time")}


def _canonical_json(record: dict[str, object]) -> str:
    return json.dumps(record, sort_keys=True)


def mismatches(
    expected: Sequence[dict[str, object]], seen: Sequence[dict[str, object]]
) -> list[str]:
    """Differences between two record multisets, order ignored; empty when they agree."""
    want = Counter(map(_canonical_json, expected))
    got = Counter(map(_canonical_json, seen))
    if want == got:
        return []
    return (
        [f"expected {sum(want.values())} records, got {sum(got.values())}"]
        + [f"missing: {r}" for r in sorted((want - got).elements())]
        + [f"unexpected: {r}" for r in sorted((got - want).elements())]
    )
