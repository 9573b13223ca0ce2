"""The contract between syslog receiving and parsing: lines in, tables and rejects out.

Receiving (``framing``, ``listener``) produces ``Line`` objects; parsing (``parse`` and the
message modules) consumes them in batches and returns a ``ParsedBatch``. Neither side knows the
other's internals, so a bus can sit between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from collectors.errors import WireError
from collectors.origin import Reject

Transport = Literal["udp", "tcp", "tls"]


@dataclass(frozen=True, slots=True)
class Line:
    """One framed syslog message exactly as received (without the framing itself)."""

    raw: bytes
    sender: str
    received_us: int
    transport: Transport


class SyslogError(WireError):
    """A syslog line that cannot be parsed (its raw bytes still land in ``syslog_events``)."""


@dataclass
class ParsedBatch:
    """What one batch of lines became.

    ``tables`` maps a table name to rows in its declared schema with ``device``/``site`` left
    null (the listener fills them); ``syslog_events`` holds exactly one row per input line, in
    input order. ``rejects`` holds the lines that could not be parsed, with the reason.
    """

    tables: dict[str, pa.Table] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
