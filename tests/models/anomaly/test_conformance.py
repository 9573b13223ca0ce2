"""Every registered detector keeps the same contract: clone, seed, pickle, causality, gaps.

Parametrised over ``DETECTORS`` and ``MULTIVARIATE``, so a new detector is held to it as soon as it
is registered.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from models.anomaly import (
    DETECTORS,
    AnomalyError,
    Detector,
    InvalidInput,
    InvalidParameter,
    MultivariateDetector,
    Score,
    UnknownDetector,
    make,
    score_matrix,
    score_series,
)
from models.anomaly.registry import make_multivariate
from tests.models.anomaly.helpers import (
    MINUTE,
    MULTI,
    T0,
    UNIVARIATE,
    noisy_series,
    quick,
    quick_multi,
    run,
)

N = 400


@pytest.fixture(scope="module")
def series() -> tuple[np.ndarray, np.ndarray]:
    return noisy_series(N)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


@pytest.mark.parametrize("name", UNIVARIATE)
def test_protocol_and_name(name: str) -> None:
    detector = quick(name)
    assert isinstance(detector, Detector)
    assert detector.name == name
    assert detector.direction == "both"
    assert isinstance(detector.score_one(T0, 1.0), Score)


@pytest.mark.parametrize("name", UNIVARIATE)
def test_clone_behaves_like_a_fresh_detector(name: str, series: tuple[np.ndarray, ...]) -> None:
    times, values = series
    used = quick(name, direction="down")
    run(used, times[:200], values[:200])
    clone = used.clone()
    assert clone.direction == "down"
    assert same(run(clone, times, values), run(quick(name, direction="down"), times, values))


@pytest.mark.parametrize("name", UNIVARIATE)
def test_same_parameters_give_the_same_scores(name: str, series: tuple[np.ndarray, ...]) -> None:
    times, values = series
    assert same(run(quick(name), times, values), run(quick(name), times, values))


@pytest.mark.parametrize("name", UNIVARIATE)
def test_pickle_round_trip_mid_stream_continues_identically(
    name: str, series: tuple[np.ndarray, ...]
) -> None:
    times, values = series
    detector = quick(name)
    run(detector, times[:250], values[:250])
    copy = pickle.loads(pickle.dumps(detector))
    assert same(run(copy, times[250:], values[250:]), run(detector, times[250:], values[250:]))


@pytest.mark.parametrize("name", UNIVARIATE)
def test_scores_never_use_the_future(name: str, series: tuple[np.ndarray, ...]) -> None:
    times, values = series
    k = 260
    altered = values.copy()
    altered[k:] = np.random.default_rng(9).normal(500.0, 50.0, N - k)  # a different future
    altered[k + 3 : k + 9] = np.nan
    a = run(quick(name), times, values)
    b = run(quick(name), times, altered)
    assert same(a[:k], b[:k])
    assert not same(a[k:], b[k:])
    # the matrix form too: one column with each future
    scores, expected = score_matrix(
        name, times, np.column_stack([values, altered]), **_quick_params(name)
    )
    assert same(scores[:k, 0], scores[:k, 1]) and same(expected[:k, 0], expected[:k, 1])


def _quick_params(name: str) -> dict[str, object]:
    from tests.models.anomaly.helpers import QUICK

    return dict(QUICK.get(name, {}))


@pytest.mark.parametrize("name", UNIVARIATE)
def test_output_is_nan_free_in_range_and_missing_scores_zero(
    name: str, series: tuple[np.ndarray, ...]
) -> None:
    times, values = series
    values = values.copy()
    values[50:53] = [np.inf, -np.inf, np.nan]
    out = run(quick(name), times, values)
    scores, raws = out[:, 0], out[:, 2]
    assert np.isfinite(scores).all() and np.isfinite(raws).all()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert (scores[~np.isfinite(values)] == 0).all()
    assert (raws[~np.isfinite(values)] == 0).all()


@pytest.mark.parametrize("name", UNIVARIATE)
def test_cold_start_scores_zero_with_unknown_expected(name: str) -> None:
    first = quick(name).score_one(T0, 42.0)
    assert first == Score(0.0, math.nan, 0.0) or (
        first.score == 0.0 and math.isnan(first.expected) and first.raw == 0.0
    )


@pytest.mark.parametrize("name", UNIVARIATE)
def test_a_new_series_after_days_of_silence_and_a_burst_of_gaps(name: str) -> None:
    detector = quick(name)
    times = T0 + MINUTE * np.arange(300)
    run(detector, times, 50.0 + np.sin(np.arange(300)))
    later = times[-1] + 5 * 86400.0 + MINUTE * np.arange(200)
    values = np.where(np.arange(200) % 3 == 0, np.nan, 50.0 + np.sin(np.arange(200)))
    out = run(detector, later, values)
    assert np.isfinite(out[:, 0]).all() and (out[:, 0] <= 1).all()


@pytest.mark.parametrize("name", UNIVARIATE)
def test_a_constant_series_does_not_explode_and_its_break_is_flagged(name: str) -> None:
    detector = quick(name)
    times = T0 + MINUTE * np.arange(400)
    values = np.full(400, 0.0)
    values[-2:] = 5.0
    out = run(detector, times, values)
    assert np.isfinite(out).sum() >= 3 * 400 - 40  # expected is NaN only while cold
    assert np.isfinite(out[:, [0, 2]]).all()
    assert out[-3, 0] < 0.5  # the constant itself is not anomalous
    assert out[-2:, 0].max() > 0.99  # a step out of it is (CUSUM needs two steps: 4.5 + 4.5)


@pytest.mark.parametrize("name", UNIVARIATE)
def test_score_series_equals_score_one_in_order(name: str, series: tuple[np.ndarray, ...]) -> None:
    times, values = series
    frame = score_series(quick(name), times, values)
    assert list(frame.columns) == ["timestamp", "value", "expected", "score"]
    expected = run(quick(name), times, values)
    assert same(frame["score"].to_numpy(), expected[:, 0])
    assert same(frame["expected"].to_numpy(), expected[:, 1])
    assert str(frame["timestamp"].dt.tz) == "UTC"
    assert frame["timestamp"].iloc[0].timestamp() == pytest.approx(times[0], abs=1e-6)


@pytest.mark.parametrize("name", UNIVARIATE)
def test_bad_times_and_parameters_raise_our_errors(name: str) -> None:
    detector = quick(name)
    for t in (math.nan, math.inf, -math.inf):
        with pytest.raises(InvalidInput):
            detector.score_one(t, 1.0)
    with pytest.raises(InvalidParameter):
        make(name, direction="sideways")
    with pytest.raises(InvalidParameter):
        make(name, no_such_parameter=1)


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(UnknownDetector) as info:
        make("prophet")
    assert isinstance(info.value, ValueError) and isinstance(info.value, AnomalyError)
    for name in DETECTORS:
        assert name in str(info.value)
    with pytest.raises(UnknownDetector, match="iforest"):
        make_multivariate("seasonal")
    with pytest.raises(UnknownDetector):
        score_matrix("nope", [T0], [[1.0]])


# --- multivariate -------------------------------------------------------------------------


def vectors(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    times = T0 + MINUTE * np.arange(n)
    base = rng.normal(0.0, 1.0, (n, 1))
    rows = np.hstack([base, 2 * base + rng.normal(0, 0.1, (n, 1)), rng.normal(5, 1, (n, 1))])
    rows[n // 4, 1] = np.nan
    rows[n // 3] = np.nan
    return times, rows


def run_multi(detector: MultivariateDetector, times: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.array(
        [
            [(s := detector.score_one(float(t), r)).score, s.expected, s.raw]
            for t, r in zip(times, rows, strict=True)
        ]
    ).reshape(-1, 3)


@pytest.mark.parametrize("name", MULTI)
def test_multivariate_contract(name: str) -> None:
    times, rows = vectors(300)
    detector = quick_multi(name, seed=3)
    assert isinstance(detector, MultivariateDetector) and detector.name == name
    first = run_multi(detector, times[:150], rows[:150])
    assert (first[:39, 0] == 0).all()  # cold until warm-up
    clone = detector.clone()
    assert same(run_multi(clone, times, rows), run_multi(quick_multi(name, seed=3), times, rows))
    copy = pickle.loads(pickle.dumps(detector))
    rest = run_multi(detector, times[150:], rows[150:])
    assert same(run_multi(copy, times[150:], rows[150:]), rest)
    full = np.vstack([first, rest])
    assert np.isfinite(full[:, [0, 2]]).all() and ((full[:, 0] >= 0) & (full[:, 0] <= 1)).all()
    assert full[300 // 3, 0] == 0.0  # an all-missing row


@pytest.mark.parametrize("name", MULTI)
def test_multivariate_causality_and_width(name: str) -> None:
    times, rows = vectors(260)
    altered = rows.copy()
    altered[200:] *= -7.0
    a = run_multi(quick_multi(name), times, rows)
    b = run_multi(quick_multi(name), times, altered)
    assert same(a[:200], b[:200]) and not same(a[200:], b[200:])
    detector = quick_multi(name)
    detector.score_one(T0, [1.0, 2.0, 3.0])
    with pytest.raises(InvalidInput):
        detector.score_one(T0 + 60, [1.0, 2.0])
    with pytest.raises(InvalidInput):
        detector.score_one(math.nan, [1.0, 2.0, 3.0])
