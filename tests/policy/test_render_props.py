"""Property tests: any text fed to the set-line reader raises only ``PolicyError``; every
rendered change, as XML read back by the test peer's own XML reader, is the same set lines,
and change followed by rollback restores every touched leaf."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from assurance.policy.errors import PolicyError
from assurance.policy.model import Change, Hop, Thresholds
from assurance.policy.render import parse_set, render, set_to_xml
from tests.policy.netconf_server import _apply_set, _xml_to_set

LINKS = ("mpls", "isp-a", "isp-b", "lte")
HOPS = tuple(Hop(link, f"st0.{n}") for n, link in enumerate(LINKS))


def test_control_characters_are_refused() -> None:
    import pytest

    with pytest.raises(PolicyError, match="line 1: control characters"):
        set_to_xml("set a \x01")


@given(
    st.text(max_size=200)
    | st.lists(st.sampled_from(["set", "delete", "a", "\x01", "é", '"', "route", "1x", " "])).map(
        " ".join
    )
)
@settings(max_examples=300, deadline=None)
def test_any_text_raises_only_policy_error(text: str) -> None:
    try:
        xml = set_to_xml(text)
    except PolicyError:
        return
    ET.fromstring(xml)  # well-formed whenever it is produced


orders = st.permutations(LINKS).flatmap(
    lambda p: st.integers(1, len(p)).map(lambda n: tuple(p[:n]))
)


@st.composite
def changes(draw: st.DrawFn) -> Change:
    if draw(st.booleans()):
        order = draw(orders)
        before = draw(st.one_of(st.just(()), st.permutations(order).map(tuple)))
        return Change("steer_app", "s", "gw", "app", "video", HOPS, order, before)
    th = st.builds(
        Thresholds,
        st.integers(1, 1000).map(float),
        st.integers(0, 200).map(float),
        st.integers(0, 100).map(float),
    )
    return Change(
        "adjust_sla",
        "s",
        "gw",
        "app",
        "video",
        sla=draw(th),
        sla_before=draw(th),
        violation_count=draw(st.integers(1, 9)),
        violation_count_before=draw(st.integers(1, 9)),
    )


@given(changes())
@settings(max_examples=200, deadline=None)
def test_xml_equals_set_and_rollback_restores(change: Change) -> None:
    try:
        out = render(change)
    except PolicyError:
        return  # nothing to change
    for text in (out.set_text, out.rollback_set):
        via_xml = _xml_to_set(ET.fromstring(set_to_xml(text)))
        assert [ln.split() for ln in via_xml.splitlines()] == [
            [verb, *tokens] for verb, tokens in parse_set(text)
        ]
    # start from the configuration in force, apply the change, then its rollback
    before: dict[tuple[str, ...], str] = {}
    from assurance.policy.render import leaves

    _, old = leaves(change)
    for leaf in old:
        before[leaf.path] = leaf.value
    config = dict(before)
    _apply_set(config, out.set_text)
    assert config != before
    _apply_set(config, out.rollback_set)
    assert config == before
