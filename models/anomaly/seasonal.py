"""Robust seasonal baseline and robust EWMA detectors (vectorised over many series).

Owns ``SeasonalKernel`` — a robust running level and scale per time-of-day bucket, per
day-of-week x time-of-day bucket and overall — and the ``seasonal`` and ``ewma`` detectors built
on it. Must not fit anything offline: every update is one causal step.

Each level is a robust EWMA: the level moves by ``a * clip(r, ±clip·σ)`` and the scale (mean
absolute residual) by the same clipped residual, so one outlier moves either by a bounded amount;
``a = max(alpha, 1/(n+1))`` makes the first samples a plain running mean. ``σ`` is floored at
``max(min_scale, rel_scale·|level|)`` so a constant series does not divide by zero. An
observation more than ``reject`` σ from a warm level is scored but not learned by that level, so
a sustained outage stays anomalous (a level still warming up learns everything, so a new pattern
such as the first Saturday is collected); after ``patience`` observations in a row out of line
with the expected value, every level learns again (still clipped), so a lasting new level is
eventually accepted. The expected
value is the most specific warm level: the weekly bucket, else the daily bucket — each once it
has ``bucket_warmup`` samples from at least two different days (a previous day, or for the weekly
bucket a previous week) — else the overall EWMA after ``warmup`` samples, else unknown.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

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

DAY = 86400.0
BoolArray = npt.NDArray[np.bool_]


class SeasonalKernel:
    """Robust levels for ``n`` series: row 0 overall, then daily buckets, then weekly buckets."""

    def __init__(
        self,
        n: int,
        *,
        direction: Direction = "both",
        seasonal: bool = True,
        bucket_minutes: float = 30.0,
        weekly: bool = True,
        alpha: float = 0.05,
        bucket_alpha: float = 0.02,
        warmup: int = 10,
        bucket_warmup: int = 10,
        clip: float = 3.0,
        min_scale: float = 1e-6,
        rel_scale: float = 0.001,
        reject: float = 4.0,
        patience: int = 120,
    ) -> None:
        self.direction = direction
        self.reject = check_positive("reject", reject)
        self.patience = check_count("patience", patience, 0)
        self.seasonal = bool(seasonal)
        self.weekly = bool(weekly) and self.seasonal
        self.bucket_seconds = check_positive("bucket_minutes", bucket_minutes) * 60.0
        if self.bucket_seconds > DAY:
            raise InvalidParameter("bucket_minutes must be at most one day (1440)")
        self.buckets = math.ceil(DAY / self.bucket_seconds) if self.seasonal else 0
        self.alpha = check_fraction("alpha", alpha)
        self.bucket_alpha = check_fraction("bucket_alpha", bucket_alpha)
        self.warmup = check_count("warmup", warmup)
        self.bucket_warmup = check_count("bucket_warmup", bucket_warmup)
        self.clip = check_positive("clip", clip)
        self.min_scale = check_positive("min_scale", min_scale)
        self.rel_scale = check_positive("rel_scale", rel_scale, allow_zero=True)
        rows = 1 + self.buckets + (7 * self.buckets if self.weekly else 0)
        self.m = np.zeros((rows, n))
        self.s = np.zeros((rows, n))
        self.n = np.zeros((rows, n))
        self.days = np.zeros((rows, n))
        self.last_day = np.full((rows, n), np.nan)
        self.streak = np.zeros(n)  # consecutive observations rejected as outliers
        k = 1 + int(self.seasonal) + int(self.weekly)
        self._alpha = np.array([self.alpha] + [self.bucket_alpha] * (k - 1))[:, None]
        self._warm = np.array([self.warmup] + [self.bucket_warmup] * (k - 1), float)[:, None]

    def rows(self, t: float) -> tuple[list[int], float]:
        """State rows that ``t`` falls in (overall, daily bucket, weekly bucket) and its day."""
        day = math.floor(t / DAY)
        if not self.seasonal:
            return [0], float(day)
        second = t - day * DAY
        tod = max(0, min(int(second // self.bucket_seconds), self.buckets - 1))
        rows = [0, 1 + tod]
        if self.weekly:
            dow = int(math.fmod(day + 3.0, 7.0)) % 7  # 1970-01-01 was a Thursday; Monday = 0
            rows.append(1 + self.buckets + dow * self.buckets + tod)
        return rows, float(day)

    def sigma(self, m: FloatArray, s: FloatArray) -> FloatArray:
        return np.maximum(np.maximum(MAD_TO_SIGMA * s, self.min_scale), self.rel_scale * np.abs(m))

    def baseline(self, rows: list[int]) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Expected level, scale and whether any level is warm, per series."""
        level = self.m[0].copy()
        scale = self.sigma(self.m[0], self.s[0])
        warm = self.n[0] >= self.warmup
        for row in rows[1:]:  # daily, then weekly bucket: used once seen on two different days
            ready = (self.n[row] >= self.bucket_warmup) & (self.days[row] >= 2)
            level = np.where(ready, self.m[row], level)
            scale = np.where(ready, self.sigma(self.m[row], self.s[row]), scale)
            warm = warm | ready
        return level, scale, warm

    def learn(
        self,
        rows: list[int],
        day: float,
        x: FloatArray,
        mask: BoolArray,
        force: BoolArray | None = None,
    ) -> None:
        """Fold ``x`` into every row where ``mask`` is true (one robust EWMA step).

        A warm row skips a value more than ``reject`` of its own σ away, unless ``force``.
        """
        if not mask.any():
            return
        m, s, n = self.m[rows], self.s[rows], self.n[rows]
        first = n == 0
        a = np.maximum(self._alpha, 1.0 / (n + 1.0))
        a_s = np.maximum(self._alpha, 1.0 / np.maximum(n, 1.0))
        xv = np.where(mask, x, 0.0)
        r = xv - m
        sigma = self.sigma(m, s)
        warm = n >= self._warm
        rc = np.where(warm, np.clip(r, -self.clip * sigma, self.clip * sigma), r)
        keep = ~warm | (np.abs(r) <= self.reject * sigma)
        if force is not None:
            keep |= force
        mask = mask & keep
        self.m[rows] = np.where(mask, np.where(first, xv, m + a * rc), m)
        self.s[rows] = np.where(mask, np.where(first, 0.0, (1.0 - a_s) * s + a_s * np.abs(rc)), s)
        self.n[rows] = n + mask
        last = self.last_day[rows]
        new_day = mask & (last != day)
        self.days[rows] = self.days[rows] + new_day
        self.last_day[rows] = np.where(mask, day, last)

    def step(self, t: float, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        rows, day = self.rows(t)
        level, scale, warm = self.baseline(rows)
        present = ~np.isnan(x)
        active = present & warm
        z = np.where(active, (np.where(present, x, 0.0) - level) / scale, 0.0)
        score, raw = gaussian_score(z, self.direction)
        outlier = active & (np.abs(z) > self.reject)
        self.streak = np.where(outlier, self.streak + 1, np.where(present, 0.0, self.streak))
        self.learn(rows, day, x, present, force=self.streak > self.patience)
        return (
            np.where(active, score, 0.0),
            np.where(warm, level, np.nan),
            np.where(active, raw, 0.0),
        )


class SeasonalBaseline(KernelDetector):
    """Robust seasonal baseline: time-of-day and day-of-week buckets, robust EWMA fallback.

    Score: Gaussian tail of the robust z-score ``(x - level) / σ`` in ``direction``.
    """

    name = "seasonal"

    def __init__(
        self,
        *,
        direction: Direction = "both",
        bucket_minutes: float = 30.0,
        weekly: bool = True,
        alpha: float = 0.05,
        bucket_alpha: float = 0.02,
        warmup: int = 10,
        bucket_warmup: int = 10,
        clip: float = 3.0,
        min_scale: float = 1e-6,
        rel_scale: float = 0.001,
        reject: float = 4.0,
        patience: int = 120,
    ) -> None:
        super().__init__(
            direction=direction,
            bucket_minutes=bucket_minutes,
            weekly=weekly,
            alpha=alpha,
            bucket_alpha=bucket_alpha,
            warmup=warmup,
            bucket_warmup=bucket_warmup,
            clip=clip,
            min_scale=min_scale,
            rel_scale=rel_scale,
            reject=reject,
            patience=patience,
        )
        self.new_kernel(1)  # validate the parameters now

    def new_kernel(self, n: int) -> SeasonalKernel:
        return SeasonalKernel(n, seasonal=True, **self.params)


class Ewma(KernelDetector):
    """Robust EWMA of level and scale without seasonality (the seasonal baseline's fallback)."""

    name = "ewma"

    def __init__(
        self,
        *,
        direction: Direction = "both",
        alpha: float = 0.05,
        warmup: int = 10,
        clip: float = 3.0,
        min_scale: float = 1e-6,
        rel_scale: float = 0.001,
        reject: float = 4.0,
        patience: int = 120,
    ) -> None:
        super().__init__(
            direction=direction,
            alpha=alpha,
            warmup=warmup,
            clip=clip,
            min_scale=min_scale,
            rel_scale=rel_scale,
            reject=reject,
            patience=patience,
        )
        self.new_kernel(1)

    def new_kernel(self, n: int) -> SeasonalKernel:
        params: dict[str, Any] = dict(self.params)
        return SeasonalKernel(n, seasonal=False, weekly=False, **params)
