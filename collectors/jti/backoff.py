"""Exponential backoff with jitter between reconnect attempts of one session.

``next()`` grows the delay by ``factor`` per consecutive failure up to ``cap_s`` and draws it
uniformly from [½·d, d] so that many devices failing together (a collector restart, a WAN outage)
do not reconnect in lockstep. ``reset()`` after a stream delivered data.
"""

from __future__ import annotations

import random


class Backoff:
    def __init__(
        self,
        base_s: float = 1.0,
        cap_s: float = 60.0,
        factor: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        self.base_s, self.cap_s, self.factor = base_s, cap_s, factor
        self.failures = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        """The delay before the next attempt (and count one more failure)."""
        ceiling = min(self.cap_s, self.base_s * self.factor**self.failures)
        self.failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0
