"""Bad input: nothing but SyslogError escapes the parser internals, parse_batch never raises,
and every input line gives exactly one syslog_events row (random bytes, mutated real lines)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.syslog import messages
from collectors.syslog.header import Clock, parse_header
from collectors.syslog.jsonview import records_for_json
from collectors.syslog.model import Line, SyslogError
from collectors.syslog.parse import TYPED, SyslogParser
from collectors.syslog.sd import parse_kv, parse_sd, sd_fields
from collectors.tables import SYSLOG_EVENTS

from .strategies import RECEIVED, scaled

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples" / "syslog"
CORPUS = [
    raw
    for path in sorted(SAMPLES.glob("*/input.log"))
    for raw in path.read_bytes().split(b"\n")
    if raw
]
PARSERS = [SyslogParser(chunk_lines=5), SyslogParser(fast=False), SyslogParser(max_line_bytes=40)]
TAGS = sorted({*messages.sessions.EVENT_TYPES, "IDP_ATTACK_LOG_EVENT", "WEBFILTER_URL_BLOCKED",
               "RT_SCREEN_TCP", "AV_VIRUS_DETECTED_MT", "SNMP_TRAP_LINK_DOWN",
               "KMD_VPN_DOWN_ALARM_USER", "LLDP_NEIGHBOR_UP", "ESWD_STP_STATE_CHANGE_INFO",
               "DOT1XD_USR_ACCESS_DENIED", "WIFI_CLIENT_DHCP", "APPQOE_SLA_METRIC_VIOLATION",
               "ALARM_SET", "IKE_NEGOTIATION_FAILED", "UNKNOWN_TAG"})  # fmt: skip

text_alphabet = st.characters(codec="utf-8", exclude_categories=("Cs",))
flip = st.tuples(st.just("flip"), st.integers(0, 4000), st.integers(0, 7))
cut = st.tuples(st.just("cut"), st.integers(0, 4000), st.just(0))
insert = st.tuples(
    st.just("insert"),
    st.integers(0, 4000),
    st.sampled_from(
        [b'"', b"]", b"[", b"\\", b" ", b"=", b"\x00", b"\xff", b"<14>", b"\n", b"\xe2\x80\x9d"]
    ),
)
drop = st.tuples(st.just("drop"), st.integers(0, 4000), st.integers(1, 12))
mutation = st.one_of(flip, cut, insert, drop)


def mutate(data: bytes, ops: list[tuple[str, int, object]]) -> bytes:
    buf = bytearray(data)
    for op, where, arg in ops:
        pos = where % (len(buf) + 1)
        if op == "flip" and buf:
            buf[pos % len(buf)] ^= 1 << int(arg)  # type: ignore[call-overload]
        elif op == "cut":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = arg  # type: ignore[index]
        elif op == "drop":
            del buf[pos : pos + int(arg)]  # type: ignore[call-overload]
    return bytes(buf)


def check(raws: list[bytes]) -> None:
    lines = [Line(raw, "198.51.100.1", RECEIVED + i, "tcp") for i, raw in enumerate(raws)]
    for parser in PARSERS:
        result = parser.parse_batch(lines)  # must not raise
        events = result.tables["syslog_events"]
        assert events.num_rows == len(lines)
        assert events.schema == SYSLOG_EVENTS.schema
        events.validate(full=True)
        for name, table in result.tables.items():
            if name in TYPED:
                assert table.schema == TYPED[name].schema
                table.validate(full=True)
        unparsed = events.column("format").to_pylist().count("unparsed")
        assert len(result.rejects) == unparsed
        for reject in result.rejects:
            assert isinstance(reject.error, SyslogError)
            assert reject.source == "syslog" and reject.exporter == "198.51.100.1"
            assert reject.raw in raws
        assert len(records_for_json(result)) == len(lines)
        assert parser.chunk_failures == 0
        assert parser.internal_errors == 0


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=6))
def test_random_bytes(raws: list[bytes]) -> None:
    check(raws)


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(CORPUS) - 1), st.lists(mutation, max_size=4)),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_real_lines(picks: list[tuple[int, list[tuple[str, int, object]]]]) -> None:
    check([mutate(CORPUS[i], ops) for i, ops in picks])


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([b"<14>1 ", b"<14>", b"Mar  1 12:00:00 ", b"2024-03-01T12:00:00Z",
                                 b" - ", b"[", b"]", b'"', b"=", b"junos@1", b" a", b"RT_FLOW: ",
                                 b"RT_FLOW_SESSION_CLOSE", b" ", b"\\", b"\xff", b"x"]),
                max_size=30).map(b"".join))  # fmt: skip
def test_header_like_bytes(raw: bytes) -> None:
    check([raw, raw + b" tail", raw[:-1]])


@settings(max_examples=scaled(500), deadline=None)
@given(st.text(text_alphabet, max_size=300))
def test_internals_raise_only_syslog_error(text: str) -> None:
    with contextlib.suppress(SyslogError):
        parse_header(text)
    pos = text.find("[")
    elements, end, _ = parse_sd(text, max(pos, 0))
    assert 0 <= end <= len(text)
    sd_fields(elements)
    parse_kv(text)
    clock = Clock("Europe/Paris", {"h": "Asia/Kolkata"})
    clock.iso_us(text[:40], "Europe/Paris")
    clock.bsd_us(text[:30], "Asia/Kolkata", RECEIVED)
    for tag in TAGS:
        params = messages.text_fields(tag, "kmd", text)
        fields = dict(params)
        messages.derive(tag, fields, "host")
        messages.derive(tag, {"_event": "ALARM_SET", "rtt": text, "client_mac": text}, None)
    messages.text_fields(None, "kmd", text)
    messages.text_fields(None, "alarmd", text)


@pytest.mark.parametrize("size", [1, 2, 8, 100])
def test_oversized_lines_are_capped_not_dropped(size: int) -> None:
    parser = SyslogParser(max_line_bytes=size)
    raw = (
        b'<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@1 a="'
        + b"x" * 500
    )
    result = parser.parse_batch([Line(raw, "192.0.2.1", RECEIVED, "udp")])
    row = result.tables["syslog_events"].to_pylist()[0]
    assert row["raw"] == raw[:size].decode()
    assert ("_truncated", "true") in row["fields"]
    assert ("_original_length", str(len(raw))) in row["fields"]
