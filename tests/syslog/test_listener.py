"""The syslog collector over real loopback sockets: UDP, TCP (both framings), TLS, timeouts,
backpressure, parser failures and shutdown; its command line and ``wanassure parse syslog``.

A stand-in parser that follows the ``collectors.syslog.model`` contract (one ``syslog_events``
row per line, raw text only; lines starting with ``BAD`` rejected) keeps these tests about
receiving; ``test_e2e_rsyslog`` runs the real parser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from assurance.cli import syslog_parse
from assurance.cli.collect import listen_address
from assurance.cli.syslog_parse import parse_syslog_command
from assurance.lake import LakeWriter, connect
from collectors.origin import Reject
from collectors.syslog.listener import LineQueue, SyslogCollector
from collectors.syslog.model import Line, ParsedBatch, SyslogError
from collectors.tables import SYSLOG_EVENTS

LOOP = "127.0.0.1"


class RawParser:
    """Contract-shaped stand-in: every line becomes a ``syslog_events`` row with raw text."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.batches = 0

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch:
        if self.gate is not None:
            self.gate.wait()
        self.batches += 1
        n = len(lines)
        received = pa.array([li.received_us for li in lines], pa.int64()).cast(
            pa.timestamp("us", tz="UTC")
        )
        columns = {f.name: pa.nulls(n, f.type) for f in SYSLOG_EVENTS.schema}
        columns |= {
            "event_time": received,
            "received_at": received,
            "exporter": pa.array([li.sender for li in lines], pa.string()),
            "transport": pa.array([li.transport for li in lines], pa.string()),
            "raw": pa.array([li.raw.decode("utf-8", "replace") for li in lines], pa.string()),
        }
        rejects = [
            Reject(li.received_us, li.sender, "syslog", SyslogError("not syslog"), li.raw)
            for li in lines
            if li.raw.startswith(b"BAD")
        ]
        table = pa.table(columns, schema=SYSLOG_EVENTS.schema)
        return ParsedBatch(tables={"syslog_events": table}, rejects=rejects)


class MemorySink:
    def __init__(self) -> None:
        self.tables: dict[str, list[pa.Table]] = {}
        self.flushes = 0
        self.lock = threading.Lock()

    def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
        with self.lock:
            self.tables.setdefault(table, []).append(pa.table(batch))

    def flush(self) -> None:
        self.flushes += 1

    def close(self) -> None:
        self.flush()

    def rows(self, table: str) -> list[dict[str, object]]:
        with self.lock:
            return [row for t in self.tables.get(table, []) for row in t.to_pylist()]

    def raws(self, sender: str | None = None) -> list[str]:
        return [
            str(r["raw"])
            for r in self.rows("syslog_events")
            if sender is None or r["exporter"] == sender
        ]


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def value(metric: object, *labels: str) -> float:
    return float(metric.labels(*labels)._value.get())  # type: ignore[attr-defined]


