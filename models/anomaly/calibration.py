"""Running tail calibration: turns a member's p-values into calibrated ones, per series.

Owns ``TailCalibrator``. Must not look at the value being calibrated before answering for it
(the caller folds it in afterwards with ``learn``).

A p-value is read as a surprise ``e = -log10(p)`` (decades). The calibrator keeps, per series, a
running estimate of the distribution of past surprises at the knots ``e = 1, 2, 3, 4``: the share
``q_k`` of past surprises at or above ``k``. ``P(E >= e)`` is interpolated log-linearly between
knots (``q_0 = 1``) and extrapolated beyond the last knot with the last segment's slope (at least
half a decade per decade, so an extreme value still scores near 1). For a calibrated p-value
``q_k = 10^-k``; that is the prior each share starts from, with a prior weight of ``20·10^k``
observations (capped at ``memory``), so a rare knot moves only when the series gives evidence.
A member whose p-values are too small on this series (heavy-tailed residuals) is tempered and one
that is conservative is sharpened; after ``memory`` observations the estimates become EWMAs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from models.anomaly.core import FloatArray

KNOTS = 4
SURPRISE_LIMIT = 300.0
MIN_SLOPE = 0.5


class TailCalibrator:
    def __init__(self, n: int, *, memory: float = 10080.0) -> None:
        self.memory = memory
        k = np.arange(1, KNOTS + 1, dtype=np.float64)[:, None]
        self.prior = np.minimum(20.0 * 10.0**k, memory)
        self.log_q = np.repeat(-k, n, axis=1)  # log10 of the shares, knots 1..KNOTS
        self.share = 10.0**self.log_q
        self.count = np.zeros(n)

    @staticmethod
    def surprise(p: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):
            return np.clip(-np.log10(np.clip(p, 0.0, 1.0)), 0.0, SURPRISE_LIMIT)

    def p_value(self, e: FloatArray) -> FloatArray:
        n = e.shape[0]
        cols = np.arange(n)
        log_q = np.vstack([np.zeros((1, n)), self.log_q])  # knot 0 .. KNOTS
        k = np.clip(np.floor(e), 0, KNOTS - 1).astype(np.intp)
        lo = log_q[k, cols]
        hi = log_q[k + 1, cols]
        inside = lo + (e - k) * (hi - lo)
        slope = np.minimum(log_q[KNOTS] - log_q[KNOTS - 1], -MIN_SLOPE)
        beyond = log_q[KNOTS] + (e - KNOTS) * slope
        p: FloatArray = 10.0 ** np.where(e <= KNOTS, inside, beyond)
        return p

    def learn(self, e: FloatArray, mask: npt.NDArray[np.bool_]) -> None:
        k = np.arange(1, KNOTS + 1, dtype=np.float64)[:, None]
        weight = np.minimum(self.prior + self.count, self.memory) + 1.0
        share = self.share + ((e >= k) - self.share) / weight
        share = np.where(mask, share, self.share)
        self.share = np.maximum(share, 1e-15)
        # shares of higher knots cannot exceed lower ones
        self.log_q = np.log10(np.minimum.accumulate(self.share, axis=0))
        self.count = self.count + mask
