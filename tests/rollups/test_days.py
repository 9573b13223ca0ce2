"""The daily roll-ups give the pages the numbers of the minutes, distinct counts included.

A hand-written lake: two and a half days at one site with three clients (one of them on Zoom on
two days, so a sum of daily distinct users would say 3 where the answer is 2), a wired client
on one port on the first and the last day, probe results, port counters and signal samples.
Every expected figure below is worked out by hand from those rows. Each answer is read twice,
first with the hourly roll-ups only (what the pages read before the daily ones existed), then
after a build asked for the last hour only has filled every missing day (a backfill, as the
first scheduler cycle after an upgrade would): both must match the hand figures,
and the second must have read the daily tables. The builder is idempotent and rebuilds exactly
the day whose hourly source changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from assurance.lake.store import LakeStore
from assurance.lake.writer import LakeWriter
from assurance.query import layers
from assurance.query.apps import AppQuery
from assurance.query.links import LinkQuery
from assurance.query.sle import SleQuery
from assurance.query.wifi import WifiQuery
from assurance.rollups import ROLLUPS, build
from assurance.rollups.tables import RADIO_HOURS, USER_HOURS

T0 = datetime(2026, 3, 2, tzinfo=UTC)
DAY = timedelta(days=1)
#: two whole days, the first hour of the third, and half of its second hour (edge minutes)
SPAN = (T0, T0 + 2 * DAY + timedelta(hours=1, minutes=30))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return T0 + day * DAY + timedelta(hours=hour, minutes=minute)


def _user_minutes() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    zoom = {"application": "zoom", "wan_link": "isp1", "ap": "ap1", "wireless": True}
    # client a, day 0, 10:00-10:09: RTT 100 ms for five minutes, then 200 ms; 2 bad minutes
    for m in range(10):
        rows.append(
            {"minute": at(0, 10, m), "client_id": "a", **zoom, "hostname": "alice",
             "application_health_ok": m >= 2, "application_health_value": 100.0 if m < 5 else 200.0,
             "bytes_up": 1000}
        )  # fmt: skip
    # client a, day 1, 10:00-10:04 at 50 ms; client b, day 1, 11:00-11:02 at 30 ms
    for m in range(5):
        rows.append(
            {"minute": at(1, 10, m), "client_id": "a", **zoom, "hostname": "alice",
             "application_health_ok": True, "application_health_value": 50.0}
        )  # fmt: skip
    for m in range(3):
        rows.append(
            {"minute": at(1, 11, m), "client_id": "b", **zoom, "hostname": "bob",
             "application_health_ok": True, "application_health_value": 30.0}
        )  # fmt: skip
    # client c, wired on sw1 ge-0/0/1 with Teams: day 0 12:00-12:03, day 2 00:10 and 01:10
    wired = {"client_id": "c", "application": "teams", "wireless": False, "switch": "sw1",
             "switch_port": "ge-0/0/1", "wired_throughput_ok": True}  # fmt: skip
    for t in [at(0, 12, m) for m in range(4)] + [at(2, 0, 10), at(2, 1, 10)]:
        rows.append({"minute": t, **wired})
    for r in rows:
        r["site"] = "s1"
    return rows


def _raw(time: datetime, **values: Any) -> dict[str, Any]:
    return {"event_time": time, "received_at": time, "exporter": "192.0.2.1", "site": "s1",
            **values}  # fmt: skip


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows with different keys as one table (``from_pylist`` keeps only the first row's)."""
    names = list(dict.fromkeys(k for r in rows for k in r))
    return pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows])


