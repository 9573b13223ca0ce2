"""``LineBatch`` (lines stored by column) behaves as the sequence of ``Line`` objects it holds."""

from __future__ import annotations

import pytest

from collectors.syslog.model import Line, LineBatch, columns_of
from collectors.syslog.parse import SyslogParser

TEXT = (
    b"<14>1 2024-03-01T11:00:00Z srx-1 RT_FLOW - RT_FLOW_SESSION_CLOSE "
    b'[junos@2636.1.1.1.2.129 source-address="10.0.0.%d" session-id-32="%d"] closed'
)


def lines() -> list[Line]:
    out = [Line(TEXT % (i, i), "192.0.2.1", 100 + i // 3, "tcp") for i in range(7)]
    out.append(Line(b"<13>Mar  1 11:00:00 ex-1 sshd[1]: hello", "192.0.2.2", 200, "udp"))
    return out


def as_batch(items: list[Line]) -> LineBatch:
    return LineBatch.join(
        [LineBatch.of([x.raw], x.sender, x.received_us, x.transport) for x in items]
    )


def test_indexing_slicing_and_iteration_give_the_lines() -> None:
    expected = lines()
    batch = as_batch(expected)
    assert len(batch) == len(expected)
    assert list(batch) == expected
    assert [batch[i] for i in range(-len(batch), len(batch))] == expected + expected
    for start in range(len(expected) + 1):
        for stop in range(start, len(expected) + 1):
            assert list(batch[start:stop]) == expected[start:stop]
    assert list(batch[::3]) == expected[::3]
    with pytest.raises(IndexError):
        batch[len(expected)]


def test_columns_of_a_batch_equal_columns_of_its_lines() -> None:
    expected = lines()
    assert columns_of(as_batch(expected)) == columns_of(expected)


def test_runs_must_cover_the_messages() -> None:
    with pytest.raises(ValueError, match="cover"):
        LineBatch([b"a", b"b"], [(1, "192.0.2.1", 1, "tcp")])


def test_parsing_a_batch_equals_parsing_its_lines() -> None:
    expected = lines()
    a = SyslogParser(chunk_lines=3).parse_batch(as_batch(expected))
    b = SyslogParser().parse_batch(expected)
    assert sorted(a.tables) == sorted(b.tables)
    for name, table in a.tables.items():
        assert table.to_pylist() == b.tables[name].to_pylist(), name


def test_a_batch_of_views_parses_like_bytes_even_when_the_text_changes() -> None:
    raws = [
        TEXT % (1, 1),
        "<13>Mar  1 11:00:00 ap-1 wifi: caf\u00e9".encode(),
        b"<13>bad \xff utf8",
    ]
    chunk = b"".join(raws)
    views: list[bytes | memoryview] = []
    at = 0
    for raw in raws:
        views.append(memoryview(chunk)[at : at + len(raw)])
        at += len(raw)
    batch = LineBatch(views, [(len(views), "192.0.2.1", 5, "tcp")])
    assert [x.raw for x in batch] == raws
    expected = [Line(raw, "192.0.2.1", 5, "tcp") for raw in raws]
    a = SyslogParser().parse_batch(batch)
    b = SyslogParser().parse_batch(expected)
    for name, table in a.tables.items():
        assert table.to_pylist() == b.tables[name].to_pylist(), name
    assert [r.raw for r in a.rejects] == [r.raw for r in b.rejects]
