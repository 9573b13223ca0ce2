"""How many SRX-like devices the SNMP poller covers in a 60 s interval on one core.

The devices are simulated by a separate responder process (pinned to another core when there
is one): a minimal SNMPv2c agent written here with a hand-rolled BER codec, serving each
"device" on its own UDP port of 127.0.0.1. It answers GET, GETNEXT and GETBULK from one fixed,
pre-encoded MIB view per device: 20 interfaces (ifTable, ifXTable, dot3StatsFCSErrors), six
jnxOperatingTable entries, one SPU, two RPM tests (summary for 4 collections, calculated
results, pingCtlTarget), two IKE and two IPsec SAs, sysUpTime. Values are constant (rates come
out 0; the decoding work is the same). It is *not* a full agent: no v3, no SET, no access
control, no message-size limits beyond 64 KB; it exists so the poller, not the agent, is the
bottleneck. The poller is the real one (v2c requests through ``collectors.snmp.v2c``) writing
to a real Parquet lake in a temporary folder, pinned to one core.

Two measurements:

* burst: every device polled at once (no staggering); the wall time of the whole cycle and the
  poller's CPU time per cycle. A cycle that takes less than the interval fits.
* steady: the real scheduler (devices spread over the interval) for ``--cycles`` intervals;
  missed intervals are counted exactly as in production.

    .venv/bin/python benchmarks/snmp_poll.py --devices 1000 --burst-cycles 2 --cycles 3
    .venv/bin/python benchmarks/snmp_poll.py --devices 200 --burst-only

The poller process runs with the garbage-collector settings ``wanassure collect snmp`` uses
(``gc.freeze()``, generation-0 threshold 50,000; ``--gc-threshold 0`` for Python's defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import logging
import os
import resource
import selectors
import shutil
import socket
import tempfile
import time
from multiprocessing import Event, Pipe, Process
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from typing import Any

COMMUNITY = "bench-ro"
INTERFACES = 20

# -- a minimal BER codec (SNMPv2c only) --------------------------------------------------------


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _length(len(value)) + value


def _uint(tag: int, n: int) -> bytes:
    raw = n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big")  # leading 0 keeps it positive
    return tlv(tag, raw)


def integer(n: int) -> bytes:
    return tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True))


def oid_bytes(oid: tuple[int, ...]) -> bytes:
    out = bytearray([40 * oid[0] + oid[1]])
    for arc in oid[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def decode_oid(raw: bytes) -> tuple[int, ...]:
    arcs = [raw[0] // 40, raw[0] % 40]
    value = 0
    for b in raw[1:]:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(value)
            value = 0
    return tuple(arcs)


def read(buf: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the TLV at ``pos``."""
    tag, first = buf[pos], buf[pos + 1]
    pos += 2
    if first & 0x80:
        count = first & 0x7F
        length = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    else:
        length = first
    return tag, pos, pos + length


def varbind(oid: tuple[int, ...], value: bytes) -> bytes:
    return tlv(0x30, tlv(0x06, oid_bytes(oid)) + value)


END_OF_MIB = bytes([0x82, 0x00])
NO_SUCH_INSTANCE = bytes([0x81, 0x00])

# -- the simulated device ----------------------------------------------------------------------


