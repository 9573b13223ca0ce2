"""Time phrases → a UTC range relative to a given ``now``, read in one time zone.

Owns the documented meaning of each phrase: "last N hours/days" and "past week" end at ``now``;
"last week"/"last month" are the previous calendar week (Monday to Monday) / month; "today",
"this week", "since 9am", "since yesterday" run to ``now``; "yesterday", "on monday", "on
2026-11-02", "nov 2" are whole days; parts of a day are morning 06–12, afternoon 12–18, evening
18–24 and "last night" 18–06 (a part of today ends at ``now`` when ``now`` is inside it);
"at 2pm"/"around 2pm" is the hour from then; "between 1pm and 3pm" is that span. Must not read
the lake or know about entities.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assurance.ask.types import AskError, TimeRange

_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "few": 3,
    "couple": 2,
    "24": 24,
}
_UNITS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_PARTS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24), "tonight": (18, 24)}
_CLOCK = r"(\d{1,2}(?::\d{2})?(?:am|pm)|\d{1,2}:\d{2}|noon|midnight)"
_DAY = r"(today|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH_RE = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"


def zone(name: str | None) -> tzinfo:
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AskError(f"unknown time zone {name!r}") from None


def _clock(text: str) -> time:
    if text == "noon":
        return time(12)
    if text == "midnight":
        return time(0)
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", text)
    if m is None:
        raise AskError(f"not a time of day: {text!r}")
    h, minute, ampm = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if ampm == "pm" and h < 12:
        h += 12
    if ampm == "am" and h == 12:
        h = 0
    if h > 23 or minute > 59:
        raise AskError(f"not a time of day: {text!r}")
    return time(h, minute)


class _Clock:
    """Calendar arithmetic in one zone, relative to ``now``."""

    def __init__(self, now: datetime, tz: tzinfo) -> None:
        self.now = now.astimezone(tz)
        self.tz = tz
        self.today = self.now.date()

    def at(self, d: date, t: time = time(0)) -> datetime:
        return datetime.combine(d, t, tzinfo=self.tz)

    def day(self, word: str) -> date:
        if word == "today":
            return self.today
        if word == "yesterday":
            return self.today - timedelta(days=1)
        back = (self.today.weekday() - _DAYS.index(word)) % 7
        return self.today - timedelta(days=back)

    def month_day(self, month: str, dom: int) -> date:
        m = _MONTHS.index(month[:3]) + 1
        year = self.today.year
        try:
            d = date(year, m, dom)
            if d > self.today:
                d = date(year - 1, m, dom)
        except ValueError:
            raise AskError(f"no such day: {month} {dom}") from None
        return d

    def cap(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        return (start, self.now) if start < self.now < end else (start, end)


def _range(c: _Clock, text: str) -> tuple[datetime, datetime, str] | None:
    now = c.now
    m = re.search(
        rf"\bbetween {_CLOCK} (?:and|to|-) {_CLOCK}(?: {_DAY})?\b"
        rf"|\bfrom {_CLOCK} (?:to|until|till|-) {_CLOCK}(?: {_DAY})?\b",
        text,
    )
    if m:
        a, b, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
        pre = re.search(rf"\b{_DAY}\b", text[: m.start()])
        word = d or (pre.group(1) if pre else "today")
        on = c.day(word)
        return c.at(on, _clock(a)), c.at(on, _clock(b)), m.group(0)
    m = re.search(
        r"\b(?:in |over |during |within |for )?(?:the )?(last|past|previous|recent) "
        r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|few|couple)?"
        r" ?(?:of )?(minute|hour|day|week|month)s?\b",
        text,
    )
    if m:
        word, count, unit = m.group(1), m.group(2), m.group(3)
        if count is None and word == "last" and unit in ("week", "month"):
            if unit == "week":
                monday = c.today - timedelta(days=c.today.weekday())
                return c.at(monday - timedelta(weeks=1)), c.at(monday), m.group(0)
            first = c.today.replace(day=1)
            prev = (first - timedelta(days=1)).replace(day=1)
            return c.at(prev), c.at(first), m.group(0)
        n = 1 if count is None else _NUMBERS.get(count) or int(count)
        return now - n * _UNITS[unit], now, m.group(0)
    m = re.search(
        r"\b(\d+|an?|one|two|three|four|five|six|few|couple) (minute|hour|day)s? ago\b", text
    )
    if m:
        n = _NUMBERS.get(m.group(1)) or int(m.group(1))
        return now - n * _UNITS[m.group(2)], now, m.group(0)
    m = re.search(r"\bthis (week|month)\b", text)
    if m:
        if m.group(1) == "week":
            return c.at(c.today - timedelta(days=c.today.weekday())), now, m.group(0)
        return c.at(c.today.replace(day=1)), now, m.group(0)
    m = re.search(rf"\bsince {_CLOCK}(?: {_DAY})?\b", text)
    if m:
        t = _clock(m.group(1))
        if m.group(2):
            start = c.at(c.day(m.group(2)), t)
        else:
            start = c.at(c.today, t)
            if start > now:
                start -= timedelta(days=1)
        return start, now, m.group(0)
    m = re.search(rf"\bsince {_DAY}\b", text)
    if m:
        return c.at(c.day(m.group(1))), now, m.group(0)
    m = re.search(r"\bsince (\d{4}-\d{2}-\d{2})\b", text)
    if m:
        return c.at(date.fromisoformat(m.group(1))), now, m.group(0)
    m = re.search(r"\b(last night|overnight)\b", text)
    if m:
        return c.at(c.today - timedelta(days=1), time(18)), c.at(c.today, time(6)), m.group(0)
    m = re.search(r"\b(?:over |during |on )?(?:the |this |last )?weekend\b", text)
    if m:
        sat = c.today - timedelta(days=(c.today.weekday() - 5) % 7)
        if sat == c.today or sat + timedelta(days=1) == c.today:
            sat -= timedelta(weeks=1)
        return c.at(sat), c.at(sat + timedelta(days=2)), m.group(0)
    # a day: named, ISO or month-day, with an optional part of the day or clock
    day: date | None = None
    phrase = ""
    m = re.search(rf"\b(?:on )?(?:this )?{_DAY}\b", text)
    if m:
        day, phrase = c.day(m.group(1)), m.group(0)
    m2 = re.search(r"\b(?:on )?(\d{4}-\d{2}-\d{2})\b", text)
    if day is None and m2:
        try:
            day = date.fromisoformat(m2.group(1))
        except ValueError:
            raise AskError(f"no such day: {m2.group(1)}") from None
        phrase = m2.group(0)
    m3 = re.search(
        rf"\b(?:on )?{_MONTH_RE} (\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"|\b(?:on )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH_RE}\b",
        text,
    )
    if day is None and m3:
        if m3.group(1):
            day = c.month_day(m3.group(1), int(m3.group(2)))
        else:
            day = c.month_day(m3.group(4), int(m3.group(3)))
        phrase = m3.group(0)
    part = re.search(r"\b(?:this |in the )?(morning|afternoon|evening|tonight)\b", text)
    at = re.search(rf"\b(?:at|around|about|near) {_CLOCK}\b", text)
    if part:
        d = day or c.today
        h0, h1 = _PARTS[part.group(1)]
        start = c.at(d, time(h0))
        end = c.at(d + timedelta(days=1)) if h1 == 24 else c.at(d, time(h1))
        s, e = c.cap(start, end)
        return s, e, f"{phrase} {part.group(0)}".strip()
    if at:
        d = day or c.today
        start = c.at(d, _clock(at.group(1)))
        return start, start + timedelta(hours=1), f"{phrase} {at.group(0)}".strip()
    if day is not None:
        start = c.at(day)
        s, e = c.cap(start, start + timedelta(days=1))
        return s, e, phrase
    return None


def time_range(text: str, now: datetime, tz: str | None = None) -> TimeRange | None:
    """The range ``text`` speaks of, or None when it names no time."""
    if now.tzinfo is None:
        raise AskError("now must carry a time zone (e.g. 2026-11-02T15:00:00Z)")
    try:
        found = _range(_Clock(now, zone(tz)), text)
        if found is None:
            return None
        start, end, phrase = found
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    except OverflowError:
        raise AskError("the time named is out of range") from None
    if end <= start:
        raise AskError(f"the time range {phrase!r} is empty")
    return TimeRange(start, end, phrase)
