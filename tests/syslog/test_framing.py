"""StreamFramer: RFC 6587 octet counting and non-transparent framing, whole, byte by byte and
split at every position; size caps, framing errors and random bytes."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.syslog.framing import StreamFramer

SRX_CLOSE = (
    b"<14>1 2026-05-28T20:26:40.123Z br-nyc-012-gw1 RT_FLOW - RT_FLOW_SESSION_CLOSE "
    b'[junos@2636.1.1.1.2.129 reason="TCP FIN" source-address="10.1.0.7" source-port="40001" '
    b'destination-address="52.112.0.10" destination-port="443" session-id-32="4101"] '
    b"session closed TCP FIN"
)


def frame(chunks: Iterable[bytes], **kwargs: object) -> tuple[list[bytes], StreamFramer]:
    framer = StreamFramer(**kwargs)  # type: ignore[arg-type]
    out: list[bytes] = []
    for chunk in chunks:
        out += framer.feed(chunk)
    out += framer.close()
    return out, framer


def counters(framer: StreamFramer) -> tuple[int, ...]:
    return (
        framer.messages,
        framer.oversize,
        framer.framing_errors,
        framer.incomplete,
        framer.discarded_bytes,
    )


def every_cut(stream: bytes, **kwargs: object) -> list[list[bytes]]:
    """The messages for the stream whole, one byte at a time, and split at every position.

    Also checks that the framer's counters do not depend on the cuts either.
    """
    whole, framer = frame([stream], **kwargs)
    expected_counters = counters(framer)
    results = [whole]
    cuts = [[stream[i : i + 1] for i in range(len(stream))]]
    cuts += [[stream[:i], stream[i:]] for i in range(len(stream) + 1)]
    for chunks in cuts:
        out, framer = frame(chunks, **kwargs)
        assert counters(framer) == expected_counters, chunks
        results.append(out)
    return results


def octet(messages: Iterable[bytes]) -> bytes:
    return b"".join(b"%d %s" % (len(m), m) for m in messages)


# -- concrete cases -------------------------------------------------------------------------


def test_newline_framing_accepts_lf_crlf_and_nul_and_skips_empty_lines() -> None:
    stream = b"<13>one\n<13>two\r\n<13>three\0\n\r\n<13>four"
    out, framer = frame([stream])
    assert out == [b"<13>one", b"<13>two", b"<13>three", b"<13>four"]
    assert framer.messages == 4
    assert framer.mode is None  # reset by close()


def test_only_one_cr_before_the_terminator_is_dropped() -> None:
    assert frame([b"<13>a\r\r\n<13>b\rc\n"])[0] == [b"<13>a\r", b"<13>b\rc"]


def test_a_leading_digit_selects_octet_counting_which_keeps_newlines_inside_frames() -> None:
    body = b"<13>line one\nline two"
    out, framer = frame([b"\r\n" + octet([SRX_CLOSE, body, b"<13>x"]) + b"\n"])
    assert out == [SRX_CLOSE, body, b"<13>x"]
    assert framer.framing_errors == 0


def test_octet_frames_may_be_separated_and_may_count_a_trailing_newline() -> None:
    stream = b"10 <13>hello\n\n 10 <14>world\n0 6 <15>x\0"
    assert frame([stream])[0] == [b"<13>hello", b"<14>world", b"<15>x"]


def test_a_malformed_octet_header_falls_back_to_newline_framing_losing_nothing() -> None:
    stream = b"9 <13>first12a <13>second\n<13>third\n"
    out, framer = frame([stream])
    assert out == [b"<13>first", b"12a <13>second", b"<13>third"]
    assert framer.framing_errors == 1


def test_more_than_nine_length_digits_is_a_framing_error() -> None:
    out, framer = frame([b"1234567890 <13>x\n"])
    assert out == [b"1234567890 <13>x"]
    assert framer.framing_errors == 1


def test_close_returns_the_received_part_of_an_unfinished_frame_and_counts_it() -> None:
    out, framer = frame([b"5 <13>a100 <13>cut short"])
    assert out == [b"<13>a", b"<13>cut short"]
    assert (framer.incomplete, framer.messages) == (1, 2)


def test_close_drops_a_bare_length_and_counts_a_framing_error() -> None:
    out, framer = frame([b"5 <13>a12"])
    assert out == [b"<13>a"]
    assert (framer.framing_errors, framer.discarded_bytes) == (1, 2)


def test_oversize_newline_messages_are_truncated_and_the_rest_is_discarded() -> None:
    framer = StreamFramer(max_message=8)
    assert framer.feed(b"<13>0123456789") == [b"<13>0123"]  # known too long before its LF
    assert framer.partial
    assert framer.feed(b"abcdef\n<13>ok\n") == [b"<13>ok"]
    assert (framer.oversize, framer.discarded_bytes) == (1, 12)
    assert framer.feed(b"<13>45678\n") == [b"<13>4567"]  # too long by one: seen with its LF
    assert framer.feed(b"<13>4567\r\n") == [b"<13>4567"]  # exactly the cap plus CRLF
    assert framer.oversize == 2


def test_oversize_octet_frames_are_truncated_and_the_next_frame_is_intact() -> None:
    out, framer = frame([octet([b"<13>" + b"x" * 100, b"<13>next"])], max_message=10)
    assert out == [b"<13>xxxxxx", b"<13>next"]
    assert (framer.oversize, framer.discarded_bytes) == (1, 94)


def test_memory_stays_bounded_for_an_endless_line() -> None:
    framer = StreamFramer(max_message=1024)
    out: list[bytes] = []
    for _ in range(1000):
        out += framer.feed(b"A" * 4096)
    assert out == [b"A" * 1024]
    assert len(framer._buf) == 0 and framer.partial


def test_forced_modes() -> None:
    assert frame([b"12 abc\n"], mode="newline")[0] == [b"12 abc"]
    out, framer = frame([b"<13>x\n"], mode="octet")
    assert out == [b"<13>x"] and framer.framing_errors == 1


def test_invalid_max_message_is_refused() -> None:
    with pytest.raises(ValueError):
        StreamFramer(max_message=0)


def test_separators_alone_yield_nothing() -> None:
    out, framer = frame([b"\r\n\0 \n"])
    assert out == [] and framer.mode is None and not framer.partial


# -- properties -----------------------------------------------------------------------------

# A message as it can travel with non-transparent framing: no LF/NUL inside, not ending in CR.
newline_message = (
    st.binary(min_size=1, max_size=40)
    .map(lambda b: b.replace(b"\n", b"").replace(b"\0", b"").rstrip(b"\r"))
    .filter(bool)
)
terminator = st.sampled_from([b"\n", b"\r\n", b"\0", b"\n\n"])
# A message as it can travel octet-counted: anything that does not end in LF, CR or NUL.
octet_message = st.binary(min_size=1, max_size=40).filter(
    lambda b: not b.endswith((b"\n", b"\r", b"\0"))
)


@settings(max_examples=300, deadline=None)
@given(
    messages=st.lists(newline_message, min_size=1, max_size=8),
    terminators=st.lists(terminator, min_size=8, max_size=8),
    last_unterminated=st.booleans(),
)
def test_newline_framing_neither_loses_nor_duplicates_across_cuts(
    messages: list[bytes], terminators: list[bytes], last_unterminated: bool
) -> None:
    first = b"<" if messages[0][:1].isdigit() or messages[0][:1] in b" \r" else b""
    messages = [first + messages[0], *messages[1:]]
    stream = b"".join(m + t for m, t in zip(messages, terminators, strict=False))
    if last_unterminated:
        stream = stream[: -len(terminators[len(messages) - 1])]
    for result in every_cut(stream):
        assert result == messages


@settings(max_examples=300, deadline=None)
@given(
    messages=st.lists(octet_message, min_size=1, max_size=8),
    gaps=st.lists(st.sampled_from([b"", b"\n", b"\r\n", b" "]), min_size=8, max_size=8),
)
def test_octet_counting_neither_loses_nor_duplicates_across_cuts(
    messages: list[bytes], gaps: list[bytes]
) -> None:
    stream = b"".join(octet([m]) + g for m, g in zip(messages, gaps, strict=False))
    for result in every_cut(stream):
        assert result == messages


@settings(max_examples=200, deadline=None)
@given(messages=st.lists(newline_message, min_size=1, max_size=6), cap=st.integers(1, 12))
def test_oversize_messages_become_their_prefix_whatever_the_cuts(
    messages: list[bytes], cap: int
) -> None:
    messages = [b"<" + m for m in messages]
    stream = b"".join(m + b"\r\n" for m in messages)
    expected = [m[:cap] for m in messages]
    for result in every_cut(stream, max_message=cap):
        assert result == expected
    assert frame([stream], max_message=cap)[1].oversize == sum(len(m) > cap for m in messages)
    octets = octet(messages)
    for result in every_cut(octets, max_message=cap):
        assert result == [m.rstrip(b"\n\r\0") for m in expected if m.rstrip(b"\n\r\0")]


@settings(max_examples=500, deadline=None)
@given(
    stream=st.binary(max_size=120)
    | st.lists(st.sampled_from([b"1", b"2 ", b"0", b" ", b"\n", b"\r", b"\0", b"<13>x", b"9"])).map(
        b"".join
    ),
    cap=st.integers(1, 16),
    cuts=st.lists(st.integers(0, 120), max_size=6),
)
def test_random_bytes_frame_identically_however_cut_and_raise_nothing(
    stream: bytes, cap: int, cuts: list[int]
) -> None:
    results = every_cut(stream, max_message=cap)
    points = sorted({c for c in cuts if c <= len(stream)})
    pieces = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    results.append(frame(pieces, max_message=cap)[0])
    assert all(r == results[0] for r in results)
    assert all(0 < len(m) <= cap for m in results[0])
    out, framer = frame([stream], max_message=cap)
    assert framer.messages == len(out)


@settings(max_examples=300, deadline=None)
@given(
    stream=st.lists(octet_message, min_size=1, max_size=6).map(octet)
    | st.binary(max_size=120)
    | st.lists(st.sampled_from([b"1", b"2 ", b"0", b" ", b"\n", b"\r", b"<13>x", b"9"])).map(
        b"".join
    ),
    cap=st.integers(1, 64),
    cut=st.integers(0, 120),
)
def test_views_frame_exactly_as_copies(stream: bytes, cap: int, cut: int) -> None:
    """``feed_views`` (what the TCP listener uses) yields the messages ``feed`` yields."""
    pieces = [stream[:cut], stream[cut:]]
    copies, views = StreamFramer(cap), StreamFramer(cap)
    expected = [m for piece in pieces for m in copies.feed(piece)] + copies.close()
    got = [bytes(m) for piece in pieces for m in views.feed_views(piece)] + views.close()
    assert got == expected
    assert (views.messages, views.oversize, views.framing_errors) == (
        copies.messages,
        copies.oversize,
        copies.framing_errors,
    )
