"""Result types of root-cause localization and their one-line text form.

Owns: ``Cause``, ``RcaResult``, ``RcaInputError`` and ``format_causes``. Must not: compute.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: The value an attribute takes in a combination when the leaf's attribute is missing (NaN/None).
EMPTY_VALUE = "∅"


class RcaInputError(ValueError):
    """The leaves cannot be localized as given (missing column, non-numeric or negative value...).

    ``row`` is the 0-based position of the first offending row when one row is to blame.
    """

    def __init__(self, message: str, *, row: int | None = None) -> None:
        self.row = row
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Cause:
    """One root cause: an attribute combination and what it explains.

    ``combination`` holds ``(attribute, value)`` pairs sorted by attribute. ``score`` is the
    explanatory power in [0, 1] (share of the deviation this cause accounts for). ``real`` and
    ``predict`` are the combination's observed and expected totals (for a derived measure: the
    combination's observed and expected ratio, NaN when its denominator is 0). ``leaves`` counts
    the leaf rows under the combination.
    """

    combination: tuple[tuple[str, str], ...]
    score: float
    real: float
    predict: float
    leaves: int

    @property
    def as_dict(self) -> dict[str, str]:
        return dict(self.combination)

    @property
    def layer(self) -> int:
        """How many attributes the combination fixes."""
        return len(self.combination)

    def __str__(self) -> str:
        return "&".join(f"{a}={v}" for a, v in self.combination)

    @staticmethod
    def of(combination: Mapping[str, str] | Iterable[tuple[str, str]], **values: float) -> Cause:
        """Build a cause from a mapping or pairs (sorted here); ``values`` as the fields."""
        pairs = combination.items() if isinstance(combination, Mapping) else combination
        return Cause(
            combination=tuple(sorted((str(a), str(v)) for a, v in pairs)),
            score=float(values.get("score", 0.0)),
            real=float(values.get("real", 0.0)),
            predict=float(values.get("predict", 0.0)),
            leaves=int(values.get("leaves", 0)),
        )


@dataclass(frozen=True, slots=True)
class RcaResult:
    """Root causes ranked best first, with the totals they were found in.

    ``real`` and ``predict`` are the cube's totals (ratios for a derived measure); ``noise`` is the
    estimated relative noise of a normal leaf (the scale anomalies were judged against).
    """

    causes: list[Cause] = field(default_factory=list)
    real: float = 0.0
    predict: float = 0.0
    noise: float = 0.0

    def __str__(self) -> str:
        return format_causes(self.causes)


def format_causes(causes: Iterable[Cause]) -> str:
    """``attr=value&attr=value;attr=value``: attributes sorted inside a combination, causes in
    the order given (rank)."""
    return ";".join("&".join(f"{a}={v}" for a, v in sorted(c.combination)) for c in causes)
