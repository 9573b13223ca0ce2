"""Multi-dimensional root-cause localization over the leaves of a cube.

Owns: finding the few attribute combinations (``isp=Comcast``, ``site=br-12&app=Teams``) that
explain why an additive measure (bad user-minutes) or a ratio of two (SLE %) deviates from its
expectation, plus two published baselines and a synthetic cube generator for evaluation.
Must not: read files, talk to the lake, or import ``assurance`` / ``collectors``.
"""

from __future__ import annotations

from models.rca.ripple import localize
from models.rca.types import EMPTY_VALUE, Cause, RcaInputError, RcaResult, format_causes

__all__ = [
    "EMPTY_VALUE",
    "Cause",
    "RcaInputError",
    "RcaResult",
    "format_causes",
    "localize",
]
