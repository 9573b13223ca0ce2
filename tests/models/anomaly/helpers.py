"""Shared inputs for the anomaly-detector tests: detector parameters that keep tests quick."""

from __future__ import annotations

from typing import Any

import numpy as np

from models.anomaly import DETECTORS, MULTIVARIATE, Detector, MultivariateDetector, make
from models.anomaly.registry import make_multivariate

T0 = 1_795_000_000.0  # 2026-11-17 (a Tuesday) 09:06:40 UTC
MINUTE = 60.0

#: Holt-Winters refits with statsmodels; an hourly season and frequent refits keep tests short.
QUICK: dict[str, dict[str, Any]] = {
    "holt_winters": {"period_seconds": 3600.0, "min_history": 30, "refit_every": 120},
    "iforest": {"window": 200, "warmup": 40, "refit_every": 60, "n_estimators": 25},
}

UNIVARIATE = sorted(DETECTORS)
MULTI = sorted(MULTIVARIATE)


def quick(name: str, **params: Any) -> Detector:
    return make(name, **{**QUICK.get(name, {}), **params})


def quick_multi(name: str, **params: Any) -> MultivariateDetector:
    return make_multivariate(name, **{**QUICK.get(name, {}), **params})


def noisy_series(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Minute series around 100 with gaps: irregular steps, a 3-hour hole, NaN runs, one spike."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([30.0, 60.0, 60.0, 60.0, 90.0], size=n)
    steps[n // 2] = 3 * 3600.0
    times = T0 + np.cumsum(steps)
    values = 100.0 + rng.normal(0.0, 2.0, n)
    values[n // 3 : n // 3 + 5] = np.nan
    values[2 * n // 3] = 160.0
    return times, values


def run(detector: Detector, times: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.empty((len(times), 3))
    for i, (t, x) in enumerate(zip(times, values, strict=True)):
        s = detector.score_one(float(t), float(x))
        out[i] = (s.score, s.expected, s.raw)
    return out
