"""What every request of one API process shares: the lake (one DuckDB connection to hand out
cursors from), the inventory, the access config (tenants), the token store, and the list of
every site name known, refreshed every ``SITES_TTL`` seconds.

Owns ``ApiState``, ``read`` (a read-API object on a fresh cursor, closed after the request) and
``cached``: the answers of the heavy, whole-org reads (org SLE rollups, the incident list) are
kept for ``cache_seconds`` (10 by default, 0 = never) under their exact arguments, before any
tenant filtering, so many callers asking the same question within a scheduler minute cost one
query; answers are then at most that many seconds behind the lake. Must not: write to the lake
or decide who may see what (``auth`` does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import duckdb

from assurance.api.tokens import TokenStore
from assurance.config.access import AccessConfig
from assurance.config.inventory import Inventory
from assurance.query.org import OrgQuery
from assurance.query.reader import share, shared

SITES_TTL = 30.0
Q = TypeVar("Q")
T = TypeVar("T")


@dataclass
class ApiState:
    """One lake, its inventory and the people (tokens, tenants) who may read it."""

    lake: str
    tokens: TokenStore
    access: AccessConfig = field(default_factory=AccessConfig)
    inventory: Inventory | None = None
    dashboard_url: str = "http://127.0.0.1:8501"
    con: duckdb.DuckDBPyConnection | None = None
    cache_seconds: float = 10.0
    _sites: tuple[float, list[str]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict[Hashable, tuple[float, Any]] = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, or its answer for the same ``key`` from the last ``cache_seconds``.
        Callers must not change the answer they get (it is shared)."""
        if self.cache_seconds <= 0:
            return compute()
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < self.cache_seconds:
                return hit[1]  # type: ignore[no-any-return]
        value = compute()
        with self._cache_lock:
            if len(self._cache) > 4096:
                self._cache = {
                    k: v for k, v in self._cache.items() if now - v[0] < self.cache_seconds
                }
            self._cache[key] = (time.monotonic(), value)
        return value

    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self.con is None:
                self.con = shared(self.lake)
            return self.con

    def close(self) -> None:
        with self._lock:
            if self.con is not None:
                self.con.close()
                self.con = None

    def every_site(self) -> list[str]:
        """Every site the lake has SLE data for or the inventory declares, sorted."""
        now = time.monotonic()
        cached = self._sites
        if cached is not None and now - cached[0] < SITES_TTL:
            return cached[1]
        with self.read(OrgQuery) as org:
            found = set(org.sites())
        if self.inventory is not None:
            found.update(s.name for s in self.inventory.sites)
        sites = sorted(found)
        self._sites = (now, sites)
        return sites

    @contextmanager
    def read(self, cls: type[Q]) -> Iterator[Q]:
        """A read-API object of ``cls`` on its own cursor, closed afterwards."""
        obj: Any = share(cls, self.connection())
        try:
            yield obj
        finally:
            obj.con.close()
