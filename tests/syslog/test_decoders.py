"""Decoder processes (``SyslogCollector(decoders=N)``, ``collect syslog --decoders N``) over
real loopback sockets: every line lands exactly once in the lake the processes write, rejects
and metrics are kept in the receiving process, a full pipeline pauses TCP reading, a parser
that raises sends its batch to rejects, and a Ctrl-C to the whole process group still flushes
everything. The real parser and the real lake writer run in the decoder processes.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assurance.cli.collect import decoder_sink
from assurance.lake import connect
from collectors.syslog.columnar import PADDING
from collectors.syslog.listener import SyslogCollector
from collectors.syslog.model import ChunkBatch, Line, ParsedBatch
from collectors.syslog.parse import SyslogParser
from tests.syslog.test_lake_roundtrip import golden_lines
from tests.syslog.test_listener import LOOP, send_udp, tcp_client, value, wait_for

CLOSE = (
    "<14>1 2026-05-28T20:{m:02d}:{s:02d}.{ms:03d}Z srx-{d} RT_FLOW - RT_FLOW_SESSION_CLOSE "
    '[junos@2636.1.1.1.2.129 reason="TCP FIN" source-address="10.0.{d}.{h}" source-port="{p}" '
    'destination-address="198.51.100.7" destination-port="443" service-name="junos-https" '
    'protocol-id="6" policy-name="p1" source-zone-name="trust" destination-zone-name="untrust" '
    'session-id-32="{i}" packets-from-client="3" bytes-from-client="{i}" '
    'packets-from-server="2" bytes-from-server="99" elapsed-time="1" application="SSL"]'
)


def close_line(i: int) -> bytes:
    text = CLOSE.format(
        m=i // 60000 % 60,
        s=i // 1000 % 60,
        ms=i % 1000,
        d=i % 7,
        h=i % 250,
        p=1024 + i % 60000,
        i=i,
    )
    return text.encode()


def lake_counts(lake: Path) -> dict[str, int]:
    con = connect(str(lake))
    out = {}
    for table in ("syslog_events", "sessions", "rejects"):
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        out[table] = int(row[0]) if row else 0
    return out


def lake_raws(lake: Path) -> list[str]:
    con = connect(str(lake))
    return [str(r[0]) for r in con.execute("SELECT raw FROM syslog_events").fetchall()]


class GatedParser:
    """The real parser, but it waits until ``gate`` (a file) exists before each batch: a
    stand-in for decoders slower than the sender, across a process boundary."""

    def __init__(self, gate: str) -> None:
        self.gate = Path(gate)
        self.inner = SyslogParser()

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch:
        while not self.gate.exists():
            time.sleep(0.01)
        return self.inner.parse_batch(lines)


class FailingParser:
    """Raises on any batch holding a line that starts with ``BOOM`` (a parser bug)."""

    def __init__(self) -> None:
        self.inner = SyslogParser()

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch:
        if any(li.raw.startswith(b"BOOM") for li in lines):
            raise RuntimeError("parser bug")
        return self.inner.parse_batch(lines)


def test_two_decoder_processes_store_every_tcp_line_once_with_rejects_and_metrics(
    tmp_path: Path,
) -> None:
    lake = tmp_path / "lake"
    good = [close_line(i) for i in range(30_000)]
    bad = [b"not syslog at all %d" % i for i in range(50)]
    sent = good[:15_000] + bad + good[15_000:]

    async def scenario() -> SyslogCollector:
        collector = SyslogCollector(
            _NoSink(),
            tcp=(LOOP, 0),
            decoders=2,
            sink_factory=functools.partial(decoder_sink, str(lake)),
        )
        await collector.start()
        assert collector.tcp is not None
        clients = [tcp_client(collector.tcp[1], f"127.0.0.{k}") for k in (2, 3)]
        half = len(sent) // 2

        def send() -> None:
            clients[0].sendall(b"".join(b"%d %s" % (len(m), m) for m in sent[:half]))
            clients[1].sendall(b"".join(m + b"\n" for m in sent[half:]))
            for c in clients:
                c.close()

        await asyncio.to_thread(send)
        await wait_for(lambda: _lines(collector) == len(sent), timeout=60)
        await collector.stop()
        return collector

    collector = asyncio.run(scenario())
    counts = lake_counts(lake)
    assert counts == {"syslog_events": len(sent), "sessions": len(good), "rejects": len(bad)}
    assert sorted(lake_raws(lake)) == sorted(m.decode() for m in sent)
    m = collector.metrics
    assert value(m.rows, "syslog_events") == len(sent)
    assert value(m.rows, "sessions") == len(good)
    assert value(m.rows, "rejects") == len(bad)
    rejected = sum(value(m.rejects, f"127.0.0.{k}", "SyslogError") for k in (2, 3))
    assert rejected == len(bad)
    assert all(c is not None and c > 0 for c in collector.decoder_cpu_s)
    assert len(collector.decoder_cpu_s) == 2


def _lines(collector: SyslogCollector) -> float:
    return sum(value(collector.metrics.lines, f"127.0.0.{k}", "tcp") for k in (2, 3))


class _NoSink:
    """The receiving process's own sink: decoders write the lake, so nothing may land here."""

    def write(self, table: str, batch: object) -> None:
        raise AssertionError(f"the receiving process wrote {table}")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_slow_decoders_pause_tcp_reading_and_lose_nothing(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    gate = tmp_path / "gate"
    total = 60_000  # about 25 MB: more than the kernel's socket buffers hold
    lines = [close_line(i) for i in range(total)]

    async def scenario() -> tuple[SyslogCollector, bool]:
        collector = SyslogCollector(
            _NoSink(),
            tcp=(LOOP, 0),
            decoders=2,
            sink_factory=functools.partial(decoder_sink, str(lake)),
            parser_factory=functools.partial(GatedParser, str(gate)),
            max_queued_lines=2000,
        )
        await collector.start()
        assert collector.tcp is not None
        client = tcp_client(collector.tcp[1], "127.0.0.2")
        sending = asyncio.ensure_future(
            asyncio.to_thread(client.sendall, b"".join(m + b"\n" for m in lines))
        )
        await wait_for(lambda: value(collector.metrics.paused_reading, "tcp") >= 1, timeout=30)
        await asyncio.sleep(0.5)
        blocked = not sending.done()
        gate.touch()
        await sending
        client.close()
        await wait_for(lambda: value(collector.metrics.lines, "127.0.0.2", "tcp") == total, 60)
        await collector.stop()
        return collector, blocked

    collector, blocked = asyncio.run(scenario())
    assert blocked  # the sender waited on TCP flow control
    assert collector.queue.overflow == 0
    assert lake_counts(lake) == {"syslog_events": total, "sessions": total, "rejects": 0}
    assert sorted(lake_raws(lake)) == sorted(m.decode() for m in lines)


def test_a_parser_that_raises_in_a_decoder_sends_its_batch_to_rejects(tmp_path: Path) -> None:
    lake = tmp_path / "lake"

    async def scenario() -> SyslogCollector:
        collector = SyslogCollector(
            _NoSink(),
            tcp=(LOOP, 0),
            decoders=1,
            sink_factory=functools.partial(decoder_sink, str(lake)),
            parser_factory=FailingParser,
        )
        await collector.start()
        assert collector.tcp is not None
        with tcp_client(collector.tcp[1], "127.0.0.2") as client:
            client.sendall(b"BOOM one\nBOOM two\n")
            await wait_for(lambda: value(collector.metrics.rows, "rejects") == 2, timeout=30)
            client.sendall(close_line(1) + b"\n")
            await wait_for(lambda: value(collector.metrics.rows, "syslog_events") == 1, 30)
        await collector.stop()
        return collector

    collector = asyncio.run(scenario())
    assert collector.metrics.parser_failures._value.get() == 1  # type: ignore[attr-defined]
    assert collector.failure is None
    assert lake_counts(lake) == {"syslog_events": 1, "sessions": 1, "rejects": 2}


def test_decoders_need_a_sink_factory() -> None:
    with pytest.raises(ValueError, match="sink_factory"):
        SyslogCollector(_NoSink(), tcp=(LOOP, 0), decoders=2)
    with pytest.raises(ValueError, match="decoders"):
        SyslogCollector(_NoSink(), tcp=(LOOP, 0), decoders=-1)


def test_collect_syslog_with_decoders_flushes_everything_on_ctrl_c_to_the_group(
    tmp_path: Path,
) -> None:
    lake = tmp_path / "lake"
    with socket.socket() as probe:
        probe.bind((LOOP, 0))
        port = probe.getsockname()[1]
    wanassure = str(Path(sys.executable).with_name("wanassure"))
    cmd = [wanassure, "collect", "syslog", "--lake", str(lake), "--udp", "", "--tcp"]
    cmd += [f"{LOOP}:{port}", "--metrics", "", "--decoders", "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first.startswith("collecting syslog"), first
        lines = [close_line(i) for i in range(20_000)]
        with socket.create_connection((LOOP, port)) as client:
            client.sendall(b"".join(b"%d %s" % (len(m), m) for m in lines))
            client.shutdown(socket.SHUT_WR)
            client.settimeout(60)
            while client.recv(65536):  # the collector closes once it has read everything
                pass
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, err
    assert "40,000 rows from 2 decoders" in err, err
    assert lake_counts(lake) == {"syslog_events": 20_000, "sessions": 20_000, "rejects": 0}


def test_a_chunk_batch_parses_to_the_same_tables_as_the_lines_it_holds() -> None:
    lines = golden_lines(3)
    lines += [
        Line(b"\xff\xfe not utf-8", "192.0.2.9", 1, "udp"),
        Line(b"x" * 70_000, "1", 2, "udp"),
    ]
    runs = [(1, li.sender, li.received_us, li.transport) for li in lines]
    offsets = np.zeros(len(lines) + 1, np.int64)
    np.cumsum([len(li.raw) for li in lines], out=offsets[1:])
    padded = ChunkBatch(b"".join(li.raw for li in lines) + bytes(PADDING), offsets, runs)
    unpadded = ChunkBatch(b"".join(li.raw for li in lines), offsets, runs)
    assert len(padded) == len(lines) and padded[5] == lines[5]
    assert list(padded.raws[3:6]) == [li.raw for li in lines[3:6]]
    expected = SyslogParser().parse_batch(lines)
    for batch in (padded, unpadded):
        got = SyslogParser().parse_batch(batch)
        assert got.tables.keys() == expected.tables.keys()
        for name, table in expected.tables.items():
            assert got.tables[name].equals(table), name
        assert [r.raw for r in got.rejects] == [r.raw for r in expected.rejects]
    with pytest.raises(ValueError, match="offsets"):
        ChunkBatch(b"abc", [0, 4], [(1, "a", 1, "tcp")])
    with pytest.raises(ValueError, match="runs"):
        ChunkBatch(b"abc", [0, 3], [(2, "a", 1, "tcp")])


def test_udp_datagrams_through_decoders_carry_device_and_site(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    datagrams = [close_line(i) for i in range(3000)] + [b"garbage without a header"]

    async def scenario() -> SyslogCollector:
        collector = SyslogCollector(
            _NoSink(),
            udp=(LOOP, 0),
            decoders=2,
            sink_factory=functools.partial(decoder_sink, str(lake)),
            exporters={"127.0.0.2": ("br-nyc-012-gw1", "br-nyc-012")},
        )
        await collector.start()
        assert collector.udp is not None
        await send_udp(datagrams, collector.udp, "127.0.0.2")
        await wait_for(lambda: value(collector.metrics.lines, "127.0.0.2", "udp") == 3001, 30)
        await collector.stop()
        return collector

    collector = asyncio.run(scenario())
    assert collector.kernel_drops() == 0
    con = connect(str(lake))
    origin = con.execute(
        "SELECT DISTINCT transport, exporter, device, site FROM syslog_events"
    ).fetchall()
    assert origin == [("udp", "127.0.0.2", "br-nyc-012-gw1", "br-nyc-012")]
    assert lake_counts(lake) == {"syslog_events": 3001, "sessions": 3000, "rejects": 1}
    sites = con.execute("SELECT DISTINCT site FROM sessions").fetchall()
    assert sites == [("br-nyc-012",)]
    assert value(collector.metrics.rejects, "127.0.0.2", "SyslogError") == 1


class BrokenSink:
    """A sink whose every write fails (a full disk, a lost bucket)."""

    def write(self, table: str, batch: object) -> None:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_decoder_whose_sink_fails_stops_decoding_and_the_reason_is_kept() -> None:
    async def scenario() -> SyslogCollector:
        collector = SyslogCollector(_NoSink(), tcp=(LOOP, 0), decoders=1, sink_factory=BrokenSink)
        await collector.start()
        assert collector.tcp is not None
        with tcp_client(collector.tcp[1], "127.0.0.2") as client:
            client.sendall(close_line(1) + b"\n")
            await wait_for(lambda: collector.failure is not None, timeout=30)
        await collector.stop()
        return collector

    collector = asyncio.run(scenario())
    assert "No space left on device" in str(collector.failure)
    assert "decoder process 0" in str(collector.failure)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inlet", "--bus", "nats://127.0.0.1:1", "--decoders", "2"], "not apply to --inlet"),
        (["--lake", "lake", "--decoders", "-1"], "greater than or equal to 0"),
    ],
)
def test_collect_syslog_refuses_bad_decoder_options(
    tmp_path: Path, args: list[str], message: str
) -> None:
    wanassure = Path(sys.executable).with_name("wanassure")
    result = subprocess.run(
        [str(wanassure), "collect", "syslog", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 2
    assert message in result.stderr
