"""The org overview reads whole days from ``sle_days`` and only the edge hours from
``sle_hours``: on a hand-built three-day lake the answers for ranges that start and end
mid-day equal the hour-by-hour arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from assurance.lake.writer import LakeWriter
from assurance.query.org import OrgQuery
from assurance.tables import table

T0 = datetime(2026, 11, 1, tzinfo=UTC)
HOURS = 72
SITES = ("br-a", "br-b")


def good_of(site: str, h: int) -> int:
    """Per hour 60 user minutes; br-a loses h % 7 of them, br-b loses one on odd hours."""
    return 60 - (h % 7 if site == "br-a" else h % 2)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("rollups") / "lake")
    hours: list[dict[str, Any]] = []
    days: dict[tuple[date, str], dict[str, Any]] = {}
    for h in range(HOURS):
        t = T0 + timedelta(hours=h)
        for site in SITES:
            good = good_of(site, h)
            row = {"site": site, "sle": "wan_link_health", "total": 60, "good": good}
            hours.append({"hour_start": t, **row, "classifier": None})
            day = days.setdefault((t.date(), site), {**row, "total": 0, "good": 0})
            day["total"] += 60
            day["good"] += good
    day_rows = [
        {"day_start": datetime(d.year, d.month, d.day, tzinfo=UTC), **v}
        for (d, _), v in days.items()
    ]
    w = LakeWriter(path)
    w.write("sle_hours", pa.Table.from_pylist(hours, schema=table("sle_hours").schema))
    w.write("sle_days", pa.Table.from_pylist(day_rows, schema=table("sle_days").schema))
    w.close()
    return path


@pytest.mark.parametrize(
    ("h0", "h1", "sites"),
    [(5, 70, None), (0, 72, None), (30, 47, None), (13, 61, ["br-a"]), (23, 49, ["br-b"])],
)
def test_overview_and_scores_are_exact_over_partial_days(
    lake: str, h0: int, h1: int, sites: list[str] | None
) -> None:
    q = OrgQuery(lake)
    start, end = T0 + timedelta(hours=h0), T0 + timedelta(hours=h1)
    chosen = sites or list(SITES)
    total = 60 * (h1 - h0) * len(chosen)
    good = sum(good_of(s, h) for s in chosen for h in range(h0, h1))
    (row,) = q.overview(sites, start, end)
    assert (row["total_user_minutes"], row["degraded_user_minutes"]) == (total, total - good)
    scores = {r["site"]: r for r in q.site_scores(sites, start, end)}
    for s in chosen:
        bad = sum(60 - good_of(s, h) for h in range(h0, h1))
        assert scores[s]["degraded_user_minutes"] == bad
    daily = q.trend(sites, start, end, interval="day")
    assert sum(d["total_user_minutes"] for d in daily) == total
    assert [d["time"].hour for d in daily] == [0] * len(daily)


def test_whole_lake_when_no_range_is_given(lake: str) -> None:
    (row,) = OrgQuery(lake).overview(None, None, None)
    assert row["total_user_minutes"] == 60 * HOURS * len(SITES)
