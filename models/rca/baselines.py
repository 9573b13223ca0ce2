"""Published localizers, re-implemented for comparison: Adtributor and a Squeeze-like search.

Owns: ``adtributor`` (Bhagwan et al., NSDI'14) and ``squeeze_lite`` (after Li et al., ISSRE'19,
with a HotSpot-style potential score), with ``localize``'s signature. They exist so the benchmark
and the regression test can show what ``localize`` is measured against; nothing else should call
them. Must not: read files.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from models.rca.cube import Cube, FloatArray, cause_for, prepare
from models.rca.types import Cause, RcaInputError, RcaResult

_TINY = 1e-300


def _prepare(
    leaves: pd.DataFrame,
    attributes: Sequence[str],
    real: str,
    predict: str,
    denominator: pd.DataFrame | None,
    max_causes: int,
) -> Cube:
    if isinstance(max_causes, bool) or not isinstance(max_causes, int) or max_causes < 0:
        raise RcaInputError("max_causes must be an integer >= 0")
    return prepare(leaves, attributes, real=real, predict=predict, denominator=denominator)


def _surprise(p: FloatArray, q: FloatArray) -> FloatArray:
    """Per-element Jensen-Shannon term between expected shares ``p`` and observed shares ``q``."""
    m = (p + q) / 2
    with np.errstate(all="ignore"):
        tp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / np.where(m > 0, m, 1.0)), 0.0)
        tq = np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0) / np.where(m > 0, m, 1.0)), 0.0)
    return np.asarray(0.5 * (tp + tq))


def adtributor(
    leaves: pd.DataFrame,
    attributes: Sequence[str],
    *,
    real: str = "real",
    predict: str = "predict",
    denominator: pd.DataFrame | None = None,
    max_causes: int = 3,
    teep: float = 0.1,
    tep: float = 0.67,
    dimensions: int = 1,
) -> RcaResult:
    """Adtributor: single-attribute causes only.

    Per attribute, values sorted by surprise (Jensen-Shannon divergence of expected vs observed
    shares) are taken while each explains more than ``teep`` of the change, until together they
    explain more than ``tep``; the attributes whose sets pass are ranked by total surprise and
    the best ``dimensions`` of them give the causes (at most ``max_causes``). Derived measures
    use the paper's explanatory power for ``a / b`` and the sum of both surprises.
    """
    cube = _prepare(leaves, attributes, real, predict, denominator, max_causes)
    candidates: list[tuple[float, list[tuple[int, int, float]]]] = []
    for j in range(len(cube.attributes)):
        gid, count = cube.groups((j,))
        ra = np.bincount(gid, cube.real, minlength=count)
        pa = np.bincount(gid, cube.predict, minlength=count)
        if cube.real_b is not None and cube.predict_b is not None:
            rb = np.bincount(gid, cube.real_b, minlength=count)
            pb = np.bincount(gid, cube.predict_b, minlength=count)
            fa, fb = pa.sum(), pb.sum()
            with np.errstate(all="ignore"):
                ep = ((ra - pa) * fb - (rb - pb) * fa) / (fb * (fb + rb - pb))
            total = ep.sum()
            ep = np.nan_to_num(ep / total if total != 0 else ep * 0)
            surprise = _surprise(pa / max(fa, _TINY), ra / max(ra.sum(), _TINY)) + _surprise(
                pb / max(fb, _TINY), rb / max(rb.sum(), _TINY)
            )
        else:
            change = ra.sum() - pa.sum()
            if change == 0:
                continue
            ep = (ra - pa) / change
            surprise = _surprise(pa / max(pa.sum(), _TINY), ra / max(ra.sum(), _TINY))
        order = np.argsort(-surprise, kind="stable")
        chosen: list[tuple[int, int, float]] = []
        explained = 0.0
        for g in order:
            if ep[g] > teep:
                chosen.append((j, int(g), float(ep[g])))
                explained += float(ep[g])
                if explained > tep:
                    candidates.append((float(surprise[[c[1] for c in chosen]].sum()), chosen))
                    break
    candidates.sort(key=lambda c: -c[0])
    causes: list[Cause] = []
    for _, chosen in candidates[:dimensions]:
        for j, g, ep_g in chosen:
            gid, _ = cube.groups((j,))
            mask = gid == g
            combo = cube.combination((j,), int(np.flatnonzero(mask)[0]))
            causes.append(cause_for(cube, mask, combo, ep_g))
    return RcaResult(causes[:max_causes], float(cube.real.sum()), float(cube.predict.sum()))


def _clusters(ds: FloatArray, bins: int = 200, smooth: int = 4) -> list[tuple[float, float]]:
    """Ranges of deviation score around the density peaks of ``ds`` (Squeeze's clustering)."""
    hist, edges = np.histogram(ds, bins=bins, range=(-2.0, 2.0))
    kernel = np.exp(-0.5 * (np.arange(-3 * smooth, 3 * smooth + 1) / smooth) ** 2)
    density = np.convolve(hist.astype(np.float64), kernel / kernel.sum(), mode="same")
    cuts = [0]
    for i in range(1, bins - 1):
        if density[i] < density[i - 1] and density[i] <= density[i + 1]:
            cuts.append(i)
    cuts.append(bins)
    return [(float(edges[a]), float(edges[b])) for a, b in pairwise(cuts)]


def _knee_filter(d: FloatArray) -> np.ndarray:
    """Leaves kept by Squeeze's anomaly-amount filter: the largest ``|d|`` up to the knee of
    their sorted curve (the point farthest below the chord)."""
    a = np.abs(d)
    order = np.argsort(-a)
    y = a[order]
    keep = np.zeros(d.shape[0], dtype=bool)
    if y.size < 3 or y[0] <= 0:
        keep[order[y > 0]] = True
        return keep
    x = np.arange(y.size, dtype=np.float64)
    chord = y[0] + (y[-1] - y[0]) * x / x[-1]
    knee = int(np.argmax(chord - y))
    keep[order[: knee + 1]] = True
    return keep


def squeeze_lite(
    leaves: pd.DataFrame,
    attributes: Sequence[str],
    *,
    real: str = "real",
    predict: str = "predict",
    denominator: pd.DataFrame | None = None,
    max_causes: int = 3,
    max_layer: int = 3,
    max_set: int = 3,
) -> RcaResult:
    """Squeeze-like: filter leaves by the knee of ``|real - predict|``, cluster the kept leaves'
    deviation scores by density, and per cluster search every cuboid (up to ``max_layer``) for
    the prefix (up to ``max_set`` combinations, ranked by their share of cluster leaves) with the
    best generalized potential score (ripple-adjusted squared error); among results within 0.9
    of the best score the most succinct (layer x size) wins. Derived measures are scored on the
    leaves' ratio deviation and the numerator's ripple.
    """
    cube = _prepare(leaves, attributes, real, predict, denominator, max_causes)
    r, p = cube.real, cube.predict
    if cube.real_b is not None and cube.predict_b is not None:
        with np.errstate(all="ignore"):
            qr = np.where(cube.real_b > 0, r / np.where(cube.real_b > 0, cube.real_b, 1), 0.0)
            qp = np.where(
                cube.predict_b > 0, p / np.where(cube.predict_b > 0, cube.predict_b, 1), 0
            )
        dev_r, dev_p = qr, qp
    else:
        dev_r, dev_p = r, p
    totals = (float(r.sum()), float(p.sum()))
    d = r - p
    if cube.size == 0 or max_causes == 0 or not np.any(np.abs(dev_r - dev_p) > 0):
        return RcaResult([], *totals)
    with np.errstate(all="ignore"):
        ds = np.where(dev_r + dev_p > 0, 2 * (dev_r - dev_p) / (dev_r + dev_p), 0.0)
    kept = _knee_filter(d)
    sq_r, sq_rp, sq_p = r * r, r * p, p * p
    raw_all = float((d * d).sum())
    causes: list[Cause] = []
    covered = np.zeros(cube.size, dtype=bool)
    members = [kept & (ds >= lo) & (ds < hi) for lo, hi in _clusters(ds[kept])]
    for member in sorted(members, key=lambda m: -int(m.sum())):
        if member.sum() == 0 or abs(float(np.median(ds[member]))) < 0.05:
            continue
        if covered[member].mean() >= 0.5:  # this cluster is already explained
            continue
        results: list[tuple[float, int, tuple[int, ...], np.ndarray]] = []
        for layer in range(1, min(max_layer, len(cube.attributes)) + 1):
            for cuboid in cube.cuboids(layer):
                gid, count = cube.groups(cuboid)
                inside = np.bincount(gid, member.astype(np.float64), minlength=count)
                size = np.bincount(gid, minlength=count).astype(np.float64)
                share = inside / np.maximum(size, 1)
                order = np.argsort(-share, kind="stable")[:max_set]
                order = order[inside[order] > 0]
                if order.size == 0:
                    continue
                R = np.cumsum(np.bincount(gid, r, minlength=count)[order])
                P = np.cumsum(np.bincount(gid, p, minlength=count)[order])
                srr = np.cumsum(np.bincount(gid, sq_r, minlength=count)[order])
                srp = np.cumsum(np.bincount(gid, sq_rp, minlength=count)[order])
                spp = np.cumsum(np.bincount(gid, sq_p, minlength=count)[order])
                with np.errstate(all="ignore"):
                    rho = np.where(P > 0, R / np.where(P > 0, P, 1.0), 1.0)
                    residual = np.maximum(srr - 2 * rho * srp + rho * rho * spp, 0.0)
                    raw_in = np.maximum(srr - 2 * srp + spp, 0.0)
                gps = 1.0 - (residual + (raw_all - raw_in)) / max(raw_all, _TINY)
                k = int(np.argmax(gps))
                results.append((float(gps[k]), layer * (k + 1), cuboid, order[: k + 1]))
        if not results:
            continue
        top = max(res[0] for res in results)
        fine = [res for res in results if res[0] >= 0.9 * top]
        _, _, cuboid, groups = min(fine, key=lambda res: (res[1], -res[0]))
        gid, _ = cube.groups(cuboid)
        for g in groups:
            mask = gid == g
            covered |= mask
            combo = cube.combination(cuboid, int(np.flatnonzero(mask)[0]))
            if any(c.combination == combo for c in causes):
                continue
            dev_g = float(d[mask].sum())
            causes.append(cause_for(cube, mask, combo, abs(dev_g) / max(abs(d.sum()), _TINY)))
    causes.sort(key=lambda c: -c.score)
    return RcaResult(causes[:max_causes], *totals)
