"""What each detector must see and must not see, with expectations reasoned by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.anomaly import make, score_matrix
from tests.models.anomaly.helpers import MINUTE, T0, UNIVARIATE, quick, run

DAY = 86400.0
MAD_OF_UNIT_NORMAL = 0.6744897501960817  # the median of |N(0, 1)|


@pytest.mark.parametrize("name", UNIVARIATE)
def test_a_step_drop_of_ten_mads_is_flagged_within_three_steps(name: str) -> None:
    rng = np.random.default_rng(11)
    times = T0 + MINUTE * np.arange(700)
    values = 100.0 + rng.normal(0.0, 1.0, 700)
    values[600:] -= 10 * MAD_OF_UNIT_NORMAL
    out = run(quick(name, direction="down"), times, values)
    assert out[600:603, 0].max() > 0.99
    # and the noise before it rarely is: a calibrated detector exceeds 0.999 on ~0.1 % of points
    assert (out[100:600, 0] > 0.999).mean() < 0.01
    # asked about rises only, the same drop is no evidence
    up = run(quick(name, direction="up"), times, values)
    assert up[600:603, 0].max() < 0.9


def daily(days: int, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Minute series: 50 + 20·sin(...) peaking at 14:00 UTC, unit noise, from midnight."""
    rng = np.random.default_rng(seed)
    start = math.floor(T0 / DAY) * DAY
    times = start + MINUTE * np.arange(days * 1440)
    hour = (times - start) % DAY / 3600.0
    values = 50.0 + 20.0 * np.sin(2 * np.pi * (hour - 8.0) / 24.0) + rng.normal(0, 1, len(times))
    return times, values


@pytest.mark.parametrize("name", ["seasonal", "ensemble", "holt_winters"])
def test_the_normal_daily_peak_is_not_flagged_once_history_exists(name: str) -> None:
    # Holt-Winters fits its season once it has two of them, so it is judged on day 3
    judged = 2 if name == "holt_winters" else 1
    times, values = daily(judged + 1)
    params = {"refit_every": 1440} if name == "holt_winters" else {}
    out = run(make(name, **params), times, values)
    day = out[judged * 1440 :, 0]
    peak = day[12 * 60 : 16 * 60]  # 12:00-16:00, the top of the curve
    assert (day > 0.999).mean() < 0.01  # about the calibrated 0.1 %, not the 17 % peak hours
    # flagged = three points in a row above 0.999 (a lone noise point is not a peak)
    high = peak > 0.999
    assert not (high[:-2] & high[1:-1] & high[2:]).any()
    # the same value at the trough of the day (02:00) is far out of line
    odd = values.copy()
    at_two = judged * 1440 + 120
    odd[at_two : at_two + 5] = 70.0
    out = run(make(name, **params), times[: at_two + 5], odd[: at_two + 5])
    assert out[at_two : at_two + 5, 0].max() > 0.9999


def test_the_weekly_bucket_takes_over_once_a_day_of_the_week_repeats() -> None:
    # weekdays at 10, weekends at 30: after a week, Saturday is expected at 30 straight away
    start = math.floor(T0 / DAY) * DAY
    days = 12  # Tuesday 17th to Saturday 28th
    times = start + 5 * MINUTE * np.arange(days * 288)  # 12 samples per hour bucket
    weekday = (np.floor(times / DAY) + 3) % 7  # Monday = 0
    values = np.where(weekday >= 5, 30.0, 10.0) + np.random.default_rng(2).normal(
        0, 0.5, len(times)
    )
    out = run(make("seasonal", bucket_minutes=60), times, values)
    second_saturday = np.flatnonzero((weekday == 5) & (times >= start + 7 * DAY))
    assert len(second_saturday) > 0
    # the first sample of each hour is the one that shows the bucket a second day; after it, 11
    # of every 12 expected values come from last Saturday's bucket
    near = np.abs(out[second_saturday, 1] - 30.0) < 1.0
    assert near.mean() >= 11 / 12 - 0.01
    first_saturday = np.flatnonzero((weekday == 5) & (times < start + 7 * DAY))
    assert out[first_saturday[:5], 0].max() > 0.999  # the first one is a surprise


def alternating(n: int) -> np.ndarray:
    return np.where(np.arange(n) % 2 == 0, 1.0, -1.0)


def test_cusum_catches_a_small_sustained_shift_a_single_point_threshold_misses() -> None:
    # Deterministic ±1 noise: the robust scale settles at σ ≈ 1.25 (mean |r| ≈ 1 times √(π/2)).
    # A +1.25 shift (one σ) moves single points to |z| <= (1 + 1.25) / 1.25 = 1.8, a two-sided
    # score of at most 0.93; CUSUM adds z - k ≈ 1 - 0.5 = 0.5 a step and passes S = 7
    # (score 1 - exp(-7) > 0.999) after about 14 steps.
    n, at = 600, 400
    times = T0 + MINUTE * np.arange(n)
    values = alternating(n)
    values[at:] += 1.25
    single = run(make("ewma"), times, values)
    cusum = run(make("cusum"), times, values)
    assert single[at:, 0].max() < 0.99
    assert cusum[at : at + 25, 0].max() > 0.999
    assert cusum[100:at, 0].max() < 0.9  # nothing before it
    # after declaring the change CUSUM re-baselines: its expected value moves up by about σ
    assert np.nanmean(cusum[-50:, 1]) > 0.9


