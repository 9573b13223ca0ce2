"""The lake's own vocabulary for entity linking: sites, gateways, switches, APs, switch ports,
WAN links, ISPs, applications (inventory and lake) and clients (MAC, IP, hostname, user name from
``user_minutes``), each with the token sequences a person may call it by.

Owns ``Entry``, ``Vocabulary`` and ``vocabulary(lake)`` (cached per lake for ``CACHE_S``
seconds, so a question costs no vocabulary scan). Reads through ``assurance.query.reader`` with
fixed SQL. Must not parse questions or decide intents.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from assurance.ask.text import tokens
from assurance.config import Inventory, load_inventory
from assurance.query.reader import LakeReader
from assurance.query.sle import QueryError

CACHE_S = 300.0
#: Clients are taken from this many days before the newest SLE hour (a bounded scan on big
#: lakes: the vocabulary of a 30-day, 200-site lake builds in about a second of CPU).
CLIENT_DAYS = 3
INVENTORY_ENV = "WANASSURE_INVENTORY"
LAKE_INVENTORIES = ("inventory.yaml", "_sim/inventory.yaml")

#: Site-name prefixes and what people call them.
PREFIXES: dict[str, tuple[str, ...]] = {
    "br": ("br", "branch", "brnch", "site", "office"),
    "st": ("st", "store", "str", "shop", "site"),
    "hub": ("hub", "dc", "datacenter", "site"),
    "lab": ("lab", "site"),
    "ctl": ("ctl", "control", "site"),
}
#: City codes in site names and the city's words.
CITIES: dict[str, tuple[str, ...]] = {
    "nyc": ("new", "york"),
    "ny": ("new", "york"),
    "chi": ("chicago",),
    "bos": ("boston",),
    "atl": ("atlanta",),
    "sfo": ("san", "francisco"),
    "sf": ("san", "francisco"),
    "la": ("los", "angeles"),
    "lax": ("los", "angeles"),
    "sea": ("seattle",),
    "dal": ("dallas",),
    "den": ("denver",),
    "mia": ("miami",),
    "phx": ("phoenix",),
    "aus": ("austin",),
    "dc": ("washington",),
}
#: Well-known shorthand for applications and ISPs (matched on the lower-case name).
APP_ALIASES: dict[str, tuple[str, ...]] = {
    "salesforce": ("sfdc", "salesforce", "sales force", "crm"),
    "office 365": ("o365", "m365", "office365", "outlook", "microsoft 365"),
    "microsoft teams": ("teams", "msteams", "ms teams"),
    "ringcentral voice": ("ringcentral", "ring central", "voip"),
    "youtube": ("yt", "youtube", "you tube"),
    "zoom": ("zoom",),
    "web": ("web", "web browsing", "browsing"),
}
ISP_ALIASES: dict[str, tuple[str, ...]] = {
    "at&t": ("att", "at&t", "at and t"),
    "verizon": ("vz", "vzw", "verizon"),
    "spectrum": ("spectrum", "charter"),
    "lumen": ("lumen", "centurylink", "century link"),
    "comcast": ("comcast", "xfinity"),
}
#: Words of ISP/app names that say nothing on their own (as the tokenizer spells them: it reads
#: "wireless" as "wifi", so "Verizon Wireless" must not answer to "wifi").
GENERIC = frozenset(
    {
        "business",
        "wireless",
        "wifi",
        "mpls",
        "broadband",
        "lte",
        "internet",
        "communications",
        "microsoft",
        "office",
        "voice",
        "cable",
        "fiber",
        "networks",
        "the",
        "inc",
    }
)


def seq(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokens(text))


@dataclass(frozen=True)
class Entry:
    """One nameable thing. ``aliases`` resolve on their own; ``local`` aliases (``ap1``,
    ``isp-a``, ``ge-0/0/4``) only together with the site, or as a choice between sites."""

    kind: str
    value: str
    site: str | None
    label: str
    aliases: tuple[tuple[str, ...], ...]
    local: tuple[tuple[str, ...], ...] = ()
    info: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        return dict(self.info).get(key)


@dataclass
class Vocabulary:
    """Everything nameable in one lake, with the index entity linking uses."""

    entries: list[Entry]
    inventory: Inventory | None
    org: str
    sites: list[str]
    newest: datetime | None = None  # end of the last hour with SLE data
    index: dict[str, list[tuple[Entry, bool]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for e in self.entries:
            for alias in e.aliases:
                self.index.setdefault("".join(alias), []).append((e, False))
            for alias in e.local:
                self.index.setdefault("".join(alias), []).append((e, True))

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def find(self, kind: str, value: str) -> Entry | None:
        return next((e for e in self.entries if e.kind == kind and e.value == value), None)


def _site_aliases(name: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Aliases of a site (``br-nyc-012``: br nyc 12, nyc 12, branch 12, nyc, new york …)."""
    parts = seq(name)
    strong: list[tuple[str, ...]] = [parts]
    weak: list[tuple[str, ...]] = []
    num = next((p for p in reversed(parts) if p.isdigit()), None)
    words = [p for p in parts if not p.isdigit()]
    prefix = words[0] if words and words[0] in PREFIXES else None
    codes = [w for w in words if w != prefix]
    for code in codes:
        city = CITIES.get(code, ())
        strong.append((code,))
        if city:
            strong.append(city)
        if num:
            strong.append((code, num))
            if city:
                strong.append((*city, num))
    if num:
        for word in PREFIXES.get(prefix or "", (prefix,) if prefix else ()):
            (weak if word == "site" else strong).append((word, num))
    elif prefix:
        strong.append((prefix,))
    return list(dict.fromkeys(a for a in strong if a)), weak


