"""Ensemble detector: members' evidence combined into one calibrated score in [0, 1].

Owns ``EnsembleKernel`` and the ``ensemble`` detector. Must not reach into members' internals:
it reads only their scores.

What "calibrated" means here: on a series that behaves as it did in the past, ``score`` is close
to uniform on [0, 1] — the fraction of scores above ``1 - a`` is about ``a`` (about 1 % above 0.99),
whatever each member's own statistic and its null distribution are. How: each member's p-value
``1 - score`` is recalibrated on the series' own past by a ``TailCalibrator``; the combined
evidence is the smallest recalibrated p-value; that minimum, whose null distribution depends on
how correlated the members are, is calibrated once more on its own past. Only present, warm
observations below ``CLEAR_ANOMALY`` are folded into the calibrators. ``raw`` is the final
surprise ``-log10(p)``; ``expected`` is the first member's that is known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from models.anomaly.calibration import TailCalibrator
from models.anomaly.core import Direction, FloatArray, Kernel, KernelDetector, check_positive
from models.anomaly.errors import InvalidParameter

DEFAULT_MEMBERS = ("seasonal", "cusum")
#: Surprises (decades) at or beyond this are clear anomalies, not evidence about the normal tail:
#: they are not folded into the calibrators, so a long outage does not dull later scores.
CLEAR_ANOMALY = 8.0


class EnsembleKernel:
    def __init__(
        self,
        n: int,
        members: Sequence[KernelDetector],
        *,
        memory: float = 10080.0,
    ) -> None:
        self.members: list[Kernel] = [m.new_kernel(n) for m in members]
        self.calibrators = [TailCalibrator(n, memory=memory) for _ in members]
        self.combined = TailCalibrator(n, memory=memory)

    def step(self, t: float, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        present = ~np.isnan(x)
        best = np.zeros(x.shape)
        expected = np.full(x.shape, np.nan)
        any_warm = np.zeros(x.shape, dtype=bool)
        for kernel, calibrator in zip(self.members, self.calibrators, strict=True):
            score, exp_m, _ = kernel.step(t, x)
            warm = ~np.isnan(exp_m)
            expected = np.where(np.isnan(expected), exp_m, expected)
            live = present & warm
            e = TailCalibrator.surprise(1.0 - score)
            calibrated = TailCalibrator.surprise(calibrator.p_value(e))
            best = np.maximum(best, np.where(live, calibrated, 0.0))
            calibrator.learn(e, live & (e < CLEAR_ANOMALY))
            any_warm |= live
        p = self.combined.p_value(best)
        self.combined.learn(best, any_warm & (best < CLEAR_ANOMALY))
        raw = TailCalibrator.surprise(p)
        return np.where(any_warm, 1.0 - p, 0.0), expected, np.where(any_warm, raw, 0.0)


class Ensemble(KernelDetector):
    """Calibrated combination of streaming members (default: seasonal baseline and CUSUM).

    ``members`` names registered univariate detectors; ``member_params`` maps a member name to
    extra parameters for it. ``direction`` is passed to every member.
    """

    name = "ensemble"

    def __init__(
        self,
        *,
        direction: Direction = "both",
        members: Sequence[str] = DEFAULT_MEMBERS,
        member_params: Mapping[str, Mapping[str, Any]] | None = None,
        memory: float = 10080.0,
    ) -> None:
        super().__init__(
            direction=direction,
            members=tuple(members),
            member_params={k: dict(v) for k, v in (member_params or {}).items()},
            memory=memory,
        )
        check_positive("memory", memory)
        if not members:
            raise InvalidParameter("an ensemble needs at least one member")
        unknown = set(self.params["member_params"]) - set(members)
        if unknown:
            raise InvalidParameter(f"member_params for non-members: {', '.join(sorted(unknown))}")
        self._members = self._build_members()

    def _build_members(self) -> list[KernelDetector]:
        from models.anomaly.registry import make

        built: list[KernelDetector] = []
        for name in self.params["members"]:
            if name == self.name:
                raise InvalidParameter("an ensemble cannot contain an ensemble")
            params = {"direction": self.direction, **self.params["member_params"].get(name, {})}
            member = make(name, **params)
            if not isinstance(member, KernelDetector):
                raise InvalidParameter(f"{name!r} cannot be an ensemble member")
            built.append(member)
        return built

    def new_kernel(self, n: int) -> EnsembleKernel:
        return EnsembleKernel(n, self._members, memory=self.params["memory"])
