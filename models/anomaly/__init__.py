"""Anomaly detectors for network KPI series: streaming, causal, with batch and matrix forms.

Public API (everything a caller needs; see each module for the algorithms):

- ``Score``, ``Detector``, ``MultivariateDetector``, ``Direction``
- ``DETECTORS`` / ``make(name, **params)`` (univariate), ``MULTIVARIATE`` /
  ``make_multivariate(name, **params)`` (vectors)
- ``score_series(detector, times, values)`` and ``score_matrix(name, times, values, **params)``;
  ``MatrixScorer(name, n_series, **params)`` is the same matrix scoring step by step (picklable)
- errors: ``AnomalyError`` > ``UnknownDetector``, ``InvalidParameter``, ``InvalidInput``

Must not import anything outside numpy, pandas, scikit-learn, statsmodels and the stdlib.
"""

from models.anomaly.batch import MatrixScorer, score_matrix, score_series, to_epoch_seconds
from models.anomaly.core import Detector, Direction, KernelDetector, MultivariateDetector, Score
from models.anomaly.cusum import Cusum
from models.anomaly.ensemble import Ensemble
from models.anomaly.errors import AnomalyError, InvalidInput, InvalidParameter, UnknownDetector
from models.anomaly.holtwinters import HoltWinters
from models.anomaly.iforest import IsolationForestDetector
from models.anomaly.registry import DETECTORS, MULTIVARIATE, make, make_multivariate
from models.anomaly.seasonal import Ewma, SeasonalBaseline

__all__ = [
    "DETECTORS",
    "MULTIVARIATE",
    "AnomalyError",
    "Cusum",
    "Detector",
    "Direction",
    "Ensemble",
    "Ewma",
    "HoltWinters",
    "InvalidInput",
    "InvalidParameter",
    "IsolationForestDetector",
    "KernelDetector",
    "MatrixScorer",
    "MultivariateDetector",
    "Score",
    "SeasonalBaseline",
    "UnknownDetector",
    "make",
    "make_multivariate",
    "score_matrix",
    "score_series",
    "to_epoch_seconds",
]
