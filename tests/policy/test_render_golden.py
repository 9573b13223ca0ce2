"""Rendering per change type against hand-written Junos set/XML goldens (data/samples/policy)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assurance.policy.errors import PolicyError
from assurance.policy.model import Change, Hop
from assurance.policy.render import parse_set, render, set_to_xml

CASES = Path(__file__).resolve().parents[2] / "data" / "samples" / "policy"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _canon(text: str) -> str:
    return ET.canonicalize(text, strip_text=True)


def test_every_change_kind_has_a_golden() -> None:
    kinds = {Change.from_json((CASES / n / "change.json").read_text()).kind for n in NAMES}
    assert kinds == {"steer_app", "adjust_sla", "restore_preference"}


@pytest.mark.parametrize("name", NAMES)
def test_set_form(name: str) -> None:
    case = CASES / name
    out = render(Change.from_json((case / "change.json").read_text()))
    assert out.set_text == (case / "expected.set").read_text()
    assert out.rollback_set == (case / "rollback.set").read_text()


@pytest.mark.parametrize("name", NAMES)
def test_xml_form(name: str) -> None:
    case = CASES / name
    out = render(Change.from_json((case / "change.json").read_text()))
    assert _canon(out.xml) == _canon((case / "expected.xml").read_text())
    assert _canon(out.rollback_xml) == _canon((case / "rollback.xml").read_text())


def test_change_then_rollback_restores_every_leaf() -> None:
    change = Change.from_json((CASES / "steer_app" / "change.json").read_text())
    out = render(change)
    config: dict[tuple[str, ...], str] = {}
    for n, link in enumerate(change.before, start=1):
        config[("qnh", change.hop_of(link))] = str(n)
    start = dict(config)
    for text in (out.set_text, out.rollback_set):
        for verb, tokens in parse_set(text):
            assert verb == "set"
            config[("qnh", tokens[-3])] = tokens[-1]
    assert config == start


def test_nothing_to_change_is_an_error() -> None:
    hops = (Hop("a", "st0.0"), Hop("b", "st0.1"))
    change = Change("steer_app", "s", "gw", "app", "video", hops, ("a", "b"), ("a", "b"))
    with pytest.raises(PolicyError, match="nothing to change"):
        render(change)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('{"kind": "reboot", "site": "s", "device": "d", "app": "a", "group": "g"}', "unknown"),
        ('{"kind": "steer_app", "site": "s"}', "malformed"),
        ("[1]", "not an object"),
        ("{", "malformed change JSON"),
        (
            '{"kind": "steer_app", "site": "s", "device": "d", "app": "a", "group": "g",'
            ' "hops": [{"link": "a", "next_hop": "st0.0"}], "order": ["a", "zz"]}',
            "no next hop",
        ),
    ],
)
def test_bad_changes(doc: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Change.from_json(doc)


def test_bad_set_lines() -> None:
    with pytest.raises(PolicyError, match="line 2"):
        set_to_xml("set a b\nload override\n")
    with pytest.raises(PolicyError, match="line 1"):
        parse_set('set a "b\n')
