"""Mirror the outbox into the lake's ``alerts`` table so the dashboard can read delivery state.

Every change of an event (created, attempted, delivered, dead, resent) bumps its version; each
mirror pass writes one ``alerts`` row per event version not yet mirrored (``updated_at`` = the
time of that change) through the ``LakeWriter``, then marks those versions mirrored. The latest
row per ``event_id`` is the event's current state. A crash between the two steps writes a row
twice, never loses one. Rows hold the neutral notification, never a secret. Must not: decide
delivery or touch the network.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa

from assurance.alerts.outbox import Outbox
from assurance.lake.store import LakeStore
from assurance.lake.writer import LakeWriter
from assurance.tables import ALERTS


def mirror(outbox: Outbox, store: LakeStore) -> int:
    """Write every unmirrored event version to ``alerts``; the number of rows written."""
    events = outbox.unmirrored()
    if not events:
        return 0
    cols: dict[str, list[object]] = {c.name: [] for c in ALERTS.columns}
    for e in events:
        payload = e.payload
        cols["updated_at"].append(datetime.fromtimestamp(e.updated_at, UTC))
        cols["event_id"].append(e.event_id)
        cols["fingerprint"].append(e.group_key)
        cols["name"].append(e.rule)
        cols["site"].append(e.site)
        cols["severity"].append(e.severity)
        cols["status"].append(e.status)
        cols["receiver"].append(e.receiver)
        cols["delivery"].append(e.state)
        cols["attempts"].append(e.attempts)
        cols["last_error"].append(e.last_error)
        cols["labels"].append(list(payload.get("group_labels", {}).items()))
        cols["payload"].append(json.dumps(payload, separators=(",", ":")))
    table = pa.Table.from_pydict(cols, schema=ALERTS.schema)
    with LakeWriter(store, writer_id=None) as writer:
        writer.write(ALERTS.name, table)
    outbox.mark_mirrored((e.event_id, e.version) for e in events)
    return len(events)
