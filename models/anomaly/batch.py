"""Batch forms of the streaming detectors: one series to a DataFrame, many series at once.

Owns ``score_series`` and ``score_matrix``. Must give exactly what feeding ``score_one`` in time
order gives (tests hold it to that); the matrix form runs the detector's kernel over all columns
per time step, so its cost is T vectorised steps, not T x N Python calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from models.anomaly.core import Detector, FloatArray, KernelDetector, check_time, sanitize
from models.anomaly.errors import InvalidInput
from models.anomaly.registry import make


def to_epoch_seconds(times: npt.ArrayLike | pd.Index | pd.Series) -> FloatArray:
    """Epoch seconds (float) from numbers, datetime64 values or pandas timestamps."""
    arr = np.asarray(times)
    if arr.ndim != 1:
        raise InvalidInput(f"times must be one-dimensional, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.datetime64) or arr.dtype == object:
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(arr, utc=True))
        except (ValueError, TypeError, OverflowError) as exc:
            raise InvalidInput(f"times are not timestamps: {exc}") from None
        secs = idx.as_unit("us").asi8.astype(np.float64) / 1e6
        secs[idx.isna()] = np.nan
        return secs
    try:
        return arr.astype(np.float64)
    except (ValueError, TypeError):
        raise InvalidInput(f"times of dtype {arr.dtype} are not epoch seconds") from None


def _values(values: npt.ArrayLike, ndim: int) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError):
        raise InvalidInput("values must be numbers") from None
    if arr.ndim != ndim:
        raise InvalidInput(f"values must have {ndim} dimension(s), got shape {arr.shape}")
    return arr


def score_series(
    detector: Detector, times: npt.ArrayLike | pd.Index | pd.Series, values: npt.ArrayLike
) -> pd.DataFrame:
    """Feed ``detector`` the series in order; columns ``timestamp, value, expected, score``.

    The detector keeps what it learned (pass ``detector.clone()`` for a fresh run). ``timestamp``
    is UTC; ``value`` is the input as given.
    """
    secs = to_epoch_seconds(times)
    vals = _values(values, 1)
    if len(secs) != len(vals):
        raise InvalidInput(f"{len(secs)} times but {len(vals)} values")
    expected = np.empty(len(vals))
    scores = np.empty(len(vals))
    for i, (t, x) in enumerate(zip(secs, vals, strict=True)):
        s = detector.score_one(float(t), float(x))
        expected[i] = s.expected
        scores[i] = s.score
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(np.round(secs * 1e6).astype(np.int64), unit="us", utc=True)
            if len(secs)
            else pd.DatetimeIndex([], tz="UTC"),
            "value": vals,
            "expected": expected,
            "score": scores,
        }
    )


def score_matrix(
    detector_name: str, times: npt.ArrayLike, values: npt.ArrayLike, **params: Any
) -> tuple[FloatArray, FloatArray]:
    """Score ``N`` series sharing one clock: ``values`` is ``(T, N)``, ``times`` is ``(T,)``.

    Returns ``(scores, expected)``, both ``(T, N)``, equal to running a fresh
    ``make(detector_name, **params)`` over each column. Vectorised for kernel detectors
    (seasonal, ewma, cusum, ensemble of those); other detectors run column by column.
    """
    secs = to_epoch_seconds(times)
    vals = _values(values, 2)
    if vals.shape[0] != len(secs):
        raise InvalidInput(f"{len(secs)} times but {vals.shape[0]} rows of values")
    for t in secs:
        check_time(t)
    detector = make(detector_name, **params)
    n_t, n = vals.shape
    scores = np.zeros((n_t, n))
    expected = np.full((n_t, n), np.nan)
    if isinstance(detector, KernelDetector):
        kernel = detector.new_kernel(n)
        clean = sanitize(vals)
        for i in range(n_t):
            scores[i], expected[i], _ = kernel.step(float(secs[i]), clean[i])
        return scores, expected
    for j in range(n):
        column = detector.clone()
        for i in range(n_t):
            s = column.score_one(float(secs[i]), float(vals[i, j]))
            scores[i, j], expected[i, j] = s.score, s.expected
    return scores, expected
