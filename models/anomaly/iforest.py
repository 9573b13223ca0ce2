"""IsolationForest detector for vectors of metrics observed together (multivariate).

Owns ``IsolationForestDetector``. Must not train on the observation it scores: the forest is fitted
on the ``window`` rows before the refit point, after ``warmup`` rows, and refitted every
``refit_every`` rows.

Score: the isolation anomaly score ``s`` (``-score_samples``, in (0, 1], larger = easier to
isolate) is compared with the scores of the rows the forest was fitted on:
``p = (1 + #{train s' >= s}) / (1 + n_train)``, an empirical tail probability; above the
training scores' 90th percentile ``u`` the tail is modelled as exponential
(``p = p(u)·exp(-(s - u)/τ)``, ``τ`` the mean excess over ``u``) so points beyond every training
row still rank. ``score = 1 - p``: on
data like the training window it is close to uniform. The first fit happens after ``warmup``
rows and the forest is refitted whenever the window has doubled since, then every
``refit_every`` rows. ``raw`` is ``s``; ``expected`` is NaN (there
is no single expected value). Missing entries (NaN, inf) are filled with the training medians; a
row with every entry missing scores 0 and is not learned. The width of the vector is fixed by the
first row; a different width is ``InvalidInput``. ``score_rows`` scores a block of rows at once and
gives exactly what ``score_one`` row by row gives.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from models.anomaly.core import FloatArray, Score, check_count, check_time
from models.anomaly.errors import InvalidInput, InvalidParameter

#: IsolationForest works in float32; keep values inside its range.
FLOAT32_SAFE = 1e30


class IsolationForestDetector:
    name = "iforest"

    def __init__(
        self,
        *,
        window: int = 1000,
        warmup: int = 100,
        refit_every: int = 500,
        n_estimators: int = 100,
        max_samples: int = 256,
        seed: int = 0,
        direction: str = "both",
    ) -> None:
        if direction != "both":
            raise InvalidParameter("iforest scores whole vectors: direction must be 'both'")
        self.window = check_count("window", window, 10)
        self.warmup = check_count("warmup", warmup, 10)
        if self.warmup > self.window:
            raise InvalidParameter("warmup must not exceed window")
        self.refit_every = check_count("refit_every", refit_every)
        self.n_estimators = check_count("n_estimators", n_estimators)
        self.max_samples = check_count("max_samples", max_samples, 2)
        self.seed = check_count("seed", seed, 0)
        self.direction = "both"
        self.params: dict[str, Any] = {
            "window": window,
            "warmup": warmup,
            "refit_every": refit_every,
            "n_estimators": n_estimators,
            "max_samples": max_samples,
            "seed": seed,
        }
        self._rows: deque[FloatArray] = deque(maxlen=self.window)
        self._width: int | None = None
        self._forest: object | None = None
        self._medians: FloatArray | None = None
        self._train_scores: FloatArray | None = None
        self._since_fit = 0
        self._fitted_on = 0
        self._tail_u = 0.0
        self._tail_tau = 1.0

    def clone(self) -> Self:
        return type(self)(**self.params)

    def _row(self, x: npt.ArrayLike) -> FloatArray:
        try:
            row = np.asarray(x, dtype=np.float64).reshape(-1)
        except (ValueError, TypeError):
            raise InvalidInput("a multivariate observation must be a vector of numbers") from None
        if self._width is None:
            if row.size == 0:
                raise InvalidInput("a multivariate observation needs at least one metric")
            self._width = row.size
        elif row.size != self._width:
            raise InvalidInput(f"expected {self._width} metrics per observation, got {row.size}")
        with np.errstate(invalid="ignore"):
            return np.where(np.isfinite(row), np.clip(row, -FLOAT32_SAFE, FLOAT32_SAFE), np.nan)

    def _fit(self) -> None:
        from sklearn.ensemble import IsolationForest

        self._since_fit = 0
        data = np.vstack(self._rows)
        medians = np.nanmedian(np.where(np.isnan(data), np.nan, data), axis=0)
        medians = np.where(np.isnan(medians), 0.0, medians)
        filled = np.where(np.isnan(data), medians, data)
        forest = IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=min(self.max_samples, len(filled)),
            random_state=self.seed,
        ).fit(filled)
        self._forest = forest
        self._medians = medians
        train = np.sort(-forest.score_samples(filled))
        self._train_scores = train
        self._tail_u = float(np.quantile(train, 0.9))
        self._tail_tau = max(float(np.mean(train[train >= self._tail_u] - self._tail_u)), 1e-9)
        self._fitted_on = len(filled)

    def _until_refit(self) -> int:
        """Rows still to learn before the next (re)fit; 0 means fit now."""
        if self._forest is None:
            return max(self.warmup - len(self._rows), 0)
        left = self.refit_every - self._since_fit
        if 2 * self._fitted_on <= self.window:  # early on, refit whenever the window doubles
            left = min(left, 2 * self._fitted_on - len(self._rows))
        return max(left, 0)

    def _due(self) -> bool:
        return self._until_refit() == 0

    def _score(self, rows: FloatArray) -> tuple[FloatArray, FloatArray]:
        assert self._forest is not None and self._medians is not None
        assert self._train_scores is not None
        filled = np.where(np.isnan(rows), self._medians, rows)
        raw = -self._forest.score_samples(filled)  # type: ignore[attr-defined]
        n = len(self._train_scores)
        at_least = n - np.searchsorted(self._train_scores, raw, side="left")
        p = (1.0 + at_least) / (1.0 + n)
        at_u = (1.0 + n - np.searchsorted(self._train_scores, self._tail_u, side="left")) / (
            1.0 + n
        )
        tail = at_u * np.exp(-np.maximum(raw - self._tail_u, 0.0) / self._tail_tau)
        p = np.where(raw > self._tail_u, tail, p)
        return 1.0 - p, np.asarray(raw, dtype=np.float64)

    def score_one(self, t: float, x: npt.ArrayLike) -> Score:
        check_time(t)
        row = self._row(x)
        if np.isnan(row).all():
            return Score(0.0, math.nan, 0.0)
        if self._due():
            with np.errstate(all="ignore"):
                self._fit()
        if self._forest is None:
            self._learn(row)
            return Score(0.0, math.nan, 0.0)
        score, raw = self._score(row[None, :])
        self._learn(row)
        return Score(float(score[0]), math.nan, float(raw[0]))

    def _learn(self, row: FloatArray) -> None:
        self._rows.append(row)
        self._since_fit += 1

    def score_rows(
        self, times: npt.ArrayLike, rows: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """``(score, raw)`` for each row of ``rows`` (shape ``(T, d)``), as ``score_one`` would."""
        ts = np.asarray(times, dtype=np.float64).reshape(-1)
        matrix = np.asarray(rows, dtype=np.float64)
        if matrix.ndim != 2 or len(matrix) != len(ts):
            raise InvalidInput(f"rows must be (T, d) with T = {len(ts)}, got {matrix.shape}")
        for t in ts:
            check_time(t)
        clean = np.vstack([self._row(r) for r in matrix]) if len(matrix) else matrix
        scores = np.zeros(len(clean))
        raws = np.zeros(len(clean))
        i = 0
        while i < len(clean):
            if np.isnan(clean[i]).all():
                i += 1
                continue
            if self._due():
                with np.errstate(all="ignore"):
                    self._fit()
            if self._forest is None:
                self._learn(clean[i])
                i += 1
                continue
            # rows up to the next refit are scored by the same forest at once
            budget = max(self._until_refit(), 1)
            block: list[int] = []
            j = i
            while j < len(clean) and len(block) < budget:
                if not np.isnan(clean[j]).all():
                    block.append(j)
                j += 1
            chosen = np.array(block)
            scores[chosen], raws[chosen] = self._score(clean[chosen])
            for k in block:
                self._learn(clean[k])
            i = j
        return scores, raws
