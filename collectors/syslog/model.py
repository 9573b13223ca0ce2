"""The contract between syslog receiving and parsing: lines in, tables and rejects out.

Receiving (``framing``, ``listener``) produces ``Line`` objects, or a ``LineBatch`` (the same
lines stored by column: what one read of a stream yields shares sender, receive time and
transport); parsing (``parse`` and the message modules) consumes any sequence of lines in
batches and returns a ``ParsedBatch``. Neither side knows the other's internals, so a bus can
sit between them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat
from operator import attrgetter
from typing import Literal, overload

import numpy as np
import pyarrow as pa

from collectors.errors import WireError
from collectors.origin import Reject

Transport = Literal["udp", "tcp", "tls"]
#: a raw message as a ``LineBatch`` may hold it: bytes, or a read-only view of received bytes
Raw = bytes | memoryview
#: message boundaries in a buffer (``numpy`` int64 array or a list)
Offsets = Sequence[int] | np.ndarray


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


class LineBatch(Sequence[Line]):
    """Lines stored by column: the raw messages (bytes, or views of the bytes a stream read
    returned, so that framing need not copy them), and runs of consecutive lines that share
    sender, receive time and transport. Indexing yields ``Line`` objects (with bytes);
    ``parse`` reads the columns directly (``columns_of``)."""

    __slots__ = ("_ends", "raws", "runs")

    def __init__(self, raws: list[Raw], runs: list[tuple[int, str, int, Transport]]) -> None:
        if sum(run[0] for run in runs) != len(raws):
            raise ValueError("runs must cover the raw messages exactly")
        self.raws = raws
        self.runs = [run for run in runs if run[0] > 0]
        self._ends = list(accumulate(run[0] for run in self.runs))

    @classmethod
    def of(cls, raws: list[Raw], sender: str, received_us: int, transport: Transport) -> LineBatch:
        batch = cls.__new__(cls)
        batch.raws = raws
        batch.runs = [(len(raws), sender, received_us, transport)] if raws else []
        batch._ends = [len(raws)] if raws else []
        return batch

    @classmethod
    def join(cls, batches: Sequence[LineBatch]) -> LineBatch:
        if len(batches) == 1:
            return batches[0]
        batch = cls.__new__(cls)
        batch.raws = list(chain.from_iterable(b.raws for b in batches))
        batch.runs = [run for b in batches for run in b.runs]
        batch._ends = list(accumulate(run[0] for run in batch.runs))
        return batch

    def __len__(self) -> int:
        return len(self.raws)

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> LineBatch: ...

    def __getitem__(self, index: int | slice) -> Line | LineBatch:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self.raws))
            if step == 1:
                return self._slice(start, max(start, stop))
            picked = [self[i] for i in range(start, stop, step)]
            return LineBatch(
                [x.raw for x in picked],
                [(1, x.sender, x.received_us, x.transport) for x in picked],
            )
        if index < 0:
            index += len(self.raws)
        if not 0 <= index < len(self.raws):
            raise IndexError("line index out of range")
        _, sender, received_us, transport = self._run(index)
        return Line(bytes(self.raws[index]), sender, received_us, transport)

    def _run(self, index: int) -> tuple[int, str, int, Transport]:
        return self.runs[bisect_right(self._ends, index)]

    def _slice(self, start: int, stop: int) -> LineBatch:
        runs: list[tuple[int, str, int, Transport]] = []
        first = 0
        for (_, sender, received_us, transport), end in zip(self.runs, self._ends, strict=True):
            lo, hi = max(first, start), min(end, stop)
            if hi > lo:
                runs.append((hi - lo, sender, received_us, transport))
            first = end
        return LineBatch(self.raws[start:stop], runs)

    def __iter__(self) -> Iterator[Line]:
        raws = iter(self.raws)
        for n, sender, received_us, transport in self.runs:
            for raw in _take(raws, n):
                yield Line(bytes(raw), sender, received_us, transport)


class ChunkBatch(LineBatch):
    """A ``LineBatch`` whose messages are one buffer: message ``i`` is
    ``blob[offsets[i]:offsets[i + 1]]`` (``offsets`` starts at 0; the blob may go on past the
    last message, e.g. with the padding ``parse`` needs). It crosses a pipe as two buffers
    instead of one object per line, and ``parse`` reads the buffer as it is."""

    __slots__ = ("blob", "offsets")

    def __init__(
        self, blob: bytes, offsets: Offsets, runs: list[tuple[int, str, int, Transport]]
    ) -> None:
        count = len(offsets) - 1
        if count < 0 or offsets[0] != 0 or offsets[-1] > len(blob):
            raise ValueError("offsets must start at 0 and end within the blob")
        if sum(run[0] for run in runs) != count:
            raise ValueError("runs must cover the messages exactly")
        self.blob = blob
        self.offsets = offsets
        self.runs = [run for run in runs if run[0] > 0]
        self._ends = list(accumulate(run[0] for run in self.runs))

    @property
    def raws(self) -> Sequence[Raw]:  # type: ignore[override]  # read-only: cut from the blob
        return _Slices(self.blob, self.offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def padding(self) -> int:
        """Bytes of the blob after the last message."""
        return len(self.blob) - int(self.offsets[-1])


class _Slices(Sequence[bytes]):
    """The messages of a ``ChunkBatch``, each cut from the blob only when asked for."""

    __slots__ = ("blob", "offsets")

    def __init__(self, blob: bytes, offsets: Offsets) -> None:
        self.blob, self.offsets = blob, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("message index out of range")
        return self.blob[int(self.offsets[index]) : int(self.offsets[index + 1])]


def _take(items: Iterator[Raw], n: int) -> Iterator[Raw]:
    for _ in range(n):
        yield next(items)


def columns_of(lines: Sequence[Line]) -> tuple[Sequence[Raw], list[int], list[str], list[str]]:
    """(raw messages, receive times, senders, transports) of any sequence of lines."""
    if isinstance(lines, LineBatch):
        received: list[int] = []
        senders: list[str] = []
        transports: list[str] = []
        for n, sender, received_us, transport in lines.runs:
            received.extend(repeat(received_us, n))
            senders.extend(repeat(sender, n))
            transports.extend(repeat(transport, n))
        return lines.raws, received, senders, transports
    return (
        list(map(_RAW, lines)),
        list(map(_RECEIVED, lines)),
        list(map(_SENDER, lines)),
        list(map(_TRANSPORT, lines)),
    )


_RAW, _RECEIVED = attrgetter("raw"), attrgetter("received_us")
_SENDER, _TRANSPORT = attrgetter("sender"), attrgetter("transport")
