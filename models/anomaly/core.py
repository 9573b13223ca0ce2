"""The streaming detector protocol, its score, and the numeric helpers every detector shares.

Owns: ``Score``, the ``Detector`` / ``MultivariateDetector`` protocols, ``KernelDetector`` (a
streaming detector driven by a column-vectorised kernel, so one series and many series run the
same code), input sanitising and the Gaussian tail. Must not hold any concrete model.

Score semantics (every detector): ``score = 1 - p`` where ``p`` is the detector's estimate of the
probability that a normal observation is at least this extreme in the asked direction. Under the
detector's null model ``score`` is uniform on [0, 1], so ``score > 0.999`` fires on about 0.1 % of
normal points. ``raw`` is the detector's own statistic, larger meaning more anomalous in the asked
direction. Cold start and missing values score 0 (no evidence).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

from models.anomaly.errors import InvalidInput, InvalidParameter

FloatArray = npt.NDArray[np.float64]
Direction = Literal["up", "down", "both"]
DIRECTIONS: tuple[Direction, ...] = ("up", "down", "both")

#: Finite values are clipped to this magnitude so sums and squares never overflow.
VALUE_LIMIT = 1e100
#: Standardised statistics are clipped to this magnitude (p is 0 long before).
Z_LIMIT = 1e6
#: Epoch seconds a time must lie within (pandas' nanosecond range: 1677-09-22 to 2262-04-11).
TIME_LIMIT = 9.2e9
#: Mean absolute deviation x this = standard deviation for Gaussian noise (sqrt(pi / 2)).
MAD_TO_SIGMA = math.sqrt(math.pi / 2)


@dataclass(frozen=True, slots=True)
class Score:
    """One scored observation: ``score`` in [0, 1], ``expected`` (NaN if unknown), ``raw``."""

    score: float
    expected: float
    raw: float


@runtime_checkable
class Detector(Protocol):
    """A causal univariate detector: scores ``x`` against what it learned before, then learns it.

    ``t`` is epoch seconds (finite, years 1678-2261; irregular spacing and gaps are fine);
    ``x`` may be NaN or infinite, which counts as missing.
    """

    @property
    def name(self) -> str: ...

    @property
    def direction(self) -> Direction: ...

    def score_one(self, t: float, x: float) -> Score: ...

    def clone(self) -> Detector: ...


@runtime_checkable
class MultivariateDetector(Protocol):
    """The same contract for a vector of metrics observed together (NaN entries are missing)."""

    @property
    def name(self) -> str: ...

    def score_one(self, t: float, x: npt.ArrayLike) -> Score: ...

    def clone(self) -> MultivariateDetector: ...


class Kernel(Protocol):
    """The state of one detector over ``N`` series sharing one clock, stepped one time at a time."""

    def step(self, t: float, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Score ``x`` (shape ``(N,)``, already sanitised) at ``t``; return score, expected, raw."""
        ...


class KernelDetector(ABC):
    """A streaming ``Detector`` whose state is a kernel over one column.

    Subclasses set ``name``, declare their parameters as keyword arguments of ``__init__`` (passed
    to ``super().__init__``) and implement ``new_kernel(n)``.
    """

    name: ClassVar[str] = "kernel"

    def __init__(self, **params: Any) -> None:
        direction = params.get("direction", "both")
        if direction not in DIRECTIONS:
            raise InvalidParameter(f"direction must be one of {DIRECTIONS}, not {direction!r}")
        self.direction: Direction = direction
        self.params: dict[str, Any] = dict(params)
        self._kernel: Kernel | None = None

    @abstractmethod
    def new_kernel(self, n: int) -> Kernel:
        """A kernel stepping ``n`` series at once with this detector's parameters."""

    def clone(self) -> Self:
        return type(self)(**self.params)

    def score_one(self, t: float, x: float) -> Score:
        if self._kernel is None:
            self._kernel = self.new_kernel(1)
        tt = check_time(t)
        try:
            value = np.array([x], dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InvalidInput(f"value {x!r} is not a number") from None
        score, expected, raw = self._kernel.step(tt, sanitize(value))
        return Score(float(score[0]), float(expected[0]), float(raw[0]))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{type(self).__name__}({args})"


def check_time(t: object) -> float:
    """``t`` as a finite float of epoch seconds, or ``InvalidInput``."""
    try:
        value = float(t)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"time {t!r} is not a number of epoch seconds") from None
    if not math.isfinite(value):
        raise InvalidInput(f"time {value!r} is not finite")
    if abs(value) > TIME_LIMIT:
        raise InvalidInput(f"time {value!r} is outside the years 1678-2261 in epoch seconds")
    return value


def sanitize(x: FloatArray) -> FloatArray:
    """Non-finite values become NaN (missing); finite ones are clipped to ``VALUE_LIMIT``."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(x), np.clip(x, -VALUE_LIMIT, VALUE_LIMIT), np.nan)


def _erfc(x: FloatArray) -> FloatArray:
    """Complementary error function, fractional error below 1.2e-7 (Chebyshev fit, NR 6.2)."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (
        1.00002368
        + t
        * (
            0.37409196
            + t
            * (
                0.09678418
                + t
                * (
                    -0.18628806
                    + t
                    * (
                        0.27886807
                        + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                    )
                )
            )
        )
    )
    ans = t * np.exp(-z * z + poly)
    return np.where(x >= 0, ans, 2.0 - ans)


def normal_tail(z: FloatArray) -> FloatArray:
    """P(Z >= z) for a standard normal Z (``z`` clipped to ``Z_LIMIT``)."""
    zc = np.clip(z, -Z_LIMIT, Z_LIMIT)
    return np.clip(0.5 * _erfc(zc / math.sqrt(2.0)), 0.0, 1.0)


def directed(z: FloatArray, direction: Direction) -> FloatArray:
    """The statistic that grows with anomaly in ``direction``: z, -z or |z|."""
    if direction == "up":
        return z
    if direction == "down":
        return -z
    return np.abs(z)


def gaussian_score(z: FloatArray, direction: Direction) -> tuple[FloatArray, FloatArray]:
    """(score, raw) for a standardised residual ``z`` under a Gaussian null."""
    raw = np.clip(directed(z, direction), -Z_LIMIT, Z_LIMIT)
    p = normal_tail(raw)
    if direction == "both":
        p = np.minimum(1.0, 2.0 * p)
    return 1.0 - p, raw


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise InvalidParameter(f"{name} must be {'>= 0' if allow_zero else '> 0'}, not {value!r}")
    return v


def check_fraction(name: str, value: float) -> float:
    v = check_positive(name, value)
    if v > 1:
        raise InvalidParameter(f"{name} must be in (0, 1], not {value!r}")
    return v


def check_count(name: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParameter(f"{name} must be an integer >= {minimum}, not {value!r}")
    return value