async def send_udp(datagrams: Sequence[bytes], to: tuple[str, int], source: str) -> None:
    """Send from ``source``, yielding to the event loop every 100 datagrams so the collector
    reads while we send (its socket buffer would overflow otherwise)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.bind((source, 0))
        for i, d in enumerate(datagrams):
            sender.sendto(d, to)
            if i % 100 == 0:
                await asyncio.sleep(0)


def tcp_client(port: int, source: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect((LOOP, port))
    return sock


# -- the queue ------------------------------------------------------------------------------


def line(i: int) -> Line:
    return Line(b"<13>%d" % i, "10.0.0.1", i, "tcp")


def test_line_queue_signals_full_and_drained_at_half() -> None:
    queue = LineQueue(max_lines=10)
    drained: list[int] = []
    queue.on_drained = lambda: drained.append(len(queue))
    assert queue.put([line(i) for i in range(6)]) is False
    assert queue.put([line(i) for i in range(6, 12)]) is True  # accepted anyway: TCP never drops
    assert len(queue) == 12 and queue.over
    assert queue.put([]) is True
    assert [li.received_us for li in queue.get_batch(0, max_lines=6) or []] == list(range(6))
    assert drained == [] and queue.over  # 6 > 10 // 2
    assert [li.received_us for li in queue.get_batch(0) or []] == list(range(6, 12))
    assert drained == [0] and not queue.over
    assert queue.get_batch(timeout=0.01) is None


def test_line_queue_drops_udp_lines_beyond_its_bound_and_counts_them() -> None:
    queue = LineQueue(max_lines=5)
    queue.put_or_drop([line(i) for i in range(3)])
    queue.put_or_drop([line(i) for i in range(3, 8)])
    assert (len(queue), queue.overflow) == (5, 3)
    assert [li.received_us for li in queue.get_batch(0) or []] == [0, 1, 2, 3, 4]


def test_a_collector_needs_a_listener_and_tls_needs_a_certificate() -> None:
    with pytest.raises(ValueError, match="at least one"):
        SyslogCollector(MemorySink(), parser=RawParser())
    with pytest.raises(ValueError, match="certificate"):
        SyslogCollector(MemorySink(), tls=(LOOP, 0), parser=RawParser())


# -- UDP ------------------------------------------------------------------------------------


def test_udp_one_message_per_datagram_into_the_lake_with_site(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    datagrams = [b"<14>1 - gw1 RT_FLOW - X - message %d\n" % i for i in range(500)]
    datagrams += [
        b"<13>first line\nsecond line of the same message\r\n",
        b"\n",
        b"BAD " + b"x" * 96,
    ]

    async def scenario() -> SyslogCollector:
        writer = LakeWriter(lake)
        collector = SyslogCollector(
            writer,
            udp=(LOOP, 0),
            parser=RawParser(),
            exporters={"127.0.0.2": ("br-nyc-012-gw1", "br-nyc-012")},
            max_message=64,
        )
        await collector.start()
        assert collector.udp is not None and collector.udp[1] > 0
        await send_udp(datagrams, collector.udp, "127.0.0.2")
        await wait_for(lambda: value(collector.metrics.lines, "127.0.0.2", "udp") == 502)
        await collector.stop()
        writer.close()
        return collector

    collector = asyncio.run(scenario())
    con = connect(lake)
    rows = con.execute(
        "SELECT raw, transport, exporter, device, site FROM syslog_events ORDER BY received_at"
    ).fetchall()
    assert len(rows) == 502
    assert {r[1:] for r in rows} == {("udp", "127.0.0.2", "br-nyc-012-gw1", "br-nyc-012")}
    assert sorted(r[0] for r in rows) == sorted(
        [f"<14>1 - gw1 RT_FLOW - X - message {i}" for i in range(500)]
        + ["<13>first line\nsecond line of the same message", "BAD " + "x" * 60]
    )
    assert con.execute("SELECT exporter, site, source, error, raw FROM rejects").fetchall() == [
        ("127.0.0.2", "br-nyc-012", "syslog", "SyslogError", b"BAD " + b"x" * 60)
    ]
    m = collector.metrics
    assert value(m.bytes, "127.0.0.2", "udp") == sum(len(d) for d in datagrams)
    assert value(m.oversize, "127.0.0.2", "udp") == 1
    assert value(m.rejects, "127.0.0.2", "SyslogError") == 1
    assert value(m.rows, "syslog_events") == 502
    assert collector.kernel_drops() == 0


def test_udp_datagrams_of_interleaved_senders_keep_their_own_exporter(tmp_path: Path) -> None:
    """The UDP batch is kept by runs of one sender: alternating senders must not mix up."""
    lake = tmp_path / "lake"
    senders = ["127.0.0.2", "127.0.0.3"]

    async def scenario() -> SyslogCollector:
        writer = LakeWriter(lake)
        collector = SyslogCollector(writer, udp=(LOOP, 0), parser=RawParser())
        await collector.start()
        assert collector.udp is not None
        socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in senders]
        try:
            for sock, host in zip(socks, senders, strict=True):
                sock.bind((host, 0))
            for i in range(300):
                k = i % 2 if i < 200 else i // 50 % 2  # alternate, then runs of 50
                socks[k].sendto(
                    b"<14>1 - gw RT_FLOW - X - from %s #%d" % (senders[k].encode(), i),
                    collector.udp,
                )
                if i % 64 == 0:
                    await asyncio.sleep(0)
        finally:
            for sock in socks:
                sock.close()
        await wait_for(
            lambda: sum(value(collector.metrics.lines, h, "udp") for h in senders) == 300
        )
        await collector.stop()
        writer.close()
        return collector

    asyncio.run(scenario())
    rows = connect(lake).execute("SELECT raw, exporter FROM syslog_events").fetchall()
    assert len(rows) == 300
    assert all(raw.split(" from ")[1].split(" #")[0] == exporter for raw, exporter in rows)
    assert sorted(int(raw.rsplit("#", 1)[1]) for raw, _ in rows) == list(range(300))


# -- TCP ------------------------------------------------------------------------------------


def test_tcp_newline_and_octet_counted_peers_at_once() -> None:
    newline = [b"<13>newline %d" % i for i in range(300)]
    counted = [b"<13>counted %d\nwith a second line" % i for i in range(300)]

    async def scenario() -> tuple[SyslogCollector, MemorySink]:
        sink = MemorySink()
        collector = SyslogCollector(sink, tcp=(LOOP, 0), parser=RawParser())
        await collector.start()
        assert collector.tcp is not None
        a = tcp_client(collector.tcp[1], "127.0.0.2")
        b = tcp_client(collector.tcp[1], "127.0.0.3")
        stream_a = b"".join(m + b"\r\n" for m in newline)
        stream_b = b"".join(b"%d %s" % (len(m), m) for m in counted)
        for i in range(0, max(len(stream_a), len(stream_b)), 997):  # interleaved, odd cuts
            a.sendall(stream_a[i : i + 997])
            b.sendall(stream_b[i : i + 997])
            await asyncio.sleep(0)
        a.sendall(b"<13>unterminated last line")
        await wait_for(lambda: len(sink.raws()) == 600)
        assert len(collector.connections) == 2
        a.close()
        b.close()
        await wait_for(lambda: not collector.connections)
        await collector.stop()
        return collector, sink

    collector, sink = asyncio.run(scenario())
    texts = [m.decode() for m in newline] + ["<13>unterminated last line"]
    assert sink.raws("127.0.0.2") == texts
    assert sink.raws("127.0.0.3") == [m.decode() for m in counted]
    assert {r["transport"] for r in sink.rows("syslog_events")} == {"tcp"}
    m = collector.metrics
    for sender in ("127.0.0.2", "127.0.0.3"):
        assert value(m.connections, sender, "tcp") == 1
        assert value(m.disconnects, sender, "tcp", "closed") == 1
    assert value(m.lines, "127.0.0.2", "tcp") == 301
    assert value(m.bytes, "127.0.0.3", "tcp") == sum(len(b"%d %s" % (len(c), c)) for c in counted)
    assert value(m.open_connections, "tcp") == 0
    assert sink.flushes == 1


def test_a_stalled_or_garbage_peer_is_cut_off_without_disturbing_another() -> None:
    async def scenario() -> tuple[SyslogCollector, MemorySink, float, bytes]:
        sink = MemorySink()
        collector = SyslogCollector(
            sink, tcp=(LOOP, 0), parser=RawParser(), frame_timeout_s=0.5, max_message=1024
        )
        await collector.start()
        assert collector.tcp is not None
        port = collector.tcp[1]
        good = tcp_client(port, "127.0.0.2")
        half = tcp_client(port, "127.0.0.3")  # an octet-counted frame that never completes
        junk = tcp_client(port, "127.0.0.4")  # bytes without any newline, forever
        half.sendall(b"400 <13>half a frame")
        half.settimeout(0.01)
        started = time.monotonic()
        cut_after = 0.0
        for i in range(40):  # 2 s
            good.sendall(b"<13>good %d\n" % i)
            with contextlib.suppress(OSError):  # once the collector has cut it off
                junk.sendall(b"\x01\xff garbage " * 50)
            try:
                if half.recv(100) == b"" and not cut_after:
                    cut_after = time.monotonic() - started
            except TimeoutError:
                pass
            except OSError:
                cut_after = cut_after or time.monotonic() - started
            await asyncio.sleep(0.05)
        await wait_for(lambda: len(sink.raws("127.0.0.2")) == 40)
        assert {s.sender for s in collector.connections} == {"127.0.0.2"}
        junk.setblocking(True)
        junk.settimeout(1)
        try:
            tail = junk.recv(100)
        except OSError as exc:
            tail = repr(exc).encode()
        good.close()
        half.close()
        junk.close()
        await wait_for(lambda: not collector.connections)
        await collector.stop()
        return collector, sink, cut_after, tail

    collector, sink, cut_after, junk_tail = asyncio.run(scenario())
    assert 0.5 <= cut_after < 1.8
    assert junk_tail == b"" or b"Reset" in junk_tail
    assert sink.raws("127.0.0.2") == [f"<13>good {i}" for i in range(40)]
    # what the stalled peers had sent is kept (the parser rejects or stores it), not lost
    assert sink.raws("127.0.0.3") == ["<13>half a frame"]
    assert len(sink.raws("127.0.0.4")) == 1 and len(sink.raws("127.0.0.4")[0]) == 1024
    m = collector.metrics
    assert value(m.disconnects, "127.0.0.3", "tcp", "timeout") == 1
    assert value(m.disconnects, "127.0.0.4", "tcp", "timeout") == 1
    assert value(m.oversize, "127.0.0.4", "tcp") == 1
    assert value(m.disconnects, "127.0.0.2", "tcp", "timeout") == 0
    assert value(m.disconnects, "127.0.0.2", "tcp", "closed") == 1


def test_a_full_queue_stops_reading_so_the_sender_waits_and_nothing_is_lost() -> None:
    message = b"<14>1 2026-05-28T20:26:40Z gw1 RT_FLOW - RT_FLOW_SESSION_CLOSE - " + b"k=v " * 40
    total = 120_000  # about 20 MB: more than the kernel's socket buffers hold
    gate = threading.Event()

    async def scenario() -> tuple[SyslogCollector, MemorySink, int, bool]:
        sink = MemorySink()
        collector = SyslogCollector(
            sink, tcp=(LOOP, 0), parser=RawParser(gate), max_queued_lines=2000
        )
        await collector.start()
        assert collector.tcp is not None
        client = tcp_client(collector.tcp[1], "127.0.0.2")
        done = threading.Event()

        def send() -> None:
            client.sendall(b"".join(message + b"\n" for _ in range(total)))
            done.set()

        sender = threading.Thread(target=send)
        sender.start()
        await wait_for(lambda: value(collector.metrics.paused_reading, "tcp") >= 1)
        await asyncio.sleep(1.0)
        queued_while_blocked = len(collector.queue)
        sender_blocked = not done.is_set()
        gate.set()
        await wait_for(lambda: done.is_set(), timeout=20)
        await asyncio.to_thread(sender.join)
        client.close()
        await wait_for(lambda: value(collector.metrics.lines, "127.0.0.2", "tcp") == total, 20)
        await collector.stop()
        return collector, sink, queued_while_blocked, sender_blocked

    collector, sink, queued_while_blocked, sender_blocked = asyncio.run(scenario())
    assert sender_blocked
    # the bound is exceeded by at most one socket read (256 KiB) per connection
    assert 2000 <= queued_while_blocked <= 2000 + 256 * 1024 // len(message)
    raws = sink.raws()
    assert len(raws) == total and set(raws) == {message.decode()}
    assert value(collector.metrics.paused_reading, "tcp") >= 1
    assert collector.queue.overflow == 0


def test_connections_open_at_stop_are_closed_and_their_last_line_is_kept() -> None:
    async def scenario() -> tuple[SyslogCollector, MemorySink]:
        sink = MemorySink()
        collector = SyslogCollector(sink, tcp=(LOOP, 0), parser=RawParser())
        await collector.start()
        assert collector.tcp is not None
        client = tcp_client(collector.tcp[1], "127.0.0.2")
        client.sendall(b"<13>a\n<13>b without newline")
        await wait_for(lambda: len(sink.raws()) == 1)
        await collector.stop()
        assert client.recv(10) == b""
        client.close()
        return collector, sink

    collector, sink = asyncio.run(scenario())
    assert sink.raws() == ["<13>a", "<13>b without newline"]
    assert value(collector.metrics.disconnects, "127.0.0.2", "tcp", "shutdown") == 1


def test_a_parser_that_raises_sends_the_batch_to_rejects_and_the_collector_goes_on() -> None:
    class Flaky(RawParser):
        def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch:
            if any(li.raw == b"<13>boom" for li in lines):
                raise KeyError("boom")
            return super().parse_batch(lines)

    async def scenario() -> tuple[SyslogCollector, MemorySink]:
        sink = MemorySink()
        collector = SyslogCollector(sink, udp=(LOOP, 0), parser_factory=Flaky)
        await collector.start()
        assert collector.udp is not None
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"<13>boom", collector.udp)
            await wait_for(lambda: bool(sink.rows("rejects")))
            sender.sendto(b"<13>fine", collector.udp)
            await wait_for(lambda: bool(sink.raws()))
        await collector.stop()
        return collector, sink

    collector, sink = asyncio.run(scenario())
    rejects = sink.rows("rejects")
    assert [(r["raw"], r["error"], r["source"]) for r in rejects] == [
        (b"<13>boom", "SyslogError", "syslog")
    ]
    assert str(rejects[0]["reason"]).startswith("parser failed: KeyError")
    assert sink.raws() == ["<13>fine"]
    assert collector.metrics.parser_failures._value.get() == 1
    assert collector.failure is None


# -- TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *[
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
            ],
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls_octet_counted_lines_arrive_and_plain_tcp_on_the_tls_port_is_refused(
    certificate: tuple[Path, Path],
) -> None:
    cert, key = certificate
    messages = [b"<13>over tls %d" % i for i in range(200)]

    async def scenario() -> tuple[SyslogCollector, MemorySink]:
        sink = MemorySink()
        collector = SyslogCollector(
            sink, tls=(LOOP, 0), certfile=cert, keyfile=key, parser=RawParser()
        )
        await collector.start()
        assert collector.tls is not None
        context = ssl.create_default_context(cafile=str(cert))
        plain = tcp_client(collector.tls[1], "127.0.0.3")
        plain.sendall(b"<13>not encrypted\n")

        def send() -> None:
            with (
                socket.create_connection(collector.tls) as raw,  # type: ignore[arg-type]
                context.wrap_socket(raw, server_hostname="localhost") as tls,
            ):
                tls.sendall(b"".join(b"%d %s" % (len(m), m) for m in messages))
                tls.unwrap()  # close_notify both ways, as a well-behaved TLS sender ends

        await asyncio.to_thread(send)
        await wait_for(lambda: len(sink.raws()) == 200)
        plain.settimeout(5)
        answer = plain.recv(100)
        assert answer == b"" or answer[:1] == b"\x15"  # closed, or a TLS alert record
        plain.close()
        await wait_for(lambda: not collector.connections)
        await collector.stop()
        return collector, sink

    collector, sink = asyncio.run(scenario())
    assert sink.raws() == [m.decode() for m in messages]
    assert {r["transport"] for r in sink.rows("syslog_events")} == {"tls"}
    assert value(collector.metrics.connections, "127.0.0.1", "tls") == 1
    assert value(collector.metrics.disconnects, "127.0.0.1", "tls", "closed") == 1
    assert value(collector.metrics.connections, "127.0.0.3", "tls") == 0


# -- the command line -----------------------------------------------------------------------


def test_listen_addresses_of_the_cli() -> None:
    assert listen_address(":514") == ("0.0.0.0", 514)
    assert listen_address("127.0.0.1:601") == ("127.0.0.1", 601)
    assert listen_address("[::1]:6514") == ("::1", 6514)
    assert listen_address("") is None
    with pytest.raises(ValueError):
        listen_address(":99999")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--udp", "", "--tcp", ""], "nothing to listen on"),
        (["--udp", "", "--tcp", "", "--tls", ":6514"], "--tls needs --cert"),
        (["--udp", "nohost:"], "is not host:port"),
    ],
)
def test_collect_syslog_refuses_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    wanassure = Path(sys.executable).with_name("wanassure")
    result = subprocess.run(
        [str(wanassure), "collect", "syslog", "--lake", str(tmp_path / "lake"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 2
    assert message in result.stderr


SRX_LINE = (
    "<14>1 2026-05-28T20:26:40.123Z gw1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 "
    'reason="TCP FIN" source-address="10.1.0.7" source-port="40001" '
    'destination-address="52.112.0.10" destination-port="443" session-id-32="4101"] closed'
)
BSD_LINE = "<28>Nov 27 01:49:11 gw2 RT_FLOW: RT_FLOW_SESSION_DENY: session denied"


def test_parse_syslog_prints_one_json_object_per_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_bytes(f"{SRX_LINE}\r\n\nnot syslog at all\n".encode())
    second.write_bytes(BSD_LINE.encode())  # no final newline
    assert parse_syslog_command([first, second]) == 0
    out, err = capsys.readouterr()
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["raw"] for o in objects] == [SRX_LINE, "not syslog at all", BSD_LINE]
    assert [o["format"] for o in objects] == ["junos-structured", "unparsed", "rfc3164"]
    srx = objects[0]
    assert (srx["ts"], srx["host"], srx["msg_id"], srx["session_id"], srx["dst_port"]) == (
        "2026-05-28T20:26:40.123000Z",
        "gw1",
        "RT_FLOW_SESSION_CLOSE",
        4101,
        443,
    )
    assert srx["typed"]["table"] == "sessions"
    assert objects[2]["msg_id"] == "RT_FLOW_SESSION_DENY"
    assert "error" in objects[1] and "error" not in srx
    assert err == "3 messages from 2 files; 1 could not be parsed\n"


def test_parse_syslog_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.log"
    garbage.write_bytes(b"no header here\n\x00\xff\xfe\n")
    assert parse_syslog_command([garbage]) == 3
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert parse_syslog_command([tmp_path / "missing.log", garbage]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "cannot read" in err and "missing.log" in err
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"\n\r\n")
    assert parse_syslog_command([empty]) == 0


def test_parse_syslog_registers_as_a_typer_command(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("syslog", help=syslog_parse.HELP)(syslog_parse.command)
    app.command("other")(lambda: None)  # a group, like ``wanassure parse``
    log = tmp_path / "x.log"
    log.write_text("garbage\n")
    result = CliRunner().invoke(app, ["syslog", str(log)])
    assert result.exit_code == 3
    assert json.loads(result.stdout.splitlines()[0])["raw"] == "garbage"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_sink_that_fails_stops_parsing_and_the_reason_is_kept() -> None:
    class Broken(MemorySink):
        def write(self, table: str, batch: pa.RecordBatch | pa.Table) -> None:
            raise OSError("disk full")

    async def scenario() -> SyslogCollector:
        collector = SyslogCollector(Broken(), tcp=(LOOP, 0), parser=RawParser())
        await collector.start()
        assert collector.tcp is not None
        client = tcp_client(collector.tcp[1], "127.0.0.2")
        client.sendall(b"<13>a\n<13>b\n")
        await wait_for(lambda: collector.failure is not None)
        await collector.stop()
        client.close()
        return collector

    collector = asyncio.run(scenario())
    assert isinstance(collector.failure, OSError)
