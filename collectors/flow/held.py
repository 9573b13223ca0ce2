"""Data sets held while their template is unknown, bounded by count, bytes and age.

Owns the holding area: a data set whose template has not arrived yet waits here (with the header
context it needs to be decoded later) until the template arrives, it grows too old, or it is
pushed out by newer ones. Must not decode anything or read a clock: age is measured against the
receive times the caller passes in. Held sets are not persisted across restarts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

C = TypeVar("C")
HeldKey = tuple[str, int, int]


@dataclass(eq=False)
class HeldSet(Generic[C]):
    """One held data set: where it is in its datagram and the header context to decode it."""

    key: HeldKey
    ctx: C
    datagram: bytes
    start: int
    end: int
    received_us: int
    released: bool = field(default=False, repr=False)

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class HeldCount:
    """How many sets (and bytes) are held for one (exporter, domain, template id)."""

    exporter: str
    domain: int
    template_id: int
    sets: int
    bytes: int


class HeldSets(Generic[C]):
    """FIFO of held sets with per-key lookup; limits are enforced on every ``add``."""

    def __init__(
        self, max_sets: int = 4096, max_bytes: int = 8 << 20, max_age_us: int = 120_000_000
    ) -> None:
        self.max_sets = max_sets
        self.max_bytes = max_bytes
        self.max_age_us = max_age_us
        self._order: deque[HeldSet[C]] = deque()
        self._by_key: dict[HeldKey, list[HeldSet[C]]] = {}
        self._count = 0
        self._bytes = 0

    def __len__(self) -> int:
        return self._count

    def add(self, held: HeldSet[C]) -> list[HeldSet[C]]:
        """Hold ``held``; returns the sets evicted to stay within the limits (oldest first)."""
        self._order.append(held)
        self._by_key.setdefault(held.key, []).append(held)
        self._count += 1
        self._bytes += held.size
        evicted: list[HeldSet[C]] = []
        while self._count > self.max_sets or self._bytes > self.max_bytes:
            evicted.append(self._pop_oldest())
        return evicted

    def expire(self, now_us: int) -> list[HeldSet[C]]:
        """Remove and return the sets received more than ``max_age_us`` before ``now_us``."""
        expired: list[HeldSet[C]] = []
        while self._count:
            head = self._order[0]
            if head.released:
                self._order.popleft()
            elif now_us - head.received_us > self.max_age_us:
                expired.append(self._pop_oldest())
            else:
                break
        return expired

    def release(self, key: HeldKey) -> list[HeldSet[C]]:
        """Remove and return (in arrival order) the sets waiting for ``key``'s template."""
        waiting = self._by_key.pop(key, None)
        if not waiting:
            return []
        for held in waiting:
            held.released = True
            self._count -= 1
            self._bytes -= held.size
        if not self._count:
            self._order.clear()
        return waiting

    def counts(self) -> list[HeldCount]:
        return [
            HeldCount(k[0], k[1], k[2], len(v), sum(h.size for h in v))
            for k, v in self._by_key.items()
        ]

    def _pop_oldest(self) -> HeldSet[C]:
        while True:
            held = self._order.popleft()
            if not held.released:
                break
        self._count -= 1
        self._bytes -= held.size
        waiting = self._by_key[held.key]
        waiting.remove(held)
        if not waiting:
            del self._by_key[held.key]
        return held
