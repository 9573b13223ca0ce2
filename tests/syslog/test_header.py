"""Headers and timestamps: PRI, RFC 5424, BSD, relays, zones and year inference."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.syslog.header import Clock, parse_header
from collectors.syslog.model import SyslogError


def us(*args: int) -> int:
    stamp = datetime(*args, tzinfo=UTC)  # type: ignore[misc]
    return int(stamp.timestamp()) * 1_000_000 + stamp.microsecond


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty line"),
        ("   ", "empty line"),
        ("hello", "no syslog header (neither <PRI> nor a timestamp)"),
        ("<192>1 2024-03-01T00:00:00Z h a p m -", "invalid PRI <192>"),
        ("<014>Mar  1 00:00:00 h t: x", "invalid PRI <014>"),
        ("<-1>x", "invalid PRI <-1>"),
        ("<14", "'<' without a valid PRI"),
        ("<1234567>x", "'<' without a valid PRI"),
    ],
)
def test_bad_headers(text: str, reason: str) -> None:
    with pytest.raises(SyslogError) as info:
        parse_header(text)
    assert info.value.reason == reason


def test_pri_bounds() -> None:
    assert (parse_header("<0>x").facility, parse_header("<0>x").severity) == (0, 0)
    head = parse_header("<191>Mar  1 00:00:00 h t: x")
    assert (head.facility, head.severity) == (23, 7)


def test_rfc5424_fields_and_nil() -> None:
    head = parse_header(
        '<165>1 2003-10-11T22:14:15.003Z mymachine evntslog - ID47 [ex@32473 a="1"] msg'
    )
    assert (head.format, head.facility, head.severity) == ("rfc5424", 20, 5)
    assert (head.ts, head.hostname, head.app_name) == (
        "2003-10-11T22:14:15.003Z",
        "mymachine",
        "evntslog",
    )
    assert (head.proc_id, head.msg_id) == (None, "ID47")
    assert head.rest == '[ex@32473 a="1"] msg'


def test_rfc5424_short_line_keeps_what_is_there() -> None:
    head = parse_header("<14>1 2024-03-01T00:00:00Z host")
    assert (head.hostname, head.app_name, head.msg_id, head.rest) == ("host", None, None, "")


def test_bsd_with_and_without_hostname() -> None:
    head = parse_header(
        "<14>Mar  1 12:34:56  srx1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed x"
    )
    assert (head.format, head.ts, head.hostname, head.app_name) == (
        "rfc3164",
        "Mar  1 12:34:56",
        "srx1",
        "RT_FLOW",
    )
    assert (head.msg_id, head.rest) == ("RT_FLOW_SESSION_CLOSE", "session closed x")
    head = parse_header("Oct  5 06:01:35   RT_UTM: WEBFILTER_URL_PERMITTED: WebFilter: x")
    assert (head.facility, head.hostname, head.app_name, head.msg_id) == (
        None,
        None,
        "RT_UTM",
        "WEBFILTER_URL_PERMITTED",
    )


def test_bsd_tag_with_pid_and_untagged_message() -> None:
    head = parse_header("<30>Mar  1 11:59:00 ex1 mib2d[1344]: plain words here")
    assert (head.app_name, head.proc_id, head.msg_id, head.rest) == (
        "mib2d",
        "1344",
        None,
        "plain words here",
    )


def test_junos_tag_before_structured_data_over_bsd() -> None:
    head = parse_header(
        '<14>Dec 17 14:46:29 h RT_FLOW: APPTRACK_SESSION_CLOSE [junos@2636.1 a="1"]'
    )
    assert (head.msg_id, head.rest) == ("APPTRACK_SESSION_CLOSE", '[junos@2636.1 a="1"]')


def test_relay_depth_is_bounded() -> None:
    text = "<13>Mar  1 12:00:00 r1 " * 5 + "<14>Mar  1 11:00:00 dev t: x"
    head = parse_header(text)
    assert head.relay_host == "r1"  # unwrapped three levels, the rest stays the message
    assert head.rest.startswith("<13>Mar  1 12:00:00 r1")


def test_iso_offsets_and_fractions() -> None:
    clock = Clock()
    assert clock.iso_us("2024-03-01T12:34:56.123+01:00", "UTC") == us(
        2024, 3, 1, 11, 34, 56, 123000
    )
    assert clock.iso_us("2024-03-01T00:30:00-05:30", "UTC") == us(2024, 3, 1, 6, 0, 0)
    assert clock.iso_us("2024-03-01T00:00:00.1234567Z", "UTC") == us(2024, 3, 1, 0, 0, 0, 123456)
    assert clock.iso_us("2016-12-31T23:59:60Z", "UTC") == us(2016, 12, 31, 23, 59, 59)


@pytest.mark.parametrize(
    "ts",
    ["2024-02-30T00:00:00Z", "2024-03-01T24:00:00Z", "2024-13-01T00:00:00Z",
     "2024-03-01T00:00:00+24:00", "0000-01-01T00:00:00Z", "2024-03-01", "yesterday"],
)  # fmt: skip
def test_invalid_iso_timestamps(ts: str) -> None:
    assert Clock().iso_us(ts, "UTC") is None


def test_zone_per_device_by_hostname_then_sender() -> None:
    clock = Clock("UTC", {"srx-paris": "Europe/Paris", "192.0.2.7": "Asia/Kolkata"})
    assert clock.zone_name("srx-paris", "192.0.2.7") == "Europe/Paris"
    assert clock.zone_name("other", "192.0.2.7") == "Asia/Kolkata"
    assert clock.zone_name(None, "192.0.2.8") == "UTC"
    assert clock.iso_us("2024-07-01T12:00:00", "Europe/Paris") == us(2024, 7, 1, 10, 0, 0)
    assert clock.iso_us("2024-01-01T12:00:00", "Asia/Kolkata") == us(2024, 1, 1, 6, 30, 0)
    # an explicit offset wins over the device zone
    assert clock.iso_us("2024-07-01T12:00:00Z", "Europe/Paris") == us(2024, 7, 1, 12, 0, 0)


def test_unknown_zone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        Clock("Mars/Olympus")


@pytest.mark.parametrize(
    ("ts", "received", "expected"),
    [
        ("Dec 31 23:59:58", (2025, 1, 1, 0, 0, 5), (2024, 12, 31, 23, 59, 58)),
        ("Jan  1 00:00:01", (2024, 12, 31, 23, 59, 59), (2025, 1, 1, 0, 0, 1)),
        ("Jun 17 16:49:31", (2024, 3, 1, 12, 0, 0), (2023, 6, 17, 16, 49, 31)),
        ("Mar  8 12:00:00", (2024, 3, 1, 12, 0, 0), (2024, 3, 8, 12, 0, 0)),
        ("Mar  9 12:00:00", (2024, 3, 1, 12, 0, 0), (2023, 3, 9, 12, 0, 0)),
        ("Feb 29 10:00:00", (2025, 3, 1, 0, 0, 0), (2024, 2, 29, 10, 0, 0)),
        ("Mar  1 2020 11:58:00.250", (2024, 3, 1, 0, 0, 0), (2020, 3, 1, 11, 58, 0, 250000)),
    ],
)
def test_bsd_year_inference(ts: str, received: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert Clock().bsd_us(ts, "UTC", us(*received)) == us(*expected)


def test_bsd_time_in_device_zone_across_dst() -> None:
    clock = Clock("UTC", {"nyc": "America/New_York"})
    summer = clock.bsd_us("Jul  4 12:00:00", "America/New_York", us(2024, 7, 4, 16, 0, 10))
    winter = clock.bsd_us("Jan  4 12:00:00", "America/New_York", us(2024, 1, 4, 17, 0, 10))
    assert summer == us(2024, 7, 4, 16, 0, 0)
    assert winter == us(2024, 1, 4, 17, 0, 0)


def test_bsd_bad_month() -> None:
    assert Clock().bsd_us("Foo  1 00:00:00", "UTC", us(2024, 1, 1)) is None


def test_bsd_year_inference_reuses_nothing_but_the_calendar() -> None:
    """One clock sees the same timestamp received at different moments of the same year: each
    answer applies its own receive time (the lead limit is 7 days after receipt)."""
    clock = Clock()
    ts = "Mar  8 12:00:00"
    # received exactly 7 days before: still this year; one second earlier: last year
    assert clock.bsd_us(ts, "UTC", us(2024, 3, 1, 12, 0, 0)) == us(2024, 3, 8, 12, 0, 0)
    assert clock.bsd_us(ts, "UTC", us(2024, 3, 1, 11, 59, 59)) == us(2023, 3, 8, 12, 0, 0)
    assert clock.bsd_us(ts, "UTC", us(2024, 3, 1, 12, 0, 0)) == us(2024, 3, 8, 12, 0, 0)
    # the same January time received late in December (next year) and early in January
    jan = "Jan  1 00:00:01"
    assert clock.bsd_us(jan, "UTC", us(2024, 12, 31, 23, 59, 59)) == us(2025, 1, 1, 0, 0, 1)
    assert clock.bsd_us(jan, "UTC", us(2024, 1, 2, 0, 0, 0)) == us(2024, 1, 1, 0, 0, 1)
    assert clock.bsd_us(jan, "UTC", us(2024, 6, 1, 0, 0, 0)) == us(2024, 1, 1, 0, 0, 1)
    assert clock.bsd_us(jan, "UTC", us(2024, 12, 20, 0, 0, 0)) == us(2024, 1, 1, 0, 0, 1)
    assert clock.bsd_us(jan, "UTC", us(2024, 12, 25, 0, 0, 2)) == us(2025, 1, 1, 0, 0, 1)
