"""What every request of one API process shares: the lake (one DuckDB connection to hand out
cursors from), the inventory, the access config (tenants), the token store, and the list of
every site name known, refreshed every ``SITES_TTL`` seconds.

Owns ``ApiState`` and ``reader`` (a read-API object on a fresh cursor, closed after the request).
Must not: write to the lake or decide who may see what (``auth`` does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
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


@dataclass
class ApiState:
    """One lake, its inventory and the people (tokens, tenants) who may read it."""

    lake: str
    tokens: TokenStore
    access: AccessConfig = field(default_factory=AccessConfig)
    inventory: Inventory | None = None
    dashboard_url: str = "http://127.0.0.1:8501"
    con: duckdb.DuckDBPyConnection | None = None
    _sites: tuple[float, list[str]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

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
