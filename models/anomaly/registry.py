"""The registry of detectors by name: ``DETECTORS``, ``MULTIVARIATE``, ``make``.

Owns name → factory only. Must not hold detector logic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.anomaly.core import Detector, MultivariateDetector
from models.anomaly.cusum import Cusum
from models.anomaly.ensemble import Ensemble
from models.anomaly.errors import InvalidParameter, UnknownDetector
from models.anomaly.holtwinters import HoltWinters
from models.anomaly.iforest import IsolationForestDetector
from models.anomaly.seasonal import Ewma, SeasonalBaseline

#: Univariate streaming detectors (``score_one(t, x: float)``).
DETECTORS: dict[str, Callable[..., Detector]] = {
    "seasonal": SeasonalBaseline,
    "ewma": Ewma,
    "cusum": Cusum,
    "holt_winters": HoltWinters,
    "ensemble": Ensemble,
}

#: Multivariate streaming detectors (``score_one(t, x: vector)``).
MULTIVARIATE: dict[str, Callable[..., MultivariateDetector]] = {
    "iforest": IsolationForestDetector,
}


def make(name: str, **params: Any) -> Detector:
    """A fresh univariate detector; ``UnknownDetector`` lists the known names."""
    factory = DETECTORS.get(name)
    if factory is None:
        raise UnknownDetector(name, DETECTORS)
    try:
        return factory(**params)
    except TypeError as exc:  # an unexpected keyword
        raise InvalidParameter(f"{name}: {exc}") from None


def make_multivariate(name: str, **params: Any) -> MultivariateDetector:
    """A fresh multivariate detector; ``UnknownDetector`` lists the known names."""
    factory = MULTIVARIATE.get(name)
    if factory is None:
        raise UnknownDetector(name, MULTIVARIATE)
    try:
        return factory(**params)
    except TypeError as exc:
        raise InvalidParameter(f"{name}: {exc}") from None
