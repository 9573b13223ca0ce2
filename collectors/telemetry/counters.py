"""Counter deltas and rates with wrap and reset handling, shared by JTI, gNMI and SNMP.

Devices report monotonically increasing counters; the lake keeps them as reported and puts a
derived rate beside them. A counter that goes backwards has either wrapped (a 32-bit counter
near its top) or been reset (device or line card restart, ``clear interface statistics``); a
wrap yields the true delta, a reset yields no rate and a flag. State is explicit: one
``CounterRates`` per collector, keyed by whatever identifies a counter instance.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

_WRAP_32 = 1 << 32
#: A 32-bit counter is taken to have wrapped when it was in the top quarter of its range.
_WRAP_ZONE_32 = _WRAP_32 - (_WRAP_32 >> 2)


@dataclass(frozen=True, slots=True)
class Rate:
    """What one new sample says: the per-second rate (None when unknown) and whether the
    counter was reset since the previous sample."""

    per_second: float | None
    reset: bool


class CounterRates:
    """Remembers the last sample of each counter and turns new samples into rates."""

    def __init__(self, max_counters: int = 5_000_000) -> None:
        self._last: dict[Hashable, tuple[int, int]] = {}
        self.max_counters = max_counters

    def update(self, key: Hashable, value: int, time_us: int, *, bits: int = 64) -> Rate:
        """Record ``value`` at ``time_us`` for ``key``; the rate since the previous sample."""
        previous = self._last.get(key)
        if previous is None and len(self._last) >= self.max_counters:
            self._last.clear()  # a bound on memory for churning instance keys; rates restart
        self._last[key] = (value, time_us)
        if previous is None:
            return Rate(None, False)
        last_value, last_time = previous
        elapsed_us = time_us - last_time
        if elapsed_us <= 0:
            return Rate(None, False)
        delta = value - last_value
        if delta < 0:
            if bits == 32 and last_value >= _WRAP_ZONE_32 and value < _WRAP_32 - _WRAP_ZONE_32:
                delta += _WRAP_32
            else:
                return Rate(None, True)
        return Rate(delta * 1_000_000 / elapsed_us, False)

    def forget(self, key: Hashable) -> None:
        self._last.pop(key, None)

    def __len__(self) -> int:
        return len(self._last)
