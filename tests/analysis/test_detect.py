"""Flags and episodes on hand-built series: what pages and what does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from assurance.analysis.detect import DetectSettings, episodes, rolling_sum, score
from assurance.analysis.series import Matrix, minute_grid

T0 = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
SETTINGS = DetectSettings()


def matrix(bad: list[float], total: float = 20.0, sle: str = "wan_link_health") -> Matrix:
    minutes = minute_grid(T0, T0 + timedelta(minutes=len(bad)))
    b = np.array(bad, dtype=float)[:, None]
    return Matrix(minutes, [("s1", sle)], b, np.full_like(b, total))


def test_rolling_sum_is_causal() -> None:
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    assert rolling_sum(x, 2)[:, 0].tolist() == [1.0, 3.0, 5.0, 7.0]
    assert rolling_sum(x, 1) is x


def test_step_is_confirmed_on_its_fourth_flagged_minute() -> None:
    # 90 quiet minutes, then 12 of 20 users bad for 20 minutes, then quiet again.
    bad = [0.0] * 90 + [12.0] * 20 + [0.0] * 30
    m = matrix(bad)
    found = episodes(m, score(m, SETTINGS), SETTINGS)
    assert len(found) == 1
    ep = found[0]
    assert ep.start == T0 + timedelta(minutes=90)
    # confirm = 4 flagged of the last 6 minutes: minutes 90, 91, 92, 93 → detected at 93
    assert ep.detected_at == T0 + timedelta(minutes=93)
    assert ep.end <= T0 + timedelta(minutes=109)
    assert ep.bad >= 12.0 * 4


def test_three_minute_blip_opens_nothing() -> None:
    bad = [0.0] * 90 + [15.0] * 3 + [0.0] * 30
    m = matrix(bad)
    assert episodes(m, score(m, SETTINGS), SETTINGS) == []


def test_one_unlucky_user_never_flags() -> None:
    bad = [0.0] * 90 + [1.0] * 30 + [0.0] * 10
    m = matrix(bad, total=3.0)  # 33 % of a tiny site, but a single user
    assert not score(m, SETTINGS).flag.any()


def test_chronic_badness_is_not_news() -> None:
    # A site where 30 % of minutes are bad all day long: the baseline knows it.
    rng = np.random.default_rng(5)
    bad = list(rng.binomial(20, 0.3, size=240).astype(float))
    m = matrix(bad)
    assert episodes(m, score(m, SETTINGS), SETTINGS) == []


def test_sparse_sle_is_judged_over_a_window() -> None:
    # Roams are rare: one failed roam every other minute for 20 minutes.
    bad = [0.0] * 90 + [1.0, 0.0] * 10 + [0.0] * 20
    total = np.array([1.0 if i % 7 == 0 else 0.0 for i in range(90)] + [1.0, 0.0] * 10 + [0.0] * 20)
    minutes = minute_grid(T0, T0 + timedelta(minutes=len(bad)))
    m = Matrix(minutes, [("s1", "roaming")], np.array(bad)[:, None], total[:, None])
    found = episodes(m, score(m, SETTINGS), SETTINGS)
    assert len(found) == 1
    assert T0 + timedelta(minutes=90) <= found[0].detected_at <= T0 + timedelta(minutes=105)


def test_flag_never_uses_the_future() -> None:
    bad = [0.0] * 90 + [12.0] * 20 + [0.0] * 30
    full = score(matrix(bad), SETTINGS).flag[:, 0]
    for cut in (95, 100, 120):
        assert (score(matrix(bad[:cut]), SETTINGS).flag[:, 0] == full[:cut]).all()
