"""Properties of SLE outputs on random lakes: bounds, consistency, idempotence, windows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assurance.config.inventory import Inventory
from assurance.lake.catalog import connect
from assurance.lake.store import LakeStore
from assurance.lake.writer import LakeWriter
from assurance.sle.catalog import SLES
from assurance.sle.compute import compute
from assurance.tables import REGISTRY
from tests.sle.fixture import GW1, GW1_IFINDEX, LINK_IF, SW1, Rows

START = datetime(2026, 11, 20, 8, tzinfo=UTC)
OUTPUTS = ("user_minutes", "sle_minutes", "sle_hours", "sle_days")


def random_rows(seed: int, hours: int = 2) -> dict[str, list[dict[str, object]]]:
    """A random day-part at site s1 of the fixture inventory: traffic, telemetry, Wi-Fi."""
    rnd = random.Random(seed)
    rows = Rows()
    clients = [f"10.1.40.{i}" for i in range(1, rnd.randint(2, 6))]
    wifi = [f"02:00:00:00:02:{i:02d}" for i in range(1, rnd.randint(2, 5))]
    counters: dict[str, int] = {}
    for k in range(hours * 60):
        m = START + timedelta(minutes=k)
        for name, index in GW1_IFINDEX.items():
            c = counters[name] = counters.get(name, 0) + 10_000
            rows.add(
                "interface_stats",
                m + timedelta(seconds=30),
                GW1,
                "gw1",
                "s1",
                source="snmp",
                if_name=name,
                if_index=index,
                oper_status="down" if rnd.random() < 0.02 else "up",
                in_pkts=c,
                out_pkts=c,
                in_errors=rnd.choice([0, 0, 0, 5]) * k,
                out_discards=0,
                in_bps=rnd.uniform(1e6, 1e8),
                out_bps=rnd.uniform(1e6, 1e7),
                speed_bps=1_000_000_000,
            )
        rows.add(
            "device_health",
            m + timedelta(seconds=30),
            GW1,
            "gw1",
            "s1",
            source="snmp",
            component="Routing Engine",
            cpu_pct=rnd.uniform(0, 100),
            memory_pct=rnd.uniform(0, 100),
            temperature_c=rnd.uniform(30, 90),
        )
        rows.add(
            "device_health",
            m + timedelta(seconds=30),
            SW1,
            "sw1",
            "s1",
            source="snmp",
            component="Routing Engine",
            cpu_pct=rnd.uniform(0, 100),
        )
        for interface in LINK_IF.values():
            rows.add(
                "sla_metrics",
                m + timedelta(seconds=20),
                GW1,
                "gw1",
                "s1",
                source="rpm",
                interface=interface,
                rtt_ms=rnd.uniform(5, 300),
                jitter_ms=rnd.uniform(0, 50),
                loss_pct=rnd.choice([0.0, 0.0, 0.5, 3.0, 100.0]),
                probes_sent=10,
                probes_received=10,
            )
        for ip in clients:
            if rnd.random() < 0.7:
                link = rnd.choice(list(LINK_IF))
                rows.add(
                    "flows",
                    m + timedelta(seconds=rnd.randint(0, 59)),
                    GW1,
                    "gw1",
                    "s1",
                    version=10,
                    observation_domain=0,
                    src_addr=ip,
                    dst_addr=rnd.choice(["52.112.1.1", "203.0.113.9"]),
                    dst_port=rnd.choice([443, 3478]),
                    protocol=rnd.choice([6, 17]),
                    bytes=rnd.randint(1, 10**6),
                    in_if=200,
                    out_if=GW1_IFINDEX[LINK_IF[link]],
                )
        for mac in wifi:
            r = rnd.random()
            ap = rnd.choice(["ap1", "ap2"])
            exporter = "10.1.0.21" if ap == "ap1" else "10.1.0.22"
            event = (
                "rssi"
                if r < 0.8
                else rnd.choice(["assoc", "auth", "dhcp", "dns", "roam", "disassoc"])
            )
            rows.add(
                "client_events",
                m + timedelta(seconds=rnd.randint(0, 59)),
                exporter,
                ap,
                "s1",
                event_type=event,
                client_mac=mac,
                ap=ap,
                band=rnd.choice(["2.4", "5"]),
                result=rnd.choice(["ok", "ok", "fail"]),
                rssi_dbm=rnd.uniform(-90, -40),
                duration_ms=rnd.uniform(10, 3000),
                fields={
                    "channel_util_pct": str(rnd.randint(0, 90)),
                    "rate_mbps": str(rnd.randint(1, 300)),
                },
            )
    return rows.tables


def write(lake: str, tables: dict[str, list[dict[str, object]]]) -> None:
    with LakeWriter(lake) as writer:
        for table, rows in tables.items():
            writer.write(table, pa.Table.from_pylist(rows, schema=REGISTRY[table].schema))


def snapshot(lake: str) -> dict[str, list[str]]:
    """Every output file's rows (order-free), keyed by path: content, not bytes on disk."""
    store = LakeStore(lake)
    out = {}
    for table in OUTPUTS:
        for f in store.list_files(table):
            rows = pq.read_table(store.abspath(f.path)).to_pylist()
            out[f.path] = sorted(repr(sorted(r.items())) for r in rows)
    return out


