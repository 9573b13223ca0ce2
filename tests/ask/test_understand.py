"""Understanding without the executor: time phrases against hand-computed ranges (UTC and a
zone across the end of daylight saving time), shorthand and typos, and choices that re-ask."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assurance.ask import AskError, answer
from assurance.ask.text import correct, distance, tokens
from assurance.ask.times import time_range
from tests.ask.conftest import NOW


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("phrase", "tz", "start", "end"),
    [
        # 2026-11-02 15:00 UTC is 10:00 in New York, the day after clocks went back (EST, -5)
        ("since 9am", "America/New_York", "2026-11-02T14:00:00Z", "2026-11-02T15:00:00Z"),
        # yesterday there began in daylight time (-4) and ended in standard time (-5): 25 h
        ("yesterday", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z"),
        ("this morning", "America/New_York", "2026-11-02T11:00:00Z", "2026-11-02T15:00:00Z"),
        ("last week", "UTC", "2026-10-26T00:00:00Z", "2026-11-02T00:00:00Z"),
        ("from 9:30am to 11am yesterday", "UTC", "2026-11-01T09:30:00Z", "2026-11-01T11:00:00Z"),
        ("since 4pm", "UTC", "2026-11-01T16:00:00Z", "2026-11-02T15:00:00Z"),  # not yet today
        ("on oct 30", "UTC", "2026-10-30T00:00:00Z", "2026-10-31T00:00:00Z"),
        ("the last 90 minutes", "UTC", "2026-11-02T13:30:00Z", "2026-11-02T15:00:00Z"),
        ("last month", "UTC", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"),
    ],
)  # fmt: skip
def test_time_phrases(phrase: str, tz: str, start: str, end: str) -> None:
    got = time_range(" ".join(t.text for t in tokens(phrase)), NOW, tz)
    assert got is not None
    assert (got.start, got.end) == (iso(start), iso(end))


def test_no_time_phrase_and_bad_inputs() -> None:
    assert time_range("why is teams slow", NOW) is None
    with pytest.raises(AskError, match="time zone"):
        time_range("today", NOW, "Mars/Olympus")
    with pytest.raises(AskError, match="zone"):
        time_range("today", datetime(2026, 11, 2, 15, 0), None)


def test_tokens_keep_identifiers_whole() -> None:
    got = [(t.text, t.kind) for t in tokens("Why's 02-5A-10-00-00-03 on ge-0/0/4 slow @ 9 AM?")]
    assert ("02:5a:10:00:00:03", "mac") in got
    assert ("ge-0/0/4", "iface") in got
    assert ("9am", "clock") in got
    assert [t.text for t in tokens("br-nyc-012 last 24h")] == ["br", "nyc", "12", "last", "24",
                                                               "hours"]  # fmt: skip


def test_edit_distance_and_correction() -> None:
    assert distance("incidnets", "incidents") == 1  # a swap is one edit
    assert distance("kitten", "sitting", 5) == 3
    assert correct("wrost", ["worst", "west"]) == "worst"
    assert correct("healthy", ["health"]) == "healthy"  # a longer form, not a typo
    assert correct("buffering", ["suffering"]) == "buffering"  # first letter kept


def test_a_choice_re_asked_is_answered(lake: str) -> None:
    got = answer("is ap1 ok", lake=lake, now=NOW)
    assert got.choices and not got.causes and "Which one" in got.text
    pick = next(c for c in got.choices if c.value == "br-chi-027-ap1")
    again = answer(pick.question, lake=lake, now=NOW)
    assert not again.choices
    assert again.intent == "troubleshoot_ap" and again.entities["ap"] == "br-chi-027-ap1"


def test_answer_shape(lake: str) -> None:
    got = answer("why is isp-a at br 12 dropping since 13:00", lake=lake, now=NOW)
    assert got.intent == "troubleshoot_link"
    assert got.time_range is not None and got.time_range.start == datetime(2026, 11, 2, 13,
                                                                           tzinfo=UTC)  # fmt: skip
    assert got.dashboard_url == (
        "/wan?site=br-nyc-012&link=isp-a&from=2026-11-02T13:00:00Z&to=2026-11-02T15:00:00Z"
    )
    assert got.api_call == (
        "GET /api/v1/sites/br-nyc-012/wan_links?start=2026-11-02T13:00:00Z&end=2026-11-02T15:00:00Z"
    )
    data = got.to_dict()
    assert data["time_range"]["from"] == "2026-11-02T13:00:00Z"
    assert data["causes"][0]["root_cause"].startswith("link:br-nyc-012/isp-a")


@pytest.mark.parametrize("question", ["", "   ", "x" * 1001])
def test_bad_questions(lake: str, question: str) -> None:
    with pytest.raises(AskError):
        answer(question, lake=lake, now=NOW)


@pytest.mark.parametrize(
    ("question", "now", "message"),
    [
        ("what changed last week", datetime(1, 1, 1, tzinfo=UTC), "between 1970 and 2200"),
        ("what changed", datetime(2026, 11, 2, 15), "time zone"),
        ("what changed on 9999-12-31", NOW, "out of range"),
        ("incidents on feb 30", NOW, "no such day"),
    ],
)
def test_times_out_of_range(lake: str, question: str, now: datetime, message: str) -> None:
    with pytest.raises(AskError, match=message):
        answer(question, lake=lake, now=now)