def _write(lake: str) -> None:
    probes = [
        _raw(at(0, 10), source="rpm", device="gw1", interface="ge-0/0/0", rtt_ms=10.0),
        _raw(at(0, 10, 30), source="rpm", device="gw1", interface="ge-0/0/0", rtt_ms=20.0),
        _raw(at(1, 10), source="rpm", device="gw1", interface="ge-0/0/0", rtt_ms=30.0),
    ]
    ports = [
        _raw(at(0, 12), source="snmp", device="sw1", if_name="ge-0/0/1", in_bps=1e6, in_errors=10),
        _raw(at(1, 12), source="snmp", device="sw1", if_name="ge-0/0/1", in_bps=3e6, in_errors=15),
        _raw(at(2, 0, 5), source="snmp", device="sw1", if_name="ge-0/0/1", in_bps=2e6,
             in_errors=16),
    ]  # fmt: skip
    radio = [
        _raw(at(0, 10, 1), event_type="rssi", ap="ap1", band="5", rssi_dbm=-60.0),
        _raw(at(0, 10, 2), event_type="rssi", ap="ap1", band="5", rssi_dbm=-60.0),
        _raw(at(1, 11, 1), event_type="rssi", ap="ap1", band="5", rssi_dbm=-70.0),
        _raw(at(1, 11, 0), event_type="auth", ap="ap1", result="fail", reason="timeout"),
    ]
    with LakeWriter(lake) as writer:
        writer.write("user_minutes", _table(_user_minutes()))
        writer.write("sla_metrics", _table(probes))
        writer.write("interface_stats", _table(ports))
        writer.write("client_events", _table(radio))


def answers(lake: str) -> dict[str, Any]:
    """What the applications, Wi-Fi and LAN, WAN and site pages show over ``SPAN``."""
    apps = {a["application"]: a for a in AppQuery(lake).apps(None, *SPAN)}
    wifi = WifiQuery(lake)
    (ap,) = wifi.aps(["s1"], *SPAN)
    (port,) = wifi.switch_ports(["s1"], *SPAN)
    (link,) = LinkQuery(lake).links(["s1"], *SPAN)
    q = SleQuery(lake)
    scope = q.scope("site", "s1", start=SPAN[0], end=SPAN[1])
    users = q.impacted("application-health", "users", scope)
    return {
        "zoom": {k: apps["zoom"][k] for k in ("users", "user_minutes", "degraded_user_minutes",
                                              "sle_pct", "rtt_ms", "rtt_p95_ms", "megabytes")},
        "teams": {k: apps["teams"][k] for k in ("users", "user_minutes")},
        "ap": {k: ap[k] for k in ("clients", "user_minutes", "rssi_dbm", "failures")},
        "port": {k: port[k] for k in ("users", "user_minutes", "throughput_pct", "in_mbps",
                                      "errors")},
        "link": {k: link[k] for k in ("probes", "latency_ms", "latency_p95_ms")},
        "users": [(u["client_id"], u["degraded_user_minutes"], u["total_user_minutes"])
                  for u in users],
    }  # fmt: skip


HAND = {
    # a and b: 2 users (1 on day 0, 2 on day 1: the daily counts would sum to 3)
    "zoom": {
        "users": 2,
        "user_minutes": 18,
        "degraded_user_minutes": 2,
        "sle_pct": 100.0 * 16 / 18,
        "rtt_ms": (5 * 100 + 5 * 200 + 5 * 50 + 3 * 30) / 18,
        # client-hour means 150, 50, 30: p95 = 50 + 0.9 * (150 - 50)
        "rtt_p95_ms": 140.0,
        "megabytes": 10 * 1000 / 1e6,
    },
    # c on day 0 (4 minutes), in the first hour of day 2 and at its edge minute 01:10
    "teams": {"users": 1, "user_minutes": 6},
    "ap": {"clients": 2, "user_minutes": 18, "rssi_dbm": (-60 - 60 - 70) / 3, "failures": 1},
    "port": {"users": 1, "user_minutes": 6, "throughput_pct": 100.0, "in_mbps": 2.0, "errors": 6},
    # hourly p95s 19.5 (10 and 20 ms) and 30: their p95 = 19.5 + 0.95 * 10.5
    "link": {"probes": 3, "latency_ms": 20.0, "latency_p95_ms": 19.5 + 0.95 * 10.5},
    "users": [("a", 2, 15)],
}


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("days") / "lake")
    _write(path)
    yield path