def check_invariants(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        "SELECT count(*) FROM sle_minutes WHERE good > total OR total = 0"
    ).fetchall()[0][0]
    assert bad == 0
    for s in SLES:
        um = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {s.name}_ok), "
            f"count(*) FILTER (WHERE NOT {s.name}_ok AND {s.name}_classifier IS NULL), "
            f"count(*) FILTER (WHERE {s.name}_ok AND {s.name}_classifier IS NOT NULL) "
            f"FROM user_minutes WHERE {s.name}_ok IS NOT NULL"
        ).fetchall()[0]
        sm = con.execute(
            "SELECT coalesce(sum(total), 0), coalesce(sum(good), 0) FROM sle_minutes "
            "WHERE sle = $s",
            {"s": s.name},
        ).fetchall()[0]
        assert (um[0], um[1]) == (sm[0], sm[1]), s.name
        assert um[2] == 0 and um[3] == 0, s.name  # bad ⇔ exactly one classifier
        if sm[0]:
            assert 0 <= 100 * sm[1] / sm[0] <= 100
        classes = con.execute(
            "SELECT DISTINCT classifier FROM sle_minutes WHERE sle = $s AND classifier IS NOT NULL",
            {"s": s.name},
        ).fetchall()
        assert {c for (c,) in classes} <= set(s.classifiers), s.name
    keys = con.execute(
        "SELECT count(*), count(DISTINCT (site, client_id, minute)) FROM user_minutes"
    ).fetchall()[0]
    assert keys[0] == keys[1]


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000))
def test_random_lakes_hold_the_invariants(
    tmp_path_factory: object, inventory: Inventory, seed: int
) -> None:
    lake = str(tmp_path_factory.mktemp("rand") / "lake")  # type: ignore[attr-defined]
    write(lake, random_rows(seed, hours=1))
    compute(lake, inventory, START, START + timedelta(hours=1), workers=1)
    check_invariants(connect(lake))


def test_recompute_is_idempotent_and_window_independent(
    tmp_path: Path, inventory: Inventory
) -> None:
    lake = str(tmp_path / "lake")
    write(lake, random_rows(42))
    end = START + timedelta(hours=2)
    compute(lake, inventory, START, end, workers=1)
    first = snapshot(lake)
    compute(lake, inventory, START, end, workers=1)
    assert snapshot(lake) == first
    compute(lake, inventory, START, end, workers=1, window=timedelta(hours=2))
    assert snapshot(lake) == first
    compute(lake, inventory, START, end, workers=1, shards=3)
    con = connect(lake)
    check_invariants(con)
    # Sites hub, s1, s2 go to shards 0, 1, 2; only s1 has data, and the one-shard files are gone.
    assert {p.rsplit("/", 1)[-1] for p in snapshot(lake)} == {"part-sle-001of003-00000000.parquet"}


def test_recomputing_a_window_replaces_exactly_that_window(
    tmp_path: Path, inventory: Inventory
) -> None:
    lake = str(tmp_path / "lake")
    tables = random_rows(7)
    write(lake, tables)
    end = START + timedelta(hours=2)
    compute(lake, inventory, START, end, workers=1)
    before = snapshot(lake)
    # Add a port-down of every WAN interface in the second hour only, then recompute that hour.
    extra = Rows()
    for k in range(60, 120):
        m = START + timedelta(minutes=k, seconds=45)
        for name, index in GW1_IFINDEX.items():
            extra.add(
                "interface_stats",
                m,
                GW1,
                "gw1",
                "s1",
                source="snmp",
                if_name=name,
                if_index=index,
                oper_status="down",
            )
    write(lake, extra.tables)
    compute(lake, inventory, START + timedelta(hours=1), end, workers=1)
    after = snapshot(lake)
    first_hour = [p for p in before if "hour=08" in p]
    second_hour = [p for p in before if "hour=09" in p]
    assert first_hour and all(after[p] == before[p] for p in first_hour)
    assert any(after.get(p) != before[p] for p in second_hour)
    con = connect(lake)
    check_invariants(con)
    down = con.execute(
        "SELECT count(*) FILTER (WHERE wan_link_health_ok), count(*) FROM user_minutes "
        "WHERE hour = 9 AND wan_link_health_ok IS NOT NULL"
    ).fetchall()[0]
    assert down[1] > 0 and down[0] == 0
