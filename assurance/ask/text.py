"""Question text → tokens: lower case, network identifiers (MAC, IP, interface names, times,
dates) kept whole, everything else split into words; common shorthand expanded and misspelt
keywords corrected against a fixed lexicon.

Owns ``tokens``, ``Token``, ``distance`` (optimal string alignment, so a swap of two letters is
one edit) and ``correct``. Pure functions: must not know about the lake, intents or entities
beyond the keyword lexicon it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_MAC = r"(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}|(?:[0-9a-f]{4}\.){2}[0-9a-f]{4}"
_IP = r"(?:\d{1,3}\.){3}\d{1,3}"
_IFACE = r"(?:ge|xe|et|mge|fe|irb|st|lo|reth|ae)-?\d+(?:/\d+){1,2}(?:\.\d+)?|st0\.\d+"
_DATE = r"\d{4}-\d{2}-\d{2}(?:t\d{2}:\d{2}(?::\d{2})?z?)?"
_CLOCK = r"\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}"
_PATTERN = re.compile(
    rf"(?P<mac>{_MAC})|(?P<date>{_DATE})|(?P<ip>{_IP})(?![\d.])|(?P<iface>{_IFACE})"
    rf"|(?P<clock>{_CLOCK})|(?P<word>[a-z0-9&']+)"
)

_NUM_UNIT = re.compile(r"(\d+)(h|hr|hrs|hours?|d|days?|m|mins?|minutes?|w|wks?|weeks?)")

#: Shorthand and spelling variants → the word the rest of the pipeline knows.
SHORTHAND: dict[str, str] = {
    "whats": "what is",
    "what's": "what is",
    "wats": "what is",
    "wat": "what",
    "whys": "why is",
    "why's": "why is",
    "hows": "how is",
    "how's": "how is",
    "cant": "cannot",
    "can't": "cannot",
    "couldnt": "cannot",
    "couldn't": "cannot",
    "wont": "cannot",
    "won't": "cannot",
    "unable": "cannot",
    "isnt": "is not",
    "isn't": "is not",
    "arent": "are not",
    "aren't": "are not",
    "doesnt": "does not",
    "doesn't": "does not",
    "u": "you",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "wifi": "wifi",
    "wi-fi": "wifi",
    "wlan": "wifi",
    "wireless": "wifi",
    "hrs": "hours",
    "hr": "hour",
    "h": "hours",
    "mins": "minutes",
    "min": "minutes",
    "wk": "week",
    "yday": "yesterday",
    "yest": "yesterday",
    "tmrw": "tomorrow",
    "vs": "versus",
    "v": "versus",
    "w/": "with",
    "sw": "switch",
    "gw": "gateway",
    "fw": "firewall",
    "incs": "incidents",
    "apps": "applications",
    "app": "application",
}


@dataclass(frozen=True)
class Token:
    """One token: its text (normalised) and kind (mac, ip, iface, date, clock or word)."""

    text: str
    kind: str


def _mac(text: str) -> str:
    digits = re.sub(r"[^0-9a-f]", "", text)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def tokens(question: str) -> list[Token]:
    """The tokens of ``question``; words split at hyphens, numbers without leading zeros."""
    text = question.lower().replace("’", "'").replace("wi-fi", "wifi")
    out: list[Token] = []
    for m in _PATTERN.finditer(text):
        kind = m.lastgroup or "word"
        value = m.group(0)
        if kind == "mac":
            out.append(Token(_mac(value), "mac"))
        elif kind == "clock":
            out.append(Token(value.replace(" ", "").replace(".", ""), "clock"))
        elif kind in ("ip", "iface", "date"):
            out.append(Token(value, kind))
        else:
            value = value.strip("'")
            if value.endswith("'s"):
                value = value[:-2] if value not in SHORTHAND else value
            if not value:
                continue
            unit = _NUM_UNIT.fullmatch(value)
            words = [unit.group(1), unit.group(2)] if unit else SHORTHAND.get(value, value).split()
            for word in words:
                word = SHORTHAND.get(word, word) if unit else word
                if word.isdigit() and len(word) > 1:
                    word = word.lstrip("0") or "0"
                out.append(Token(word, "word"))
    return out


def distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance of ``a`` and ``b``, or ``limit + 1`` when above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


def allowed_edits(word: str) -> int:
    """How many edits a misspelling of a word this long may have: none under 4 letters."""
    n = len(word)
    return 0 if n < 4 else 1 if n < 7 else 2


def correct(word: str, lexicon: Iterable[str]) -> str:
    """The lexicon word nearest to ``word`` within its allowed edits (first on a tie), else
    ``word`` unchanged. A correction keeps the first letter and is never just a longer or
    shorter form of the word ("healthy" stays, it is not a misspelt "health")."""
    limit = allowed_edits(word)
    if limit == 0:
        return word
    best, best_d = word, limit + 1
    for cand in lexicon:
        if abs(len(cand) - len(word)) > limit or len(cand) < 4 or cand[0] != word[0]:
            continue
        if cand.startswith(word) or word.startswith(cand):
            continue
        d = distance(word, cand, limit)
        if d < best_d:
            best, best_d = cand, d
            if d == 1:
                break
    return best