def test_ewma_scores_by_hand() -> None:
    # warmup 3: x = 10 (m = 10, s = 0); x = 12: a = 1/2, a_s = 1 -> m = 11, s = 2;
    # x = 14: a = 1/3, a_s = 1/2 -> m = 12, s = 2.5. Then x = 20: σ = √(π/2)·2.5,
    # z = 8 / σ, two-sided score = 1 - erfc(z / √2).
    detector = make("ewma", warmup=3)
    for i, x in enumerate((10.0, 12.0, 14.0)):
        assert detector.score_one(T0 + i, x).score == 0.0
    s = detector.score_one(T0 + 3, 20.0)
    sigma = math.sqrt(math.pi / 2) * 2.5
    assert s.expected == pytest.approx(12.0, abs=1e-12)
    assert s.raw == pytest.approx(8.0 / sigma, rel=1e-12)
    assert s.score == pytest.approx(1.0 - math.erfc(8.0 / sigma / math.sqrt(2)), abs=1e-6)


def test_a_constant_series_uses_the_relative_scale_floor() -> None:
    # constant 100: MAD = 0, so σ = rel_scale·|level| = 0.001·100 = 0.1; 100 -> 99 is z = -10
    detector = make("ewma")
    for i in range(50):
        detector.score_one(T0 + 60 * i, 100.0)
    same = detector.score_one(T0 + 3000, 100.0)
    assert same.score == 0.0 and same.expected == 100.0
    drop = detector.score_one(T0 + 3060, 99.0)
    assert drop.raw == pytest.approx(10.0, rel=1e-9)
    assert drop.score == pytest.approx(1.0 - math.erfc(10 / math.sqrt(2)), abs=1e-12)


def test_a_sustained_outage_stays_anomalous_until_patience_runs_out() -> None:
    # 10 σ below normal for an hour: every minute of it is more than ``reject`` = 4 σ out, so
    # none is learned and every one scores > 0.999; with patience 30 the level starts to follow
    # after 30 minutes and the scores fall
    rng = np.random.default_rng(0)
    times = T0 + MINUTE * np.arange(700)
    values = 97 + rng.normal(0, 0.5, 700)
    values[600:660] -= 5.0
    patient = run(make("seasonal", direction="down"), times, values)
    assert (patient[600:660, 0] > 0.999).all()
    assert (patient[660:, 0] > 0.999).sum() <= 1  # back to normal
    hasty = run(make("seasonal", direction="down", patience=30), times, values)
    assert (hasty[600:630, 0] > 0.999).all()
    assert (hasty[640:660, 0] > 0.999).mean() < 0.5


def test_ensemble_is_calibrated_on_stationary_noise() -> None:
    # Calibrated: the fraction of scores above 0.99 is about 1 %, for Gaussian noise and for
    # heavy-tailed (Student t, 3 degrees of freedom) noise, on which the Gaussian members alone
    # fire several times too often.
    rng = np.random.default_rng(5)
    n = 20_000
    times = T0 + MINUTE * np.arange(n)
    values = np.column_stack([100 + rng.normal(0, 2, (n, 2)), 100 + 2 * rng.standard_t(3, (n, 2))])
    ensemble, _ = score_matrix("ensemble", times, values)
    seasonal, _ = score_matrix("seasonal", times, values)
    burn = 2000
    share = (ensemble[burn:] > 0.99).mean(axis=0)
    assert ((share > 0.005) & (share < 0.016)).all(), share
    assert ((seasonal[burn:, 2:] > 0.99).mean(axis=0) > 0.025).all()
    # at 0.999 (the knot at 3 decades, learned with a prior weight of a week) heavy tails are
    # tempered less: within 2x of 0.1 % for Gaussian noise and within 8x for t(3)
    tail = (ensemble[burn:] > 0.999).mean(axis=0)
    assert (tail[:2] < 0.002).all() and (tail[2:] < 0.008).all(), tail


def test_holt_winters_follows_a_trend_a_level_model_lags_behind() -> None:
    # a steady ramp of 0.05 per minute: a trend model forecasts it; an EWMA with alpha 0.05 has
    # its level slope·(1 - alpha)/alpha behind, so its one-step forecast is slope/alpha = 1 behind
    rng = np.random.default_rng(8)
    times = T0 + MINUTE * np.arange(900)
    truth = 0.05 * np.arange(900)
    values = truth + rng.normal(0, 0.1, 900)
    hw = run(make("holt_winters", refit_every=300), times, values)
    ewma = run(make("ewma", rel_scale=0.0), times, values)
    assert np.abs(hw[300:, 1] - truth[300:]).mean() < 0.15
    assert np.mean(truth[300:] - ewma[300:, 1]) == pytest.approx(1.0, abs=0.05)
    assert (hw[300:, 0] > 0.999).mean() < 0.02
