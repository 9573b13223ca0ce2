"""Reading raw inputs: files of older schemas read the same as files of the declared one.

The reader binds from the first file's footer when it can and reads by column name otherwise;
these tests write real Parquet files whose schemas differ in the ways a lake's history can
(a column added later, a column stored with another type) and check every row and value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assurance.lake.catalog import open_duckdb
from assurance.lake.conform import conform
from assurance.lake.layout import Partition
from assurance.lake.store import LakeStore
from assurance.sle import inputs
from assurance.tables import REGISTRY

HOUR = datetime(2026, 11, 2, 10, tzinfo=UTC)
FLOWS = REGISTRY["flows"]


def _flows(n: int, first_port: int, *, scaled: bool) -> pa.Table:
    """``n`` flows at site s1 (and one at s2, outside the shard); ``bytes_scaled`` when asked."""
    times = pa.array(
        [HOUR + timedelta(minutes=i) for i in range(n + 1)], pa.timestamp("us", tz="UTC")
    )
    columns: dict[str, pa.Array] = {
        "event_time": times,
        "received_at": times,
        "exporter": pa.array(["192.0.2.254"] * (n + 1)),
        "version": pa.array([10] * (n + 1), pa.uint8()),
        "observation_domain": pa.array([0] * (n + 1), pa.uint32()),
        "device": pa.array(["gw1"] * (n + 1)),
        "site": pa.array(["s1"] * n + ["s2"]),
        "src_addr": pa.array(["10.0.0.1"] * (n + 1)),
        "dst_addr": pa.array(["192.0.2.1"] * (n + 1)),
        "src_port": pa.array([first_port + i for i in range(n + 1)], pa.uint16()),
        "dst_port": pa.array([443] * (n + 1), pa.uint16()),
        "protocol": pa.array([6] * (n + 1), pa.uint8()),
        "bytes": pa.array([1000 * (i + 1) for i in range(n + 1)], pa.uint64()),
        "in_if": pa.array([1] * (n + 1), pa.uint32()),
        "out_if": pa.array([2] * (n + 1), pa.uint32()),
    }
    if scaled:
        columns["bytes_scaled"] = pa.array([10 * (i + 1) for i in range(n + 1)], pa.uint64())
    return pa.table(columns)


def _write(lake: Path, name: str, table: pa.Table) -> None:
    part = Partition("flows", HOUR.date(), HOUR.hour)
    directory = lake / part.path
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, directory / name)


def _load(lake: Path) -> list[tuple[object, ...]]:
    store = LakeStore(str(lake))
    con = open_duckdb(store)
    try:
        con.execute("CREATE TEMP TABLE d_site AS SELECT 's1' AS site")
        count = inputs.load(con, store, "flows", HOUR, HOUR + timedelta(hours=1))
        rows = con.execute("SELECT src_port, b, in_if FROM in_flows ORDER BY src_port").fetchall()
    finally:
        con.close()
    assert count == len(rows)
    return rows


def test_declared_schema_reads_every_row_of_the_shard(tmp_path: Path) -> None:
    _write(tmp_path, "part-a-00000000.parquet", conform(FLOWS, _flows(3, 100, scaled=True)))
    _write(tmp_path, "part-b-00000000.parquet", conform(FLOWS, _flows(2, 200, scaled=True)))
    # b is bytes_scaled when present; the s2 row of each file is outside the shard
    assert _load(tmp_path) == [(100, 10, 1), (101, 20, 1), (102, 30, 1), (200, 10, 1), (201, 20, 1)]


@pytest.mark.parametrize("older_first", [True, False])
def test_a_file_without_a_later_column_reads_it_as_null(tmp_path: Path, older_first: bool) -> None:
    older, newer = _flows(2, 100, scaled=False), conform(FLOWS, _flows(2, 200, scaled=True))
    names = ["part-a-00000000.parquet", "part-b-00000000.parquet"]
    if not older_first:
        names.reverse()
    _write(tmp_path, names[0], older)
    _write(tmp_path, names[1], newer)
    # the older file's flows fall back to bytes (no bytes_scaled), the newer keep theirs
    assert _load(tmp_path) == [(100, 1000, 1), (101, 2000, 1), (200, 10, 1), (201, 20, 1)]


def _probes(rtt: pa.Array) -> pa.Table:
    """RPM probes in the declared schema but for ``rtt_ms``, stored as ``rtt`` is typed."""
    n = len(rtt)
    times = pa.array([HOUR + timedelta(minutes=i) for i in range(n)], pa.timestamp("us", tz="UTC"))
    probes = pa.table(
        {
            "event_time": times,
            "received_at": times,
            "exporter": pa.array(["gw1"] * n),
            "device": pa.array(["gw1"] * n),
            "site": pa.array(["s1"] * n),
            "source": pa.array(["rpm"] * n),
            "interface": pa.array(["ge-0/0/0.0"] * n),
        }
    )
    probes = conform(REGISTRY["sla_metrics"], probes)
    return probes.set_column(probes.schema.get_field_index("rtt_ms"), "rtt_ms", rtt)


def test_a_first_file_with_other_types_does_not_bend_the_others(tmp_path: Path) -> None:
    """An old file that stored whole milliseconds must not round the next file's fractions."""
    part = tmp_path / Partition("sla_metrics", HOUR.date(), HOUR.hour).path
    part.mkdir(parents=True)
    pq.write_table(_probes(pa.array([20, 21], pa.int32())), part / "part-a-00000000.parquet")
    pq.write_table(_probes(pa.array([12.7, 30.25])), part / "part-b-00000000.parquet")
    store = LakeStore(str(tmp_path))
    con = open_duckdb(store)
    try:
        con.execute("CREATE TEMP TABLE d_site AS SELECT 's1' AS site")
        inputs.load(con, store, "sla", HOUR, HOUR + timedelta(hours=1))
        got = sorted(r[0] for r in con.execute("SELECT rtt_ms FROM in_sla").fetchall())
    finally:
        con.close()
    assert got == [12.7, 20.0, 21.0, 30.25]


def test_the_columns_read_are_those_the_expressions_name() -> None:
    columns = inputs.read_columns(inputs.INPUTS["flows"])
    assert {"bytes", "bytes_scaled", "in_if", "out_if", "event_time", "site"} <= set(columns)
    assert "packets" not in columns and "extra" not in columns
    # a column named only inside a map lookup is still read
    assert "fields" in inputs.read_columns(inputs.INPUTS["clients"])


def test_files_of_the_declared_schema_are_bound_from_the_first_footer(tmp_path: Path) -> None:
    """The cheap binding is what a lake of current files gets (and older files do not)."""
    _write(tmp_path, "part-a-00000000.parquet", conform(FLOWS, _flows(1, 100, scaled=True)))
    _write(tmp_path, "part-b-00000000.parquet", _flows(1, 200, scaled=False))
    store = LakeStore(str(tmp_path))
    con = open_duckdb(store)
    try:
        con.register("_empty", pa.Table.from_batches([], schema=FLOWS.schema))
        files = inputs.files_for(store, "flows", HOUR, HOUR + timedelta(hours=1))
        assert inputs._by_first_file(con, inputs.INPUTS["flows"], "_empty", files) is not None
        assert inputs._by_first_file(con, inputs.INPUTS["flows"], "_empty", files[1:]) is None
    finally:
        con.close()
