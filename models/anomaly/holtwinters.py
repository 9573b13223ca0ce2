"""Holt-Winters detector: statsmodels ExponentialSmoothing refitted periodically, run causally.

Owns ``HoltWintersKernel`` and the ``holt_winters`` detector. Must not fit on anything but the
past: a refit happens before the observation that triggers it is scored, on the history before it.

Times are mapped to a regular grid of ``step_seconds`` slots. statsmodels fits the smoothing
parameters and states on the recent history (``history_periods`` seasons, gaps interpolated,
values standardised for a stable fit): an additive damped-trend model with an additive season of
``period_seconds`` once two seasons of history exist, a damped-trend model without season before.
Between refits the detector runs the same additive recursions itself with the fitted
parameters, one observation at a time; empty slots advance the forecast (level + damped trend)
without updating. An observation in a slot at or before the last one is scored against the
current state but not learned. Scale is a robust EWMA of one-step residuals. An observation more
than ``reject`` σ from its forecast is scored but not learned (nor kept for the next fit) until
``patience`` such observations come in a row. A failed fit keeps the previous model.
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from dataclasses import dataclass

import numpy as np

from models.anomaly.core import (
    MAD_TO_SIGMA,
    Direction,
    FloatArray,
    KernelDetector,
    check_count,
    check_fraction,
    check_positive,
    gaussian_score,
)
from models.anomaly.errors import InvalidParameter


@dataclass
class _Model:
    alpha: float
    beta: float
    gamma: float
    phi: float
    level: float
    trend: float
    season: FloatArray  # indexed by slot mod period (zeros without a season)
    slot: int  # the slot the state describes


@dataclass
class _Column:
    history: deque[tuple[int, float]]
    model: _Model | None = None
    scale: float = 0.0
    since_fit: int = 0
    streak: int = 0
    last_slot: int | None = None


def _damped_sum(phi: float, h: int) -> float:
    """phi + phi^2 + ... + phi^h."""
    if h <= 0:
        return 0.0
    if abs(1.0 - phi) < 1e-12:
        return float(h)
    return phi * (1.0 - phi**h) / (1.0 - phi)


class HoltWintersKernel:
    def __init__(
        self,
        n: int,
        *,
        direction: Direction = "both",
        step_seconds: float = 60.0,
        period_seconds: float = 86400.0,
        history_periods: int = 3,
        min_history: int = 60,
        refit_every: int = 360,
        alpha: float = 0.05,
        clip: float = 3.0,
        min_scale: float = 1e-6,
        rel_scale: float = 0.001,
        reject: float = 4.0,
        patience: int = 120,
    ) -> None:
        self.direction = direction
        self.reject = check_positive("reject", reject)
        self.patience = check_count("patience", patience, 0)
        self.step_seconds = check_positive("step_seconds", step_seconds)
        period = check_positive("period_seconds", period_seconds)
        self.period = round(period / self.step_seconds)
        if self.period < 2:
            raise InvalidParameter("period_seconds must span at least two steps")
        self.history_periods = check_count("history_periods", history_periods, 2)
        self.min_history = check_count("min_history", min_history, 10)
        self.refit_every = check_count("refit_every", refit_every)
        self.alpha = check_fraction("alpha", alpha)
        self.clip = check_positive("clip", clip)
        self.min_scale = check_positive("min_scale", min_scale)
        self.rel_scale = check_positive("rel_scale", rel_scale, allow_zero=True)
        span = self.history_periods * self.period
        self.columns = [_Column(history=deque(maxlen=span)) for _ in range(n)]

    def step(self, t: float, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        slot = math.floor(t / self.step_seconds)
        out = np.zeros((3, len(x)))
        for j, column in enumerate(self.columns):
            out[:, j] = self._step_column(column, slot, float(x[j]))
        return out[0], out[1], out[2]

    def _sigma(self, column: _Column, level: float) -> float:
        return max(MAD_TO_SIGMA * column.scale, self.min_scale, self.rel_scale * abs(level))

    def _step_column(self, c: _Column, slot: int, x: float) -> tuple[float, float, float]:
        present = not math.isnan(x)
        if present and c.since_fit >= (self.refit_every if c.model else self.min_history):
            self._fit(c)
        m = c.model
        if m is None:
            if present:
                self._remember(c, slot, x)
            return 0.0, math.nan, 0.0
        h = slot - m.slot
        season = float(m.season[slot % len(m.season)])
        forecast = m.level + _damped_sum(m.phi, max(h, 0)) * m.trend + season
        if not present:
            return 0.0, forecast, 0.0
        sigma = self._sigma(c, forecast)
        z = np.array([(x - forecast) / sigma])
        score, raw = gaussian_score(z, self.direction)
        r = x - forecast
        limit = self.clip * sigma
        outlier = abs(r) > self.reject * sigma
        c.streak = c.streak + 1 if outlier else 0
        if outlier and c.streak <= self.patience:  # scored, not learned: an outage stays visible
            return float(score[0]), forecast, float(raw[0])
        c.scale += self.alpha * (min(abs(r), limit) - c.scale)
        if h > 0:
            rc = max(-limit, min(limit, r))  # a robust update: one outlier moves little
            y = forecast + rc
            lp = m.level + _damped_sum(m.phi, h) * m.trend
            before = lp - m.phi**h * m.trend
            level = m.alpha * (y - season) + (1.0 - m.alpha) * lp
            m.trend = m.beta * (level - before) + (1.0 - m.beta) * m.phi**h * m.trend
            m.season[slot % len(m.season)] = m.gamma * (y - lp) + (1.0 - m.gamma) * season
            m.level = level
            m.slot = slot
        self._remember(c, slot, x)
        return float(score[0]), forecast, float(raw[0])

    def _remember(self, c: _Column, slot: int, x: float) -> None:
        if c.last_slot is None or slot > c.last_slot:
            c.history.append((slot, x))
            c.last_slot = slot
        c.since_fit += 1

    def _fit(self, c: _Column) -> None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        c.since_fit = 0
        if len(c.history) < self.min_history:
            return
        slots = np.array([s for s, _ in c.history], dtype=np.int64)
        values = np.array([v for _, v in c.history])
        start = max(int(slots[0]), int(slots[-1]) - self.history_periods * self.period + 1)
        keep = slots >= start
        slots, values = slots[keep], values[keep]
        grid = np.arange(start, int(slots[-1]) + 1)
        y = np.interp(grid, slots, values)
        centre = float(np.median(y))
        spread = float(np.median(np.abs(y - centre))) * 1.4826
        spread = max(spread, float(np.std(y)), self.min_scale, 1e-12 * abs(centre))
        z = (y - centre) / spread
        seasonal = len(z) >= 2 * self.period + 1
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                fit = ExponentialSmoothing(
                    z,
                    trend="add",
                    damped_trend=True,
                    seasonal="add" if seasonal else None,
                    seasonal_periods=self.period if seasonal else None,
                    initialization_method="heuristic" if seasonal else "estimated",
                ).fit()
            params = fit.params
            season = np.zeros(self.period)
            if seasonal:
                tail = np.asarray(fit.season)[-self.period :] * spread
                idx = (np.arange(len(grid) - self.period, len(grid)) + start) % self.period
                season[idx] = tail
            model = _Model(
                alpha=float(params["smoothing_level"]),
                beta=float(params["smoothing_trend"]),
                gamma=float(params["smoothing_seasonal"]) if seasonal else 0.0,
                phi=float(params["damping_trend"]),
                level=float(np.asarray(fit.level)[-1]) * spread + centre,
                trend=float(np.asarray(fit.trend)[-1]) * spread,
                season=season,
                slot=int(grid[-1]),
            )
            resid = np.asarray(fit.resid) * spread
        except Exception:  # statsmodels can fail in many ways on odd data: keep the last model
            return
        numbers = np.array([model.alpha, model.beta, model.gamma, model.phi, model.level])
        if not np.all(np.isfinite(numbers)) or not np.all(np.isfinite(model.season)):
            return
        if c.model is None:
            finite = resid[np.isfinite(resid)]
            c.scale = float(np.mean(np.abs(finite))) if len(finite) else 0.0
        c.model = model


class HoltWinters(KernelDetector):
    """Holt-Winters (additive, damped trend) forecaster as a detector; see the module docstring."""

    name = "holt_winters"

    def __init__(
        self,
        *,
        direction: Direction = "both",
        step_seconds: float = 60.0,
        period_seconds: float = 86400.0,
        history_periods: int = 3,
        min_history: int = 60,
        refit_every: int = 360,
        alpha: float = 0.05,
        clip: float = 3.0,
        min_scale: float = 1e-6,
        rel_scale: float = 0.001,
        reject: float = 4.0,
        patience: int = 120,
    ) -> None:
        super().__init__(
            direction=direction,
            step_seconds=step_seconds,
            period_seconds=period_seconds,
            history_periods=history_periods,
            min_history=min_history,
            refit_every=refit_every,
            alpha=alpha,
            clip=clip,
            min_scale=min_scale,
            rel_scale=rel_scale,
            reject=reject,
            patience=patience,
        )
        self.new_kernel(1)

    def new_kernel(self, n: int) -> HoltWintersKernel:
        return HoltWintersKernel(n, **self.params)
