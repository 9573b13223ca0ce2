"""Silences made at run time (through the REST API) rather than written in the alerts file.

Owns ``<lake>/_state/silences.json``: a list of silences (the alerts file's ``Silence`` model)
each with an id, who made it and when, written atomically (temp file, fsync, rename). The alert
engine adds the ones still in force to its configured silences on every cycle
(``with_stored``). Expired silences are dropped when a new one is added. Must not: evaluate
rules or touch the network.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assurance.alerts.config import AlertsConfig, Silence
from assurance.alerts.outbox import outbox_path
from assurance.errors import ConfigError
from assurance.lake.store import LakeStore

log = logging.getLogger(__name__)
FILE_NAME = "silences.json"
_LOCK = threading.Lock()


def silences_path(lake: LakeStore | str) -> Path:
    return outbox_path(lake).parent / FILE_NAME


def load(lake: LakeStore | str) -> list[dict[str, Any]]:
    """Every stored silence as a record: id, created_by, created_at, silence (the model)."""
    path = silences_path(lake)
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [{**r, "silence": Silence.model_validate(r["silence"])} for r in rows]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(str(path), [f"not a readable silences file: {exc}"]) from None


def _save(path: Path, records: list[dict[str, Any]]) -> None:
    body = json.dumps(
        [{**r, "silence": r["silence"].model_dump(mode="json")} for r in records], indent=2
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".silences-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add(
    lake: LakeStore | str, silence: Silence, created_by: str, now: datetime | None = None
) -> dict[str, Any]:
    """Store ``silence``; returns its record (with a new ``sil-…`` id)."""
    at = now or datetime.now(UTC)
    record = {
        "id": f"sil-{secrets.token_hex(6)}",
        "created_by": created_by,
        "created_at": at.isoformat(),
        "silence": silence,
    }
    with _LOCK:
        kept = [r for r in load(lake) if r["silence"].ends_at > at]
        _save(silences_path(lake), [*kept, record])
    return record


def with_stored(config: AlertsConfig, lake: LakeStore | str, now: datetime) -> AlertsConfig:
    """``config`` with the stored silences still in force added to its own (a broken silences
    file is logged and ignored: it must not stop the alerts)."""
    try:
        extra = tuple(r["silence"] for r in load(lake) if r["silence"].ends_at > now)
    except ConfigError as exc:
        log.error("stored silences ignored: %s", str(exc).splitlines()[-1].strip())
        return config
    if not extra:
        return config
    return config.model_copy(update={"silences": (*config.silences, *extra)})
