"""What every page shares: the lake and access config from the environment, the logged-in user
and the sites they may see, the time range and scope filters kept in the URL, and the read-API
objects (one lake connection per process, a cursor per browser session).

Owns the query-parameter scheme (``site``, ``sle``, ``from``, ``to``, ``incident``, ``action``,
``link``, ``app``; times ISO 8601 UTC) and the rule that a site outside the user's scope is
answered exactly like a site that does not exist. Reads only through ``assurance.query`` and
``assurance.config``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from assurance.config import Inventory, load_inventory
from assurance.config.access import AccessConfig, User, load_access_config
from assurance.query import IncidentQuery, QueryError, SleQuery
from assurance.query.actions import ActionQuery
from assurance.query.alerts import AlertQuery
from assurance.query.apps import AppQuery
from assurance.query.links import LinkQuery, LinkRef, inventory_links
from assurance.query.org import OrgQuery
from assurance.query.reader import share, shared
from assurance.query.scoping import Scoper
from assurance.query.wifi import WifiQuery

LAKE_ENV = "WANASSURE_DASHBOARD_LAKE"
CONFIG_ENV = "WANASSURE_DASHBOARD_CONFIG"
INVENTORY_ENV = "WANASSURE_INVENTORY"
LAKE_INVENTORIES = ("inventory.yaml", "_sim/inventory.yaml")
#: Shown for a site the user may not see, word for word the same as for an unknown one.
NOT_FOUND = "Site {site!r} not found."

RANGES: dict[str, timedelta | None] = {
    "Last 1 h": timedelta(hours=1),
    "Last 6 h": timedelta(hours=6),
    "Last 24 h": timedelta(hours=24),
    "Last 7 days": timedelta(days=7),
    "Last 30 days": timedelta(days=30),
    "All data": None,
}

#: The time-range choice a link's ``from``/``to`` selects, editable in the sidebar.
CUSTOM = "Custom (from/to)"

Q = TypeVar("Q")


def lake_path() -> str:
    lake = os.environ.get(LAKE_ENV, "").strip()
    if not lake:
        st.error(
            f"No lake: start the dashboard with `wanassure dashboard --lake PATH` ({LAKE_ENV})."
        )
        st.stop()
    return lake


@st.cache_resource(show_spinner=False)
def _connection(lake: str) -> Any:
    return shared(lake)


@st.cache_resource(show_spinner=False)
def access_config(path: str) -> AccessConfig:
    return load_access_config(path)


@st.cache_resource(show_spinner=False)
def _inventory(lake: str) -> Inventory | None:
    chosen = os.environ.get(INVENTORY_ENV, "").strip()
    candidates = [Path(chosen)] if chosen else [Path(lake) / n for n in LAKE_INVENTORIES]
    for path in candidates:
        if path.is_file():
            return load_inventory(path)
    return None


def query(cls: type[Q]) -> Q:
    """This session's read-API object of ``cls`` (a cursor on the shared lake connection)."""
    lake = lake_path()
    key = f"_q_{cls.__name__}_{lake}"
    if key not in st.session_state:
        try:
            st.session_state[key] = share(cls, _connection(lake))
        except QueryError as exc:
            st.error(f"Cannot read the lake: {exc}")
            st.stop()
    return st.session_state[key]  # type: ignore[no-any-return]


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_time(t: datetime | None) -> str:
    return "" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class Ctx:
    """One page run: who is looking, at which sites, over which time range."""

    user: User | None
    lake: str
    every_site: list[str]
    sites: list[str]
    restricted: bool
    scoper: Scoper
    start: datetime | None
    end: datetime | None
    inventory: Inventory | None
    links: list[LinkRef] = field(default_factory=list)

    @property
    def scope(self) -> list[str] | None:
        """The site filter to pass to queries: None (every site) unless restricted."""
        return self.sites if self.restricted else None

    @property
    def can_write(self) -> bool:
        return self.user is not None and self.user.can_write

    def site_param(self, key: str = "site") -> str | None:
        """The ``site`` query parameter if the user may see it; a visible "not found" (the
        same for a site that does not exist) and None otherwise."""
        value = st.query_params.get(key)
        if value is None or value == "":
            return None
        if value not in self.sites:
            st.error(NOT_FOUND.format(site=value))
            return None
        return value

    def pick_site(self, label: str = "Site") -> str | None:
        """A site from the URL, else from a selector; kept in the URL."""
        wanted = self.site_param()
        if "site" in st.query_params and wanted is None:
            return None
        if not self.sites:
            st.info("No site with data in this lake yet.")
            return None
        index = self.sites.index(wanted) if wanted in self.sites else 0
        site = st.selectbox(label, self.sites, index=index, key="site_picker")
        st.query_params["site"] = site
        return site


