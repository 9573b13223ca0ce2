"""The audit trail of path-policy actions in the lake's ``actions`` table.

Owns writing one row per state an action enters (each as its own small file, published
atomically through the ``LakeStore``, so no writer ever rewrites another's rows) and reading
the latest state of each path-policy action (kinds steer_app, adjust_sla, restore_preference;
the analysis pipeline's diagnosis actions share the table and are left alone). Transitions are
checked against ``model.TRANSITIONS``. Must not: decide, render or push anything.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from assurance.errors import AssuranceError
from assurance.lake.catalog import connect
from assurance.lake.conform import conform
from assurance.lake.layout import Partition, data_file_name
from assurance.lake.store import LakeStore
from assurance.policy.errors import PolicyError
from assurance.policy.model import KINDS, check_transition
from assurance.tables import ACTIONS

_COLUMNS = (
    "updated_at",
    "action_id",
    "incident_id",
    "site",
    "device",
    "kind",
    "state",
    "change_set",
    "rollback_set",
    "predicted_benefit",
    "risk",
    "actor",
    "note",
)


@dataclass(frozen=True)
class Action:
    """The latest state of one path-policy action, with where it came from."""

    updated_at: datetime
    action_id: str
    incident_id: str | None
    site: str
    device: str | None
    kind: str
    state: str
    change_set: str
    rollback_set: str
    predicted_benefit: float | None
    risk: str | None
    actor: str | None
    note: str | None
    app: str = ""
    proposed_at: datetime | None = None
    pushed_at: datetime | None = None

    def row(self, **changes: Any) -> dict[str, Any]:
        values = {k: getattr(self, k) for k in _COLUMNS}
        values.update(changes)
        return values


def action_id(site: str, app: str, kind: str, at: datetime) -> str:
    digest = hashlib.sha1(f"{site}|{app}|{kind}|{at.isoformat()}".encode()).hexdigest()
    return f"pol-{digest[:10]}"


def app_of(note: str | None) -> str:
    """The application an action is about: its proposal note starts ``[<app>]``."""
    if note and note.startswith("[") and "]" in note:
        return note[1 : note.index("]")]
    return ""


def write(lake: str, rows: list[dict[str, Any]]) -> None:
    """Publish rows (one file per hour they fall in) into ``actions``."""
    if not rows:
        return
    store = LakeStore(lake)
    if not store.exists():
        raise PolicyError(f"no lake at {lake} (folder does not exist)")
    table = conform(ACTIONS, pa.Table.from_pylist(rows, schema=ACTIONS.schema))
    by_hour: dict[datetime, list[int]] = {}
    for n, at in enumerate(table.column("updated_at").to_pylist()):
        by_hour.setdefault(at.replace(minute=0, second=0, microsecond=0), []).append(n)
    for hour, idx in sorted(by_hour.items()):
        part = Partition(ACTIONS.name, hour.date(), hour.hour)
        sink = pa.BufferOutputStream()
        pq.write_table(table.take(idx), sink, compression="zstd")
        name = data_file_name(f"policy-{secrets.token_hex(6)}", 0)
        store.publish(f"{part.path}/{name}", sink.getvalue())


def _connect(lake: str) -> duckdb.DuckDBPyConnection:
    try:
        return connect(lake, tables={ACTIONS.name: ACTIONS})
    except AssuranceError as exc:
        raise PolicyError(str(exc)) from None


def _read(lake: str, action: str | None = None) -> list[Action]:
    con = _connect(lake)
    try:
        kinds = list(KINDS)
        rows = con.execute(
            "SELECT updated_at, action_id, incident_id, site, device, kind, state, change_set, "
            "rollback_set, predicted_benefit, risk, actor, note FROM actions "
            "WHERE list_contains($kinds, kind) AND ($id IS NULL OR action_id = $id) "
            "ORDER BY action_id, updated_at",
            {"kinds": kinds, "id": action},
        ).fetchall()
    finally:
        con.close()
    latest: dict[str, Action] = {}
    first: dict[str, tuple[datetime, str, str | None]] = {}
    pushed: dict[str, datetime] = {}
    for r in rows:
        values = dict(zip(_COLUMNS, r, strict=True))
        values["updated_at"] = values["updated_at"].astimezone(UTC)
        aid = values["action_id"]
        first.setdefault(aid, (values["updated_at"], app_of(values["note"]), values["note"]))
        if values["state"] == "pushed":
            pushed[aid] = values["updated_at"]
        values["change_set"] = values["change_set"] or ""
        values["rollback_set"] = values["rollback_set"] or ""
        latest[aid] = Action(**values)
    out = []
    for aid, act in latest.items():
        at, app, _ = first[aid]
        out.append(
            Action(**{**act.row(), "app": app, "proposed_at": at, "pushed_at": pushed.get(aid)})
        )
    return sorted(out, key=lambda a: a.updated_at, reverse=True)


def actions(lake: str) -> list[Action]:
    """Every path-policy action in its latest state, most recently updated first."""
    return _read(lake)


def get(lake: str, action: str) -> Action:
    found = _read(lake, action)
    if not found:
        raise PolicyError(f"unknown action {action!r} (no path-policy action with that id)")
    return found[0]


def history(lake: str, action: str) -> list[dict[str, Any]]:
    """Every state row of one action, oldest first."""
    get(lake, action)
    con = _connect(lake)
    try:
        rows = con.execute(
            "SELECT updated_at, state, actor, note FROM actions WHERE action_id = $id "
            "ORDER BY updated_at",
            {"id": action},
        ).fetchall()
    finally:
        con.close()
    return [{"at": r[0], "state": r[1], "actor": r[2], "note": r[3]} for r in rows]


def transition(
    lake: str,
    current: Action,
    state: str,
    actor: str,
    note: str = "",
    at: datetime | None = None,
) -> Action:
    """Record ``current`` entering ``state``; returns the new latest state. Refuses when the
    action moved on since ``current`` was read (someone else acted on it meanwhile)."""
    check_transition(current.action_id, current.state, state)
    now = get(lake, current.action_id)
    if (now.state, now.updated_at) != (current.state, current.updated_at):
        raise PolicyError(
            f"action {current.action_id} changed meanwhile (now {now.state} by "
            f"{now.actor or 'unknown'}); look again before acting"
        )
    when = at or datetime.now(UTC)
    if when <= current.updated_at:
        when = current.updated_at + timedelta(microseconds=1)
    row = current.row(updated_at=when, state=state, actor=actor, note=note or None)
    write(lake, [row])
    return Action(
        **{
            **row,
            "change_set": row["change_set"] or "",
            "rollback_set": row["rollback_set"] or "",
            "app": current.app,
            "proposed_at": current.proposed_at,
            "pushed_at": when if state == "pushed" else current.pushed_at,
        }
    )


__all__ = ["Action", "action_id", "actions", "app_of", "get", "history", "transition", "write"]