def _approx(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    return pytest.approx(value) if isinstance(value, float) else value


def test_daily_rollups_answer_like_the_hours_and_the_hand_figures(lake: str) -> None:
    hourly = [r for r in ROLLUPS if r.grain == "hour"]
    assert {b.table: b.partitions_written for b in build(lake, rollups=hourly)} == {
        "user_hours": 6,  # day 0 10h, 12h; day 1 10h, 11h; day 2 00h, 01h
        "probe_hours": 2,
        "port_hours": 3,
        "radio_hours": 2,
        "connect_hours": 1,
    }
    before = answers(lake)
    assert before == _approx(HAND)

    # a build of the last hour only (a scheduler cycle) still fills every missing day
    last = (at(2, 1), at(2, 2))
    built = {
        b.table: (b.partitions_written, b.partitions_checked)
        for b in build(lake, start=last[0], end=last[1])
    }
    assert built == {
        "user_hours": (0, 1), "probe_hours": (0, 0), "port_hours": (0, 0),
        "radio_hours": (0, 0), "connect_hours": (0, 0),
        "user_days": (3, 3), "probe_days": (2, 2), "port_days": (3, 3),
        "radio_days": (2, 2), "connect_days": (1, 1),
    }  # fmt: skip
    after = answers(lake)
    assert after == before
    assert after == _approx(HAND)
    con = SleQuery(lake).con
    found = layers.rollup_source(con, USER_HOURS, *SPAN, "true", {})
    assert found is not None
    sql = found[0]
    assert "FROM user_days" in sql and "FROM user_hours" in sql and "FROM user_minutes" in sql


def test_builder_is_idempotent_and_rebuilds_the_changed_day(lake: str) -> None:
    build(lake)
    assert [b.partitions_written for b in build(lake)] == [0] * len(ROLLUPS)
    store = LakeStore(lake)
    (f,) = store.list_files("radio_hours/date=2026-03-03/hour=11")
    before = Path(lake, "radio_days/date=2026-03-03/hour=00").stat().st_mtime
    store.publish(f.path, Path(lake, f.path).read_bytes())  # same rows, newer file
    again = {b.table: b.partitions_written for b in build(lake) if b.partitions_written}
    assert again == {"radio_days": 1}
    assert Path(lake, "radio_days/date=2026-03-03/hour=00").stat().st_mtime >= before
    assert answers(lake) == _approx(HAND)


def test_a_day_whose_source_is_gone_is_deleted(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    _write(lake)
    build(lake)
    store = LakeStore(lake)
    for f in store.list_files("client_events/date=2026-03-03/hour=11"):  # day 1's events
        store.delete(f.path)
    build(lake)
    assert not list(Path(lake, "radio_days").glob("date=2026-03-03/hour=00/*.parquet"))
    assert list(Path(lake, "radio_days").glob("date=2026-03-02/hour=00/*.parquet"))
    assert not list(Path(lake, "connect_days").glob("*/*/*.parquet"))  # its only day is gone


def test_a_day_that_lost_one_of_its_hours_is_rebuilt(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    _write(lake)
    more = [  # day 0 at 00:30 (the hours then cover day 0 whole) and at 12:05
        _raw(at(0, h, m), event_type="rssi", ap="ap1", band="5", rssi_dbm=dbm)
        for h, m, dbm in ((0, 30, -60.0), (12, 5, -80.0))
    ]
    with LakeWriter(lake) as writer:
        writer.write("client_events", _table(more))
    build(lake)
    day0 = (at(0, 0), at(1, 0))
    found = layers.rollup_source(SleQuery(lake).con, RADIO_HOURS, *day0, "true", {})
    assert found is not None and "FROM radio_days" in found[0]
    samples = {(r["rssi_dbm"], r["samples"]) for r in WifiQuery(lake).rssi_histogram(None, *day0)}
    assert samples == {(-60.0, 3), (-80.0, 1)}
    store = LakeStore(lake)
    for f in store.list_files("client_events/date=2026-03-02/hour=12"):
        store.delete(f.path)
    build(lake)  # radio_hours loses 12h; the day's file is older than nothing left
    samples = {(r["rssi_dbm"], r["samples"]) for r in WifiQuery(lake).rssi_histogram(None, *day0)}
    assert samples == {(-60.0, 3)}
