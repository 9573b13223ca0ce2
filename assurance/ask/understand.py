"""Question → what it asks: intent, resolved entities, time range, or the choices that settle
an ambiguity. The deterministic front half of ``answer``.

Owns ``Understanding`` and ``understand``: tokens → entity mentions (``entities``) → keyword
typos corrected (``text.correct`` against ``intents.KEYWORDS``) → intent (``intents``) → site
context applied to local names (``ap1``, ``isp-a``) and same-name clients → SLE, classifier and
status words (``words``) → time range (``times``). Two equally good readings give ``choices``,
never a guess. Must not read the lake (the vocabulary is handed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assurance.ask.entities import PLAIN, Mention, mentions
from assurance.ask.intents import KEYWORDS, classify
from assurance.ask.text import correct, tokens
from assurance.ask.times import time_range
from assurance.ask.types import AskError, Choice, TimeRange
from assurance.ask.vocab import Entry, Vocabulary
from assurance.ask.words import classifiers_of, sle_of, status_of
from assurance.query.scoping import Scoper
from assurance.sle.catalog import SLES

_KEYWORDS = frozenset(KEYWORDS)
#: The span ``now`` may lie in (calendar arithmetic far outside it overflows).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_LOCAL_KINDS = ("link", "ap", "port", "gateway", "switch")


@dataclass
class Understanding:
    """What a question asks, before any data is read."""

    question: str
    intent: str
    entities: dict[str, Any]
    time_range: TimeRange | None
    choices: list[Choice] = field(default_factory=list)
    resolved: dict[str, list[Entry]] = field(default_factory=dict)
    text: str = ""
    unknown: list[str] = field(default_factory=list)


_NAME_LIKE = re.compile(
    r"(?<![\w/.:-])[a-z]{2,}(?:[-_][a-z0-9]+)*[-_]?\d+[a-z0-9]*(?![\w/.:-])", re.IGNORECASE
)


def _unknown_names(question: str, ms: list[Mention]) -> list[str]:
    """Name-like words (``br-xyz-999``, ``host-077``) that no mention covers: things this lake
    does not know (or the caller may not see, which reads the same)."""
    linked = {m.text.replace(" ", "") for m in ms}
    out = []
    for m in _NAME_LIKE.finditer(question):
        key = "".join(t.text for t in tokens(m.group(0)))
        if not any(key in k or k in key for k in linked):
            out.append(m.group(0))
    return out


def _texts(question: str, ms: list[Mention]) -> tuple[str, str, str]:
    """(text with ``@kind`` for each mention, text with the mentions' own words, text with the
    kind's word for each mention: "is isp-a down" → "is link down"), keyword misspellings
    corrected in all three."""
    toks = tokens(question)
    starts = {m.start: m for m in ms}
    inside = {i for m in ms for i in range(m.start, m.end)}
    marked: list[str] = []
    plain: list[str] = []
    kinded: list[str] = []
    for i, t in enumerate(toks):
        if i in starts:
            marked.append("@" + starts[i].kind)
            if starts[i].kind == "site":
                if kinded and kinded[-1] in ("at", "in", "on", "for", "from", "of"):
                    kinded.pop()
            else:
                kinded.append(starts[i].kind)
        if i in inside:
            plain.append(t.text)
            continue
        word = t.text
        if t.kind == "word" and word.isalpha() and word not in _KEYWORDS and word not in PLAIN:
            word = correct(word, KEYWORDS)
        marked.append(word)
        plain.append(word)
        kinded.append(word)
    return " ".join(marked), " ".join(plain), " ".join(kinded)


def _one_or_many(values: list[str]) -> Any:
    values = list(dict.fromkeys(values))
    return values[0] if len(values) == 1 else sorted(values)


def _choice(question: str, e: Entry, *, local: bool) -> Choice:
    q = question.strip().rstrip("?")
    if local and e.site:
        return Choice(e.kind, e.value, e.label, f"{q} at {e.site}?")
    return Choice(e.kind, e.value, e.label, f"{q} ({e.value})?")


def _sle_classifier(text: str, intent: str) -> tuple[dict[str, Any], list[Choice], str]:
    """SLE and classifier entities; choices when a classifier belongs to several SLEs."""
    out: dict[str, Any] = {}
    named = classifiers_of(text) if intent == "explain_classifier" else None
    if named is None:
        sle = sle_of(text)
        if sle:
            out["sle"] = sle
        return out, [], ""
    word, options = named
    rest = re.sub(rf"\b{re.escape(word)}\b", " ", text.replace("-", " ").replace("_", " "))
    sle = sle_of(rest)
    picked = [o for o in options if o[0] == sle] if sle else []
    if len(options) == 1:
        picked = options
    if len(picked) == 1:
        out["sle"], out["classifier"] = picked[0]
        return out, [], ""
    choices = [
        Choice("classifier", f"{s}/{c}", f"{c} ({s})", f"explain the {c} classifier of {s}")
        for s, c in options
    ]
    out["classifier"] = options[0][1]
    return out, choices, word


def understand(
    question: str,
    vocab: Vocabulary,
    *,
    now: datetime,
    scope: Scoper | None = None,
    tz: str | None = None,
) -> Understanding:
    """Intent, entities, time range and clarifying choices of ``question``."""
    if not question or not question.strip():
        raise AskError("the question is empty")
    if len(question) > 1000:
        raise AskError("the question is too long (at most 1000 characters)")
    if now.tzinfo is None:
        raise AskError("now must carry a time zone (e.g. 2026-11-02T15:00:00Z)")
    if not EARLIEST <= now <= LATEST:
        raise AskError(f"now must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    ms = mentions(tokens(question), vocab, scope)
    marked, plain, kinded = _texts(question, ms)
    kinds = {m.kind for m in ms}
    named_classifier = classifiers_of(plain) is not None
    intent = classify(marked, kinds, named_classifier)
    if intent == "explain_classifier":
        ms = [m for m in ms if m.kind in ("site",)]
    entities: dict[str, Any] = {}
    resolved: dict[str, list[Entry]] = {}
    choices: list[Choice] = []

    def add(e: Entry) -> None:
        resolved.setdefault(e.kind, [])
        if e not in resolved[e.kind]:
            resolved[e.kind].append(e)

    # non-local names first (sites, clients, apps, ISPs, full device names)
    pending: list[Mention] = []
    for m in ms:
        if m.local:
            continue
        if len(m.candidates) == 1:
            add(m.candidates[0])
        else:
            pending.append(m)
    sites = {e.value for e in resolved.get("site", [])}
    for m in pending:
        near = [e for e in m.candidates if e.site in sites] if sites else []
        known = [e for e in m.candidates if e in resolved.get(m.kind, [])]
        if len(near) == 1 or len(known) == 1:
            add((near or known)[0])
        elif not known:
            choices += [_choice(question, e, local=False) for e in m.candidates]
    sites = {e.value for e in resolved.get("site", [])}
    for m in ms:
        if not m.local:
            continue
        if intent == "compare_links" and not sites and m.kind == "link":
            names = sorted({e.get("name") or "" for e in m.candidates})
            entities.setdefault("link_name", [])
            entities["link_name"] += names
            continue
        near = [e for e in m.candidates if e.site in sites] if sites else list(m.candidates)
        if len(near) == 1:
            add(near[0])
        else:
            choices += [_choice(question, e, local=True) for e in (near or m.candidates)]
    for kind, found in resolved.items():
        entities[kind] = _one_or_many([e.value for e in found])
    if "link_name" in entities:
        entities["link_name"] = _one_or_many(entities["link_name"])
    # the intent again, now that local names resolved (an AP named only as "ap1")
    kinds_now = set(entities) | {c.kind for c in choices}
    if intent.startswith("troubleshoot_"):
        intent = classify(marked, kinds_now, named_classifier)
    sle_text = plain if intent == "explain_classifier" else kinded
    if intent in ("list_incidents", "list_actions", "what_changed"):
        sle_text = re.sub(r"\b(outages?|issues?|problems?)\b", " ", sle_text)
    extra, more, _ = _sle_classifier(sle_text, intent)
    entities.update(extra)
    choices += more
    if intent == "list_incidents":
        status = status_of(plain)
        if status:
            entities["status"] = status
    if intent == "troubleshoot_site" and not entities.get("site") and not choices:
        gateway_or_switch = entities.get("gateway") or entities.get("switch")
        if not gateway_or_switch:
            visible = [s for s in vocab.sites if scope is None or scope.sees(s)]
            choices = [
                Choice("site", s, s, f"{question.strip().rstrip('?')} at {s}?") for s in visible
            ]
    tr = time_range(plain, now, tz)
    unknown = _unknown_names(question, ms) if choices else []
    return Understanding(question, intent, entities, tr, choices, resolved, marked, unknown)


__all__ = ["SLES", "Understanding", "understand"]
