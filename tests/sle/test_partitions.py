"""How a compute run is cut into jobs never changes a verdict: hour edges, windows, shards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from assurance.config.inventory import Inventory
from assurance.lake.catalog import connect
from assurance.lake.store import LakeStore
from assurance.sle import compute as compute_module
from assurance.sle.compute import compute, partitioning
from tests.sle.fixture import GW1, GW1_IFINDEX, SW1, Rows, alive, flow
from tests.sle.test_properties import OUTPUTS, write

START = datetime(2026, 11, 20, 8, tzinfo=UTC)
CLIENT = "10.1.40.7"
#: gw1's telemetry stops after this; sw1 (same site) keeps reporting until 09:59:30.
SILENT_AFTER = START + timedelta(minutes=40, seconds=30)


def silent_gateway_rows() -> dict[str, list[dict[str, object]]]:
    """Two hours at s1: a client's traffic through gw1 every minute, gw1's telemetry only for
    the first 41 minutes, the switch's all along."""
    rows = Rows()
    for k in range(120):
        m = START + timedelta(minutes=k)
        for device, exporter in (("gw1", GW1), ("sw1", SW1)):
            if device == "gw1" and m + timedelta(seconds=30) > SILENT_AFTER:
                continue
            alive(rows, m + timedelta(seconds=30), exporter, device, "s1")
        flow(
            rows,
            m + timedelta(seconds=10),
            GW1,
            "gw1",
            "s1",
            CLIENT,
            "203.0.113.9",
            443,
            6,
            GW1_IFINDEX["ge-0/0/0.0"],
        )
    return rows.tables


def contents(lake: str) -> dict[str, list[str]]:
    """Every output table's rows (order-free, whatever the files they are in)."""
    store = LakeStore(lake)
    out: dict[str, list[str]] = {}
    for table in OUTPUTS:
        rows = [
            repr(sorted(r.items()))
            for f in store.list_files(table)
            for r in pq.read_table(store.abspath(f.path)).to_pylist()
        ]
        out[table] = sorted(rows)
    return out


def test_a_silent_gateway_is_disconnected_up_to_the_newest_telemetry(
    tmp_path: Path, inventory: Inventory
) -> None:
    lake = str(tmp_path / "lake")
    write(lake, silent_gateway_rows())
    end = START + timedelta(hours=2)
    compute(lake, inventory, START, end, workers=1, window=timedelta(hours=1), shards=1)
    con = connect(lake)
    verdicts = dict(
        con.execute(
            "SELECT minute, gateway_health_classifier FROM user_minutes "
            "WHERE client_id = $c AND gateway_health_ok IS NOT NULL",
            {"c": CLIENT},
        ).fetchall()
    )
    assert len(verdicts) == 120
    # Last sample 08:40:30, stale after 180 s: from the minute ending 08:44 (08:43) on, the
    # gateway is silent while the switch still reports — the last minute of the first hour
    # (its window's end) included. The switch's last sample, 09:59:30, is the newest of the
    # lake: the minute 09:59 ends after it, so nobody is judged there.
    bad = sorted(m for m, c in verdicts.items() if c == "disconnected")
    first, last = START + timedelta(minutes=43), START + timedelta(minutes=118)
    assert bad == [first + timedelta(minutes=k) for k in range(76)]
    assert bad[-1] == last
    assert START + timedelta(minutes=59) in bad
    assert verdicts[START + timedelta(minutes=42)] is None
    assert verdicts[START + timedelta(minutes=119)] is None

    one_hour = contents(lake)
    compute(lake, inventory, START, end, workers=1, window=timedelta(hours=2), shards=1)
    assert contents(lake) == one_hour
    compute(lake, inventory, START, end, workers=1, window=timedelta(hours=2), shards=3)
    assert contents(lake) == one_hour
    compute(lake, inventory, START, end, workers=1)
    assert contents(lake) == one_hour


def test_the_engine_chooses_long_windows_and_balanced_shards() -> None:
    # 24 h x 501 sites: one day-long window; 501 x 24 / 1000 site-hours = 12.02 -> 13 shards,
    # rounded up to a multiple of the 2 workers.
    assert partitioning(501, 24, 2) == (timedelta(hours=24), 14)
    # A small lake: one job for the whole range.
    assert partitioning(3, 2, 1) == (timedelta(hours=2), 1)
    # Two day-long windows already keep two workers busy.
    assert partitioning(3, 48, 2) == (timedelta(hours=24), 1)
    # One hour of three sites on four workers: no more shards than sites.
    assert partitioning(3, 1, 4) == (timedelta(hours=1), 3)


def test_a_job_covering_a_whole_day_rolls_the_day_up_itself(
    tmp_path: Path, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = str(tmp_path / "lake")
    write(lake, silent_gateway_rows())
    day = START.replace(hour=0)
    # 12-hour windows: no job covers the day, the day job sums the shard's hours
    compute(lake, inventory, day, day + timedelta(days=1), workers=1, window=timedelta(hours=12))
    by_day_job = contents(lake)
    assert by_day_job["sle_days"]

    def no_day_job(job: object) -> int:
        raise AssertionError("the partition job should have rolled the day up")

    monkeypatch.setattr(compute_module, "rollup_day", no_day_job)
    compute(lake, inventory, day, day + timedelta(days=1), workers=1, window=timedelta(days=1))
    assert contents(lake) == by_day_job