def _time_range(org: OrgQuery) -> tuple[datetime | None, datetime | None]:
    """The range from the sidebar: a preset relative to the newest data, or a custom one that a
    link's ``from``/``to`` fills in. Kept for the session (the sidebar's page links drop the
    URL's query) and written back to the URL so it can be shared."""
    bounds = org.time_range()
    url = (parse_time(st.query_params.get("from")), parse_time(st.query_params.get("to")))
    state = st.session_state
    if (url[0] or url[1]) and url != state.get("_link_range"):
        state["_link_range"] = url  # a new link: show its range
        state["range_choice"] = CUSTOM
        state["range_from"] = iso(url[0]) if url[0] else ""
        state["range_to"] = iso(url[1]) if url[1] else ""
    state.setdefault("range_choice", "Last 24 h")
    choice = st.sidebar.selectbox("Time range", [*RANGES, CUSTOM], key="range_choice")
    if choice == CUSTOM:
        if "range_from" not in state and bounds is not None:
            state["range_from"] = iso(bounds[1] - timedelta(hours=24))
            state["range_to"] = iso(bounds[1])
        a = st.sidebar.text_input("From (UTC, ISO 8601)", key="range_from")
        b = st.sidebar.text_input("To (UTC, exclusive)", key="range_to")
        start, end = parse_time(a), parse_time(b)
        bad = [name for name, text, t in (("From", a, start), ("To", b, end)) if text and not t]
        if bad or (start and end and end <= start):
            why = f"{' and '.join(bad)} is not a time" if bad else "to must be after from"
            st.sidebar.error(f"Custom range not usable ({why}); showing all data.")
            return None, None
        state["_link_range"] = (start, end)
        for key, t in (("from", start), ("to", end)):
            if t is not None:
                st.query_params[key] = iso(t)
            elif key in st.query_params:
                del st.query_params[key]
        return start, end
    for key in ("from", "to"):
        if key in st.query_params:
            del st.query_params[key]
    span = RANGES.get(choice)
    if span is None or bounds is None:
        return None, None
    return bounds[1] - span, bounds[1]


def context(user: User | None, config: AccessConfig | None) -> Ctx:
    """The page context, with the time-range selector drawn in the sidebar."""
    lake = lake_path()
    org = query(OrgQuery)
    try:
        every = org.sites()
    except QueryError as exc:
        st.error(f"Cannot read the lake: {exc}")
        st.stop()
    restricted = False
    sites = every
    if user is not None and config is not None and config.patterns(user) is not None:
        restricted = True
        sites = config.allowed_sites(user, every)
    start, end = _time_range(org)
    st.sidebar.caption(f"{fmt_time(start) or 'start of data'} → {fmt_time(end) or 'end of data'}")
    try:
        inventory = _inventory(lake)
    except Exception as exc:  # a broken inventory must not take the dashboard down
        st.sidebar.warning(f"Inventory not loaded: {str(exc).splitlines()[0]}")
        inventory = None
    links = inventory_links(inventory) if inventory is not None else []
    return Ctx(
        user=user,
        lake=lake,
        every_site=every,
        sites=sites,
        restricted=restricted,
        # names to hide: every site the lake or the inventory knows (a site may have no data yet)
        scoper=Scoper(
            {*every, *(s.name for s in inventory.sites)} if inventory is not None else every,
            sites if restricted else None,
        ),
        start=start,
        end=end,
        inventory=inventory,
        links=links,
    )


def current() -> Ctx:
    """The context the entry script stored for this run (a page run any other way stops)."""
    ctx: Ctx | None = st.session_state.get("_ctx")
    if ctx is None:
        st.stop()
    return ctx


__all__ = [
    "ActionQuery",
    "AlertQuery",
    "AppQuery",
    "Ctx",
    "IncidentQuery",
    "LinkQuery",
    "OrgQuery",
    "SleQuery",
    "WifiQuery",
    "context",
    "current",
    "fmt_time",
    "iso",
    "query",
]
