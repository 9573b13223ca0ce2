"""``counts=True``: event counts are judged against their Poisson noise."""

from __future__ import annotations

import pandas as pd

from models.rca import localize

SITES = ("s1", "s2", "s3", "s4")
APPS = ("teams", "sfdc", "o365", "web")


def good_minutes(outage_app: str, jitter: dict[tuple[str, str], float]) -> pd.DataFrame:
    """Good user-minutes per (site, app): 20 expected everywhere; the app in an outage has
    none left at any site; a few normal leaves are off by a count or two (Poisson noise)."""
    rows = []
    for site in SITES:
        for app in APPS:
            real = 0.0 if app == outage_app else 20.0 + jitter.get((site, app), 0.0)
            rows.append({"site": site, "app": app, "real": real, "predict": 20.0})
    return pd.DataFrame(rows)


def test_one_app_down_everywhere_is_the_app() -> None:
    cube = good_minutes("sfdc", {("s1", "web"): 1.0, ("s3", "teams"): -2.0, ("s4", "o365"): 2.0})
    result = localize(cube, ["site", "app"], counts=True)
    assert [c.as_dict for c in result.causes] == [{"app": "sfdc"}]
    # all the missing good minutes, 4 sites x 20, are the cause's
    assert result.causes[0].real == 0.0
    assert result.causes[0].predict == 80.0


def test_count_noise_alone_is_no_cause() -> None:
    cube = good_minutes("none", {("s1", "web"): 1.0, ("s3", "teams"): -2.0, ("s2", "sfdc"): 3.0})
    assert localize(cube, ["site", "app"], counts=True).causes == []
