"""Structured-data key templates: the parameter layout shared by many lines, read once.

A device sends the same message type with the same SD-ID and the same parameter names in the
same order; only the values change. The *skeleton* of a single SD element is its text with
every quoted value removed: ``junos@2636.1.1.1.2.129 reason="" source-address="" …"]`` (SD-ID,
then `` name="`` / ``" name="`` gaps, then ``"]``). Lines with equal skeletons have equal
``fields`` keys, so the batch path identifies a line's layout by its skeleton and reads the
names here once per distinct skeleton instead of once per line.

Owns turning a skeleton into a ``Template`` (or refusing it) and a bounded cache of them. The
rules give what ``sd.parse_sd`` and ``sd.sd_fields`` give for one well-formed element: an SD-ID
without whitespace, ``=``, ``]`` or ``"``; exactly one space before each name; names without
those characters, not starting with ``_`` and not repeated. Must not touch byte buffers or
know message families. Never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BAD_NAME = re.compile(r"[\s=\]\"“”]")
#: The ``fields`` note that carries the SD-ID (first entry of every map).
SD_ID_NOTE = "_sd_id"


@dataclass(frozen=True)
class Template:
    """One element layout: ``sd_id``, parameter ``names`` in order, and ``keys`` (the
    ``fields`` keys: ``_sd_id`` then the names). ``position`` maps a name to its index."""

    sd_id: str
    names: tuple[str, ...]
    keys: tuple[str, ...]
    position: dict[str, int] = field(hash=False, compare=False)


def read_skeleton(skeleton: str) -> Template | None:
    """The template of a skeleton, or None if the batch path must not take such lines."""
    sd_id, space, rest = skeleton.partition(" ")
    if not sd_id or not space or _BAD_NAME.search(sd_id) is not None:
        return None
    parts = (" " + rest).split('"')
    # name parts at even positions: " name=" …, then "]"; odd positions are emptied values
    if len(parts) < 3 or len(parts) % 2 == 0 or parts[-1] != "]":
        return None
    names: list[str] = []
    for k, part in enumerate(parts[:-1]):
        if k % 2:
            if part:
                return None
            continue
        if len(part) < 3 or part[0] != " " or part[-1] != "=":
            return None
        name = part[1:-1]
        if name.startswith("_") or _BAD_NAME.search(name) is not None:
            return None
        names.append(name)
    if len(set(names)) != len(names):
        return None
    keys = (SD_ID_NOTE, *names)
    return Template(sd_id, tuple(names), keys, {name: i for i, name in enumerate(names)})


class TemplateCache:
    """Skeleton text → ``Template`` (None for refused skeletons), bounded in size."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._known: dict[str, Template | None] = {}

    def get(self, skeleton: str) -> Template | None:
        try:
            return self._known[skeleton]
        except KeyError:
            pass
        if len(self._known) >= self.max_entries:
            self._known.clear()
        found = self._known[skeleton] = read_skeleton(skeleton)
        return found

    def __len__(self) -> int:
        return len(self._known)