def o(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def text_index(*words: str) -> tuple[int, ...]:
    out: list[int] = []
    for w in words:
        out += [len(w), *w.encode()]
    return tuple(out)


def device_mib() -> dict[tuple[int, ...], bytes]:
    """OID → encoded value of one SRX-like device."""
    v: dict[tuple[int, ...], bytes] = {o("1.3.6.1.2.1.1.3.0"): _uint(0x43, 8_640_000)}
    for i in range(INTERFACES):
        x = 501 + i
        name = f"ge-0/0/{i}".encode()
        for col, value in (
            (2, tlv(0x04, name)),
            (5, _uint(0x42, 1_000_000_000)),
            (7, integer(1)),
            (8, integer(1 if i % 5 else 2)),
            (13, _uint(0x41, 17 * i)),
            (14, _uint(0x41, 3 * i)),
            (19, _uint(0x41, 11 * i)),
            (20, _uint(0x41, 0)),
        ):
            v[(*o("1.3.6.1.2.1.2.2.1"), col, x)] = value
        for col, value in (
            (1, tlv(0x04, name)),
            (6, _uint(0x46, 9_876_543_210_000 + i)),
            (7, _uint(0x46, 8_765_432_100 + i)),
            (8, _uint(0x46, 1_234_567 + i)),
            (9, _uint(0x46, 234_567 + i)),
            (10, _uint(0x46, 5_432_109_870_000 + i)),
            (11, _uint(0x46, 6_543_210_987 + i)),
            (12, _uint(0x46, 345_678 + i)),
            (13, _uint(0x46, 45_678 + i)),
            (15, _uint(0x42, 1000)),
        ):
            v[(*o("1.3.6.1.2.1.31.1.1.1"), col, x)] = value
        v[(*o("1.3.6.1.2.1.10.7.2.1.3"), x)] = _uint(0x41, i)
    for n, (index, descr) in enumerate(
        (
            ((9, 1, 0, 0), "Routing Engine"),
            ((7, 1, 0, 0), "FPC: SRX345 @ 0/*/*"),
            ((8, 1, 1, 0), "PIC: 8x GE Base PIC @ 0/0/*"),
            ((2, 1, 0, 0), "Power Supply 0"),
            ((4, 1, 1, 0), "Fan 1"),
            ((4, 1, 2, 0), "Fan 2"),
        )
    ):
        entry = o("1.3.6.1.4.1.2636.3.1.13.1")
        v[(*entry, 5, *index)] = tlv(0x04, descr.encode())
        v[(*entry, 6, *index)] = integer(2)
        v[(*entry, 7, *index)] = _uint(0x42, 40 + n)
        v[(*entry, 8, *index)] = _uint(0x42, 10 + n)
        v[(*entry, 11, *index)] = _uint(0x42, 30 + n)
        v[(*entry, 13, *index)] = _uint(0x43, 8_600_000)
    spu = o("1.3.6.1.4.1.2636.3.39.1.12.1.1.1")
    for col, value in (
        (2, _uint(0x42, 0)),
        (3, _uint(0x42, 0)),
        (4, _uint(0x42, 31)),
        (5, _uint(0x42, 62)),
        (6, _uint(0x42, 15_234)),
        (7, _uint(0x42, 262_144)),
        (11, tlv(0x04, b"single")),
    ):
        v[(*spu, col, 0)] = value
    date = tlv(0x04, bytes([0x07, 0xEA, 5, 28, 20, 26, 40, 0, 0x2B, 0, 0]))
    for test in ("isp1-probe", "isp2-probe"):
        test_index = text_index("sdwan", test)
        for collection in (1, 2, 3, 4):
            summary = o("1.3.6.1.4.1.2636.3.50.1.2.1")
            v[(*summary, 2, *test_index, collection)] = _uint(0x42, 10)
            v[(*summary, 3, *test_index, collection)] = _uint(0x42, 9)
            v[(*summary, 4, *test_index, collection)] = _uint(0x42, 10_000_000)
            v[(*summary, 5, *test_index, collection)] = date
            for set_ in (1, 2):
                for col in range(2, 8):
                    calc = o("1.3.6.1.4.1.2636.3.50.1.3.1")
                    v[(*calc, col, *test_index, collection, set_)] = _uint(0x42, 1000 * col + set_)
        v[(*o("1.3.6.1.2.1.80.1.2.1.3"), *test_index)] = integer(1)
        v[(*o("1.3.6.1.2.1.80.1.2.1.4"), *test_index)] = tlv(0x04, bytes([10, 0, 0, 1]))
    for n in (1, 2):
        row = (1, 4, 192, 0, 2, n, n)
        ike = o("1.3.6.1.4.1.2636.3.52.1.1.2.1")
        v[(*ike, 4, *row)] = tlv(0x04, bytes([198, 51, 100, 1]))
        v[(*ike, 6, *row)] = integer(1)
        v[(*ike, 14, *row)] = tlv(0x04, f"hub{n}.example.net".encode())
        v[(*ike, 21, *row)] = _uint(0x43, 360_000)
        ipsec = o("1.3.6.1.4.1.2636.3.52.1.2.2.1")
        for col in (10, 11, 12, 13):
            v[(*ipsec, col, *row)] = _uint(0x46, 1_000_000 * col + n)
    return v


class View:
    """A device's MIB as sorted OIDs with their pre-encoded varbinds."""

    def __init__(self, values: dict[tuple[int, ...], bytes]) -> None:
        self.oids = sorted(values)
        self.varbinds = [varbind(k, values[k]) for k in self.oids]
        self.exact = {k: vb for k, vb in zip(self.oids, self.varbinds, strict=True)}

    def next(self, oid: tuple[int, ...]) -> tuple[tuple[int, ...], bytes]:
        i = bisect.bisect_right(self.oids, oid)
        if i == len(self.oids):
            return oid, varbind(oid, END_OF_MIB)
        return self.oids[i], self.varbinds[i]

    def get(self, oid: tuple[int, ...]) -> bytes:
        return self.exact.get(oid) or varbind(oid, NO_SUCH_INSTANCE)


def respond(view: View, request: bytes) -> bytes | None:
    """The GetResponse to a v2c GET/GETNEXT/GETBULK, or None for anything else."""
    _, pos, _end = read(request, 0)
    _, _, vend = read(request, pos)
    version = request[pos:vend]
    _, _, cend = read(request, vend)
    community = request[vend:cend]
    tag, pstart, _pend = read(request, cend)
    _, _, rend = read(request, pstart)
    request_id = request[pstart:rend]
    _, nstart, nend = read(request, rend)
    first = int.from_bytes(request[nstart:nend], "big")
    _, mstart, mend = read(request, nend)
    second = int.from_bytes(request[mstart:mend], "big")
    _, lstart, lend = read(request, mend)
    names = []
    pos = lstart
    while pos < lend:
        _, bstart, bend = read(request, pos)
        _, ostart, oend = read(request, bstart)
        names.append(decode_oid(request[ostart:oend]))
        pos = bend
    out: list[bytes] = []
    if tag == 0xA0:  # GET
        out = [view.get(name) for name in names]
    elif tag == 0xA1:  # GETNEXT
        out = [view.next(name)[1] for name in names]
    elif tag == 0xA5:  # GETBULK: first = non-repeaters, second = max-repetitions
        non_repeaters = min(first, len(names))
        out = [view.next(name)[1] for name in names[:non_repeaters]]
        current = names[non_repeaters:]
        size = 0
        for _ in range(second):
            if not current or size > 60_000:
                break
            following = []
            for name in current:
                nxt, vb = view.next(name)
                out.append(vb)
                size += len(vb)
                following.append(nxt)
            current = following
    else:
        return None
    pdu = request_id + integer(0) + integer(0) + tlv(0x30, b"".join(out))
    return tlv(0x30, version + community + tlv(0xA2, pdu))


def responder(devices: int, ports_out: Connection, stop: EventType, core: int | None) -> None:
    if core is not None:
        os.sched_setaffinity(0, {core})
    view = View(device_mib())
    selector = selectors.DefaultSelector()
    ports = []
    for _ in range(devices):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        ports.append(sock.getsockname()[1])
    ports_out.send(ports)
    answered = 0
    while not stop.is_set():
        for key, _ in selector.select(0.2):
            ready = key.fileobj
            assert isinstance(ready, socket.socket)
            while True:
                try:
                    request, address = ready.recvfrom(65535)
                except BlockingIOError:
                    break
                reply = respond(view, request)
                if reply is not None:
                    ready.sendto(reply, address)
                    answered += 1
    ports_out.send(answered)


# -- the poller side ---------------------------------------------------------------------------


class NullSink:
    def write(self, table: str, batch: Any) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


def total(counter: Any) -> float:
    return float(
        sum(s.value for f in counter.collect() for s in f.samples if s.name.endswith("_total"))
    )


def poll_seconds(poller: Any) -> tuple[float, float]:
    """(sum, count) of the poll-duration histogram."""
    samples = poller.metrics.poll_seconds.collect()[0].samples
    total_s = next(s.value for s in samples if s.name.endswith("_sum"))
    count = next(s.value for s in samples if s.name.endswith("_count"))
    return total_s, count


async def run(args: argparse.Namespace, ports: list[int]) -> None:
    from assurance.lake import LakeWriter
    from collectors.snmp.client import V2c
    from collectors.snmp.poller import SnmpPoller, Target

    lake_dir = tempfile.mkdtemp(prefix="snmp-bench-lake-")
    sink: Any = NullSink() if args.null_sink else LakeWriter(lake_dir)
    if not args.null_sink:
        sink.start_background_flush()
    targets = [
        Target(
            "127.0.0.1",
            V2c(COMMUNITY),
            port=port,
            interval_s=args.interval,
            timeout_s=args.timeout,
            retries=1,
            device=f"sim-{n:04d}",
            site=f"site-{n // 4:04d}",
        )
        for n, port in enumerate(ports)
    ]
    if args.gc_threshold:
        gc.freeze()  # the long-lived objects (pysnmp MIBs, caches) are never collected
        gc.set_threshold(args.gc_threshold, 50, 100)
    poller = SnmpPoller(sink, targets, max_concurrent=args.concurrency)
    print(f"burst cycles: {len(targets)} devices polled at once ({args.concurrency} at a time)")
    for cycle in range(args.burst_cycles):
        wall, cpu = time.perf_counter(), time.process_time()
        reports = await asyncio.gather(*(poller.poll(t) for t in targets))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        failed = sum(r.result != "ok" for r in reports)
        varbinds = sum(r.varbinds for r in reports) / len(reports)
        requests = sum(r.requests for r in reports) / len(reports)
        rows = sum(sum(r.rows.values()) for r in reports)
        label = "warm-up (opens sessions)" if cycle == 0 else "steady state"
        print(
            f"  cycle {cycle + 1} [{label}]: {wall:6.2f} s wall, {cpu:6.2f} s CPU "
            f"({1000 * cpu / len(targets):.1f} ms CPU/device), failed {failed}, "
            f"{requests:.1f} requests and {varbinds:.0f} varbinds per device, {rows:,} rows"
        )
    if not args.burst_only:
        print(
            f"steady: scheduler with {args.interval:g} s interval, devices spread over it, "
            f"{args.cycles} cycles"
        )
        before_missed = total(poller.metrics.missed_intervals)
        before_polls = total(poller.metrics.polls)
        before_sum, before_count = poll_seconds(poller)
        wall, cpu = time.perf_counter(), time.process_time()
        await poller.start()
        await asyncio.sleep(args.interval * args.cycles)
        await poller.stop()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        polls = total(poller.metrics.polls) - before_polls
        missed = total(poller.metrics.missed_intervals) - before_missed
        poll_sum, poll_count = poll_seconds(poller)
        poll_sum, poll_count = poll_sum - before_sum, max(1.0, poll_count - before_count)
        print(
            f"  {polls:,.0f} polls completed of {len(targets) * args.cycles:,} due "
            f"(devices × cycles), missed intervals {missed:,.0f}, "
            f"mean poll {poll_sum / poll_count:.2f} s wall; "
            f"poller CPU {cpu:.1f} s in {wall:.1f} s = {100 * cpu / wall:.0f} % of one core"
        )
    if not args.null_sink:
        sink.close()
        print(f"lake: {sink.stats.rows:,} rows in {sink.stats.files} files ({lake_dir})")
    if not args.keep_lake:
        shutil.rmtree(lake_dir, ignore_errors=True)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("collectors.snmp.poller").setLevel(logging.ERROR)  # one line per device
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--cycles", type=int, default=2, help="steady-state intervals to run")
    parser.add_argument("--burst-cycles", type=int, default=3)
    parser.add_argument("--burst-only", action="store_true")
    parser.add_argument("--concurrency", type=int, default=128, help="devices in flight")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--null-sink", action="store_true", help="do not write a lake")
    parser.add_argument(
        "--gc-threshold",
        type=int,
        default=50_000,
        help="gc.freeze() and this generation-0 threshold, as `collect snmp` does (0: defaults)",
    )
    parser.add_argument("--keep-lake", action="store_true", help="keep the lake folder")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.devices + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.devices + 1024), hard))
    cores = sorted(os.sched_getaffinity(0))
    poller_core = cores[0]
    responder_core = cores[1] if len(cores) > 1 else None
    parent, child = Pipe()
    stop = Event()
    agent = Process(target=responder, args=(args.devices, child, stop, responder_core))
    agent.start()
    ports = parent.recv()
    os.sched_setaffinity(0, {poller_core})
    print(
        f"{args.devices} simulated devices × {INTERFACES} interfaces on 127.0.0.1 "
        f"(responder on core {responder_core}, poller on core {poller_core}; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})"
    )
    try:
        asyncio.run(run(args, ports))
    finally:
        stop.set()
        answered = parent.recv()
        agent.join(5)
        print(f"responder answered {answered:,} requests")


if __name__ == "__main__":
    main()
