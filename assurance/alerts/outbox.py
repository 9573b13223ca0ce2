"""The durable outbox: alert state, groups and notification events in one SQLite file.

Owns ``<lake>/_state/alerts.sqlite`` (WAL journal, ``synchronous=FULL`` so every commit is on
disk when it returns) and every statement run against it. An event is written once, with its id,
in the same transaction that moves its group's state, so a crash either loses the whole step
(the next cycle makes it again) or keeps it (the next run delivers it under the same id): at
least once, never under a new id. Delivery states: ``pending`` → ``delivered``, or ``retrying``
→ … → ``delivered`` / ``dead``; ``resend`` puts an event back to ``pending``. Secrets are never
stored here: rows hold receiver names and neutral notifications, rendered and signed at send
time. Must not: evaluate rules, render formats or touch the network.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assurance.errors import AssuranceError, LakeError
from assurance.lake.store import LakeStore

STATE_DIR = "_state"
FILE_NAME = "alerts.sqlite"
STATES = ("pending", "retrying", "delivered", "dead")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id     TEXT PRIMARY KEY,
    receiver     TEXT NOT NULL,
    rule         TEXT NOT NULL,
    group_key    TEXT NOT NULL,
    site         TEXT,
    severity     TEXT NOT NULL,
    status       TEXT NOT NULL,
    notification TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    last_error   TEXT,
    created_at   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    mirrored     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_due ON events (state, next_attempt);
CREATE INDEX IF NOT EXISTS events_unmirrored ON events (mirrored, version);
CREATE TABLE IF NOT EXISTS alert_state (
    fingerprint TEXT PRIMARY KEY,
    rule        TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    status      TEXT NOT NULL,
    silenced    INTEGER NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT,
    body        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_state_group ON alert_state (group_key);
CREATE TABLE IF NOT EXISTS groups (
    group_key     TEXT PRIMARY KEY,
    rule          TEXT NOT NULL,
    labels        TEXT NOT NULL,
    first_seen    REAL NOT NULL,
    last_notified REAL,
    notified_hash TEXT,
    dirty         INTEGER NOT NULL DEFAULT 1
);
"""


class OutboxError(AssuranceError):
    """The outbox file cannot be opened or an event asked for does not exist."""


@dataclass(frozen=True)
class Event:
    event_id: str
    receiver: str
    rule: str
    group_key: str
    site: str | None
    severity: str
    status: str
    notification: str
    state: str
    attempts: int
    next_attempt: float
    last_error: str | None
    created_at: float
    updated_at: float
    version: int = 1

    @property
    def payload(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.notification)
        return value


_EVENT_COLUMNS = (
    "event_id, receiver, rule, group_key, site, severity, status, notification, state, "
    "attempts, next_attempt, last_error, created_at, updated_at, version"
)


def outbox_path(lake: LakeStore | str) -> Path:
    store = lake if isinstance(lake, LakeStore) else LakeStore(lake)
    if not store.is_local:
        raise LakeError(f"{store.url}: the alert outbox needs a local lake folder in this version")
    return Path(store.root) / STATE_DIR / FILE_NAME


