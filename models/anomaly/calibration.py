"""Running tail calibration: turns a member's p-values into calibrated ones, per series.

Owns ``TailCalibrator``. Must not look at the value being calibrated before answering for it
(the caller folds it in afterwards with ``learn``).

A p-value is read as a surprise ``e = -log10(p)`` (decades). The calibrator keeps, per series, a
robust running model of the distribution of past surprises: the share ``q`` of them above
``u = 1`` and the mean excess ``τ`` of those above ``u`` (a peaks-over-threshold model with an
exponential tail, which is what ``-log10`` of a uniform p-value has: ``q = 0.1``, ``τ = 1/ln 10``).
The calibrated p-value is ``P(E >= e)`` under that model: ``q^(e/u)`` below ``u`` and
``q·exp(-(e - u)/τ)`` above. Both estimates start from the uniform case with a prior weight and
then follow the data with memory ``memory`` observations, so a member whose p-values are too small
on this series (heavy-tailed residuals) is tempered and one that is conservative is sharpened.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from models.anomaly.core import FloatArray

U = 1.0
SURPRISE_LIMIT = 300.0
Q_NULL = 10.0**-U
TAU_NULL = 1.0 / math.log(10.0)


class TailCalibrator:
    def __init__(
        self, n: int, *, memory: float = 10080.0, prior: float = 200.0, tail_prior: float = 20.0
    ) -> None:
        self.memory = memory
        self.prior = prior
        self.tail_prior = tail_prior
        self.count = np.zeros(n)
        self.tail_count = np.zeros(n)
        self.q = np.full(n, Q_NULL)
        self.tau = np.full(n, TAU_NULL)

    @staticmethod
    def surprise(p: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):
            return np.clip(-np.log10(np.clip(p, 0.0, 1.0)), 0.0, SURPRISE_LIMIT)

    def p_value(self, e: FloatArray) -> FloatArray:
        q = np.clip(self.q, 1e-9, 0.999)
        tau = np.maximum(self.tau, 0.02)
        below = np.power(q, np.minimum(e, U) / U)
        above = q * np.exp(-np.maximum(e - U, 0.0) / tau)
        p: FloatArray = np.where(e <= U, below, above)
        return p

    def learn(self, e: FloatArray, mask: npt.NDArray[np.bool_]) -> None:
        n = np.minimum(self.count + self.prior, self.memory)
        exceed = e > U
        self.q = np.where(mask, self.q + (exceed - self.q) / (n + 1.0), self.q)
        tail_mask = mask & exceed
        nt = np.minimum(self.tail_count + self.tail_prior, self.memory * Q_NULL)
        self.tau = np.where(tail_mask, self.tau + (e - U - self.tau) / (nt + 1.0), self.tau)
        self.count = self.count + mask
        self.tail_count = self.tail_count + tail_mask
