"""Bad input raises ``RcaInputError`` (a ``ValueError``) with the row; nothing else ever raises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.rca import RcaInputError, format_causes, localize
from models.rca.baselines import adtributor, squeeze_lite


def frame(**cols: list[object]) -> pd.DataFrame:
    return pd.DataFrame(cols)


GOOD = frame(site=["a", "b", "c"], real=[1.0, 2.0, 9.0], predict=[1.0, 2.0, 3.0])


def test_error_is_a_value_error() -> None:
    assert issubclass(RcaInputError, ValueError)


@pytest.mark.parametrize(
    ("leaves", "attributes", "fragment"),
    [
        (GOOD.drop(columns="real"), ["site"], "missing column(s): real"),
        (GOOD, ["site", "isp"], "missing column(s): isp"),
        (GOOD, [], "at least one attribute"),
        (GOOD, ["site", "site"], "repeat"),
        (GOOD, ["site", "real"], "not attributes"),
        (GOOD, "site", "sequence"),
        ([1, 2], ["site"], "DataFrame"),
    ],
)
def test_bad_shape(leaves: object, attributes: object, fragment: str) -> None:
    with pytest.raises(RcaInputError, match=None) as info:
        localize(leaves, attributes)  # type: ignore[arg-type]
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("x", "'x' is not a finite number"),
        (np.nan, "not a finite number"),
        (np.inf, "not a finite number"),
        (-1.0, "is negative"),
    ],
)
def test_bad_numbers_name_the_row(value: object, fragment: str) -> None:
    leaves = GOOD.astype({"predict": object})
    leaves.loc[1, "predict"] = value  # type: ignore[call-overload]
    with pytest.raises(RcaInputError) as info:
        localize(leaves, ["site"])
    assert info.value.row == 1
    assert str(info.value).startswith("row 2: predict")
    assert fragment in str(info.value)


def test_bad_denominator_is_named() -> None:
    den = GOOD.astype({"real": object})
    den.loc[2, "real"] = "n/a"
    with pytest.raises(RcaInputError, match=r"^denominator: row 3: real 'n/a'"):
        localize(GOOD, ["site"], denominator=den)
    with pytest.raises(RcaInputError, match="denominator: missing column"):
        localize(GOOD, ["site"], denominator=GOOD.drop(columns="site"))


def test_bad_options() -> None:
    with pytest.raises(RcaInputError):
        localize(GOOD, ["site"], max_causes=-1)
    with pytest.raises(RcaInputError):
        localize(GOOD, ["site"], max_layer=0)


def test_empty_and_tiny_inputs() -> None:
    assert localize(GOOD.iloc[:0], ["site"]).causes == []
    assert localize(GOOD.iloc[:1], ["site"]).causes == []  # real == predict
    one = frame(site=["a"], real=[5.0], predict=[1.0])
    assert format_causes(localize(one, ["site"]).causes) == "site=a"


def test_numeric_strings_are_numbers() -> None:
    leaves = GOOD.astype(str)
    assert format_causes(localize(leaves, ["site"]).causes) == "site=c"


def test_derived_rows_missing_on_one_side_count_as_zero() -> None:
    """The denominator lacks site c: c's ratio is unknown (0 volume), a and b hold."""
    den = GOOD.iloc[:2].assign(real=[10.0, 10.0], predict=[10.0, 10.0])
    num = GOOD.assign(real=[1.0, 1.0, 9.0], predict=[1.0, 1.0, 3.0])
    result = localize(num, ["site"], denominator=den)
    assert all(0.0 <= c.score <= 1.0 for c in result.causes)


attribute_values = st.one_of(
    st.sampled_from(["a", "b", "c", "", "∅"]),
    st.none(),
    st.integers(-2, 2),
    st.floats(allow_nan=True),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1e6),
    st.integers(0, 10**6),
    st.sampled_from(["1", "x", "", " 2.5 ", "-3", "inf"]),
    st.none(),
)


@st.composite
def frames(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str], pd.DataFrame | None]:
    n = draw(st.integers(0, 12))
    k = draw(st.integers(1, 3))
    attrs = [f"d{j}" for j in range(k)]
    cols: dict[str, list[object]] = {
        a: draw(st.lists(attribute_values, min_size=n, max_size=n)) for a in attrs
    }
    cols["real"] = draw(st.lists(numbers, min_size=n, max_size=n))
    cols["predict"] = draw(st.lists(numbers, min_size=n, max_size=n))
    leaves = pd.DataFrame(cols)
    den = None
    if draw(st.booleans()):
        den = leaves.sample(frac=1.0, random_state=draw(st.integers(0, 9)))
    return leaves, attrs, den


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.integers(0, 4))
def test_arbitrary_frames_raise_only_our_error(
    case: tuple[pd.DataFrame, list[str], pd.DataFrame | None], max_causes: int
) -> None:
    leaves, attrs, den = case
    for method in (localize, adtributor, squeeze_lite):
        try:
            result = method(leaves, attrs, denominator=den, max_causes=max_causes)
        except RcaInputError:
            continue
        assert len(result.causes) <= max_causes
        for cause in result.causes:
            assert 0.0 <= cause.score <= 1.0
            assert {a for a, _ in cause.combination} <= set(attrs)
            assert cause.leaves >= 1
        format_causes(result.causes)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=30),
    st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=30),
)
def test_valid_numbers_always_localize(real: list[float], predict: list[float]) -> None:
    n = min(len(real), len(predict))
    leaves = pd.DataFrame(
        {
            "site": [f"s{i % 4}" for i in range(n)],
            "app": [f"a{i % 3}" for i in range(n)],
            "real": real[:n],
            "predict": predict[:n],
        }
    )
    result = localize(leaves, ["site", "app"])
    assert len(result.causes) <= 3
    if real[:n] == predict[:n]:
        assert result.causes == []