class Outbox:
    """One open outbox file. Safe to share between threads (one connection, one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=FULL")
            self._con.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise OutboxError(f"cannot open the alert outbox {self.path}: {exc}") from None
        self._lock = threading.RLock()

    @classmethod
    def for_lake(cls, lake: LakeStore | str) -> Outbox:
        return cls(outbox_path(lake))

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One durable step: ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on error)."""
        with self._lock:
            try:
                self._con.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise OutboxError(f"alert outbox {self.path}: {exc}") from None
            try:
                yield self._con
            except sqlite3.Error as exc:
                self._con.execute("ROLLBACK")
                raise OutboxError(f"alert outbox {self.path}: {exc}") from None
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            try:
                self._con.execute("COMMIT")
            except sqlite3.Error as exc:
                raise OutboxError(f"alert outbox {self.path}: {exc}") from None

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.execute(sql, tuple(params)).fetchall()

    # -- events --------------------------------------------------------------------------

    @staticmethod
    def insert_event(con: sqlite3.Connection, e: Event) -> None:
        con.execute(
            f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
            (
                e.event_id,
                e.receiver,
                e.rule,
                e.group_key,
                e.site,
                e.severity,
                e.status,
                e.notification,
                e.state,
                e.attempts,
                e.next_attempt,
                e.last_error,
                e.created_at,
                e.updated_at,
                e.version,
            ),
        )

    def due(self, now: float, limit: int = 256) -> list[Event]:
        """Events to try now, oldest due first."""
        rows = self.query(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE state IN ('pending', 'retrying') "  # noqa: S608
            "AND next_attempt <= ? ORDER BY next_attempt, created_at LIMIT ?",
            (now, limit),
        )
        return [Event(*row) for row in rows]

    def claim(self, now: float, limit: int, lease: float) -> list[Event]:
        """Take up to ``limit`` due events for ``lease`` seconds: another runner does not pick
        them meanwhile, and if this one dies they are due again when the lease runs out."""
        with self.transaction() as con:
            rows = con.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE state IN ('pending', 'retrying') "  # noqa: S608
                "AND next_attempt <= ? ORDER BY next_attempt, created_at LIMIT ?",
                (now, limit),
            ).fetchall()
            con.executemany(
                "UPDATE events SET next_attempt = ? WHERE event_id = ?",
                [(now + lease, row[0]) for row in rows],
            )
        return [Event(*row) for row in rows]

    def next_due(self) -> float | None:
        """When the earliest undelivered event is due, or None when nothing waits."""
        row = self.query(
            "SELECT min(next_attempt) FROM events WHERE state IN ('pending', 'retrying')"
        )[0]
        return None if row[0] is None else float(row[0])

    def record(
        self, outcomes: Iterable[tuple[str, str, int, float, str | None]], now: float
    ) -> None:
        """Store attempt outcomes: (event id, new state, attempts, next attempt, last error)."""
        with self.transaction() as con:
            con.executemany(
                "UPDATE events SET state = ?, attempts = ?, next_attempt = ?, last_error = ?, "
                "updated_at = ?, version = version + 1 WHERE event_id = ?",
                [(state, n, at, error, now, eid) for eid, state, n, at, error in outcomes],
            )

    def get(self, event_id: str) -> Event:
        rows = self.query(f"SELECT {_EVENT_COLUMNS} FROM events WHERE event_id = ?", (event_id,))  # noqa: S608
        if not rows:
            raise OutboxError(f"no alert event {event_id!r} in {self.path}")
        return Event(*rows[0])

    def events(self, state: str | None = None, limit: int | None = None) -> list[Event]:
        sql = f"SELECT {_EVENT_COLUMNS} FROM events"  # noqa: S608
        params: list[Any] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        sql += " ORDER BY created_at DESC, event_id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [Event(*row) for row in self.query(sql, params)]

    def counts(self) -> dict[str, int]:
        found = dict(self.query("SELECT state, count(*) FROM events GROUP BY state"))
        return {s: int(found.get(s, 0)) for s in STATES}

    def resend(self, event_id: str, now: float | None = None) -> Event:
        """Put an event (typically a dead letter) back in the queue under the same id."""
        self.get(event_id)
        at = time.time() if now is None else now
        with self.transaction() as con:
            con.execute(
                "UPDATE events SET state = 'pending', attempts = 0, next_attempt = ?, "
                "last_error = NULL, updated_at = ?, version = version + 1 WHERE event_id = ?",
                (at, at, event_id),
            )
        return self.get(event_id)

    def prune(self, before: float) -> int:
        """Forget delivered events last changed before ``before`` once the lake has them (their
        history stays in the lake's ``alerts`` table); pending, retrying and dead ones stay."""
        with self.transaction() as con:
            cur = con.execute(
                "DELETE FROM events WHERE state = 'delivered' AND updated_at < ? "
                "AND mirrored >= version",
                (before,),
            )
            return int(cur.rowcount)

    # -- lake mirror bookkeeping ---------------------------------------------------------

    def unmirrored(self, limit: int = 50_000) -> list[Event]:
        rows = self.query(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE mirrored < version LIMIT ?",  # noqa: S608
            (limit,),
        )
        return [Event(*row) for row in rows]

    def mark_mirrored(self, versions: Iterable[tuple[str, int]]) -> None:
        with self.transaction() as con:
            con.executemany(
                "UPDATE events SET mirrored = ? WHERE event_id = ? AND mirrored < ?",
                [(v, eid, v) for eid, v in versions],
            )
