"""Everyday words → SLEs, classifiers and incident status, as one ordered table of patterns.

Owns ``SLE_PATTERNS`` (first match in table order wins: explicit SLE names, then the specific
symptoms, then the vague ones like "slow" and "drops"), ``sle_of``, ``classifiers_of`` and
``status_of``. The table is the documented mapping the evaluation set is written against.
Works on normalised text (``text.tokens`` joined by spaces). Must not read the lake.
"""

from __future__ import annotations

import re

from assurance.sle.catalog import SLES

_WIRED = re.compile(r"\b(wired|ethernet|lan|desk|desktop|cable|cabled|plugged|port)\b")
_CONNECT = (
    r"\b(nobody|no one|cannot|not|fail|fails|failed|failing|trouble|problems?|issues?)"
    r" (to |can |\w+ \w+ |\w+ )?"
    r"(connect|connecting|get online|join|joining|log ?in|authenticate|get an ip)\b"
    r"|\bconnect(ion)? (failures?|errors?|fails?)\b|\bno ip\b|\bdhcp\b"
    r"|\bauth\w* fail\w*\b|\bsuccessful connects?\b|\bassociation\b"
)

#: (pattern, SLE in Mist spelling), in priority order.
SLE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), sle)
    for p, sle in (
        (r"\b(application|app) health\b|\bapplications? health\b", "application-health"),
        (r"\bwan (link )?health\b|\blink health\b", "wan-link-health"),
        (r"\bgateway health\b", "gateway-health"),
        (r"\bgateway bandwidth\b", "gateway-bandwidth"),
        (r"\bwired throughput\b", "wired-throughput"),
        (r"\bwired (successful )?connects?\b", "wired-successful-connects"),
        (r"\bswitch health\b", "switch-health"),
        (r"\bap health\b", "ap-health"),
        (r"\bwifi throughput\b|\bwireless throughput\b", "wireless-throughput"),
        (
            r"\btime to connect\b|\bconnect(ion)? times?\b|\b(slow|long|ages|forever) to "
            r"(connect|join)\b",
            "time-to-connect",
        ),
        (
            r"\bslow wifi\b|\bwifi (is |was |feels )?(slow|sluggish|laggy|crawling)\b",
            "wireless-throughput",
        ),
        (r"\baps? (is |are |was |were )?(down|offline|rebooting|reboots|dead)\b", "ap-health"),
        (
            r"\bcoverage\b|\b(weak|bad|poor|no|low) signal\b|\bdead (zone|spot)s?\b"
            r"|\bsignal strength\b|\brssi\b|\bno bars\b"
            r"|\bsignal (\w+ )?(\w+ )?(is |was )?(weak|bad|poor|low)\b",
            "coverage",
        ),
        (r"\broam(ing|s)?\b|\bhand ?offs?\b", "roaming"),
        (
            r"\bcapacity\b|\bcrowded\b|\btoo many (clients|users|devices)\b|\bchannel busy\b",
            "capacity",
        ),
        (_CONNECT, "successful-connects"),
        (
            r"\bbandwidth\b|\bsaturat\w*\b|\bmaxed out\b|\butili[sz]ation\b|\bcongest\w*\b",
            "gateway-bandwidth",
        ),
        (
            r"\bcpu\b|\bmemory\b|\bsession table\b|\b(gateway|firewall|srx) (is |was )?"
            r"(down|overloaded|unreachable|struggling)\b",
            "gateway-health",
        ),
        (
            r"\bport errors?\b|\bports? (has |have |had |with |shows |showing )?errors\b"
            r"|\berrors on (the |a )?port\b|\bcrc\b|\bduplex\b|\b(ethernet|wired) (is |was )?slow\b"
            r"|\bslow wired\b",
            "wired-throughput",
        ),
        (r"\bswitch (is |was )?(down|offline|unreachable)\b", "switch-health"),
        (
            r"\b(link|circuit|isp|internet|wan|uplink|mpls|lte|broadband) (is |was |keeps )?"
            r"(going )?(down|flapping|out|dead|unreachable|bouncing)\b|\boutages?\b|\bflap\w*\b"
            r"|\bisp reachability\b|\boffline\b",
            "wan-link-health",
        ),
        (
            r"\bslow\w*\b|\blag\w*\b|\blatency\b|\bsluggish\b|\bchoppy\b|\bjitter\w*\b"
            r"|\bpacket loss\b|\bloss\b|\blos\w+ packets\b|\bpackets? drops?\b|\bdrop\w*\b"
            r"|\bbuffer\w*\b|\bfreez\w*\b|\bquality\b"
            r"|\bunusable\b|\btime ?outs?\b|\btiming out\b|\bcrawling\b",
            "application-health",
        ),
    )
)


def sle_of(text: str) -> str | None:
    """The SLE ``text`` speaks of, by the first pattern that matches; wired connection
    failures are ``wired-successful-connects``."""
    for pattern, sle in SLE_PATTERNS:
        if pattern.search(text):
            if sle == "successful-connects" and _WIRED.search(text) and "wifi" not in text:
                return "wired-successful-connects"
            return sle
    return None


def _classifier_words() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for s in SLES:
        for c in s.classifiers:
            out.setdefault(c.replace("_", " "), []).append((s.key, c.replace("_", "-")))
    return out


CLASSIFIER_WORDS = _classifier_words()
_CLASSIFIER_RE = re.compile(
    r"\b("
    + "|".join(re.escape(w) for w in sorted(CLASSIFIER_WORDS, key=len, reverse=True))
    + r")\b"
)


def classifiers_of(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The first classifier named in ``text`` (``-`` and ``_`` read as spaces) and every
    (SLE, classifier) it may be."""
    m = _CLASSIFIER_RE.search(text.replace("-", " ").replace("_", " "))
    return None if m is None else (m.group(1), CLASSIFIER_WORDS[m.group(1)])


def status_of(text: str) -> str | None:
    if re.search(r"\b(open|active|ongoing|current|unresolved|still)\b", text):
        return "open"
    if re.search(r"\b(resolved|closed|fixed|cleared)\b", text):
        return "resolved"
    return None
