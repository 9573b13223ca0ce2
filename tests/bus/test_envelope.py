"""Bus message layout, subjects, bus URLs and chunk sequence ranges, checked by hand."""

from __future__ import annotations

import struct

import pytest

from assurance.bus.commits import ranges
from assurance.bus.config import BusConfig, BusError
from assurance.bus.envelope import EnvelopeError, by_exporter, pack, subject_token, unpack
from collectors.receive import Datagram


def test_a_message_carries_every_datagram_with_exporter_port_and_receive_time() -> None:
    items = [
        Datagram(b"\x00\x0aabc", "10.0.0.1", 50000, 1_780_000_000_123_456),
        Datagram(b"", "10.0.0.1", 50001, 1),
        Datagram(b"x" * 1500, "2001:db8::1", 2055, 2**63),
    ]
    message = pack(items)
    # header 8 octets; per item 15 octets + exporter + payload
    assert len(message) == 8 + (15 + 8 + 5) + (15 + 8 + 0) + (15 + 11 + 1500)
    assert message[:8] == b"WAB1" + struct.pack(">I", 3)
    assert message[8:23] == struct.pack(">QHBI", 1_780_000_000_123_456, 50000, 8, 5)
    assert unpack(message) == items


@pytest.mark.parametrize(
    ("message", "why"),
    [
        (b"WAB", "shorter than a header"),
        (b"NOPE\x00\x00\x00\x00", "magic"),
        (b"WAB1\x00\x00\x00\x01" + b"\x00" * 10, "truncated"),
        (b"WAB1\x00\x00\x00\x01" + struct.pack(">QHBI", 1, 2, 1, 5) + b"a" + b"abc", "truncated"),
        (b"WAB1\x00\x00\x00\x00!", "stray"),
    ],
)
def test_anything_else_is_refused_with_the_reason(message: bytes, why: str) -> None:
    with pytest.raises(EnvelopeError, match=why):
        unpack(message)


def test_batches_split_per_exporter_in_arrival_order_and_by_size() -> None:
    a = [Datagram(bytes([i]) * 100, "10.0.0.1", 1, i) for i in range(5)]
    b = [Datagram(b"z" * 100, "10.0.0.2", 1, 9)]
    runs = list(by_exporter([a[0], b[0], a[1], a[2], a[3], a[4]], max_bytes=250))
    # each item counts 100 payload + 15 header + 8 exporter octets = 123: two fit in 250
    assert [(e, [d.received_at_us for d in run]) for e, run in runs] == [
        ("10.0.0.1", [0, 1]),
        ("10.0.0.1", [2, 3]),
        ("10.0.0.1", [4]),
        ("10.0.0.2", [9]),
    ]


def test_subjects_name_the_exporter_with_safe_tokens() -> None:
    config = BusConfig("nats://127.0.0.1:4222")
    assert config.subject(subject_token("10.20.1.1")) == "wanassure.flow.10_20_1_1"
    assert subject_token("2001:db8::1") == "2001-db8--1"
    assert subject_token("a b*>") == "a_b__"
    assert config.stream == "WANASSURE_FLOW"
    assert config.subjects == "wanassure.flow.>"
    assert config.of("syslog").stream == "WANASSURE_SYSLOG"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://host:4222", "expected nats://host:port"),
        ("nats://", "expected nats://host:port"),
        ("nats://host:99999", "out of range"),
    ],
)
def test_bad_bus_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(BusError, match=why):
        BusConfig(url)


def test_credentials_never_show_in_the_printed_url() -> None:
    assert BusConfig("nats://user:s3cret@bus.example:4222").redacted() == "nats://bus.example:4222"


def test_chunk_sequences_are_kept_as_runs() -> None:
    assert ranges([7, 3, 4, 5, 9, 10, 3]) == [[3, 5], [7, 7], [9, 10]]
    assert ranges([]) == []
