"""Entity linking: spans of question tokens → things of the lake's vocabulary, exact first, then
within a few edits (digits must match exactly: ``br-nyc-013`` is not ``br-nyc-012``).

Owns ``Mention`` and ``mentions``: the non-overlapping mentions of a question, each with every
entry it could mean that the caller may see. Deciding between several candidates is left to
``resolve`` (it needs the site context and the intent). Must not read the lake.
"""

from __future__ import annotations

from dataclasses import dataclass

from assurance.ask.text import Token, allowed_edits, distance
from assurance.ask.vocab import Entry, Vocabulary
from assurance.query.scoping import Scoper

MAX_SPAN = 5
#: Words never taken for a misspelt name.
PLAIN = frozenset(
    [
        "what",
        "which",
        "where",
        "when",
        "why",
        "how",
        "who",
        "is",
        "are",
        "was",
        "were",
        "the",
        "a",
        "an",
        "at",
        "in",
        "on",
        "of",
        "for",
        "to",
        "from",
        "and",
        "or",
        "with",
        "by",
        "about",
        "since",
        "between",
        "last",
        "past",
        "this",
        "that",
        "these",
        "those",
        "today",
        "yesterday",
        "week",
        "weeks",
        "day",
        "days",
        "hour",
        "hours",
        "minute",
        "minutes",
        "month",
        "morning",
        "afternoon",
        "evening",
        "night",
        "tonight",
        "now",
        "slow",
        "slowly",
        "down",
        "drops",
        "dropping",
        "dropped",
        "issue",
        "issues",
        "problem",
        "problems",
        "show",
        "list",
        "tell",
        "give",
        "me",
        "my",
        "our",
        "any",
        "all",
        "every",
        "worst",
        "best",
        "better",
        "worse",
        "compare",
        "versus",
        "than",
        "more",
        "most",
        "top",
        "bottom",
        "open",
        "incidents",
        "incident",
        "actions",
        "action",
        "changed",
        "change",
        "changes",
        "broke",
        "broken",
        "happened",
        "explain",
        "mean",
        "means",
        "classifier",
        "health",
        "link",
        "links",
        "site",
        "sites",
        "branch",
        "branches",
        "store",
        "stores",
        "application",
        "applications",
        "connect",
        "connecting",
        "connection",
        "client",
        "clients",
        "user",
        "users",
        "device",
        "devices",
        "port",
        "ports",
        "switch",
        "gateway",
        "going",
        "wrong",
        "doing",
        "experience",
        "performance",
        "please",
        "could",
        "would",
        "should",
        "there",
        "their",
        "them",
        "they",
        "have",
        "has",
        "had",
        "been",
        "being",
        "getting",
        "users'",
        "call",
        "calls",
        "video",
        "quality",
        "signal",
        "coverage",
        "roaming",
        "roam",
        "capacity",
        "throughput",
        "latency",
        "jitter",
        "loss",
        "packet",
        "bandwidth",
        "internet",
        "wifi",
        "wired",
        "wireless",
        "network",
        "networks",
    ]
)
#: When one span names things of several kinds, the first kind listed wins.
KIND_ORDER = ("client", "port", "ap", "gateway", "switch", "link", "site", "app", "isp")


@dataclass(frozen=True)
class Mention:
    """Tokens ``start:end`` of the question and the entries they may name."""

    start: int
    end: int
    text: str
    kind: str
    candidates: tuple[Entry, ...]
    local: bool
    exact: bool


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _visible(entries: list[tuple[Entry, bool]], scope: Scoper | None) -> list[tuple[Entry, bool]]:
    if scope is None:
        return entries
    out = []
    for e, local in entries:
        if e.kind == "site" and not scope.sees(e.value):
            continue
        if e.site is not None and not scope.sees(e.site):
            continue
        if e.kind == "isp" and not any(scope.sees(s) for s in (e.get("sites") or "").split(",")):
            continue
        out.append((e, local))
    return out


def _pick(found: list[tuple[Entry, bool]]) -> tuple[str, tuple[Entry, ...], bool]:
    """The kind a span names (non-local aliases first, then ``KIND_ORDER``) and its entries."""
    strong = [(e, lo) for e, lo in found if not lo] or found
    kinds = {e.kind for e, _ in strong}
    kind = next(k for k in KIND_ORDER if k in kinds)
    chosen = tuple(dict.fromkeys(e for e, _ in strong if e.kind == kind))
    return kind, chosen, all(lo for e, lo in strong if e.kind == kind)


def mentions(toks: list[Token], vocab: Vocabulary, scope: Scoper | None = None) -> list[Mention]:
    """Every entity mention of the question, left to right, spans not overlapping."""
    found: list[tuple[tuple[int, int, int], Mention]] = []
    n = len(toks)
    exact_spans: set[tuple[int, int]] = set()
    for i in range(n):
        for j in range(i + 1, min(n, i + MAX_SPAN) + 1):
            key = "".join(t.text for t in toks[i:j])
            hits = _visible(vocab.index.get(key, []), scope)
            if not hits:
                continue
            kind, cands, local = _pick(hits)
            text = " ".join(t.text for t in toks[i:j])
            found.append(((2, j - i, len(key)), Mention(i, j, text, kind, cands, local, True)))
            exact_spans.add((i, j))
    for i in range(n):
        for j in range(i + 1, min(n, i + 3) + 1):
            span = toks[i:j]
            if (i, j) in exact_spans or any(t.kind != "word" for t in span):
                continue
            if all(t.text in PLAIN or t.text.isdigit() for t in span):
                continue
            key = "".join(t.text for t in span)
            limit = allowed_edits(key)
            if limit == 0 or (j - i == 1 and key in PLAIN):
                continue
            best: list[tuple[Entry, bool]] = []
            best_d = limit + 1
            for cand, entries in vocab.index.items():
                if abs(len(cand) - len(key)) > limit or len(cand) < 5:
                    continue
                if _digits(cand) != _digits(key):
                    continue
                d = distance(key, cand, limit)
                if d < best_d:
                    best, best_d = list(entries), d
                elif d == best_d and d <= limit:
                    best += entries
            hits = _visible(best, scope) if best_d <= limit else []
            if hits:
                kind, cands, local = _pick(hits)
                text = " ".join(t.text for t in span)
                found.append(((1, j - i, len(key)), Mention(i, j, text, kind, cands, local, False)))
    found.sort(key=lambda f: f[0], reverse=True)
    taken: set[int] = set()
    chosen: list[Mention] = []
    for _, m in found:
        if any(k in taken for k in range(m.start, m.end)):
            continue
        taken.update(range(m.start, m.end))
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)
