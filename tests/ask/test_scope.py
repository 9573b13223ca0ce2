"""Tenant scope: a user who may see br-nyc-012 and st-bos-101 is never shown, offered or told
about br-chi-027 (or the hub), whatever the question."""

from __future__ import annotations

import pytest

from assurance.ask import answer
from assurance.query.scoping import Scoper
from tests.ask.conftest import NOW

EVERY = ["br-chi-027", "br-nyc-012", "hub-dc1", "st-bos-101"]
EAST = Scoper(EVERY, ["br-nyc-012", "st-bos-101"])
HIDDEN = ("br-chi-027", "hub-dc1", "chi-027")


@pytest.mark.parametrize(
    "question",
    [
        "why is it slow?",
        "is ap1 ok",
        "how is host-008",
        "compare isps",
        "compare links",
        "which sites are worst",
        "what changed today",
        "list incidents",
        "list actions",
        "why is isp-a dropping packets",
        "why is salesforce slow",
        "which apps are worst",
        "explain the network classifier",
    ],
)
def test_nothing_of_another_tenant(lake: str, question: str) -> None:
    got = answer(question, lake=lake, scope=EAST, now=NOW)
    blob = repr(got.to_dict())
    for name in HIDDEN:
        assert name not in blob, (question, got.text)


def test_choices_list_only_visible_things(lake: str) -> None:
    got = answer("why is it slow?", lake=lake, scope=EAST, now=NOW)
    assert sorted(c.value for c in got.choices) == ["br-nyc-012", "st-bos-101"]
    got = answer("is ap1 ok", lake=lake, scope=EAST, now=NOW)
    assert sorted(c.value for c in got.choices) == ["br-nyc-012-ap1", "st-bos-101-ap1"]
    # host-008 is at br-nyc-012 and br-chi-027: for this user it names one client only
    got = answer("how is host-008", lake=lake, scope=EAST, now=NOW)
    assert not got.choices and got.entities["client"] == "02:5a:10:00:00:08"


def test_another_tenants_site_is_like_an_unknown_one(lake: str) -> None:
    hidden = answer("why is br-chi-027 slow", lake=lake, scope=EAST, now=NOW)
    unknown = answer("why is br-xyz-999 slow", lake=lake, scope=EAST, now=NOW)
    assert hidden.entities == unknown.entities
    assert sorted(c.value for c in hidden.choices) == sorted(c.value for c in unknown.choices)
    assert hidden.text.replace("br-chi-027", "NAME") == unknown.text.replace("br-xyz-999", "NAME")
    admin = answer("why is br-chi-027 slow", lake=lake, now=NOW)
    assert admin.entities["site"] == "br-chi-027" and not admin.choices
