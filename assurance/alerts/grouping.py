"""Grouping and dedup: from evaluated alerts to the notifications due now, Alertmanager-style.

Owns the state machine over the outbox's ``alert_state`` and ``groups`` tables. An alert is
known by its fingerprint; a group by its rule plus the values of the rule's ``group_by`` labels
(default ``alertname, site``; an org-wide rule can group by ``isp`` or by ``alertname`` alone, so
one ISP outage across 40 sites is one group and one notification per receiver). A new group is
notified ``group_wait`` after its first alert; a changed group (an alert fired, resolved or was
unmuted) at most every ``group_interval``; an unchanged firing group every ``repeat_interval``.
An alert missing from a successful evaluation of its rule is resolved, sent once in its group's
next notification and then forgotten. Every change of a cycle, and the events it creates, commit
in one transaction. Must not: evaluate rules, render formats or send.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assurance.alerts.config import AlertsConfig, Rule
from assurance.alerts.links import dashboard_link
from assurance.alerts.model import ALERTNAME, SEVERITIES, Alert, fingerprint, group_labels
from assurance.alerts.outbox import Event, Outbox
from assurance.alerts.silences import muted

#: Alerts listed in one notification; beyond this they are counted in ``truncated``.
MAX_ALERTS = 500


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_event_id() -> str:
    return "msg_" + secrets.token_hex(10)


@dataclass(frozen=True)
class CycleResult:
    """What one grouping step did."""

    firing: int
    resolved: int
    muted: int
    notifications: int
    events: int


def _alert_row(alert: Alert, silenced: bool) -> dict[str, Any]:
    return {
        "fingerprint": alert.fingerprint,
        "labels": dict(alert.labels),
        "severity": alert.severity,
        "summary": alert.summary,
        "annotations": dict(alert.annotations),
        "dashboard_url": alert.link,
        "silenced": silenced,
    }


def _state_hash(items: Iterable[tuple[str, str]]) -> str:
    return hashlib.sha256(json.dumps(sorted(items)).encode()).hexdigest()[:32]


class Grouper:
    """Turns evaluation results into outbox events for one configuration."""

    def __init__(self, outbox: Outbox, config: AlertsConfig) -> None:
        self.outbox = outbox
        self.config = config
        self._rules = {r.name: r for r in config.rules}

    def group_of(self, rule: Rule, alert: Alert) -> tuple[str, dict[str, str]]:
        labels = {ALERTNAME: rule.name, **group_labels(alert.labels, self.config.group_by(rule))}
        return fingerprint(labels), labels

    def step(
        self,
        evaluated: Mapping[str, list[Alert]],
        *,
        data_time: datetime,
        now: float,
        ignore_wait: bool = False,
    ) -> CycleResult:
        """Record the alerts of the rules in ``evaluated`` (rules that evaluated cleanly; a rule
        left out keeps its alerts as they were), then emit every notification due at ``now``."""
        counts = {"firing": 0, "resolved": 0, "muted": 0}
        with self.outbox.transaction() as con:
            for rule_name, alerts in evaluated.items():
                rule = self._rules.get(rule_name)
                if rule is not None:
                    self._observe(con, rule, alerts, data_time, now, counts)
            notes, events = self._flush(con, now, ignore_wait)
        return CycleResult(counts["firing"], counts["resolved"], counts["muted"], notes, events)

    # -- observing -----------------------------------------------------------------------

    def _observe(
        self,
        con: sqlite3.Connection,
        rule: Rule,
        alerts: list[Alert],
        data_time: datetime,
        now: float,
        counts: dict[str, int],
    ) -> None:
        known = {
            fp: (status, bool(silenced), key)
            for fp, status, silenced, key in con.execute(
                "SELECT fingerprint, status, silenced, group_key FROM alert_state WHERE rule = ?",
                (rule.name,),
            )
        }
        dirty: set[str] = set()
        seen: set[str] = set()
        updates: list[tuple[int, str, str]] = []
        inserts: list[tuple[str, str, str, int, str, str]] = []
        groups: dict[str, tuple[str, str, str, float]] = {}
        for alert in alerts:
            fp = alert.fingerprint
            if alert.status == "resolved" or fp in seen:
                continue  # resolution is by absence; an explicit resolved row only blocks firing
            seen.add(fp)
            silenced = muted(alert, self.config, data_time)
            counts["muted" if silenced else "firing"] += 1
            body = json.dumps(_alert_row(alert, silenced))
            before = known.get(fp)
            if before is not None and before[0] == "firing":
                updates.append((int(silenced), body, fp))
                if before[1] != silenced:
                    dirty.add(before[2])
                continue
            key, labels = self.group_of(rule, alert)
            dirty.add(key)
            inserts.append((fp, rule.name, key, int(silenced), iso(alert.starts_at), body))
            groups.setdefault(key, (key, rule.name, json.dumps(labels), now))
        con.executemany(
            "UPDATE alert_state SET silenced = ?, body = ? WHERE fingerprint = ?", updates
        )
        con.executemany(
            "INSERT OR REPLACE INTO alert_state (fingerprint, rule, group_key, status, "
            "silenced, starts_at, ends_at, body) VALUES (?, ?, ?, 'firing', ?, ?, NULL, ?)",
            inserts,
        )
        con.executemany(
            "INSERT OR IGNORE INTO groups (group_key, rule, labels, first_seen) "
            "VALUES (?, ?, ?, ?)",
            list(groups.values()),
        )
        gone = [fp for fp, (status, *_) in known.items() if status == "firing" and fp not in seen]
        for fp in gone:
            counts["resolved"] += 1
            dirty.add(known[fp][2])
            if known[fp][1]:  # muted and now gone: forget quietly
                con.execute("DELETE FROM alert_state WHERE fingerprint = ?", (fp,))
            else:
                con.execute(
                    "UPDATE alert_state SET status = 'resolved', ends_at = ? WHERE fingerprint = ?",
                    (iso(data_time), fp),
                )
        con.executemany("UPDATE groups SET dirty = 1 WHERE group_key = ?", [(k,) for k in dirty])

    # -- flushing ------------------------------------------------------------------------

    def _flush(self, con: sqlite3.Connection, now: float, ignore_wait: bool) -> tuple[int, int]:
        timing = self.config.grouping
        # only groups that may be due are loaded: waited long enough, changed, or up for repeat
        groups = con.execute(
            "SELECT group_key, rule, labels, first_seen, last_notified, notified_hash FROM groups "
            "WHERE (last_notified IS NULL AND (? OR first_seen <= ?)) "
            "OR (dirty = 1 AND last_notified <= ?) OR last_notified <= ? "
            "OR rule NOT IN (SELECT value FROM json_each(?))",
            (
                int(ignore_wait),
                now - timing.group_wait,
                now - timing.group_interval,
                now - timing.repeat_interval,
                json.dumps(sorted(self._rules)),
            ),
        ).fetchall()
        members: dict[str, list[dict[str, Any]]] = {}
        if groups:
            for fp, key, status, silenced, starts, ends, body in con.execute(
                "SELECT fingerprint, group_key, status, silenced, starts_at, ends_at, body "
                "FROM alert_state WHERE group_key IN (SELECT value FROM json_each(?)) "
                "ORDER BY starts_at, fingerprint",
                (json.dumps([g[0] for g in groups]),),
            ):
                row = json.loads(body)
                row.update(status=status, silenced=bool(silenced), starts_at=starts, ends_at=ends)
                row["fingerprint"] = fp
                members.setdefault(key, []).append(row)
        notes = events = 0
        for key, rule_name, labels_json, first_seen, last, notified_hash in groups:
            rows = members.get(key, [])
            visible = [r for r in rows if not r["silenced"]]
            firing = [r for r in visible if r["status"] == "firing"]
            state = _state_hash((r["fingerprint"], r["status"]) for r in visible)
            if last is None:
                due = bool(firing) and (ignore_wait or now - first_seen >= timing.group_wait)
            else:
                changed = state != notified_hash and bool(visible)
                due = (changed and now - last >= timing.group_interval) or (
                    bool(firing) and now - last >= timing.repeat_interval
                )
            rule = self._rules.get(rule_name)
            if due and rule is not None:
                notes += 1
                events += self._enqueue(con, rule, key, json.loads(labels_json), visible, now)
                con.execute(
                    "UPDATE groups SET last_notified = ?, notified_hash = ?, dirty = 0 "
                    "WHERE group_key = ?",
                    (now, _state_hash((r["fingerprint"], "firing") for r in firing), key),
                )
            elif last is not None:
                con.execute("UPDATE groups SET dirty = 0 WHERE group_key = ?", (key,))
            resolved_left = any(r["status"] == "resolved" for r in rows)
            if due or last is None or rule is None:
                # resolved alerts are told once (or never, when the group was never notified)
                con.execute(
                    "DELETE FROM alert_state WHERE group_key = ? AND status = 'resolved'", (key,)
                )
                resolved_left = False
            if rule is None or not (resolved_left or any(r["status"] == "firing" for r in rows)):
                con.execute("DELETE FROM alert_state WHERE group_key = ?", (key,))
                con.execute("DELETE FROM groups WHERE group_key = ?", (key,))
        return notes, events

    def notification(
        self,
        rule: Rule,
        key: str,
        labels: dict[str, str],
        rows: list[dict[str, Any]],
        created: float,
    ) -> dict[str, Any]:
        """The neutral notification of one group (what every format is rendered from)."""
        firing = [r for r in rows if r["status"] == "firing"]
        ranked = firing or rows
        severity = min((r["severity"] for r in ranked), key=SEVERITIES.index)
        site = labels.get("site") or None
        sites = sorted({r["labels"].get("site", "") for r in rows} - {""})
        if len(rows) == 1:
            summary = rows[0]["summary"]
            link = rows[0]["dashboard_url"]
        else:
            where = ", ".join(f"{k}={v}" for k, v in labels.items() if k != ALERTNAME and v)
            spread = f" across {len(sites)} sites" if len(sites) > 1 else ""
            summary = f"{rule.name}: {len(firing)} firing, {len(rows) - len(firing)} resolved"
            summary += f"{spread}" + (f" ({where})" if where else "")
            link = dashboard_link(self.config.dashboard_url, site=site, sle=rule.sle_name)
        common = dict(rows[0]["labels"]) if rows else {}
        for r in rows[1:]:
            common = {k: v for k, v in common.items() if r["labels"].get(k) == v}
        alerts = [
            {
                "fingerprint": r["fingerprint"],
                "status": r["status"],
                "severity": r["severity"],
                "labels": r["labels"],
                "annotations": r["annotations"],
                "summary": r["summary"],
                "starts_at": r["starts_at"],
                "ends_at": r["ends_at"],
                "dashboard_url": r["dashboard_url"],
            }
            for r in rows[:MAX_ALERTS]
        ]
        return {
            "version": "1",
            "rule": rule.name,
            "rule_kind": rule.kind,
            "status": "firing" if firing else "resolved",
            "severity": severity,
            "summary": summary,
            "site": site,
            "sites": sites,
            "fingerprint": key,
            "group_labels": labels,
            "common_labels": common,
            "dashboard_url": link,
            "created_at": iso(datetime.fromtimestamp(created, UTC)),
            "alerts": alerts,
            "truncated": max(0, len(rows) - MAX_ALERTS),
        }

    def _enqueue(
        self,
        con: sqlite3.Connection,
        rule: Rule,
        key: str,
        labels: dict[str, str],
        rows: list[dict[str, Any]],
        now: float,
    ) -> int:
        note = self.notification(rule, key, labels, rows, now)
        receivers = self.config.receivers_of(rule)
        for receiver in receivers:
            event_id = new_event_id()
            payload = {"event_id": event_id, "receiver": receiver, **note}
            Outbox.insert_event(
                con,
                Event(
                    event_id=event_id,
                    receiver=receiver,
                    rule=rule.name,
                    group_key=key,
                    site=note["site"],
                    severity=note["severity"],
                    status=note["status"],
                    notification=json.dumps(payload, separators=(",", ":")),
                    state="pending",
                    attempts=0,
                    next_attempt=now,
                    last_error=None,
                    created_at=now,
                    updated_at=now,
                ),
            )
        return len(receivers)
