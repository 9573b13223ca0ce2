"""Root-cause localization by ripple-consistent, precise and least specific combinations.

Owns ``localize``: the method this project uses. Must not: read files or know about SLEs.

How it works (all per-leaf work is vectorised; each cuboid costs a handful of ``np.bincount``):

1. Working measure. Additive: ``real`` vs ``predict``. Derived (a ratio ``A/B``): the numerator
   against the numerator expected *at the observed volume*, ``predict_a * real_b / predict_b``
   (leaves with no expected volume use the cube's expected ratio). A leaf whose ratio holds
   explains nothing even if its volume moved; a leaf whose volume grew while its numerator did
   not (the ratio drops, the additive numerator does not) deviates.
2. Leaf evidence. Deviation score ``ds = 2 (r - p) / (r + p)`` (bounded, scale free). The
   relative noise of a normal leaf, ``sigma``, is estimated per size band (leaves of similar
   size, so count data, where small leaves are relatively noisier, is judged fairly) from the
   quieter side of zero (the median of ``|ds|`` on each side, the smaller one), so anomalies of
   either sign do not inflate it. Each leaf votes ``clip(ds / sigma, -1, 1)``, weighted by how
   precisely it can tell (``1 / sigma**2``).
3. Candidate test for a combination ``e`` (over the leaves not yet explained):
   * precision: its leaves' weighted vote in the direction of its total deviation (a
     combination wider than the cause holds many normal leaves that vote 0 on average);
   * ripple fit: after scaling its leaves' expectations by one factor ``R_e / P_e`` (the ripple
     effect of a fault at ``e``), the Pearson residual beyond the expected noise must be a small
     part of the squared deviation beyond noise (a combination mixing changed and unchanged
     leaves cannot be fitted by one factor);
   * significance: its deviation against the noise its leaves carry, with the bar raised for
     the number of combinations tried in the layer (``sqrt(2 ln n)``, Bonferroni-like);
   * explanatory power: at least ``EP_MIN`` of the total anomalous deviation; for a derived
     measure the first cause must also move the ratio towards its expectation when fixed.
4. Search: layer by layer (one attribute, then pairs, then triples), the first layer with any
   passing combination wins (least specific first), and in it the combination with the largest
   deviation. Its leaves are then removed and the search repeats, up to ``max_causes``.

Missing attribute values are a value of their own, ``EMPTY_VALUE`` ("∅").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.rca.cube import Cube, FloatArray, cause_for, prepare
from models.rca.types import Cause, RcaInputError, RcaResult

K_LO = 2.0
K_HI = 4.0
K_VOTE = 1.0
TAU_PRECISION = 0.6
TAU_RIPPLE = 0.4
Z_MIN = 3.0
EP_MIN = 0.001
SIGMA_FLOOR = 1e-6
_TINY = 1e-300


def localize(
    leaves: pd.DataFrame,
    attributes: Sequence[str],
    *,
    real: str = "real",
    predict: str = "predict",
    denominator: pd.DataFrame | None = None,
    max_causes: int = 3,
    max_layer: int = 3,
    counts: bool = False,
) -> RcaResult:
    """The smallest set of attribute combinations that explains the deviation of ``real`` from
    ``predict``, ranked best first.

    ``leaves`` has one row per leaf (repeated combinations are fine: they add up), the
    ``attributes`` columns (any values; missing ones become ``EMPTY_VALUE``) and two numeric,
    finite, non-negative columns ``real`` and ``predict``. With ``denominator`` (same attribute
    columns, same measure columns) the measure is the ratio ``leaves / denominator``. Returns no
    causes when nothing deviates. Raises ``RcaInputError`` (a ``ValueError``) on bad input.

    A cause's ``score`` is its share of the deviation: ``|dev_c| / (sum |dev| over the causes +
    |the deviation no cause explains|)`` on the working measure (for a ratio: the numerator's
    excess at the observed volume), so the scores of one result add up to at most 1.
    ``max_layer`` bounds how many attributes one combination may fix. ``counts=True`` says the
    measure counts events (bad user minutes…): a leaf's relative noise is then the Poisson noise
    of its count rather than an estimate from the other leaves.
    """
    if isinstance(max_causes, bool) or not isinstance(max_causes, int) or max_causes < 0:
        raise RcaInputError("max_causes must be an integer >= 0")
    if isinstance(max_layer, bool) or not isinstance(max_layer, int) or max_layer < 1:
        raise RcaInputError("max_layer must be an integer >= 1")
    cube = prepare(leaves, attributes, real=real, predict=predict, denominator=denominator)
    return localize_cube(cube, max_causes=max_causes, max_layer=max_layer, counts=counts)


def working_measure(cube: Cube) -> tuple[FloatArray, FloatArray]:
    """``(real, expected)`` of the additive measure the search runs on (see module doc)."""
    if cube.real_b is None or cube.predict_b is None:
        return cube.real, cube.predict
    pa, rb, pb = cube.predict, cube.real_b, cube.predict_b
    total_pb = float(pb.sum())
    ratio = float(pa.sum()) / total_pb if total_pb > 0 else 0.0
    with np.errstate(all="ignore"):
        expected = np.where(pb > 0, pa * rb / np.where(pb > 0, pb, 1.0), rb * ratio)
    if total_pb <= 0:
        expected = pa.copy()
    return cube.real, expected


def _quiet_scale(x: FloatArray) -> float:
    """Half-normal scale of ``x`` from the quieter side of zero; 0 when both sides are tiny."""
    scales = [float(np.median(side)) / 0.6745 for side in (x[x >= 0], -x[x <= 0]) if side.size >= 4]
    return min(scales, default=0.0)


def noise_scale(
    ds: FloatArray, size: FloatArray, informative: np.ndarray, counts: bool = False
) -> FloatArray:
    """Relative noise of each leaf, judged among leaves of similar size.

    Leaves are cut into size bands (up to 16, at least 400 leaves each) and each band's scale is
    the quieter side's median ``|ds|`` (robust to anomalies of either sign), so both forecast
    noise proportional to the value and count noise (small leaves relatively noisier) are met.
    With too few leaves to tell, every deviation counts (the floor). For counts the scale is
    the Poisson one instead: ``ds`` of a count with mean ``m`` has a standard deviation of about
    ``1 / sqrt(m)`` (the bands would be misled when most normal leaves count 0 against a small
    positive expectation: every one of them has ``ds = -2``).
    """
    sigma = np.full(ds.shape[0], SIGMA_FLOOR)
    idx = np.flatnonzero(informative)
    if idx.size == 0:
        return sigma
    bands = int(np.clip(idx.size // 400, 1, 16))
    for band in np.array_split(idx[np.argsort(size[idx], kind="stable")], bands):
        sigma[band] = max(_quiet_scale(ds[band]), SIGMA_FLOOR)
    if counts:
        sigma[idx] = np.maximum(1.0 / np.sqrt(size[idx]), SIGMA_FLOOR)
    return sigma


@dataclass(slots=True)
class _Leaves:
    """Per-leaf arrays the candidate statistics are sums of."""

    r: FloatArray
    p: FloatArray
    informative: FloatArray
    weight: FloatArray
    up: FloatArray
    down: FloatArray
    vote: FloatArray
    var: FloatArray
    rr: FloatArray
    rp: FloatArray
    pp: FloatArray
    noise: FloatArray


def _leaf_arrays(r: FloatArray, p: FloatArray, sigma: FloatArray, ds: FloatArray) -> _Leaves:
    mean = (r + p) / 2
    informative = mean > 0
    w = np.where(informative, mean, 1.0)
    z = ds / sigma
    # a leaf's vote counts by how precisely it can tell (1 / relative variance), so tiny counts
    # (0 or 1 bad minute against 0.4 expected) do not outvote the leaves that carry the signal
    least = float(sigma[informative].min()) if informative.any() else SIGMA_FLOOR
    weight = np.where(informative, (least / sigma) ** 2, 0.0)
    ramp = K_HI - K_LO
    return _Leaves(
        r=r,
        p=p,
        informative=informative.astype(np.float64),
        up=np.clip((z - K_LO) / ramp, 0.0, 1.0),
        down=np.clip((-z - K_LO) / ramp, 0.0, 1.0),
        weight=weight,
        vote=weight * np.clip(z / K_VOTE, -1.0, 1.0),
        var=(sigma * mean) ** 2,
        rr=r * r / w,
        rp=r * p / w,
        pp=p * p / w,
        noise=np.where(informative, (sigma * mean) ** 2 / w, 0.0),
    )


@dataclass(slots=True)
class _Pick:
    cuboid: tuple[int, ...]
    group: int
    deviation: float


def localize_cube(
    cube: Cube, *, max_causes: int = 3, max_layer: int = 3, counts: bool = False
) -> RcaResult:
    """``localize`` on an encoded cube."""
    r, p = working_measure(cube)
    totals = _totals(cube)
    n = cube.size
    d = r - p
    if n == 0 or max_causes == 0 or bool(np.all(np.abs(d) <= 1e-9 * (r + p))):
        return RcaResult([], *totals, 0.0)
    with np.errstate(all="ignore"):
        ds = np.where(r + p > 0, 2 * d / (r + p), 0.0)
    sigma = noise_scale(ds, (r + p) / 2, (r + p) > 0, counts)
    leaf = _leaf_arrays(r, p, sigma, ds)
    total_dev = float(d.sum())
    anomalous = abs(float((d * leaf.up).sum())) + abs(float((d * leaf.down).sum()))
    scale = max(abs(total_dev), anomalous, _TINY)
    ratio_check = _RatioCheck(cube) if cube.derived else None

    stats = _Stats(cube, leaf)
    picks: list[tuple[_Pick, np.ndarray]] = []
    layers = min(max_layer, len(cube.attributes))
    while len(picks) < max_causes:
        pick = _search(cube, stats, scale, layers, ratio_check if not picks else None)
        if pick is None:
            break
        gid, _ = cube.groups(pick.cuboid)
        mask = (gid == pick.group) & stats.active
        picks.append((pick, mask))
        stats.remove(mask)

    explained = sum(pk.deviation for pk, _ in picks)
    denom = sum(abs(pk.deviation) for pk, _ in picks) + abs(total_dev - explained)
    causes: list[Cause] = []
    for pk, mask in picks:
        gid, _ = cube.groups(pk.cuboid)
        leaf_idx = int(np.flatnonzero(mask)[0])
        whole = gid == gid[leaf_idx]
        combo = cube.combination(pk.cuboid, leaf_idx)
        causes.append(cause_for(cube, whole, combo, abs(pk.deviation) / max(denom, _TINY)))
    causes.sort(key=lambda c: -c.score)
    return RcaResult(causes, *totals, float(np.median(sigma[(r + p) > 0])))


def _totals(cube: Cube) -> tuple[float, float]:
    real, predict = float(cube.real.sum()), float(cube.predict.sum())
    if cube.real_b is not None and cube.predict_b is not None:
        rb, pb = float(cube.real_b.sum()), float(cube.predict_b.sum())
        return (real / rb if rb > 0 else float("nan"), predict / pb if pb > 0 else float("nan"))
    return real, predict


class _RatioCheck:
    """For a derived measure: does fixing a combination move the cube's ratio towards its
    expectation? (``fixed`` = the combination's leaves take their expected values.)"""

    def __init__(self, cube: Cube) -> None:
        assert cube.real_b is not None and cube.predict_b is not None
        self.cube = cube
        self.ra, self.pa = float(cube.real.sum()), float(cube.predict.sum())
        self.rb, self.pb = float(cube.real_b.sum()), float(cube.predict_b.sum())
        self.q_real = self.ra / self.rb if self.rb > 0 else 0.0
        self.q_pred = self.pa / self.pb if self.pb > 0 else 0.0

    def passes(self, gid: np.ndarray, count: int) -> np.ndarray:
        cube = self.cube
        assert cube.real_b is not None and cube.predict_b is not None
        gap = self.q_real - self.q_pred
        if self.rb <= 0 or self.pb <= 0 or abs(gap) <= 1e-9 * max(abs(self.q_pred), _TINY):
            return np.ones(count, dtype=bool)
        da = np.bincount(gid, cube.predict - cube.real, minlength=count)
        db = np.bincount(gid, cube.predict_b - cube.real_b, minlength=count)
        den = self.rb + db
        with np.errstate(all="ignore"):
            fixed = np.where(den > 0, (self.ra + da) / np.where(den > 0, den, 1.0), self.q_real)
        return np.asarray((self.q_real - fixed) * np.sign(gap) > 0)


class _Stats:
    """Per-cuboid sums of the leaf arrays over the leaves not yet explained, computed once per
    cuboid and then kept current by subtracting the leaves each pick explains."""

    ROWS = ("p", "r", "informative", "weight", "vote", "var", "rr", "rp", "pp", "noise")

    def __init__(self, cube: Cube, leaf: _Leaves) -> None:
        self.cube = cube
        self.weights = np.vstack([getattr(leaf, name) for name in self.ROWS])
        self.active = np.ones(cube.size, dtype=bool)
        self.cache: dict[tuple[int, ...], FloatArray] = {}

    def get(self, cuboid: tuple[int, ...]) -> FloatArray:
        hit = self.cache.get(cuboid)
        if hit is None:
            gid, count = self.cube.groups(cuboid)
            weights = self.weights
            if not self.active.all():
                gid, weights = gid[self.active], weights[:, self.active]
            hit = np.vstack([np.bincount(gid, w, minlength=count) for w in weights])
            self.cache[cuboid] = hit
        return hit

    def remove(self, mask: np.ndarray) -> None:
        idx = np.flatnonzero(mask & self.active)
        self.active[idx] = False
        weights = self.weights[:, idx]
        for cuboid, sums in self.cache.items():
            gid, count = self.cube.groups(cuboid)
            g = gid[idx]
            for k in range(weights.shape[0]):
                sums[k] -= np.bincount(g, weights[k], minlength=count)


def _search(
    cube: Cube,
    stats: _Stats,
    scale: float,
    layers: int,
    ratio_check: _RatioCheck | None,
) -> _Pick | None:
    for layer in range(1, layers + 1):
        best: _Pick | None = None
        cuboids = cube.cuboids(layer)
        tested = sum(cube.groups(c)[1] for c in cuboids)
        z_min = max(Z_MIN, float(np.sqrt(2.0 * np.log(max(tested, 1)))))
        for cuboid in cuboids:
            gid, count = cube.groups(cuboid)
            P, R, inf, weight, vote, var, rr, rp, pp, noise = stats.get(cuboid)
            dev = R - P
            with np.errstate(all="ignore"):
                prec = np.sign(dev) * vote / np.maximum(weight, _TINY)
                rho = np.where(P > 0, R / np.where(P > 0, P, 1.0), 1.0)
                residual = np.maximum(rr - 2 * rho * rp + rho * rho * pp, 0.0)
                raw = np.maximum(rr - 2 * rp + pp, 0.0)
                # share of the squared deviation beyond noise that one factor explains
                excess = raw - noise
                misfit = np.maximum(residual - noise, 0.0)
                ripple = np.where(excess > 0, 1.0 - misfit / np.where(excess > 0, excess, 1.0), 0.0)
                ripple = np.where((P <= 0) & (R > 0), 1.0, ripple)
                z = np.abs(dev) / (np.sqrt(np.maximum(var, 0.0)) + _TINY)
            ok = (
                (inf > 0.5)
                & (prec >= TAU_PRECISION)
                & (ripple >= TAU_RIPPLE)
                & (z >= z_min)
                & (np.abs(dev) >= EP_MIN * scale)
            )
            if not ok.any():
                continue
            if ratio_check is not None:
                ok &= ratio_check.passes(gid, count)
                if not ok.any():
                    continue
            cand = np.where(ok, np.abs(dev), -1.0)
            g = int(np.argmax(cand))
            if best is None or cand[g] > abs(best.deviation):
                best = _Pick(cuboid, g, float(dev[g]))
        if best is not None:
            return best
    return None
