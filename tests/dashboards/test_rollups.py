"""Long ranges read from the coarse tables give the answers of the minutes: on a two-day,
two-site benchmark lake with its hourly roll-ups built, SLE summaries, impacted users,
applications, APs, switch ports and WAN links over ranges that start and end mid-hour equal
figures summed by pyarrow straight from the minute tables' Parquet files; the roll-up builder
skips up-to-date hours and rebuilds exactly the hour whose source file changed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from assurance.lake.store import LakeStore
from assurance.query.apps import AppQuery
from assurance.query.links import LinkQuery
from assurance.query.sle import SleQuery
from assurance.query.wifi import WifiQuery
from assurance.rollups import build as build_rollups

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import big_lake

DAY0 = big_lake.START
SITE = "br-nyc-000"
#: one whole day, whole hours and edge minutes on both sides
LONG = (DAY0 + timedelta(hours=2, minutes=20), DAY0 + timedelta(days=1, hours=20, minutes=40))
#: a whole day from midnight, then hours and minutes
WITH_DAY = (DAY0, DAY0 + timedelta(days=1, hours=5, minutes=40))
#: the lake's last day, whole (its day partition is the last one the daily tables have)
LAST_DAY = (DAY0 + timedelta(days=1), DAY0 + timedelta(days=2))


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("rollups") / "lake")
    big_lake.build(path, sites=2, days=2, seed=3, workers=1)
    first = build_rollups(path)
    assert all(b.partitions_written == b.partitions_checked > 0 for b in first), first
    return path


def rows(lake: str, table: str, column: str, start: datetime, end: datetime) -> pa.Table:
    t = ds.dataset(f"{lake}/{table}", format="parquet", partitioning="hive").to_table()
    times = t.column(column)
    mask = pc.and_(
        pc.greater_equal(times, pa.scalar(start, times.type)),
        pc.less(times, pa.scalar(end, times.type)),
    )
    return t.filter(mask)


def pylist(t: pa.Table, *cols: str) -> list[dict[str, Any]]:
    return t.select(list(cols)).to_pylist()


@pytest.mark.parametrize("span", [LONG, WITH_DAY, LAST_DAY])
@pytest.mark.parametrize("metric", ["wan_link_health", "coverage", "wired_throughput"])
def test_sle_summary_equals_the_minutes(
    lake: str, span: tuple[datetime, datetime], metric: str
) -> None:
    minutes = [
        r
        for r in pylist(rows(lake, "sle_minutes", "minute", *span), "site", "sle", "total", "good")
        if r["site"] == SITE and r["sle"] == metric
    ]
    q = SleQuery(lake)
    got = q.summary(metric, q.scope("site", SITE, start=span[0], end=span[1]))
    total = sum(r["total"] for r in minutes)
    assert total > 0
    assert got["total_user_minutes"] == total
    assert got["degraded_user_minutes"] == total - sum(r["good"] for r in minutes)
    hours = q.trend(metric, q.scope("site", SITE, start=span[0], end=span[1]), "hour")["samples"]
    assert sum(h["total_user_minutes"] for h in hours) == total


def test_impacted_users_equal_the_minutes(lake: str) -> None:
    um = pylist(
        rows(lake, "user_minutes", "minute", *LONG), "site", "client_id", "wan_link_health_ok"
    )
    bad: dict[str, int] = {}
    for r in um:
        if r["site"] == SITE and r["wan_link_health_ok"] is False:
            bad[r["client_id"]] = bad.get(r["client_id"], 0) + 1
    q = SleQuery(lake)
    got = q.impacted("wan-link-health", "users", q.scope("site", SITE, start=LONG[0], end=LONG[1]))
    assert {u["client_id"]: u["degraded_user_minutes"] for u in got} == bad
    assert bad


def test_applications_aps_and_ports_equal_the_minutes(lake: str) -> None:
    um = pylist(
        rows(lake, "user_minutes", "minute", *LONG),
        "site", "client_id", "application", "application_health_ok", "ap", "wireless",
        "coverage_ok", "switch_port", "wired_throughput_ok",
    )  # fmt: skip
    apps = AppQuery(lake).apps(None, *LONG)
    assert {a["rtt_p95_basis"] for a in apps} == {"client-hours"}  # the roll-up was read
    for a in apps:
        mine = [r for r in um if r["application"] == a["application"]]
        assert a["users"] == len({r["client_id"] for r in mine})
        assert a["user_minutes"] == len(mine)
        assert a["degraded_user_minutes"] == sum(r["application_health_ok"] is False for r in mine)
    wq = WifiQuery(lake)
    aps = wq.aps([SITE], *LONG)
    assert {a["rssi_p10_basis"] for a in aps} == {"5 dB bins"}
    for a in aps:
        mine = [r for r in um if r["site"] == SITE and r["ap"] == a["ap"] and r["wireless"]]
        judged = [r["coverage_ok"] for r in mine if r["coverage_ok"] is not None]
        assert a["clients"] == len({r["client_id"] for r in mine})
        assert a["coverage_pct"] == pytest.approx(100.0 * sum(judged) / len(judged))
    ports = wq.switch_ports([SITE], *LONG)
    for p in ports:
        mine = [r for r in um if r["site"] == SITE and r["switch_port"] == p["switch_port"]]
        assert p["user_minutes"] == len(mine)


def test_wan_links_equal_the_probe_results(lake: str) -> None:
    probes = pylist(
        rows(lake, "sla_metrics", "event_time", *LONG), "site", "interface", "loss_pct", "rtt_ms"
    )
    links = LinkQuery(lake).links([SITE], *LONG)
    assert links and {link["latency_p95_basis"] for link in links} == {"hourly p95"}
    for link in links:
        mine = [r for r in probes if r["site"] == SITE and r["interface"] == link["interface"]]
        assert link["probes"] == len(mine)
        assert link["loss_pct"] == pytest.approx(sum(r["loss_pct"] for r in mine) / len(mine))
        assert link["loss_max_pct"] == max(r["loss_pct"] for r in mine)
        assert link["latency_ms"] == pytest.approx(sum(r["rtt_ms"] for r in mine) / len(mine))


def test_builder_skips_fresh_hours_and_rebuilds_a_changed_one(lake: str) -> None:
    again = build_rollups(lake)
    assert [b.partitions_written for b in again] == [0] * len(again)
    store = LakeStore(lake)
    hour = "sla_metrics/date=2026-10-05/hour=07"
    (f,) = store.list_files(hour)
    store.publish(f.path, Path(lake, f.path).read_bytes())  # the same rows, a newer file
    rebuilt = {b.table: b.partitions_written for b in build_rollups(lake)}
    assert rebuilt == {
        "user_hours": 0,
        "probe_hours": 1,
        "port_hours": 0,
        "radio_hours": 0,
        "connect_hours": 0,
        "user_days": 0,
        "probe_days": 1,
        "port_days": 0,
        "radio_days": 0,
        "connect_days": 0,
    }
    assert datetime(2026, 10, 5, 7, tzinfo=UTC) < LONG[1]
