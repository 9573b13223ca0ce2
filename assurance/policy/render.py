"""Junos configuration for a path-policy change: ``set`` lines, XML, and the rollback of both.

Owns the configuration leaves a ``Change`` touches and how they read in Junos: an application
group's preferred path is the order of the qualified next hops of its default route in the
group's routing instance (``[edit routing-instances <group>-ri routing-options static route
0.0.0.0/0]``, lower preference wins; the group's APBR rule sends its traffic there); its SLA is
the AppQoE metrics profile and SLA rule under ``[edit security advance-policy-based-routing]``.
A change is rendered as a diff against the configuration in force (only leaves that differ),
and its rollback restores every touched leaf (``set`` the old value, ``delete`` what did not
exist). XML is derived from the ``set`` lines by one converter, so both forms always agree.
Must not: talk to devices or decide what to change.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from assurance.policy.errors import PolicyError
from assurance.policy.model import Change

DEFAULT_ROUTE = "0.0.0.0/0"
APBR = ("security", "advance-policy-based-routing")
#: Tokens followed by the name of a list entry, and the element that entry is in Junos XML.
_KEYED = {
    "routing-instances": "instance",
    "route": None,
    "qualified-next-hop": None,
    "metrics-profile": None,
    "sla-rule": None,
    "profile": None,
    "rule": None,
    "security-zone": None,
}
#: Leaves whose value sits in a child element in Junos XML.
_WRAPPED = {"preference": "metric-value"}


@dataclass(frozen=True)
class Leaf:
    path: tuple[str, ...]
    value: str
    #: How many path tokens name what a rollback deletes when the leaf did not exist before.
    owner: int


@dataclass(frozen=True)
class Rendered:
    set_text: str
    rollback_set: str

    @property
    def xml(self) -> str:
        return set_to_xml(self.set_text)

    @property
    def rollback_xml(self) -> str:
        return set_to_xml(self.rollback_set)


def routing_instance(group: str) -> str:
    return f"{group}-ri"


def metrics_profile(group: str) -> str:
    return f"{group}-metrics"


def sla_rule(group: str) -> str:
    return f"{group}-sla"


def _path_leaves(change: Change, order: tuple[str, ...]) -> list[Leaf]:
    base = (
        "routing-instances",
        routing_instance(change.group),
        "routing-options",
        "static",
        "route",
        DEFAULT_ROUTE,
        "qualified-next-hop",
    )
    return [
        Leaf((*base, change.hop_of(link), "preference"), str(n), len(base) + 1)
        for n, link in enumerate(order, start=1)
    ]


def _sla_leaves(change: Change, before: bool) -> list[Leaf]:
    sla = change.sla_before if before else change.sla
    count = change.violation_count_before if before else change.violation_count
    out: list[Leaf] = []
    if sla is not None:
        base = (*APBR, "metrics-profile", metrics_profile(change.group), "sla-threshold")
        # Junos takes round-trip delay and jitter in microseconds, loss in whole percent.
        for name, value in (
            ("delay-round-trip", round(sla.rtt_ms * 1000)),
            ("jitter", round(sla.jitter_ms * 1000)),
            ("packet-loss", max(1, round(sla.loss_pct))),
        ):
            path = (*base, name)
            out.append(Leaf(path, str(value), len(path)))
    if count is not None:
        path = (
            *APBR,
            "sla-rule",
            sla_rule(change.group),
            "passive-probe-params",
            "violation-count",
        )
        out.append(Leaf(path, str(count), len(path)))
    return out


def leaves(change: Change) -> tuple[list[Leaf], list[Leaf]]:
    """(leaves after the change, leaves in force before it)."""
    if change.kind == "adjust_sla":
        return _sla_leaves(change, False), _sla_leaves(change, True)
    return _path_leaves(change, change.order), _path_leaves(change, change.before)


def _line(verb: str, path: tuple[str, ...], value: str | None = None) -> str:
    words = [verb, *(_quote(t) for t in path)]
    if value is not None:
        words.append(_quote(value))
    return " ".join(words)


def _quote(token: str) -> str:
    return token if token and all(c not in token for c in " \"'{};#") else f'"{token}"'


def render(change: Change) -> Rendered:
    """The change as ``set`` lines against the configuration in force, and its rollback."""
    new, old = leaves(change)
    old_by = {leaf.path: leaf for leaf in old}
    new_by = {leaf.path: leaf for leaf in new}
    forward: list[str] = []
    backward: list[str] = []
    deleted: set[tuple[str, ...]] = set()
    for leaf in new:
        was = old_by.get(leaf.path)
        if was is not None and was.value == leaf.value:
            continue
        forward.append(_line("set", leaf.path, leaf.value))
        if was is not None:
            backward.append(_line("set", leaf.path, was.value))
        else:
            owner = leaf.path[: leaf.owner]
            if owner not in deleted:
                deleted.add(owner)
                backward.append(_line("delete", owner))
    for leaf in old:
        if leaf.path not in new_by:
            owner = leaf.path[: leaf.owner]
            if owner not in deleted:
                deleted.add(owner)
                forward.append(_line("delete", owner))
            backward.append(_line("set", leaf.path, leaf.value))
    if not forward:
        raise PolicyError(f"{change.kind} at {change.site}: nothing to change (already in force)")
    return Rendered("\n".join(forward) + "\n", "\n".join(backward) + "\n")


def parse_set(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """``set``/``delete`` lines as (verb, tokens); blank lines skipped; bad lines raise."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _CONTROL_RE.search(line):
            raise PolicyError(f"line {n}: control characters are not allowed")
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise PolicyError(f"line {n}: {exc}") from None
        if words[0] not in ("set", "delete") or len(words) < 2:
            raise PolicyError(f"line {n}: expected 'set …' or 'delete …', got {line[:60]!r}")
        out.append((words[0], tuple(words[1:])))
    return out


_TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _child(parent: ET.Element, tag: str, name: str | None) -> ET.Element:
    if not _TAG_RE.match(tag):
        raise PolicyError(f"{tag[:40]!r} is not a configuration statement name")
    for el in parent.findall(tag):
        key = el.find("name")
        if (name is None and key is None) or (key is not None and key.text == name):
            return el
    el = ET.SubElement(parent, tag)
    if name is not None:
        ET.SubElement(el, "name").text = name
    return el


def set_to_xml(text: str) -> str:
    """Junos XML (``<configuration>``) for ``set``/``delete`` lines of the hierarchies we use.

    ``delete`` marks the element it names with ``operation="delete"``."""
    root = ET.Element("configuration")
    for verb, tokens in parse_set(text):
        el = root
        i = 0
        last: ET.Element = root
        while i < len(tokens):
            tok = tokens[i]
            remaining = len(tokens) - i - 1
            if tok in _KEYED and remaining >= 1:
                inner = _KEYED[tok]
                if inner is not None:
                    el = _child(el, tok, None)
                    el = _child(el, inner, tokens[i + 1])
                else:
                    el = _child(el, tok, tokens[i + 1])
                last = el
                i += 2
                continue
            if verb == "set" and remaining == 1:
                leaf = _child(el, tok, None)
                wrap = _WRAPPED.get(tok)
                target = ET.SubElement(leaf, wrap) if wrap else leaf
                target.text = tokens[i + 1]
                last = leaf
                i += 2
                break
            el = _child(el, tok, None)
            last = el
            i += 1
        if verb == "delete":
            last.set("operation", "delete")
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


__all__ = ["Leaf", "Rendered", "leaves", "parse_set", "render", "set_to_xml"]
