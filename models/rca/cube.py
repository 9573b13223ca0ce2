"""Checks and encodes the leaves of a cube for the localizers.

Owns: input validation (one ``RcaInputError`` per problem, with the row), attribute encoding
(every value as text, missing values as ``EMPTY_VALUE``, integer codes per attribute), joining a
derived measure's numerator and denominator leaves, and the group ids of every cuboid (attribute
subset). Must not: decide what is anomalous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import numpy.typing as npt
import pandas as pd

from models.rca.types import EMPTY_VALUE, Cause, RcaInputError

FloatArray = npt.NDArray[np.float64]

#: Largest value accepted in a measure column: far above any count of user-minutes, far below
#: where sums of squares would overflow.
MAX_VALUE = 1e15
IntArray = npt.NDArray[np.int64]


@dataclass(slots=True)
class Cube:
    """Leaves as arrays: ``codes[:, j]`` codes attribute ``j``, ``values[j][code]`` is its text.

    For a derived measure ``real``/``predict`` are the numerator and ``real_b``/``predict_b`` the
    denominator; otherwise those two are None.
    """

    attributes: tuple[str, ...]
    codes: IntArray
    values: list[npt.NDArray[np.object_]]
    real: FloatArray
    predict: FloatArray
    real_b: FloatArray | None = None
    predict_b: FloatArray | None = None
    _groups: dict[tuple[int, ...], tuple[IntArray, int]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.real.shape[0])

    @property
    def derived(self) -> bool:
        return self.real_b is not None

    def cuboids(self, layer: int) -> list[tuple[int, ...]]:
        return list(combinations(range(len(self.attributes)), layer))

    def groups(self, cuboid: tuple[int, ...]) -> tuple[IntArray, int]:
        """``(group id per leaf, number of groups)`` for one cuboid, cached."""
        hit = self._groups.get(cuboid)
        if hit is not None:
            return hit
        key = np.zeros(self.size, dtype=np.int64)
        span = 1
        for j in cuboid:
            card = len(self.values[j])
            if span * card > 2**62 // 4:
                _, key = np.unique(key, return_inverse=True)
                key = key.astype(np.int64)
                span = int(key.max()) + 1 if key.size else 1
            key = key * card + self.codes[:, j]
            span *= card
        if span > 4 * self.size + 1024:
            uniq, gid = np.unique(key, return_inverse=True)
            count = len(uniq)
        else:
            present = np.zeros(span, dtype=bool)
            present[key] = True
            remap = np.cumsum(present) - 1
            gid = remap[key]
            count = int(present.sum())
        out = (gid.astype(np.int64, copy=False).reshape(-1), count)
        self._groups[cuboid] = out
        return out

    def combination(self, cuboid: tuple[int, ...], leaf: int) -> tuple[tuple[str, str], ...]:
        """The combination of ``cuboid``'s attributes that leaf ``leaf`` belongs to."""
        pairs = ((self.attributes[j], str(self.values[j][self.codes[leaf, j]])) for j in cuboid)
        return tuple(sorted(pairs))


def _attribute_text(column: pd.Series) -> pd.Series:
    missing = column.isna().to_numpy()
    text = column.astype(object).astype(str)
    if missing.any():
        text = text.where(~missing, EMPTY_VALUE)
    return text


def _numbers(frame: pd.DataFrame, column: str, table: str) -> FloatArray:
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(dtype=np.float64, na_value=0.0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise RcaInputError(
            f"{table}row {row + 1}: {column} {raw.iloc[row]!r} is not a finite number", row=row
        )
    out = values.to_numpy(dtype=np.float64)
    huge = out > MAX_VALUE
    if huge.any():
        row = int(np.flatnonzero(huge)[0])
        raise RcaInputError(
            f"{table}row {row + 1}: {column} {out[row]!r} is too large (at most {MAX_VALUE:g})",
            row=row,
        )
    negative = out < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise RcaInputError(
            f"{table}row {row + 1}: {column} {out[row]!r} is negative (a count must be >= 0)",
            row=row,
        )
    return out


def _check(frame: object, attributes: Sequence[str], real: str, predict: str, table: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise RcaInputError(f"{table}leaves must be a pandas DataFrame, not {type(frame).__name__}")
    missing = [c for c in (*attributes, real, predict) if c not in frame.columns]
    if missing:
        raise RcaInputError(f"{table}missing column(s): {', '.join(map(str, missing))}")
    if frame.columns.duplicated().any():
        raise RcaInputError(f"{table}duplicate column names")


def prepare(
    leaves: pd.DataFrame,
    attributes: Sequence[str],
    *,
    real: str = "real",
    predict: str = "predict",
    denominator: pd.DataFrame | None = None,
) -> Cube:
    """Validate and encode the leaves (and a derived measure's denominator leaves)."""
    if isinstance(attributes, str) or not isinstance(attributes, Sequence):
        raise RcaInputError("attributes must be a sequence of column names")
    attrs = tuple(attributes)
    if not attrs:
        raise RcaInputError("at least one attribute is needed")
    if len(set(attrs)) != len(attrs):
        raise RcaInputError("attributes repeat a column")
    if real in attrs or predict in attrs or real == predict:
        raise RcaInputError("real and predict must be two columns that are not attributes")
    _check(leaves, attrs, real, predict, "")
    r = _numbers(leaves, real, "")
    p = _numbers(leaves, predict, "")
    text = pd.DataFrame({f"a{j}": _attribute_text(leaves[a]) for j, a in enumerate(attrs)})
    rb = pb = None
    if denominator is not None:
        _check(denominator, attrs, real, predict, "denominator: ")
        rb_in = _numbers(denominator, real, "denominator: ")
        pb_in = _numbers(denominator, predict, "denominator: ")
        keys = [f"a{j}" for j in range(len(attrs))]
        num = text.assign(_ra=r, _pa=p).groupby(keys, sort=False).sum()
        den_text = pd.DataFrame(
            {f"a{j}": _attribute_text(denominator[a]) for j, a in enumerate(attrs)}
        )
        den = den_text.assign(_rb=rb_in, _pb=pb_in).groupby(keys, sort=False).sum()
        both = num.join(den, how="outer").fillna(0.0).reset_index()
        text = both[keys]
        r, p = both["_ra"].to_numpy(np.float64), both["_pa"].to_numpy(np.float64)
        rb, pb = both["_rb"].to_numpy(np.float64), both["_pb"].to_numpy(np.float64)
    codes = np.empty((len(text), len(attrs)), dtype=np.int64)
    values: list[npt.NDArray[np.object_]] = []
    for j in range(len(attrs)):
        c, u = pd.factorize(text.iloc[:, j], sort=False)
        codes[:, j] = c
        values.append(np.asarray(u, dtype=object))
    return Cube(attrs, codes, values, r, p, rb, pb)


def cause_for(
    cube: Cube, mask: npt.NDArray[np.bool_], combo: tuple[tuple[str, str], ...], score: float
) -> Cause:
    """A ``Cause`` with the combination's totals (ratios for a derived measure)."""
    real, predict = float(cube.real[mask].sum()), float(cube.predict[mask].sum())
    if cube.real_b is not None and cube.predict_b is not None:
        rb, pb = float(cube.real_b[mask].sum()), float(cube.predict_b[mask].sum())
        real = real / rb if rb > 0 else float("nan")
        predict = predict / pb if pb > 0 else float("nan")
    return Cause(combo, float(min(max(score, 0.0), 1.0)), real, predict, int(mask.sum()))
