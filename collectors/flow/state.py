"""The decoder's explicit state and its JSON state file.

Owns ``DecoderState`` (templates, sampling rates, exporter init times, sequence trackers and the
held data sets) and ``save_state``/``load_state``, so that a restarted collector decodes data
immediately instead of waiting a template refresh. The state file is the collector's own (not
the lake): it is written to a temporary name and moved over the old one with ``os.replace``.
Held data sets are not saved: they are short-lived and their bytes belong in ``rejects`` if the
template never comes. Must not decode anything.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collectors.errors import CollectorError
from collectors.flow.flows import Ctx
from collectors.flow.held import HeldSets
from collectors.flow.options import Sampling
from collectors.flow.sequence import SequenceTracker
from collectors.flow.templates import Template, TemplateCache

STATE_FORMAT = 1


class StateFileError(CollectorError):
    """A state file that cannot be read back (corrupt, foreign or from a newer format)."""


@dataclass
class DecoderState:
    """Everything a ``FlowDecoder`` remembers between datagrams."""

    templates: TemplateCache = field(default_factory=TemplateCache)
    sampling: dict[tuple[str, int], Sampling] = field(default_factory=dict)
    init_ms: dict[tuple[str, int], int] = field(default_factory=dict)
    sequences: dict[tuple[str, int, int], SequenceTracker] = field(default_factory=dict)
    held: HeldSets[Ctx] = field(default_factory=HeldSets)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "templates": [
                {"exporter": k[0], "domain": k[1], **t.to_json()} for k, t in self.templates.items()
            ],
            "sampling": [
                {"exporter": k[0], "domain": k[1], **s.to_json()} for k, s in self.sampling.items()
            ],
            "init_ms": [
                {"exporter": k[0], "domain": k[1], "ms": v} for k, v in self.init_ms.items()
            ],
            "sequences": [
                {"exporter": k[0], "domain": k[2], **s.to_json()} for k, s in self.sequences.items()
            ],
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> DecoderState:
        if data.get("format") != STATE_FORMAT:
            raise StateFileError(f"unsupported state format {data.get('format')!r}")
        state = DecoderState()
        try:
            for t in data["templates"]:
                state.templates.learn(str(t["exporter"]), int(t["domain"]), Template.from_json(t))
            for s in data["sampling"]:
                state.sampling[(str(s["exporter"]), int(s["domain"]))] = Sampling.from_json(s)
            for i in data["init_ms"]:
                state.init_ms[(str(i["exporter"]), int(i["domain"]))] = int(i["ms"])
            for q in data["sequences"]:
                tracker = SequenceTracker.from_json(
                    {k: v for k, v in q.items() if k not in ("exporter", "domain")}
                )
                state.sequences[(str(q["exporter"]), tracker.version, int(q["domain"]))] = tracker
        except (KeyError, TypeError, ValueError) as exc:
            raise StateFileError(f"corrupt state file: {exc!r}") from exc
        return state


def save_state(state: DecoderState, path: str | os.PathLike[str]) -> None:
    """Write ``state`` to ``path`` atomically (temporary file in the same folder, then replace)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state.to_json(), fh, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_state(path: str | os.PathLike[str]) -> DecoderState:
    """Read a state file written by ``save_state``; a missing file gives an empty state."""
    target = Path(path)
    if not target.exists():
        return DecoderState()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StateFileError(f"cannot read state file {target}: {exc}") from exc
    if not isinstance(data, dict):
        raise StateFileError("state file is not a JSON object")
    return DecoderState.from_json(data)
