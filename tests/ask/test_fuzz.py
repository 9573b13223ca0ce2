"""Any text at all gets an answer or an ``AskError``, never another exception: random strings,
and random mixes of the words and names the pipeline knows."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assurance.ask import Answer, AskError, answer
from tests.ask.conftest import NOW

WORDS = [
    "why", "is", "slow", "at", "br", "12", "nyc", "isp-a", "mpls", "ap1", "ge-0/0/4", "teams",
    "sfdc", "compare", "worst", "sites", "apps", "since", "9am", "yesterday", "afternoon",
    "between", "1pm", "and", "3pm", "last", "week", "incidents", "open", "actions", "explain",
    "dhcp", "classifier", "host-003", "02:5a:10:00:00:03", "10.16.0.104", "comcast", "vs",
    "on", "nov", "31", "feb", "30", "25:00", "13pm", "what", "changed", "?", "-", "/", "'s",
]  # fmt: skip
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check(lake: str, text: str) -> None:
    try:
        got = answer(text, lake=lake, now=NOW)
    except AskError:
        return
    assert isinstance(got, Answer) and got.text


@SETTINGS
@given(st.text(max_size=80))
def test_random_text(lake: str, text: str) -> None:
    check(lake, text)


@SETTINGS
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_random_known_words(lake: str, words: list[str]) -> None:
    check(lake, " ".join(words))
