"""SyslogParser as the listener uses it: API, counters, columns, rejects, options."""

from __future__ import annotations

import pyarrow as pa
import pytest

from collectors.syslog.jsonview import parse_to_json, structured
from collectors.syslog.model import Line, SyslogError
from collectors.syslog.parse import SyslogParser
from collectors.tables import SYSLOG_EVENTS

from .strategies import RECEIVED

CLOSE = (
    b"<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129"
    b' source-address="10.0.0.1" session-id-32="7"]'
)


def test_empty_batch() -> None:
    result = SyslogParser().parse_batch([])
    assert result.tables["syslog_events"].num_rows == 0
    assert result.tables["syslog_events"].schema == SYSLOG_EVENTS.schema
    assert set(result.tables) == {"syslog_events"} and result.rejects == []


def test_origin_columns_and_counters() -> None:
    parser = SyslogParser()
    lines = [
        Line(CLOSE, "192.0.2.10", RECEIVED, "tls"),
        Line(b"junk", "192.0.2.11", RECEIVED + 5, "tcp"),
        Line(b"<14>Mar  1 11:00:00 h sshd[1]: x", "192.0.2.12", RECEIVED + 9, "udp"),
    ]
    result = parser.parse_batch(lines)
    events = result.tables["syslog_events"].to_pylist()
    assert [e["exporter"] for e in events] == ["192.0.2.10", "192.0.2.11", "192.0.2.12"]
    assert [e["transport"] for e in events] == ["tls", "tcp", "udp"]
    assert [int(e["received_at"].timestamp() * 1e6) for e in events] == [
        RECEIVED, RECEIVED + 5, RECEIVED + 9
    ]  # fmt: skip
    assert [e["device"] for e in events] == [None, None, None]
    assert events[1]["event_time"] == events[1]["received_at"]
    assert (parser.lines, parser.batch_lines) == (3, 1)
    assert (parser.chunk_failures, parser.internal_errors) == (0, 0)
    reject = result.rejects[0]
    assert (reject.raw, reject.exporter, reject.received_us) == (
        b"junk",
        "192.0.2.11",
        RECEIVED + 5,
    )
    assert isinstance(reject.error, SyslogError) and reject.error.exporter == "192.0.2.11"
    sessions = result.tables["sessions"].to_pylist()
    assert [(s["exporter"], s["session_id"], s["src_addr"]) for s in sessions] == [
        ("192.0.2.10", 7, "10.0.0.1")
    ]


def test_invalid_utf8_is_kept_recoverably() -> None:
    raw = b"<14>Mar  1 11:00:00 h sshd[1]: caf\xe9 \xff"
    row = SyslogParser().parse_batch([Line(raw, "x", RECEIVED, "udp")]).tables["syslog_events"]
    text = row.column("raw")[0].as_py()
    assert text == "<14>Mar  1 11:00:00 h sshd[1]: caf\\xe9 \\xff"
    assert text.encode().decode("unicode_escape").encode("latin-1") == raw


def test_trailing_newline_is_stripped_for_parsing_but_kept_in_raw() -> None:
    raw = CLOSE + b"\r\n"
    result = SyslogParser().parse_batch([Line(raw, "x", RECEIVED, "tcp")])
    events = result.tables["syslog_events"].to_pylist()
    assert events[0]["raw"] == raw.decode()
    assert events[0]["msg_id"] == "RT_FLOW_SESSION_CLOSE"
    assert result.tables["sessions"].num_rows == 1


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        SyslogParser(max_line_bytes=0)
    with pytest.raises(ValueError):
        SyslogParser(device_tz={"h": "Not/AZone"})


def test_device_zone_applies_to_batch_path() -> None:
    raw = CLOSE.replace(b"2024-03-01T11:00:00Z", b"2024-07-01T12:00:00.5")
    parser = SyslogParser(device_tz={"srx-1": "Europe/Paris"})
    events = parser.parse_batch([Line(raw, "x", RECEIVED, "udp")] * 2).tables["syslog_events"]
    assert parser.batch_lines == 2
    assert (
        events.column("event_time").cast(pa.int64()).to_pylist() == [1719828000500000] * 2
    )  # 10:00:00.5Z (CEST, UTC+2)


def test_json_view_of_one_line() -> None:
    record = parse_to_json(Line(CLOSE, "x", RECEIVED, "udp"), SyslogParser())
    assert record["ts"] == "2024-03-01T11:00:00.000000Z"
    assert record["sd"] == {
        "junos@2636.1.1.1.2.129": {"source-address": "10.0.0.1", "session-id-32": "7"}
    }
    assert (record["src_addr"], record["session_id"]) == ("10.0.0.1", 7)
    assert record["typed"] == {
        "table": "sessions", "event_type": "session_close", "session_id": 7, "src_addr": "10.0.0.1"
    }  # fmt: skip
    assert "error" not in record and "notes" not in record


def test_structured_view_rebuilds_elements() -> None:
    fields = {
        "_sd_id": "meta junos@1 other",
        "meta.seq": "7",
        "a": "1",
        "a#2": "2",
        "a#3": "3",
        "__n": "4",
        "other.b": "5",
        "_relay_host": "r",
        "tag#x": "6",
    }
    assert structured(fields) == {
        "meta": {"seq": "7"},
        "junos@1": {"a": ["1", "2", "3"], "_n": "4", "tag#x": "6"},
        "other": {"b": "5"},
    }
    assert structured({"a": "1"}) == {}
