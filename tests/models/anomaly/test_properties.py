"""Property tests: any input raises nothing but our errors; the matrix form equals streaming."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from models.anomaly import (
    AnomalyError,
    IsolationForestDetector,
    score_matrix,
    score_series,
)
from models.anomaly.core import TIME_LIMIT
from tests.models.anomaly.helpers import MULTI, QUICK, T0, UNIVARIATE, quick, quick_multi, run

values_st = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e3, max_value=1e3),
    st.sampled_from([0.0, 1.0, -1.0, 1e308, -1e308, 5e-324, math.nan, math.inf]),
)
times_st = st.lists(
    st.one_of(
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
        st.floats(allow_nan=True, allow_infinity=True),
    ),
    min_size=1,
    max_size=60,
)
slow = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", UNIVARIATE)
@slow
@given(times=times_st, data=st.data())
def test_any_input_gives_scores_in_range_or_our_error(
    name: str, times: list[float], data: st.DataObject
) -> None:
    values = data.draw(st.lists(values_st, min_size=len(times), max_size=len(times)))
    detector = quick(name, min_history=10) if name == "holt_winters" else quick(name)
    for t, x in zip(times, values, strict=True):
        try:
            s = detector.score_one(t, x)
        except AnomalyError:
            assert not math.isfinite(t) or abs(t) > TIME_LIMIT
            continue
        assert abs(t) <= TIME_LIMIT
        assert 0.0 <= s.score <= 1.0 and math.isfinite(s.raw)
        assert not math.isinf(s.expected)


@pytest.mark.parametrize("name", MULTI)
@slow
@given(
    rows=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 80), st.just(3)),
        elements=st.one_of(values_st, st.floats(-10, 10)),
    ),
    step=st.floats(min_value=0.0, max_value=1e6),
)
def test_multivariate_any_rows_give_scores_in_range(
    name: str, rows: np.ndarray, step: float
) -> None:
    detector = quick_multi(name, warmup=10, window=30, refit_every=15, n_estimators=5)
    for i, row in enumerate(rows):
        s = detector.score_one(T0 + i * step, row)
        assert 0.0 <= s.score <= 1.0 and math.isfinite(s.raw)


VECTORISED = ["seasonal", "ewma", "cusum", "ensemble"]


@pytest.mark.parametrize("name", VECTORISED)
@settings(max_examples=30, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 120), st.integers(1, 6)),
    seed=st.integers(0, 2**32 - 1),
    direction=st.sampled_from(["up", "down", "both"]),
)
def test_score_matrix_equals_streaming_per_column(
    name: str, shape: tuple[int, int], seed: int, direction: str
) -> None:
    rng = np.random.default_rng(seed)
    n_t, n = shape
    # irregular steps from 1 s to 6 h, sometimes going back in time
    times = T0 + np.cumsum(rng.choice([1.0, 60.0, 60.0, 300.0, 21600.0, -120.0], size=n_t))
    values = rng.normal(10.0, 3.0, (n_t, n)) * rng.choice([1.0, 1.0, 1.0, 50.0], size=(n_t, n))
    values[rng.random((n_t, n)) < 0.1] = np.nan
    values[rng.random((n_t, n)) < 0.02] = np.inf
    params = {"direction": direction, "warmup": 3} if name != "ensemble" else {}
    if name == "ensemble":
        params = {"direction": direction, "member_params": {"seasonal": {"warmup": 3}}}
    scores, expected = score_matrix(name, times, values, **params)
    for j in range(n):
        one = run(quick(name, **params), times, values[:, j])
        np.testing.assert_allclose(scores[:, j], one[:, 0], rtol=0, atol=1e-9)
        np.testing.assert_allclose(expected[:, j], one[:, 1], rtol=0, atol=1e-9)


def test_score_matrix_runs_non_vectorised_detectors_column_by_column() -> None:
    rng = np.random.default_rng(1)
    times = T0 + 60.0 * np.arange(150)
    values = rng.normal(0, 1, (150, 2))
    scores, _ = score_matrix("holt_winters", times, values, **QUICK["holt_winters"])
    for j in range(2):
        frame = score_series(quick("holt_winters"), times, values[:, j])
        np.testing.assert_array_equal(frame["score"].to_numpy(), scores[:, j])


def test_score_matrix_and_series_reject_mismatched_shapes() -> None:
    with pytest.raises(AnomalyError):
        score_matrix("seasonal", [T0, T0 + 60], [[1.0]])
    with pytest.raises(AnomalyError):
        score_matrix("seasonal", [T0], [1.0])
    with pytest.raises(AnomalyError):
        score_matrix("seasonal", [math.nan], [[1.0]])
    with pytest.raises(AnomalyError):
        score_series(quick("seasonal"), [T0], [1.0, 2.0])
    with pytest.raises(AnomalyError):
        score_series(quick("seasonal"), [T0], ["a"])


def test_score_series_accepts_datetimes() -> None:
    stamps = np.array(["2026-11-20T10:00", "2026-11-20T10:01"], dtype="datetime64[s]")
    frame = score_series(quick("seasonal"), stamps, [1.0, 2.0])
    assert frame["timestamp"].iloc[1].isoformat() == "2026-11-20T10:01:00+00:00"


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), n=st.integers(1, 400))
def test_isolation_forest_score_rows_equals_score_one(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    rows = rng.normal(0, 1, (n, 2))
    rows[rng.random(n) < 0.05] = np.nan
    times = T0 + 60.0 * np.arange(n)
    params = {"window": 100, "warmup": 20, "refit_every": 37, "n_estimators": 10, "seed": seed}
    one = IsolationForestDetector(**params)
    streamed = np.array([one.score_one(t, r).score for t, r in zip(times, rows, strict=True)])
    batch = IsolationForestDetector(**params)
    scores, _ = batch.score_rows(times, rows)
    np.testing.assert_array_equal(scores, streamed)


def test_isolation_forest_ranks_a_vector_in_an_empty_region_above_normal_ones() -> None:
    # b = 2a + small noise, a ~ N(0, 1). (3, -6) lies in the quadrant a > 2, b < 0 that holds no
    # row, so a few axis-parallel splits isolate it: it outranks at least 99 % of the normal rows
    # scored by the same forest (only the data's own extremes, |a| > 3, may come near it)
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 600)
    rows = np.column_stack([a, 2 * a + rng.normal(0, 0.05, 600)])
    rows[550] = [3.0, -6.0]
    detector = IsolationForestDetector(seed=1)
    scores, _ = detector.score_rows(T0 + 60.0 * np.arange(600), rows)
    # rows 400-799 are all scored by the forest fitted on the first 400 (the window doubles)
    same_forest = np.r_[400:550, 551:600]
    assert (scores[same_forest] < scores[550]).mean() >= 0.99
    assert scores[550] > 0.98
    assert (scores[200:550] > 0.99).mean() < 0.03


@pytest.mark.parametrize("name", ["ensemble", "holt_winters"])
def test_matrix_scorer_continues_after_pickle_like_one_long_run(name: str) -> None:
    import pickle

    from models.anomaly import MatrixScorer

    rng = np.random.default_rng(2)
    times = T0 + 60.0 * np.arange(300)
    values = rng.normal(5, 1, (300, 3))
    params = QUICK.get(name, {})
    whole, whole_expected = score_matrix(name, times, values, **params)
    first = MatrixScorer(name, 3, **params)
    a, _ = first.score(times[:120], values[:120])
    resumed = pickle.loads(pickle.dumps(first))
    b, b_expected = resumed.score(times[120:], values[120:])
    np.testing.assert_array_equal(np.vstack([a, b]), whole)
    np.testing.assert_array_equal(b_expected, whole_expected[120:])
    with pytest.raises(AnomalyError):
        resumed.update(T0, [1.0, 2.0])
