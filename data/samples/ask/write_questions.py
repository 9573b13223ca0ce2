"""Writes questions.jsonl, the evaluation set of ``wanassure ask``: phrasing templates crossed
with hand-written tables of how people name things (with typos and shorthand) and what each
name means in the test lake (tests/batch/scenario.yaml: br-nyc-012, br-chi-027, st-bos-101,
hub-dc1). Every expected value is stated here by hand from the documented rules
(assurance/ask/words.py for everyday SLE words, assurance/ask/times.py for time phrases), never
taken from the parser. ``now`` is Monday 2026-11-02 15:00 UTC; times are read in UTC.

Run: python data/samples/ask/write_questions.py  (rewrites questions.jsonl next to it)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NOW = "2026-11-02T15:00:00Z"
NYC, CHI, BOS, HUB = "br-nyc-012", "br-chi-027", "st-bos-101", "hub-dc1"
EVERY_SITE = [CHI, NYC, HUB, BOS]

# how people name a site → the site
SITE_NAMES = [
    ("br-nyc-012", NYC), ("BR-NYC-012", NYC), ("branch 12", NYC), ("br 12", NYC), ("nyc", NYC),
    ("New York", NYC), ("br-nyk-012", NYC), ("nyc 12", NYC), ("br12", NYC),
    ("br-chi-027", CHI), ("chicago", CHI), ("chi", CHI), ("branch 27", CHI), ("br-chi-27", CHI),
    ("Chicgo", CHI),
    ("st-bos-101", BOS), ("boston", BOS), ("store 101", BOS), ("st 101", BOS), ("st-bso-101", BOS),
    ("bos", BOS), ("hub-dc1", HUB), ("the hub", HUB),
]
APP_NAMES = [
    ("teams", "Microsoft Teams"), ("Microsoft Teams", "Microsoft Teams"),
    ("ms teams", "Microsoft Teams"), ("salesforce", "Salesforce"), ("sfdc", "Salesforce"),
    ("SalesForce", "Salesforce"), ("salesforse", "Salesforce"), ("o365", "Office 365"),
    ("office 365", "Office 365"), ("outlook", "Office 365"), ("m365", "Office 365"),
    ("youtube", "YouTube"), ("yt", "YouTube"), ("ringcentral", "RingCentral Voice"),
    ("RingCentral Voice", "RingCentral Voice"), ("voip", "RingCentral Voice"),
]
ISP_NAMES = [
    ("comcast", "Comcast Business"), ("Comcast Business", "Comcast Business"),
    ("xfinity", "Comcast Business"), ("comcst", "Comcast Business"),
    ("spectrum", "Spectrum Business"), ("charter", "Spectrum Business"),
    ("lumen", "Lumen MPLS"), ("centurylink", "Lumen MPLS"), ("Lumen MPLS", "Lumen MPLS"),
]
# (link words, site words, site, link)
LINKS = [
    ("isp-a", "br 12", NYC, f"{NYC}/isp-a"), ("the mpls link", "chicago", CHI, f"{CHI}/mpls"),
    ("isp-b", "boston", BOS, f"{BOS}/isp-b"), ("mpls", "br-nyc-012", NYC, f"{NYC}/mpls"),
    ("broadband", "nyc", NYC, f"{NYC}/isp-a"), ("isp-a", "store 101", BOS, f"{BOS}/isp-a"),
    ("ISP-A", "br-chi-027", CHI, f"{CHI}/isp-a"), ("the isp a circuit", "chi", CHI, f"{CHI}/isp-a"),
]
# (AP words, site words or "", site mentioned, AP)
APS = [
    ("ap1", "chicago", CHI, f"{CHI}-ap1"), ("AP 2", "nyc", NYC, f"{NYC}-ap2"),
    ("br-chi-027-ap1", "", None, f"{CHI}-ap1"), ("st-bos-101-ap1", "", None, f"{BOS}-ap1"),
    ("ap1", "store 101", BOS, f"{BOS}-ap1"), ("ap2", "br 27", CHI, f"{CHI}-ap2"),
    ("br-nyc-012-ap1", "", None, f"{NYC}-ap1"),
]
PORTS = [
    ("ge-0/0/4", "nyc", NYC, f"{NYC}-sw1/ge-0/0/4"),
    ("ge-0/0/2", "chicago", CHI, f"{CHI}-sw1/ge-0/0/2"),
    ("ge-0/0/3", "store 101", BOS, f"{BOS}-sw1/ge-0/0/3"),
    ("GE-0/0/5", "br-nyc-012", NYC, f"{NYC}-sw1/ge-0/0/5"),
]
# (client words, site words or "", site mentioned, client id)
CLIENTS = [
    ("02:5a:10:00:00:03", "", None, "02:5a:10:00:00:03"),
    ("02-5A-10-01-00-05", "", None, "02:5a:10:01:00:05"),
    ("025a.1002.0004", "", None, "02:5a:10:02:00:04"),
    ("10.16.0.104", "", None, "02:5a:10:00:00:04"),
    ("10.16.1.108", "", None, "02:5a:10:01:00:08"),
    ("host-009", "", None, "02:5a:10:00:00:09"),
    ("host-002", "", None, "02:5a:10:02:00:02"),
    ("user009", "", None, "02:5a:10:00:00:09"),
    ("host-003", "nyc", NYC, "02:5a:10:00:00:03"),
    ("host-008", "chicago", CHI, "02:5a:10:01:00:08"),
    ("user007", "boston", BOS, "02:5a:10:02:00:07"),
    ("10.16.2.101", "", None, "10.16.2.101"),
]
# same name at several sites → the choices offered
AMBIGUOUS_CLIENTS = [
    ("host-008", ["02:5a:10:00:00:08", "02:5a:10:01:00:08"]),
    ("host-003", ["02:5a:10:00:00:03", "02:5a:10:01:00:03", "02:5a:10:02:00:03"]),
    ("user010", ["02:5a:10:00:00:0a", "02:5a:10:01:00:0a"]),
]
DEVICES = [
    ("br-nyc-012-gw1", "gateway", "br-nyc-012-gw1", None),
    ("gw1", "gateway", "br-chi-027-gw1", ("chicago", CHI)),
    ("st-bos-101-gw1", "gateway", "st-bos-101-gw1", None),
    ("br-chi-027-sw1", "switch", "br-chi-027-sw1", None),
    ("sw1", "switch", "br-nyc-012-sw1", ("nyc", NYC)),
]
# time phrase → expected [from, to) in UTC, by the rules of assurance/ask/times.py
TIMES = [
    ("", None),
    ("yesterday afternoon", ["2026-11-01T12:00:00Z", "2026-11-01T18:00:00Z"]),
    ("since 9am", ["2026-11-02T09:00:00Z", NOW]),
    ("last week", ["2026-10-26T00:00:00Z", "2026-11-02T00:00:00Z"]),
    ("in the last 2 hours", ["2026-11-02T13:00:00Z", NOW]),
    ("today", ["2026-11-02T00:00:00Z", NOW]),
    ("yesterday", ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]),
    ("this morning", ["2026-11-02T06:00:00Z", "2026-11-02T12:00:00Z"]),
    ("in the last 24h", ["2026-11-01T15:00:00Z", NOW]),
    ("over the past week", ["2026-10-26T15:00:00Z", NOW]),
    ("between 1pm and 3pm", ["2026-11-02T13:00:00Z", NOW]),
    ("on 2026-11-01", ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]),
    ("on nov 1", ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]),
    ("since yesterday", ["2026-11-01T00:00:00Z", NOW]),
    ("last night", ["2026-11-01T18:00:00Z", "2026-11-02T06:00:00Z"]),
    ("at 2pm", ["2026-11-02T14:00:00Z", NOW]),
    ("this afternoon", ["2026-11-02T12:00:00Z", NOW]),
    ("in the last hour", ["2026-11-02T14:00:00Z", NOW]),
    ("in the past 30 mins", ["2026-11-02T14:30:00Z", NOW]),
    ("since 13:30", ["2026-11-02T13:30:00Z", NOW]),
    ("on friday", ["2026-10-30T00:00:00Z", "2026-10-31T00:00:00Z"]),
    ("last month", ["2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"]),
    ("this week", ["2026-11-02T00:00:00Z", NOW]),
    ("over the weekend", ["2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z"]),
    ("3 hours ago", ["2026-11-02T12:00:00Z", NOW]),
    ("friday afternoon", ["2026-10-30T12:00:00Z", "2026-10-30T18:00:00Z"]),
    ("yday", ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]),
    ("since 9 am", ["2026-11-02T09:00:00Z", NOW]),
]

rows: list[dict[str, Any]] = []


def add(question: str, intent: str, entities: dict[str, Any], when: Any = None,
        choices: list[str] | None = None) -> None:
    if isinstance(when, list) and all(isinstance(c, str) and "T" not in c for c in when):
        choices, when = when, None
    row: dict[str, Any] = {"question": " ".join(question.split()), "now": NOW, "intent": intent,
                           "entities": entities, "time_range": when}
    if choices is not None:
        row["choices"] = sorted(choices)
    rows.append(row)


def t(i: int) -> tuple[str, Any]:
    return TIMES[i % len(TIMES)]


# -- troubleshoot a site ------------------------------------------------------------------
SITE_Q = [
    ("why is {s} slow?", "application-health"),
    ("what's wrong at {s} {t}", None),
    ("how is {s} doing {t}?", None),
    ("troubleshoot {s}", None),
    ("users at {s} complain calls are choppy {t}", "application-health"),
    ("is {s} ok", None),
    ("{s} cant connect to wifi {t}", "successful-connects"),
    ("why do people at {s} have weak signal", "coverage"),
    ("whats going on with {s} {t}", None),
    ("{s} health {t}", None),
    ("any problem at {s}?", None),
    ("why is the wifi slow in {s}", "wireless-throughput"),
]
for i, (name, site) in enumerate(SITE_NAMES):
    for k in (0, 1):
        tpl, sle = SITE_Q[(2 * i + k) % len(SITE_Q)]
        phrase, when = t(3 * i + k) if "{t}" in tpl else ("", None)
        ents: dict[str, Any] = {"site": site}
        if sle:
            ents["sle"] = sle
        add(tpl.format(s=name, t=phrase), "troubleshoot_site", ents, when)
# no place named: ask which site
for q, sle in [("why is everything so slow?", "application-health"),
               ("users cannot connect", "successful-connects"),
               ("troubleshoot please", None)]:
    add(q, "troubleshoot_site", {"sle": sle} if sle else {}, None, EVERY_SITE)

# -- troubleshoot an application ----------------------------------------------------------
APP_Q = [
    ("why is {a} slow at {s}?", "application-health", True),
    ("{a} is laggy {t}", "application-health", False),
    ("what's wrong with {a} {t}", None, False),
    ("{a} calls dropping at {s} {t}", "application-health", True),
    ("how is {a} performing", None, False),
    ("is {a} ok at {s}", None, True),
    ("troubleshoot {a} {t}", None, False),
    ("users say {a} keeps timing out in {s}", "application-health", True),
]
SITE_CYCLE = [("br 12", NYC), ("chicago", CHI), ("store 101", BOS), ("nyc", NYC),
              ("br-chi-027", CHI)]
for i, (name, app) in enumerate(APP_NAMES):
    for k in (0, 1):
        tpl, sle, has_site = APP_Q[(2 * i + k) % len(APP_Q)]
        sname, site = SITE_CYCLE[(i + k) % len(SITE_CYCLE)]
        phrase, when = t(2 * i + k + 1) if "{t}" in tpl else ("", None)
        ents = {"app": app}
        if has_site:
            ents["site"] = site
        if sle:
            ents["sle"] = sle
        add(tpl.format(a=name, s=sname, t=phrase), "troubleshoot_app", ents, when)

# -- troubleshoot a WAN link or ISP -------------------------------------------------------
LINK_Q = [
    ("why is {l} at {s} dropping packets?", "application-health"),
    ("is {l} down at {s} {t}", "wan-link-health"),
    ("how is {l} at {s} doing {t}", None),
    ("{s} {l} keeps flapping", "wan-link-health"),
    ("check {l} in {s}", None),
    ("latency on {l} at {s} {t}", "application-health"),
]
for i, (lw, sw, site, link) in enumerate(LINKS):
    for k in (0, 1, 2):
        tpl, sle = LINK_Q[(3 * i + k) % len(LINK_Q)]
        phrase, when = t(i + 5 * k) if "{t}" in tpl else ("", None)
        ents = {"site": site, "link": link}
        if sle:
            ents["sle"] = sle
        add(tpl.format(l=lw, s=sw, t=phrase), "troubleshoot_link", ents, when)
for i, (name, isp) in enumerate(ISP_NAMES):
    tpl, sle = [("is {i} down {t}?", "wan-link-health"), ("how is {i} doing {t}", None),
                ("{i} outage {t}", "wan-link-health")][i % 3]
    phrase, when = t(i + 2)
    ents = {"isp": isp}
    if sle:
        ents["sle"] = sle
    add(tpl.format(i=name, t=phrase), "troubleshoot_link", ents, when)
# a link name at several sites with no site given
add("is isp-a ok?", "troubleshoot_link", {}, None, [f"{CHI}/isp-a", f"{NYC}/isp-a", f"{BOS}/isp-a"])
add("why is mpls flapping", "troubleshoot_link", {"sle": "wan-link-health"}, None,
    [f"{CHI}/mpls", f"{NYC}/mpls"])
add("check the isp-b link", "troubleshoot_link", {"link": f"{BOS}/isp-b"}, None)

# -- troubleshoot an AP -------------------------------------------------------------------
AP_Q = [
    ("why is {p} {s2} bad", None),
    ("weak signal near {p} {s2} {t}", "coverage"),
    ("is {p} {s2} down?", "ap-health"),
    ("how is {p} {s2} doing", None),
    ("clients on {p} {s2} can't connect {t}", "successful-connects"),
    ("troubleshoot {p} {s2}", None),
]
for i, (pw, sw, site, ap) in enumerate(APS):
    for k in (0, 1, 2):
        tpl, sle = AP_Q[(3 * i + k) % len(AP_Q)]
        phrase, when = t(i + 7 * k) if "{t}" in tpl else ("", None)
        ents: dict[str, Any] = {"ap": ap}
        if site:
            ents["site"] = site
        if sle:
            ents["sle"] = sle
        add(tpl.format(p=pw, s2=f"at {sw}" if sw else "", t=phrase), "troubleshoot_ap", ents,
            when)
add("is ap1 ok", "troubleshoot_ap", {}, None, [f"{CHI}-ap1", f"{NYC}-ap1", f"{BOS}-ap1"])
add("ap2 has weak signal", "troubleshoot_ap", {"sle": "coverage"}, None,
    [f"{CHI}-ap2", f"{NYC}-ap2"])

# -- troubleshoot a switch port -----------------------------------------------------------
PORT_Q = [
    ("port {p} at {s} has errors", "wired-throughput"),
    ("why is {p} on {s} slow {t}", "application-health"),
    ("check switch port {p} in {s}", None),
    ("crc errors on {p} at {s} {t}", "wired-throughput"),
    ("how is {p} at {s}", None),
    ("duplex problem on {s} {p}?", "wired-throughput"),
]
for i, (pw, sw, site, port) in enumerate(PORTS):
    for k in (0, 1, 2):
        tpl, sle = PORT_Q[(3 * i + k) % len(PORT_Q)]
        phrase, when = t(2 * i + k + 3) if "{t}" in tpl else ("", None)
        ents = {"site": site, "port": port}
        if sle:
            ents["sle"] = sle
        add(tpl.format(p=pw, s=sw, t=phrase), "troubleshoot_port", ents, when)
add("port ge-0/0/4 has errors", "troubleshoot_port", {"sle": "wired-throughput"}, None,
    [f"{CHI}-sw1/ge-0/0/4", f"{NYC}-sw1/ge-0/0/4", f"{BOS}-sw1/ge-0/0/4"])

# -- troubleshoot a client ----------------------------------------------------------------
CLIENT_Q = [
    ("why is {c} {s2} slow?", "application-health"),
    ("{c} {s2} cannot connect {t}", "successful-connects"),
    ("what happened to client {c} {s2}", None),
    ("troubleshoot {c} {s2} {t}", None),
    ("is {c} {s2} ok", None),
    ("{c} {s2} has bad signal {t}", "coverage"),
]
for i, (cw, sw, site, cid) in enumerate(CLIENTS):
    for k in (0, 1):
        tpl, sle = CLIENT_Q[(2 * i + k) % len(CLIENT_Q)]
        phrase, when = t(i + 3 * k + 1) if "{t}" in tpl else ("", None)
        ents = {"client": cid}
        if site:
            ents["site"] = site
        if sle:
            ents["sle"] = sle
        add(tpl.format(c=cw, s2=f"at {sw}" if sw else "", t=phrase), "troubleshoot_client",
            ents, when)
for cw, ids in AMBIGUOUS_CLIENTS:
    add(f"why is {cw} slow", "troubleshoot_client", {"sle": "application-health"}, None, ids)

# -- troubleshoot a gateway or switch -----------------------------------------------------
DEV_Q = [
    ("how is {d} {s2} doing", None),
    ("{d} {s2} cpu is high {t}", "gateway-health"),
    ("check {d} {s2}", None),
]
for i, (dw, _kind, name, at) in enumerate(DEVICES):
    for k in (0, 1, 2):
        tpl, sle = DEV_Q[k]
        if _kind == "switch" and sle:
            tpl, sle = "is {d} {s2} down {t}", "switch-health"
        phrase, when = t(i + 4 * k) if "{t}" in tpl else ("", None)
        ents = {_kind: name}
        if at:
            ents["site"] = at[1]
        if sle:
            ents["sle"] = sle
        add(tpl.format(d=dw, s2=f"at {at[0]}" if at else "", t=phrase), "troubleshoot_device",
            ents, when)

# -- worst sites / apps -------------------------------------------------------------------
WORST_SITES = [
    ("which sites are worst for coverage {t}", "coverage"),
    ("worst branches for application health", "application-health"),
    ("top 5 worst sites {t}", None),
    ("which stores have the most problems", None),
    ("lowest wan link health sites {t}", "wan-link-health"),
    ("which locations are struggling with roaming", "roaming"),
    ("worst sites for time to connect {t}", "time-to-connect"),
    ("rank sites by gateway health", "gateway-health"),
    ("which sites are worst {t}", None),
    ("wrost sites for capacity", "capacity"),
    ("which site has the worst wifi throughput {t}", "wireless-throughput"),
    ("bottom sites for successful connects", "successful-connects"),
    ("which branches suffer the most drops {t}", "application-health"),
    ("most affected sites by weak signal", "coverage"),
    ("worst sites for wired throughput {t}", "wired-throughput"),
    ("which sites are slowest", "application-health"),
    ("sites with the most issues {t}", None),
    ("worst locations for ap health", "ap-health"),
    ("which offices have bad switch health {t}", "switch-health"),
    ("worst sites for gateway bandwidth", "gateway-bandwidth"),
]
for i, (q, sle) in enumerate(WORST_SITES):
    phrase, when = t(i + 1) if "{t}" in q else ("", None)
    add(q.format(t=phrase), "worst_sites", {"sle": sle} if sle else {}, when)
WORST_APPS = [
    ("which apps are worst {t}", None, None),
    ("worst applications at br 12", None, NYC),
    ("which applications are slowest {t}", "application-health", None),
    ("top 3 worst apps for application health", "application-health", None),
    ("which saas apps are struggling in chicago {t}", None, CHI),
    ("worst apps by application health {t}", "application-health", None),
    ("which applications have the most problems", None, None),
    ("lowest scoring applications at boston {t}", None, BOS),
    ("wrost apps", None, None),
    ("which apps are laggy {t}", "application-health", None),
    ("rank applications by drops", "application-health", None),
    ("which applications suffer at store 101", None, BOS),
]
for i, (q, sle, site) in enumerate(WORST_APPS):
    phrase, when = t(i + 2) if "{t}" in q else ("", None)
    ents = {}
    if sle:
        ents["sle"] = sle
    if site:
        ents["site"] = site
    add(q.format(t=phrase), "worst_apps", ents, when)

# -- compare ISPs / links -----------------------------------------------------------------
COMPARE_ISPS = [
    ("compare isps {t}", {}),
    ("compare comcast and spectrum", {"isp": ["Comcast Business", "Spectrum Business"]}),
    ("comcast vs lumen {t}", {"isp": ["Comcast Business", "Lumen MPLS"]}),
    ("which isp is best", {}),
    ("which provider is worse {t}", {}),
    ("how do the carriers compare", {}),
    ("compair comcast against centurylink", {"isp": ["Comcast Business", "Lumen MPLS"]}),
    ("rank the isps by packet loss {t}", {"sle": "application-health"}),
    ("xfinity versus charter {t}", {"isp": ["Comcast Business", "Spectrum Business"]}),
    ("which isp has the most latency", {"sle": "application-health"}),
    ("compare providers at br 12", {"site": NYC}),
    ("isp comparison {t}", {}),
    ("is comcast better than spectrum", {"isp": ["Comcast Business", "Spectrum Business"]}),
    ("which carrier is least reliable {t}", {}),
]
for i, (q, ents) in enumerate(COMPARE_ISPS):
    phrase, when = t(i + 3) if "{t}" in q else ("", None)
    add(q.format(t=phrase), "compare_isps", ents, when)
COMPARE_LINKS = [
    ("compare mpls and isp-a {t}", {"link_name": ["isp-a", "mpls"]}),
    ("compare links at br 12", {"site": NYC}),
    ("mpls vs broadband at chicago {t}", {"site": CHI, "link": [f"{CHI}/isp-a", f"{CHI}/mpls"]}),
    ("which link is worst {t}", {}),
    ("compare wan links", {}),
    ("isp-a versus isp-b at boston", {"site": BOS, "link": [f"{BOS}/isp-a", f"{BOS}/isp-b"]}),
    ("which circuit is better at nyc {t}", {"site": NYC}),
    ("compare the mpls links {t}", {"link_name": "mpls"}),
    ("how do the links compare in store 101", {"site": BOS}),
    ("rank the circuits {t}", {}),
    ("comapre links", {}),
    ("which wan link performs worst at br-chi-027", {"site": CHI}),
]
for i, (q, ents) in enumerate(COMPARE_LINKS):
    phrase, when = t(i + 4) if "{t}" in q else ("", None)
    add(q.format(t=phrase), "compare_links", ents, when)

# -- what changed -------------------------------------------------------------------------
CHANGED = [
    ("what changed {t}", None),
    ("what broke at br 12 {t}", NYC),
    ("what happened {t}", None),
    ("anything change at chicago {t}", CHI),
    ("what went wrong {t}", None),
    ("whats new since yesterday", None),
    ("what changed in boston {t}", BOS),
    ("show me changes {t}", None),
    ("what broke", None),
    ("timeline of br-nyc-012 {t}", NYC),
    ("wat changed {t}", None),
    ("what happend at the hub {t}", HUB),
]
for i, (q, site) in enumerate(CHANGED):
    phrase, when = t(i + 1) if "{t}" in q else ("", None)
    if "since yesterday" in q:
        when = ["2026-11-01T00:00:00Z", NOW]
    add(q.format(t=phrase), "what_changed", {"site": site} if site else {}, when)
for phrase, when in TIMES[1:13]:
    add(f"what changed {phrase}?", "what_changed", {}, when)

# -- incidents and actions ----------------------------------------------------------------
INCIDENTS = [
    ("list open incidents", {"status": "open"}),
    ("show incidents {t}", {}),
    ("any open issues?", {"status": "open"}),
    ("incidents at br 12", {"site": NYC}),
    ("what is broken right now", {}),
    ("resolved incidents {t}", {"status": "resolved"}),
    ("show me the incidnets", {}),
    ("active problems at chicago", {"status": "open", "site": CHI}),
    ("list incidents in boston {t}", {"site": BOS}),
    ("current outages", {"status": "open"}),
    ("are there any incidents {t}", {}),
    ("open incidents for store 101", {"status": "open", "site": BOS}),
    ("incidents", {}),
    ("show closed incidents", {"status": "resolved"}),
    ("what incidents happened {t}", {}),
]
for i, (q, ents) in enumerate(INCIDENTS):
    phrase, when = t(i + 5) if "{t}" in q else ("", None)
    if q == "what incidents happened {t}":
        continue  # "what happened" is the what-changed phrasing; kept out on purpose
    add(q.format(t=phrase), "list_incidents", ents, when)
ACTIONS = [
    ("list actions", {}),
    ("what actions are pending {t}", {}),
    ("show recommended actions at br 12", {"site": NYC}),
    ("any actions to approve?", {}),
    ("what should i do about chicago", {"site": CHI}),
    ("marvis actions {t}", {}),
    ("show proposed policy changes", {}),
    ("actions at boston {t}", {"site": BOS}),
    ("list recomendations", {}),
    ("pending approvals", {}),
    ("what remediation was suggested {t}", {}),
    ("show me the action list for br-nyc-012", {"site": NYC}),
]
for i, (q, ents) in enumerate(ACTIONS):
    phrase, when = t(i + 6) if "{t}" in q else ("", None)
    add(q.format(t=phrase), "list_actions", ents, when)

# -- explain a classifier -----------------------------------------------------------------
EXPLAIN = [
    ("explain isp reachability", {"sle": "wan-link-health", "classifier": "isp-reachability"}),
    ("what does the weak-signal classifier mean",
     {"sle": "coverage", "classifier": "weak-signal"}),
    ("what is session table", {"sle": "gateway-health", "classifier": "session-table"}),
    ("explain the interface classifier", {"sle": "wan-link-health", "classifier": "interface"}),
    ("what does queue drops mean", {"sle": "gateway-bandwidth", "classifier": "queue-drops"}),
    ("define application services", {"sle": "application-health",
                                      "classifier": "application-services"}),
    ("what is the failed roam classifier", {"sle": "roaming", "classifier": "failed-roam"}),
    ("explain port errors", {"sle": "wired-throughput", "classifier": "port-errors"}),
    ("what does ap load mean", {"sle": "capacity", "classifier": "ap-load"}),
    ("meaning of speed mismatch", {"sle": "wired-throughput", "classifier": "speed-mismatch"}),
    ("explain the isp_reachability classifier of wan link health",
     {"sle": "wan-link-health", "classifier": "isp-reachability"}),
    ("what is the dhcp classifier in time to connect",
     {"sle": "time-to-connect", "classifier": "dhcp"}),
    ("explain non wifi interference", {"sle": "capacity", "classifier": "non-wifi-interference"}),
    ("explian slow 11r roam", {"sle": "roaming", "classifier": "slow-11r-roam"}),
    ("what does the headroom classifier mean", {"sle": "gateway-bandwidth",
                                                "classifier": "headroom"}),
    ("explain ethernet errors", {"sle": "ap-health", "classifier": "ethernet-errors"}),
]
for q, ents in EXPLAIN:
    add(q, "explain_classifier", ents)
add("explain the dhcp classifier", "explain_classifier", {"classifier": "dhcp"}, None,
    ["successful-connects/dhcp", "time-to-connect/dhcp", "wired-successful-connects/dhcp"])
add("what does the cpu classifier mean", "explain_classifier", {"classifier": "cpu"}, None,
    ["gateway-health/cpu", "switch-health/cpu"])

# -- held out: written after the rules were tuned on everything above, scored as they came ---
HELD_OUT_START = len(rows)
add("hey, why does teams keep freezing in new york?", "troubleshoot_app",
    {"app": "Microsoft Teams", "site": NYC, "sle": "application-health"})
add("sfdc super slow for boston folks since noon", "troubleshoot_app",
    {"app": "Salesforce", "site": BOS, "sle": "application-health"},
    ["2026-11-02T12:00:00Z", NOW])
add("Is Office 365 having problems today?", "troubleshoot_app", {"app": "Office 365"},
    ["2026-11-02T00:00:00Z", NOW])
add("youtube buffering at br-chi-027 last 3 hours", "troubleshoot_app",
    {"app": "YouTube", "site": CHI, "sle": "application-health"},
    ["2026-11-02T12:00:00Z", NOW])
add("what is up with branch 27", "troubleshoot_site", {"site": CHI})
add("Boston store wifi is slow again", "troubleshoot_site",
    {"site": BOS, "sle": "wireless-throughput"})
add("nobody at br-nyc-012 can connect since 10am", "troubleshoot_site",
    {"site": NYC, "sle": "successful-connects"}, ["2026-11-02T10:00:00Z", NOW])
add("chicago branch roaming issues yesterday", "troubleshoot_site",
    {"site": CHI, "sle": "roaming"}, ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"])
add("how's st-bos-101 looking this week?", "troubleshoot_site", {"site": BOS},
    ["2026-11-02T00:00:00Z", NOW])
add("dead zones at nyc", "troubleshoot_site", {"site": NYC, "sle": "coverage"})
add("is the internet down at chicago?", "troubleshoot_site",
    {"site": CHI, "sle": "wan-link-health"})
add("why is comcast at br 12 losing packets", "troubleshoot_link",
    {"isp": "Comcast Business", "site": NYC, "sle": "application-health"})
add("spectrum outage at boston last night", "troubleshoot_link",
    {"isp": "Spectrum Business", "site": BOS, "sle": "wan-link-health"},
    ["2026-11-01T18:00:00Z", "2026-11-02T06:00:00Z"])
add("mpls at br-chi-027 down between 2pm and 3pm?", "troubleshoot_link",
    {"link": f"{CHI}/mpls", "site": CHI, "sle": "wan-link-health"},
    ["2026-11-02T14:00:00Z", NOW])
add("jitter on isp-b at st-bos-101", "troubleshoot_link",
    {"link": f"{BOS}/isp-b", "site": BOS, "sle": "application-health"})
add("is lumen ok", "troubleshoot_link", {"isp": "Lumen MPLS"})
add("br-chi-027-ap2 rebooting?", "troubleshoot_ap", {"ap": f"{CHI}-ap2", "sle": "ap-health"})
add("signal near ap 1 in boston is weak", "troubleshoot_ap",
    {"ap": f"{BOS}-ap1", "site": BOS, "sle": "coverage"})
add("ap2 at new york offline since 9am", "troubleshoot_ap",
    {"ap": f"{NYC}-ap2", "site": NYC, "sle": "ap-health"}, ["2026-11-02T09:00:00Z", NOW])
add("errors on port ge-0/0/1 at chicago", "troubleshoot_port",
    {"port": f"{CHI}-sw1/ge-0/0/1", "site": CHI, "sle": "wired-throughput"})
add("ge-0/0/2 in br 12 slow wired", "troubleshoot_port",
    {"port": f"{NYC}-sw1/ge-0/0/2", "site": NYC, "sle": "wired-throughput"})
add("why cant 02:5a:10:00:00:05 connect", "troubleshoot_client",
    {"client": "02:5a:10:00:00:05", "sle": "successful-connects"})
add("laptop 10.16.2.105 slow this afternoon", "troubleshoot_client",
    {"client": "02:5a:10:02:00:05", "sle": "application-health"}, ["2026-11-02T12:00:00Z", NOW])
add("user009 complains about calls dropping", "troubleshoot_client",
    {"client": "02:5a:10:00:00:09", "sle": "application-health"})
add("host-005 is slow", "troubleshoot_client", {"sle": "application-health"}, None,
    ["02:5a:10:00:00:05", "02:5a:10:01:00:05", "02:5a:10:02:00:05"])
add("gw1 at boston cpu", "troubleshoot_device",
    {"gateway": "st-bos-101-gw1", "site": BOS, "sle": "gateway-health"})
add("is br-nyc-012-sw1 healthy", "troubleshoot_device", {"switch": "br-nyc-012-sw1"})
add("which sites had the worst application health yesterday", "worst_sites",
    {"sle": "application-health"}, ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"])
add("top 10 problem sites this week", "worst_sites", {}, ["2026-11-02T00:00:00Z", NOW])
add("which branches have the weakest coverage", "worst_sites", {"sle": "coverage"})
add("worst sites for roaming last week", "worst_sites", {"sle": "roaming"},
    ["2026-10-26T00:00:00Z", "2026-11-02T00:00:00Z"])
add("what apps are hurting the most today", "worst_apps", {}, ["2026-11-02T00:00:00Z", NOW])
add("which saas is worst at chicago", "worst_apps", {"site": CHI})
add("worst applications this morning", "worst_apps", {},
    ["2026-11-02T06:00:00Z", "2026-11-02T12:00:00Z"])
add("comcast or spectrum, which is better?", "compare_isps",
    {"isp": ["Comcast Business", "Spectrum Business"]})
add("compare our internet providers over the past week", "compare_isps", {},
    ["2026-10-26T15:00:00Z", NOW])
add("which carrier had the most loss yesterday", "compare_isps", {"sle": "application-health"},
    ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"])
add("compare mpls vs lte", "compare_links", {"link_name": "mpls"})
add("how do the circuits at chicago compare today", "compare_links", {"site": CHI},
    ["2026-11-02T00:00:00Z", NOW])
add("compare isp-a and mpls at br 12", "compare_links",
    {"site": NYC, "link": [f"{NYC}/isp-a", f"{NYC}/mpls"]})
add("what changed at store 101 since 9am", "what_changed", {"site": BOS},
    ["2026-11-02T09:00:00Z", NOW])
add("did anything break over the weekend", "what_changed", {},
    ["2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z"])
add("what went wrong in chicago yesterday afternoon", "what_changed", {"site": CHI},
    ["2026-11-01T12:00:00Z", "2026-11-01T18:00:00Z"])
add("any new incidents in the last hour", "list_incidents", {}, ["2026-11-02T14:00:00Z", NOW])
add("show open incidents at nyc", "list_incidents", {"site": NYC, "status": "open"})
add("list all incidents from last week", "list_incidents", {},
    ["2026-10-26T00:00:00Z", "2026-11-02T00:00:00Z"])
add("anything I need to approve?", "list_actions", {})
add("recommended fixes for boston", "list_actions", {"site": BOS})
add("explain the network classifier", "explain_classifier",
    {"sle": "wan-link-health", "classifier": "network"})
add("what does wifi interference mean", "explain_classifier",
    {"sle": "capacity", "classifier": "wifi-interference"})
add("what is the disconnected classifier of switch health", "explain_classifier",
    {"sle": "switch-health", "classifier": "disconnected"})
add("explain device capability", "explain_classifier",
    {"sle": "wireless-throughput", "classifier": "device-capability"})
for row in rows[HELD_OUT_START:]:
    row["split"] = "held-out"

# -- second held-out batch: written after the first was scored and fixed, scored as it came ----
SECOND_START = len(rows)
add("teams choppy in chicago this morning", "troubleshoot_app",
    {"app": "Microsoft Teams", "site": CHI, "sle": "application-health"},
    ["2026-11-02T06:00:00Z", "2026-11-02T12:00:00Z"])
add("is outlook down?", "troubleshoot_app", {"app": "Office 365"})
add("ringcentral voip quality at store 101", "troubleshoot_app",
    {"app": "RingCentral Voice", "site": BOS, "sle": "application-health"})
add("whats up with sfdc since monday", "troubleshoot_app", {"app": "Salesforce"},
    ["2026-11-02T00:00:00Z", NOW])
add("br-nyc-012 status", "troubleshoot_site", {"site": NYC})
add("is chicago having issues right now?", "troubleshoot_site", {"site": CHI})
add("users in boston complain about latency", "troubleshoot_site",
    {"site": BOS, "sle": "application-health"})
add("br 27 roaming problems over the past week", "troubleshoot_site",
    {"site": CHI, "sle": "roaming"}, ["2026-10-26T15:00:00Z", NOW])
add("time to connect at nyc is terrible", "troubleshoot_site",
    {"site": NYC, "sle": "time-to-connect"})
add("check the hub", "troubleshoot_site", {"site": HUB})
add("lumen mpls at br 12 latency", "troubleshoot_link",
    {"isp": "Lumen MPLS", "site": NYC, "sle": "application-health"})
add("isp-b boston flapping yesterday", "troubleshoot_link",
    {"link": f"{BOS}/isp-b", "site": BOS, "sle": "wan-link-health"},
    ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"])
add("is the broadband at br-chi-027 ok", "troubleshoot_link",
    {"link": f"{CHI}/isp-a", "site": CHI})
add("how is xfinity", "troubleshoot_link", {"isp": "Comcast Business"})
add("ap1 nyc coverage", "troubleshoot_ap", {"ap": f"{NYC}-ap1", "site": NYC, "sle": "coverage"})
add("st-bos-101-ap1 capacity", "troubleshoot_ap", {"ap": f"{BOS}-ap1", "sle": "capacity"})
add("is ap2 at chicago overloaded", "troubleshoot_ap", {"ap": f"{CHI}-ap2", "site": CHI})
add("crc on ge-0/0/1 br 27", "troubleshoot_port",
    {"port": f"{CHI}-sw1/ge-0/0/1", "site": CHI, "sle": "wired-throughput"})
add("10.16.0.107 cannot get an ip", "troubleshoot_client",
    {"client": "02:5a:10:00:00:07", "sle": "successful-connects"})
add("roaming for 02:5a:10:00:00:06", "troubleshoot_client",
    {"client": "02:5a:10:00:00:06", "sle": "roaming"})
add("host-006 at br 27", "troubleshoot_client", {"client": "02:5a:10:01:00:06", "site": CHI})
add("user004", "troubleshoot_client", {}, None, ["02:5a:10:00:00:04", "02:5a:10:02:00:04"])
add("memory on st-bos-101-gw1", "troubleshoot_device",
    {"gateway": "st-bos-101-gw1", "sle": "gateway-health"})
add("sw1 at chicago", "troubleshoot_device", {"switch": "br-chi-027-sw1", "site": CHI})
add("worst 3 sites this week", "worst_sites", {}, ["2026-11-02T00:00:00Z", NOW])
add("which stores are struggling with dhcp", "worst_sites", {"sle": "successful-connects"})
add("lowest application health sites yesterday afternoon", "worst_sites",
    {"sle": "application-health"}, ["2026-11-01T12:00:00Z", "2026-11-01T18:00:00Z"])
add("worst apps at br-chi-027 since 9am", "worst_apps", {"site": CHI},
    ["2026-11-02T09:00:00Z", NOW])
add("which applications are suffering the most", "worst_apps", {})
add("spectrum vs comcast last week", "compare_isps",
    {"isp": ["Comcast Business", "Spectrum Business"]},
    ["2026-10-26T00:00:00Z", "2026-11-02T00:00:00Z"])
add("which provider had the most outages", "compare_isps", {"sle": "wan-link-health"})
add("mpls versus isp-a", "compare_links", {"link_name": ["isp-a", "mpls"]})
add("compare circuits in new york", "compare_links", {"site": NYC})
add("what changed in the last 2 hours", "what_changed", {}, ["2026-11-02T13:00:00Z", NOW])
add("what happened at br 12 last night", "what_changed", {"site": NYC},
    ["2026-11-01T18:00:00Z", "2026-11-02T06:00:00Z"])
add("list unresolved incidents", "list_incidents", {"status": "open"})
add("incidents yesterday at chicago", "list_incidents", {"site": CHI},
    ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"])
add("proposed actions for br-nyc-012", "list_actions", {"site": NYC})
add("what does latency mean in application health", "explain_classifier",
    {"sle": "application-health", "classifier": "latency"})
add("explain weak signal", "explain_classifier", {"sle": "coverage", "classifier": "weak-signal"})
for row in rows[SECOND_START:]:
    row["split"] = "held-out-2"

out = Path(__file__).with_name("questions.jsonl")
out.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
print(f"{len(rows)} questions → {out}")
