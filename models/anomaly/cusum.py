"""CUSUM change-point detector for level shifts (vectorised over many series).

Owns ``CusumKernel`` and the ``cusum`` detector. Must not learn the shift it is accumulating:
its baseline (a ``SeasonalKernel``) is frozen while either sum exceeds ``h / 2``.

Two one-sided tabular CUSUMs run on the winsorised standardised residual ``z`` of the seasonal
baseline: ``S+ = max(0, S+ + z - k)`` and ``S- = max(0, S- - z - k)``. Under Gaussian noise the
stationary tail of each sum is close to ``P(S >= s) = exp(-2ks)``, which gives the score
``1 - exp(-2kS)`` (two-sided: ``1 - min(1, 2·exp(-2kS))``). When a sum reaches ``h`` the change
is declared: the sum resets to 0 and the shift estimate ``σ(k + S/run)`` (``run`` = steps since the
sum left 0) is added to an offset, so the new level becomes the reference while the baseline
keeps the series' shape. Both sides always run; ``direction`` only picks what is reported.
"""

from __future__ import annotations

import numpy as np

from models.anomaly.core import (
    Direction,
    FloatArray,
    KernelDetector,
    check_positive,
)
from models.anomaly.seasonal import SeasonalKernel


class CusumKernel:
    def __init__(
        self,
        n: int,
        *,
        direction: Direction = "both",
        k: float = 0.5,
        h: float = 8.0,
        z_clip: float = 5.0,
        seasonal: bool = True,
        bucket_minutes: float = 30.0,
        weekly: bool = True,
        alpha: float = 0.01,
        bucket_alpha: float = 0.02,
        warmup: int = 30,
        bucket_warmup: int = 10,
        min_scale: float = 1e-6,
        rel_scale: float = 0.001,
    ) -> None:
        self.direction = direction
        self.k = check_positive("k", k)
        self.h = check_positive("h", h)
        self.z_clip = check_positive("z_clip", z_clip)
        self.base = SeasonalKernel(
            n,
            seasonal=seasonal,
            bucket_minutes=bucket_minutes,
            weekly=weekly,
            alpha=alpha,
            bucket_alpha=bucket_alpha,
            warmup=warmup,
            bucket_warmup=bucket_warmup,
            min_scale=min_scale,
            rel_scale=rel_scale,
        )
        self.offset = np.zeros(n)
        self.up = np.zeros(n)
        self.down = np.zeros(n)
        self.run_up = np.zeros(n)
        self.run_down = np.zeros(n)

    def step(self, t: float, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        rows, day = self.base.rows(t)
        level, scale, warm = self.base.baseline(rows)
        expected = level + self.offset
        present = ~np.isnan(x)
        active = present & warm
        z = np.where(active, (np.where(present, x, 0.0) - expected) / scale, 0.0)
        z = np.clip(z, -self.z_clip, self.z_clip)
        up = np.where(active, np.maximum(0.0, self.up + z - self.k), self.up)
        down = np.where(active, np.maximum(0.0, self.down - z - self.k), self.down)
        run_up = np.where(active, np.where(up > 0, self.run_up + 1, 0.0), self.run_up)
        run_down = np.where(active, np.where(down > 0, self.run_down + 1, 0.0), self.run_down)
        if self.direction == "up":
            stat = up
        elif self.direction == "down":
            stat = down
        else:
            stat = np.maximum(up, down)
        p = np.exp(-2.0 * self.k * stat)
        if self.direction == "both":
            p = np.minimum(1.0, 2.0 * p)
        score = np.where(active, 1.0 - p, 0.0)
        raw = np.where(active, stat, 0.0)
        # a declared change re-baselines and resets its sum
        fire_up = active & (up >= self.h)
        fire_down = active & (down >= self.h)
        shift_up = scale * (self.k + up / np.maximum(run_up, 1.0))
        shift_down = scale * (self.k + down / np.maximum(run_down, 1.0))
        self.offset = (
            self.offset + np.where(fire_up, shift_up, 0.0) - np.where(fire_down, shift_down, 0.0)
        )
        self.up = np.where(fire_up, 0.0, up)
        self.down = np.where(fire_down, 0.0, down)
        self.run_up = np.where(fire_up, 0.0, run_up)
        self.run_down = np.where(fire_down, 0.0, run_down)
        calm = np.maximum(self.up, self.down) < self.h / 2
        self.base.learn(rows, day, x - self.offset, present & (calm | ~warm))
        return score, np.where(warm, expected, np.nan), raw


class Cusum(KernelDetector):
    """Two-sided CUSUM on the seasonal baseline's residuals, with reset and re-baselining."""

    name = "cusum"

    def __init__(
        self,
        *,
        direction: Direction = "both",
        k: float = 0.5,
        h: float = 8.0,
        z_clip: float = 5.0,
        seasonal: bool = True,
        bucket_minutes: float = 30.0,
        weekly: bool = True,
        alpha: float = 0.01,
        bucket_alpha: float = 0.02,
        warmup: int = 30,
        bucket_warmup: int = 10,
        min_scale: float = 1e-6,
        rel_scale: float = 0.001,
    ) -> None:
        super().__init__(
            direction=direction,
            k=k,
            h=h,
            z_clip=z_clip,
            seasonal=seasonal,
            bucket_minutes=bucket_minutes,
            weekly=weekly,
            alpha=alpha,
            bucket_alpha=bucket_alpha,
            warmup=warmup,
            bucket_warmup=bucket_warmup,
            min_scale=min_scale,
            rel_scale=rel_scale,
        )
        self.new_kernel(1)

    def new_kernel(self, n: int) -> CusumKernel:
        return CusumKernel(n, **self.params)
