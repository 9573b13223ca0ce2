"""Synthetic cubes with injected root causes, for benchmarks and regression tests.

Owns: a seeded generator in the manner of the Squeeze / RiskLoc evaluations (full or sparse
cubes of 4-6 attributes with 5-30 values, heavy-tailed (Weibull) expected values, relative
forecast noise, 1-3 injected causes of 1-3 attributes with random magnitude) and the set F1
those papers score with. Must not: localize anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

Combination = tuple[tuple[str, str], ...]

NAMES = ("site", "isp", "app", "ap", "switch_port", "os", "band", "wan_link")


@dataclass(frozen=True, slots=True)
class Setting:
    """Ranges (inclusive) the generator draws one case's parameters from."""

    name: str
    attributes: tuple[int, int] = (4, 6)
    cardinality: tuple[int, int] = (5, 30)
    max_leaves: int = 40_000
    noise: tuple[float, float] = (0.0, 0.1)
    severity: tuple[float, float] = (0.2, 1.0)
    causes: tuple[int, int] = (1, 3)
    layer: tuple[int, int] = (1, 3)
    sparsity: tuple[float, float] = (0.0, 0.0)
    zero_rate: tuple[float, float] = (0.0, 0.2)
    noisy_anomaly: bool = False
    mixed_direction: bool = False
    derived: bool = False
    #: Observed values are Poisson counts around the expectation (small leaves are noisy);
    #: ``noise`` is then unused and ``count_scale`` is the mean expected count per leaf.
    counts: bool = False
    count_scale: tuple[float, float] = (2.0, 20.0)


@dataclass(frozen=True, slots=True)
class Case:
    leaves: pd.DataFrame
    attributes: list[str]
    truth: frozenset[Combination]
    denominator: pd.DataFrame | None = None


def _cardinalities(s: Setting, rng: np.random.Generator) -> list[int]:
    k = int(rng.integers(s.attributes[0], s.attributes[1], endpoint=True))
    low, high = s.cardinality
    cards = [int(c) for c in rng.integers(low, high, size=k, endpoint=True)]
    while int(np.prod(cards)) > s.max_leaves and max(cards) > s.cardinality[0]:
        i = int(np.argmax(cards))
        cards[i] = max(s.cardinality[0], int(cards[i] * 0.8))
    return cards


def _pick_causes(
    codes: np.ndarray, mass: np.ndarray, cards: list[int], s: Setting, rng: np.random.Generator
) -> list[dict[int, int]]:
    """Non-nested causes: no two share a value of a shared attribute; each has expected mass."""
    k = len(cards)
    wanted = int(rng.integers(s.causes[0], s.causes[1], endpoint=True))
    causes: list[dict[int, int]] = []
    for _ in range(200):
        if len(causes) == wanted:
            break
        layer = int(rng.integers(s.layer[0], min(s.layer[1], k), endpoint=True))
        attrs = sorted(int(a) for a in rng.choice(k, size=layer, replace=False))
        cause = {a: int(rng.integers(cards[a])) for a in attrs}
        if any(
            all(other.get(a) == v for a, v in cause.items() if a in other)
            and set(other) & set(cause)
            for other in causes
        ) or any(set(other) == set(cause) for other in causes):
            continue
        if any(all(cause.get(a) == v for a, v in other.items()) for other in causes):
            continue
        mask = np.logical_and.reduce([codes[:, a] == v for a, v in cause.items()])
        if mask.sum() == 0 or mass[mask].sum() <= 0 or (mass[mask] > 0).sum() < 2:
            continue
        causes.append(cause)
    return causes


def generate(s: Setting, rng: np.random.Generator) -> Case:
    """One cube with its true root-cause set."""
    cards = _cardinalities(s, rng)
    k = len(cards)
    names = [NAMES[i] for i in range(k)]
    codes = np.indices(cards).reshape(k, -1).T
    keep = rng.random(len(codes)) >= rng.uniform(*s.sparsity)
    codes = codes[keep]
    n = len(codes)
    alpha = rng.uniform(0.5, 1.0)
    base = rng.weibull(alpha, n) * 100.0
    base *= rng.random(n) >= rng.uniform(*s.zero_rate)
    sigma = rng.uniform(*s.noise)
    causes = _pick_causes(codes, base, cards, s, rng)
    direction = 1.0 if rng.random() < 0.5 else -1.0
    frame = pd.DataFrame(
        {name: np.char.add(name[:4], codes[:, j].astype(str)) for j, name in enumerate(names)}
    )
    truth = frozenset(
        tuple(sorted((names[a], f"{names[a][:4]}{v}") for a, v in c.items())) for c in causes
    )

    def factors() -> np.ndarray:
        f = np.ones(n)
        for c in causes:
            mask = np.logical_and.reduce([codes[:, a] == v for a, v in c.items()])
            sev = rng.uniform(*s.severity) + sigma
            sign = (1.0 if rng.random() < 0.5 else -1.0) if s.mixed_direction else direction
            level = 1.0 + sev if sign > 0 else max(1.0 - sev, 0.0)
            f[mask] = np.maximum(level + rng.normal(0.0, 0.05, int(mask.sum())), 0.0)
        return f

    noise = np.maximum(1.0 + rng.normal(0.0, sigma, n), 0.0)
    if s.counts:
        base = base / 100.0 * rng.uniform(*s.count_scale)
        real = rng.poisson(base * factors()).astype(np.float64)
        frame["real"], frame["predict"] = real, base
        return Case(frame, names, truth)
    if not s.derived:
        f = factors()
        hit = f != 1.0
        real = base * np.where(hit, f * (noise if s.noisy_anomaly else 1.0), noise)
        frame["real"], frame["predict"] = real, base
        return Case(frame, names, truth)
    # Derived: b = total user-minutes, a = bad user-minutes = b * leaf ratio q.
    q = rng.beta(2.0, 30.0, n)
    pb = base
    rb = pb * np.maximum(1.0 + rng.normal(0.0, sigma, n), 0.0)
    pa = pb * q
    ra = rb * q * noise
    f = factors()
    hit = f != 1.0
    on_volume = rng.random() < 0.5  # more users, as many bad minutes: the ratio drops
    if on_volume:
        rb = np.where(hit, pb * (1.0 + np.abs(f - 1.0)), rb)
        ra = np.where(hit, pa, ra)
    else:
        ra = np.where(hit, rb * q * f, ra)
    num = frame.assign(real=ra, predict=pa)
    den = frame.assign(real=rb, predict=pb)
    return Case(num, names, truth, den)


def cases(s: Setting, count: int, seed: int) -> Iterator[Case]:
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield generate(s, rng)


def set_f1(pairs: Iterable[tuple[frozenset[Combination], frozenset[Combination]]]) -> float:
    """F1 over cases of (predicted set, true set), each combination matched exactly."""
    tp = fp = fn = 0
    for predicted, truth in pairs:
        tp += len(predicted & truth)
        fp += len(predicted - truth)
        fn += len(truth - predicted)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
