"""Hand-built cubes whose root causes are known by construction (reasoned in each docstring)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from models.rca import EMPTY_VALUE, Cause, format_causes, localize


def cube(dims: dict[str, list[str]], base: float = 10.0) -> pd.DataFrame:
    """Every combination of ``dims`` with a distinct, deterministic expected value per leaf."""
    rows = list(itertools.product(*dims.values()))
    frame = pd.DataFrame(rows, columns=list(dims))
    frame["predict"] = base + (np.arange(len(frame)) * 7 % 11).astype(float)
    # ±1.5 % forecast noise, deterministic and balanced, on every leaf
    frame["real"] = frame["predict"] * (1 + 0.015 * np.sin(np.arange(len(frame)) * 2.3))
    return frame


def scale(frame: pd.DataFrame, factor: float, **where: str) -> None:
    mask = np.logical_and.reduce([frame[a] == v for a, v in where.items()])
    frame.loc[mask, "real"] = frame.loc[mask, "predict"] * factor


def answer(frame: pd.DataFrame, attrs: list[str] | None = None, **kw: object) -> str:
    attrs = attrs or [c for c in frame.columns if c not in ("real", "predict")]
    return format_causes(localize(frame, attrs, **kw).causes)  # type: ignore[arg-type]


SITES = ["br-1", "br-2", "br-3"]
ISPS = ["Comcast", "ATT", "Verizon"]
APPS = ["Teams", "Zoom", "O365", "Webex"]


def test_one_isp_up_by_half_is_exactly_that_isp() -> None:
    """All 12 leaves of isp=Comcast rise 50 %; the other 24 move at most 1.5 %."""
    f = cube({"site": SITES, "isp": ISPS, "app": APPS})
    scale(f, 1.5, isp="Comcast")
    result = localize(f, ["site", "isp", "app"])
    assert format_causes(result.causes) == "isp=Comcast"
    (cause,) = result.causes
    comcast = f[f.isp == "Comcast"]
    assert cause.leaves == 12
    assert cause.real == pytest.approx(comcast.real.sum())
    assert cause.predict == pytest.approx(comcast.predict.sum())
    # the cause explains the whole deviation up to the ±1.5 % noise of the other leaves
    assert cause.score > 0.9


def test_a_drop_is_found_like_a_rise() -> None:
    f = cube({"site": SITES, "isp": ISPS, "app": APPS})
    scale(f, 0.4, app="Zoom")
    assert answer(f) == "app=Zoom"


def test_not_over_specific_forty_sites_of_one_isp() -> None:
    """isp=Comcast is anomalous at all 40 sites: the answer is the ISP, not its 40 sites."""
    f = cube({"site": [f"br-{i}" for i in range(40)], "isp": ISPS, "app": ["Teams", "Zoom"]})
    scale(f, 1.3, isp="Comcast")
    assert answer(f) == "isp=Comcast"


def test_cause_on_two_attributes() -> None:
    """Only site=br-2 & app=Teams doubles: br-2 alone has 3 of 12 leaves changed, Teams alone
    3 of 9, so neither single attribute explains it; the pair covers exactly the changed leaves."""
    f = cube({"site": ["br-1", "br-2", "br-3", "br-4"], "isp": ISPS, "app": APPS})
    scale(f, 2.0, site="br-2", app="Teams")
    assert answer(f) == "app=Teams&site=br-2"


def test_two_attribute_cause_when_one_attribute_has_two_values() -> None:
    """band has two values: band=5GHz at site br-1 drops; br-1 alone is only half changed."""
    f = cube({"site": ["br-1", "br-2", "br-3"], "band": ["2.4GHz", "5GHz"], "app": APPS})
    scale(f, 0.5, site="br-1", band="5GHz")
    assert answer(f) == "band=5GHz&site=br-1"


def test_two_simultaneous_causes_in_different_dimensions() -> None:
    """isp=Comcast +60 % everywhere and site=br-3 & app=Zoom +150 % (its Comcast leaf takes the
    later change). Comcast carries more deviation (12 leaves) than the pair (3 leaves)."""
    f = cube({"site": SITES, "isp": ISPS, "app": APPS})
    scale(f, 1.6, isp="Comcast")
    scale(f, 2.5, site="br-3", app="Zoom")
    result = localize(f, ["site", "isp", "app"])
    assert format_causes(result.causes) == "isp=Comcast;app=Zoom&site=br-3"
    assert result.causes[0].score > result.causes[1].score > 0


def test_three_causes_and_max_causes() -> None:
    f = cube({"site": [f"br-{i}" for i in range(6)], "isp": ISPS, "app": APPS})
    scale(f, 3.0, isp="Verizon")  # 24 leaves x2 extra: the largest
    scale(f, 2.0, site="br-0", app="O365")  # 3 leaves (one also Verizon: 2 left)
    scale(f, 0.2, site="br-5", app="Webex")  # a drop, 3 leaves (2 left outside Verizon)
    assert set(answer(f).split(";")) == {"isp=Verizon", "app=O365&site=br-0", "app=Webex&site=br-5"}
    assert answer(f, max_causes=1) == "isp=Verizon"
    assert answer(f, max_causes=0) == ""


def test_zero_deviation_gives_no_causes() -> None:
    f = cube({"site": SITES, "isp": ISPS})
    f["real"] = f["predict"]
    result = localize(f, ["site", "isp"])
    assert result.causes == []
    assert format_causes(result.causes) == ""


def test_noise_only_gives_no_causes() -> None:
    """±1.5 % forecast noise on every leaf and nothing else: nothing to blame."""
    f = cube({"site": [f"br-{i}" for i in range(8)], "isp": ISPS, "app": APPS})
    assert answer(f) == ""


def test_single_attribute() -> None:
    f = cube({"site": [f"br-{i}" for i in range(10)]})
    scale(f, 2.0, site="br-7")
    assert answer(f) == "site=br-7"


def test_missing_attribute_values_are_a_value() -> None:
    """Wired clients have no AP: their leaves (ap missing) triple."""
    f = cube({"site": SITES, "ap": ["ap-1", "ap-2", "ap-3", "-"], "app": APPS})
    f["ap"] = f["ap"].replace("-", None)
    mask = f["ap"].isna()
    f.loc[mask, "real"] = f.loc[mask, "predict"] * 3
    assert answer(f) == f"ap={EMPTY_VALUE}"


def test_leaves_expected_at_zero() -> None:
    """A new app nobody used before (predict 0 everywhere) takes bad minutes at every site;
    leaves with 0 and 0 are neutral."""
    f = cube({"site": SITES, "app": [*APPS, "NewApp"]})
    new = f["app"] == "NewApp"
    f.loc[new, "predict"] = 0.0
    f.loc[new, "real"] = 25.0
    f.loc[f["app"] == "Webex", ["real", "predict"]] = 0.0
    assert answer(f) == "app=NewApp"


def test_numbers_as_attribute_values_are_text() -> None:
    f = cube({"switch_port": [1, 2, 3, 4, 5], "vlan": [10, 20]})  # type: ignore[list-item]
    scale(f, 2.0, switch_port=3)  # type: ignore[arg-type]
    assert answer(f) == "switch_port=3"


def test_derived_ratio_drops_while_the_additive_measure_holds() -> None:
    """SLE % = good / total user-minutes. At site br-2 the users double (total x2) while the good
    minutes stay as expected: the numerator alone does not deviate anywhere, yet br-2's SLE halves.
    """
    dims = {"site": SITES, "isp": ISPS, "app": APPS}
    total = cube(dims, base=100.0)
    good = total.copy()
    good["predict"] = total["predict"] * 0.95
    good["real"] = good["predict"]  # good minutes exactly as expected
    total["real"] = total["predict"]
    br2 = total["site"] == "br-2"
    total.loc[br2, "real"] = total.loc[br2, "predict"] * 2
    attrs = list(dims)
    assert format_causes(localize(good, attrs).causes) == ""
    result = localize(good, attrs, denominator=total)
    assert format_causes(result.causes) == "site=br-2"
    (cause,) = result.causes
    assert cause.real == pytest.approx(0.475)  # 0.95 good minutes over 2 total
    assert cause.predict == pytest.approx(0.95)
    assert result.real < result.predict


def test_derived_numerator_cause() -> None:
    """Bad-minute share: bad minutes triple on isp=ATT while totals hold."""
    dims = {"site": SITES, "isp": ISPS, "app": APPS}
    total = cube(dims, base=200.0)
    total["real"] = total["predict"]
    bad = total.copy()
    bad["predict"] = total["predict"] * 0.02
    bad["real"] = bad["predict"] * np.where(bad["isp"] == "ATT", 3.0, 1.0)
    assert answer(bad, list(dims), denominator=total) == "isp=ATT"


def test_format_sorts_attributes_and_keeps_rank_order() -> None:
    a = Cause.of({"site": "br-1", "app": "Teams"}, score=0.7)
    b = Cause.of([("isp", "Comcast")], score=0.2)
    assert format_causes([a, b]) == "app=Teams&site=br-1;isp=Comcast"
    assert str(a) == "app=Teams&site=br-1"
    assert a.as_dict == {"site": "br-1", "app": "Teams"}
    assert a.layer == 2


def test_hundred_thousand_leaves_eight_attributes_in_seconds() -> None:
    import time

    from models.rca.synthetic import Setting, generate

    setting = Setting(
        "big", attributes=(8, 8), cardinality=(4, 12), max_leaves=150_000, noise=(0.05, 0.05)
    )
    case = generate(setting, np.random.default_rng(3))
    assert len(case.leaves) >= 100_000
    start = time.process_time()
    result = localize(case.leaves, case.attributes)
    assert time.process_time() - start < 5.0  # about 1 s of CPU on the 2-core dev machine
    assert {c.combination for c in result.causes} == case.truth
