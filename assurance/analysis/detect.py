"""From minute series to anomalous minutes and symptom episodes.

Owns the rule that turns detector scores into flags (the score must be high *and* enough users
must be hurt, so that one unlucky client never pages anyone), the rolling window of sparse
SLEs, and cutting flagged minutes into episodes: an episode is confirmed once ``confirm`` of
the last ``confirm_window`` minutes are flagged (that minute is when it was *detected*) and ends
after ``quiet`` minutes without a flag. Scoring itself is ``models.anomaly``'s; this module is
causal too: a flag at minute t uses nothing after t. Must not read the lake or rank causes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from assurance.analysis.series import SPARSE_SLES, Matrix
from models.anomaly import score_matrix

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DetectSettings:
    detector: str = "seasonal"
    #: Detector parameters. A time-of-day bucket is trusted only once it holds samples of
    #: more than one day (30-minute buckets gain 30 a day), so that a fault running through a
    #: bucket on its first day is never learned as that bucket's normal.
    detector_params: tuple[tuple[str, float], ...] = (("bucket_warmup", 45),)
    #: Calibrated detector score at or above which a minute is unusual for its series.
    min_score: float = 0.95
    #: A flagged minute needs this many bad user minutes (in the rolling window for sparse
    #: SLEs) and this bad share, so a single client's bad minute never opens an incident.
    min_bad: float = 2.0
    min_share: float = 0.10
    #: Before a series has history, a minute is flagged on its share alone.
    cold_share: float = 0.30
    sparse_window: int = 10
    confirm: int = 4
    confirm_window: int = 6
    quiet: int = 10


@dataclass(frozen=True)
class Scored:
    """Per series and minute: the value judged, what was expected, the score and the flag."""

    share: F64
    expected: F64
    score: F64
    flag: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Episode:
    key: tuple[str, str]
    start: datetime
    detected_at: datetime
    end: datetime
    peak_score: float
    bad: float
    #: Separate runs of flagged minutes inside the episode (two or more: it comes and goes).
    runs: int = 1


def rolling_sum(values: F64, window: int) -> F64:
    """Causal sum over the last ``window`` rows (column-wise)."""
    if window <= 1:
        return values
    csum = np.cumsum(values, axis=0)
    out = csum.copy()
    out[window:] = csum[window:] - csum[:-window]
    return out


def score(matrix: Matrix, settings: DetectSettings) -> Scored:
    """Score every series of ``matrix`` on its bad share and flag the minutes that hurt."""
    bad, total = matrix.bad.copy(), matrix.total.copy()
    sparse = np.array([k[1] in SPARSE_SLES for k in matrix.keys], dtype=bool)
    if sparse.any():
        bad[:, sparse] = rolling_sum(bad[:, sparse], settings.sparse_window)
        total[:, sparse] = rolling_sum(total[:, sparse], settings.sparse_window)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, bad / np.maximum(total, 1.0), np.nan)
    if share.shape[1] == 0:
        empty = np.zeros_like(share)
        return Scored(share, empty, empty, empty.astype(bool))
    times = matrix.minutes.astype("datetime64[s]").astype(np.int64).astype(np.float64)
    scores, expected = score_matrix(
        settings.detector, times, share, direction="up", **dict(settings.detector_params)
    )
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=0.0)
    expected = np.asarray(expected, dtype=np.float64)
    cold = np.isnan(expected)
    unusual = np.where(cold, share >= settings.cold_share, scores >= settings.min_score)
    hurt = (bad >= settings.min_bad) & (np.nan_to_num(share) >= settings.min_share)
    return Scored(share, expected, scores, unusual & hurt)


def _utc(minute: np.datetime64) -> datetime:
    return datetime.fromtimestamp(int(minute.astype("datetime64[s]").astype(np.int64)), UTC)


def episodes(matrix: Matrix, scored: Scored, settings: DetectSettings) -> list[Episode]:
    """Confirmed episodes of every series, in series then time order."""
    flags = scored.flag
    recent = rolling_sum(flags.astype(np.float64), settings.confirm_window)
    confirmed = recent >= settings.confirm
    found: list[Episode] = []
    for j in np.flatnonzero(confirmed.any(axis=0)):
        flagged = np.flatnonzero(flags[:, j])
        # Runs of flagged minutes separated by less than ``quiet`` minutes belong together.
        breaks = np.flatnonzero(np.diff(flagged) > settings.quiet)
        for run in np.split(flagged, breaks + 1):
            first, last = int(run[0]), int(run[-1])
            hit = np.flatnonzero(confirmed[first : last + 1, j])
            if hit.size == 0:
                continue
            found.append(
                Episode(
                    key=matrix.keys[j],
                    start=_utc(matrix.minutes[first]),
                    detected_at=_utc(matrix.minutes[first + int(hit[0])]),
                    end=_utc(matrix.minutes[last]),
                    peak_score=float(scored.score[first : last + 1, j].max()),
                    bad=float(matrix.bad[first : last + 1, j].sum()),
                    runs=1 + int(np.count_nonzero(np.diff(run) > 1)),
                )
            )
    return found
