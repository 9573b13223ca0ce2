"""Intent classification by ordered, readable rules over the normalised question (entity
mentions replaced by ``@kind`` markers) and the kinds of entities it names.

Owns ``classify`` and ``KEYWORDS`` (the words misspellings are corrected to). Rules, in order:
explain a classifier; list actions; what changed; list incidents; compare ISPs / links; worst
sites / apps; then troubleshoot the most specific thing named (client, switch port, AP, app,
WAN link or ISP, gateway or switch, site). Must not read the lake.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from assurance.sle.catalog import SLES

_EXPLAIN = re.compile(
    r"\b(explain|explained|meaning|mean|means|define|definition|classifier|classifiers)\b"
    r"|\bwhat (is|are) (a |an |the )?[a-z ]*classifier\b"
)
_ACTIONS = re.compile(
    r"\b(actions?|recommendations?|recommended|remediations?|approvals?|approve|proposals?"
    r"|proposed|suggestions?|suggested)\b|\bwhat should (i|we) do\b|\bpolicy changes?\b"
    r"|\bpending changes?\b"
)
_CHANGED = re.compile(
    r"\bwhat (has |have )?(changed|change|broke|break|happened|went wrong|is new|got worse)\b"
    r"(?! to (the )?(client |user |device |laptop |ap |port |link )?@)"
    r"|\b(anything|something|what) (changed|broke|new|different)\b|\bchanges?\b|\btimeline\b"
    r"|\bnew (issues|problems)\b|\bwhat broke\b|\bbroke\b"
    r"|\b(did|has|have) (anything|something) (break|broken|change|changed|go wrong)\b"
)
_INCIDENTS = re.compile(
    r"\bincidents?\b|\b(open|active|ongoing|current|unresolved|known) (issues|problems|outages)\b"
    r"|\blist (the |all )?(issues|problems|outages)\b|\bany (issues|problems|outages)\b"
    r"|\bwhat is (broken|wrong|going on) (right )?now\b|\bwhat is (currently )?broken\b"
)
_COMPARE = re.compile(
    r"\b(compare|compared|comparison|versus|against|difference|differ|side by side)\b"
    r"|\b(better|worse|best|worst) (isp|provider|carrier|link|circuit)s?\b"
    r"|\b(better|worse|faster|slower|more reliable) than\b"
    r"|\bwhich (isp|provider|carrier|link|circuit|wan link)s? (is |are |was |performs |did )?"
    r"(best|worst|better|worse|most|least|more|less|slowest|fastest|reliable|unreliable)\b"
    r"|\brank (the )?(isp|provider|carrier|link|circuit)s\b"
    r"|\b(isp|provider|carrier|link|circuit)s? ranked\b|\bhow do (the )?(isp|provider|carrier"
    r"|link|circuit)s? (compare|stack up)\b"
)
_ISP_WORDS = re.compile(r"\b(isps?|providers?|carriers?|@isp)\b")
_LINK_WORDS = re.compile(r"\b(links?|circuits?|wan|uplinks?|@link|@link_name|mpls|lte|broadband)\b")
_WORST = re.compile(
    r"\b(worst|bottom|lowest|poorest|least healthy|weakest|unhealthiest|most (affected|impacted"
    r"|degraded|problems|issues|trouble|bad)|struggling|suffering|ranking|rank|ranked"
    r"|top \d+|top (problem|bad))\b"
    r"|\bwhich (sites?|branch\w*|stores?|locations?|offices?|applications?|saas)\b"
    r"|\b(sites?|branch\w*|stores?|locations?|applications?) (are |is )?(bad|worst|hurting|"
    r"having (the most )?(issues|problems)|with (the most )?(issues|problems))\b"
)
_APP_WORDS = re.compile(r"\b(applications?|saas|programs?|services?)\b")

#: Words whose misspellings are corrected before the rules run.
KEYWORDS: tuple[str, ...] = tuple(
    sorted(
        {
            "slowest",
            "slower",
            "fastest",
            "faster",
            "laggy",
            "choppy",
            "timing",
            "highest",
            "lowest",
            "scoring",
            "score",
            "scores",
            "errors",
            "error",
            "people",
            "complain",
            "everything",
            "everyone",
            "anything",
            "something",
            "nothing",
            "keeps",
            "packets",
            "calls",
            "offices",
            "office",
            "status",
            "strength",
            "clients",
            "devices",
            "having",
            "most",
            "least",
            "pending",
            "closed",
            "fixed",
            "check",
            "near",
            "high",
            "down",
            "explain",
            "meaning",
            "define",
            "definition",
            "classifier",
            "classifiers",
            "actions",
            "action",
            "recommendations",
            "recommended",
            "remediation",
            "approvals",
            "approve",
            "proposals",
            "proposed",
            "suggestions",
            "changed",
            "change",
            "changes",
            "happened",
            "incidents",
            "incident",
            "issues",
            "problems",
            "outage",
            "outages",
            "broken",
            "compare",
            "comparison",
            "versus",
            "against",
            "difference",
            "better",
            "worse",
            "worst",
            "poorest",
            "struggling",
            "suffering",
            "providers",
            "provider",
            "carriers",
            "carrier",
            "circuits",
            "circuit",
            "links",
            "branches",
            "branch",
            "stores",
            "store",
            "locations",
            "location",
            "sites",
            "applications",
            "application",
            "troubleshoot",
            "yesterday",
            "today",
            "morning",
            "afternoon",
            "evening",
            "tonight",
            "since",
            "between",
            "last",
            "week",
            "month",
            "hours",
            "minutes",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "slow",
            "latency",
            "jitter",
            "dropping",
            "drops",
            "connect",
            "connecting",
            "coverage",
            "signal",
            "roaming",
            "capacity",
            "bandwidth",
            "throughput",
            "health",
            "gateway",
            "switch",
            "wifi",
            "wired",
            "ethernet",
            "internet",
            "packet",
            "loss",
            "reachability",
            "interface",
            "network",
            "association",
            "authorization",
            "weak",
            "congestion",
            "utilization",
            "saturated",
            "offline",
            "flapping",
            "what",
            "which",
            "where",
            "doing",
            "going",
            "wrong",
            "open",
            "resolved",
            "unresolved",
            "ongoing",
            "active",
            "current",
            "right",
            "listing",
            "show",
            "please",
            "client",
            "laptop",
            "device",
            "users",
            "timeline",
            "outlook",
            "reliable",
            "performing",
            "performs",
            "ranked",
            "ranking",
        }
    )
)

#: Every word of an SLE or classifier name is a keyword too.
KEYWORDS = tuple(
    sorted(
        {*KEYWORDS}
        | {w for s in SLES for w in s.name.split("_")}
        | {w for s in SLES for c in s.classifiers for w in c.split("_")}
    )
)

#: Troubleshooting intents by the most specific kind named.
_TROUBLESHOOT = (
    ("client", "troubleshoot_client"),
    ("port", "troubleshoot_port"),
    ("ap", "troubleshoot_ap"),
    ("app", "troubleshoot_app"),
    ("link", "troubleshoot_link"),
    ("link_name", "troubleshoot_link"),
    ("isp", "troubleshoot_link"),
    ("gateway", "troubleshoot_device"),
    ("switch", "troubleshoot_device"),
    ("site", "troubleshoot_site"),
)


def classify(text: str, kinds: Collection[str], classifier_named: bool) -> str:
    """The intent of normalised ``text`` naming entities of ``kinds``."""
    if classifier_named and _EXPLAIN.search(text):
        return "explain_classifier"
    if classifier_named and not kinds and re.search(r"\bwhat (is|are|does)\b", text):
        return "explain_classifier"
    if _ACTIONS.search(text):
        return "list_actions"
    if _CHANGED.search(text):
        return "what_changed"
    if _INCIDENTS.search(text):
        return "list_incidents"
    if _COMPARE.search(text) or (re.search(r"\b(which|rank)\b", text) and _ISP_WORDS.search(text)):
        if _ISP_WORDS.search(text) or ("isp" in kinds and "link" not in kinds):
            return "compare_isps"
        if _LINK_WORDS.search(text) or "link" in kinds or "link_name" in kinds:
            return "compare_links"
    if _WORST.search(text) and not ({"client", "port", "ap", "link"} & set(kinds)):
        nouns = re.sub(r"\bapplications? health\b", "", text)
        if _APP_WORDS.search(nouns) and "app" not in kinds:
            return "worst_apps"
        if "site" not in kinds:
            return "worst_sites"
    for kind, intent in _TROUBLESHOOT:
        if kind in kinds:
            return intent
    if _LINK_WORDS.search(text) and re.search(r"\b(down|flapping|flaps|dead|out)\b", text):
        return "troubleshoot_link"
    return "troubleshoot_site"
