"""What a decode call returns: tables, rejected input, counters and sequence status.

Owns the result value types only; the decoder fills them and listeners read them (rejected
input becomes ``rejects`` rows, counters become metrics). Must not decode anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from collectors.errors import WireError
from collectors.flow.held import HeldCount


@dataclass(frozen=True)
class Rejected:
    """Input that could not be decoded: the error, and the datagram it came in, byte for byte."""

    error: WireError
    raw: bytes
    exporter: str
    received_us: int
    #: Position in the ``decode_many`` input; None for a held set that expired in a later call.
    datagram: int | None
    #: True when nothing of the datagram was decoded (its header was unusable).
    fatal: bool = False


@dataclass
class Counters:
    """What one call did; tests and metrics read these."""

    datagrams: int = 0
    records: int = 0
    option_records: int = 0
    templates_learned: int = 0
    templates_withdrawn: int = 0
    sets_skipped: int = 0
    sets_held: int = 0
    held_released: int = 0
    held_expired: int = 0
    rejected: int = 0
    lost_records: int = 0
    lost_datagrams: int = 0
    reordered: int = 0
    resets: int = 0


@dataclass(frozen=True)
class SequenceStatus:
    """Cumulative sequence counters of one stream touched by the call."""

    exporter: str
    version: int
    domain: int
    unit: str
    expected: int | None
    datagrams: int
    lost: int
    gaps: int
    reordered: int
    resets: int


@dataclass
class DecodeResult:
    """What one decode call produced: tables that fit FLOWS / FLOW_OPTIONS, rejects, counters,
    the sequence state of the streams it touched, and what is still held for templates."""

    flows: pa.Table
    options: pa.Table
    rejected: list[Rejected]
    counters: Counters
    sequences: list[SequenceStatus]
    held: list[HeldCount]

    @property
    def errors(self) -> list[WireError]:
        return [r.error for r in self.rejected]