def _name_aliases(name: str, table: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    low = name.lower()
    out = [seq(name)]
    for key, extra in table.items():
        if low == key or low.startswith(key + " ") or low.startswith(key):
            out.extend(seq(x) for x in extra)
    out.extend((w,) for w in seq(name) if len(w) >= 4 and w not in GENERIC and not w.isdigit())
    return list(dict.fromkeys(a for a in out if a))


def _device(kind: str, name: str, site: str, short_words: tuple[str, ...]) -> Entry:
    """A gateway, switch or AP: its full name, and ``gw1`` / ``gateway 1`` at its site."""
    full = seq(name)
    local: list[tuple[str, ...]] = []
    tail = name[len(site) + 1 :] if name.startswith(site + "-") else name
    t = seq(tail)
    if t:
        local.append(t)
        digits = "".join(ch for ch in tail if ch.isdigit()).lstrip("0") or "0"
        for word in short_words:
            local.append((word, digits))
            local.append((f"{word}{digits}",))
    return Entry(kind, name, site, name, (full,), tuple(dict.fromkeys(local)))


def _from_inventory(inv: Inventory) -> list[Entry]:
    out: list[Entry] = []
    isps: dict[str, list[str]] = {}
    for site in inv.sites:
        strong, weak = _site_aliases(site.name)
        out.append(
            Entry(
                "site",
                site.name,
                None,
                site.name,
                tuple(strong + weak),
                info=(("timezone", site.timezone),),
            )
        )
        for gw in site.gateways:
            out.append(_device("gateway", gw.name, site.name, ("gw", "gateway", "srx")))
            for link in gw.wan:
                isps.setdefault(link.isp, []).append(site.name)
                local = [seq(link.name), seq(link.type)]
                out.append(
                    Entry(
                        "link",
                        f"{site.name}/{link.name}",
                        site.name,
                        f"{site.name} {link.name} ({link.isp}, {link.type})",
                        (),
                        tuple(dict.fromkeys(local)),
                        (
                            ("name", link.name),
                            ("isp", link.isp),
                            ("type", link.type),
                            ("gateway", gw.name),
                            ("interface", link.interface),
                        ),
                    )
                )
        for sw in site.switches:
            out.append(_device("switch", sw.name, site.name, ("sw", "switch", "ex")))
            for port in sw.ports:
                out.append(
                    Entry(
                        "port",
                        f"{sw.name}/{port.name}",
                        site.name,
                        f"{sw.name} {port.name}",
                        ((*seq(sw.name), port.name),),
                        ((port.name,),),
                        (("switch", sw.name), ("port", port.name)),
                    )
                )
        for ap in site.aps:
            out.append(_device("ap", ap.name, site.name, ("ap",)))
    for isp, sites in isps.items():
        out.append(
            Entry(
                "isp",
                isp,
                None,
                isp,
                tuple(_name_aliases(isp, ISP_ALIASES)),
                info=(("sites", ",".join(sorted(set(sites)))),),
            )
        )
    for app in inv.apps:
        out.append(
            Entry("app", app.name, None, app.name, tuple(_name_aliases(app.name, APP_ALIASES)))
        )
    return out


def _clients(reader: LakeReader) -> list[Entry]:
    try:
        (newest,) = reader._rows("SELECT max(hour_start) FROM sle_hours")[0]
        if newest is None:
            return []
        since = newest - timedelta(days=CLIENT_DAYS)
        rows = reader._rows(
            "SELECT client_id, any_value(client_mac), any_value(client_ip), any_value(hostname), "
            "any_value(username), arg_max(site, minute) FROM user_minutes "
            "WHERE client_id IS NOT NULL AND minute >= $since AND date >= $since_date "
            "GROUP BY client_id ORDER BY client_id",
            {"since": since, "since_date": since.date()},
        )
    except QueryError:
        return []
    out = []
    for cid, mac, ip, host, user, site in rows:
        aliases = [seq(str(cid))]
        info = []
        for key, value in (("mac", mac), ("ip", ip), ("hostname", host), ("user", user)):
            if value:
                aliases.append(seq(str(value)))
                info.append((key, str(value)))
        label = " / ".join(str(v) for v in (host, user, mac or ip) if v) + f" at {site}"
        out.append(
            Entry("client", str(cid), site, label, tuple(dict.fromkeys(aliases)), info=tuple(info))
        )
    return out


def _lake_names(reader: LakeReader, known: set[tuple[str, str]]) -> list[Entry]:
    """Sites and applications with data that the inventory does not name."""
    out: list[Entry] = []
    for kind, sql in (
        ("site", "SELECT DISTINCT site FROM sle_days WHERE site IS NOT NULL ORDER BY 1"),
        (
            "app",
            "SELECT DISTINCT application FROM sle_days WHERE application IS NOT NULL ORDER BY 1",
        ),
    ):
        try:
            names = [str(n) for (n,) in reader._rows(sql)]
        except QueryError:
            continue
        for name in names:
            if (kind, name) in known:
                continue
            if kind == "site":
                strong, weak = _site_aliases(name)
                out.append(Entry("site", name, None, name, tuple(strong + weak)))
            else:
                out.append(Entry("app", name, None, name, tuple(_name_aliases(name, APP_ALIASES))))
    return out


def find_inventory(lake: str) -> Inventory | None:
    chosen = os.environ.get(INVENTORY_ENV, "").strip()
    candidates = [Path(chosen)] if chosen else [Path(lake) / n for n in LAKE_INVENTORIES]
    for path in candidates:
        if path.is_file():
            return load_inventory(path)
    return None


def build(lake: str, inventory: Inventory | None = None) -> Vocabulary:
    """The vocabulary of ``lake`` (reads the inventory next to it when none is given)."""
    inv = inventory if inventory is not None else find_inventory(lake)
    entries = _from_inventory(inv) if inv is not None else []
    reader = LakeReader(lake)
    try:
        entries += _lake_names(reader, {(e.kind, e.value) for e in entries})
        entries += _clients(reader)
        newest = _newest(reader)
    finally:
        reader.close()
    sites = sorted(e.value for e in entries if e.kind == "site")
    return Vocabulary(entries, inv, inv.org.name if inv is not None else "org", sites, newest)


def _newest(reader: LakeReader) -> datetime | None:
    try:
        (hour,) = reader._rows("SELECT max(hour_start) FROM sle_hours")[0]
    except QueryError:
        return None
    return None if hour is None else hour + timedelta(hours=1)


_cache: dict[str, tuple[float, Vocabulary]] = {}
_lock = threading.Lock()


def vocabulary(lake: str, inventory: Inventory | None = None) -> Vocabulary:
    """``build(lake, inventory)``, reused for ``CACHE_S`` seconds (per lake and inventory
    object: a server that holds its inventory passes it and skips re-reading the file)."""
    where = str(Path(lake).resolve()) if "://" not in lake else lake
    key = f"{where}#{id(inventory) if inventory is not None else ''}"
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_S:
            return hit[1]
    found = build(lake, inventory)
    with _lock:
        _cache[key] = (now, found)
    return found
