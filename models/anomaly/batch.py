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

from models.anomaly.core import (
    Detector,
    FloatArray,
    Kernel,
    KernelDetector,
    check_time,
    sanitize,
)
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


class MatrixScorer:
    """Incremental ``score_matrix``: the state of one detector over ``n`` series, picklable.

    ``update(t, row)`` scores one time step of all series (``row`` shape ``(n,)``); ``score(times,
    values)`` a block of steps. Keep the column order fixed between calls (persist the scorer with
    ``pickle`` to continue in a later run). Same results as ``score_matrix`` over the whole span.
    """

    def __init__(self, detector_name: str, n_series: int, **params: Any) -> None:
        if isinstance(n_series, bool) or not isinstance(n_series, int) or n_series < 1:
            raise InvalidInput(f"n_series must be a positive integer, not {n_series!r}")
        self.detector_name = detector_name
        self.n_series = n_series
        self.params = dict(params)
        detector = make(detector_name, **params)
        self._kernel: Kernel | None = None
        self._columns: list[Detector] = []
        if isinstance(detector, KernelDetector):
            self._kernel = detector.new_kernel(n_series)
        else:
            self._columns = [detector.clone() for _ in range(n_series)]

    def update(self, t: float, row: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        tt = check_time(t)
        values = _values(row, 1)
        if values.shape[0] != self.n_series:
            raise InvalidInput(f"expected {self.n_series} values, got {values.shape[0]}")
        if self._kernel is not None:
            scores, expected, _ = self._kernel.step(tt, sanitize(values))
            return scores, expected
        out = [c.score_one(tt, float(x)) for c, x in zip(self._columns, values, strict=True)]
        return np.array([s.score for s in out]), np.array([s.expected for s in out])

    def score(
        self, times: npt.ArrayLike | pd.Index | pd.Series, values: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        secs = to_epoch_seconds(times)
        vals = _values(values, 2)
        if vals.shape[0] != len(secs):
            raise InvalidInput(f"{len(secs)} times but {vals.shape[0]} rows of values")
        if vals.shape[1] != self.n_series:
            raise InvalidInput(f"expected {self.n_series} columns, got {vals.shape[1]}")
        for t in secs:
            check_time(t)
        scores = np.zeros(vals.shape)
        expected = np.full(vals.shape, np.nan)
        for i in range(len(secs)):
            scores[i], expected[i] = self.update(float(secs[i]), vals[i])
        return scores, expected


def score_matrix(
    detector_name: str, times: npt.ArrayLike, values: npt.ArrayLike, **params: Any
) -> tuple[FloatArray, FloatArray]:
    """Score ``N`` series sharing one clock: ``values`` is ``(T, N)``, ``times`` is ``(T,)``.

    Returns ``(scores, expected)``, both ``(T, N)``, equal to running a fresh
    ``make(detector_name, **params)`` over each column. Vectorised for kernel detectors
    (seasonal, ewma, cusum, holt_winters per column inside, ensemble); a non-kernel detector runs
    column by column.
    """
    vals = _values(values, 2)
    if vals.shape[1] == 0:
        make(detector_name, **params)
        return np.zeros(vals.shape), np.full(vals.shape, np.nan)
    return MatrixScorer(detector_name, vals.shape[1], **params).score(times, vals)
