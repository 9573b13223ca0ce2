"""DuckDB views over the lake: every declared table, typed, live, and the SQL column check."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from assurance.errors import LakeError
from assurance.lake import LakeWriter, connect
from assurance.lake.catalog import check_sql
from assurance.tables import REGISTRY
from collectors.schema import TableSpec, col
from collectors.tables import FLOWS
from tests.lake.helpers import flow_rows

# Queries over the lake's views. The SLE engine's job scripts (assurance/sle/sql/) create
# temporary tables from staged inputs, which PREPARE cannot bind; tests/sle runs every one of
# them end to end on hand-built and simulated lakes instead.
SQL_FILES = sorted(
    Path(__file__).resolve().parents[2].joinpath("assurance", "lake", "sql").glob("*.sql")
)


def test_every_declared_table_has_a_typed_view_even_without_files(tmp_path: Path) -> None:
    con = connect(tmp_path)
    for spec in REGISTRY.values():
        described = con.execute(f"DESCRIBE {spec.name}").fetchall()
        assert [row[0] for row in described] == [*spec.column_names, "date", "hour"]
        assert con.execute(f"SELECT count(*) FROM {spec.name}").fetchone() == (0,)
    types = {row[0]: row[1] for row in con.execute("DESCRIBE flows").fetchall()}
    assert types["bytes"] == "UBIGINT"
    assert types["event_time"] == "TIMESTAMP WITH TIME ZONE"
    assert types["extra"] == "MAP(VARCHAR, VARCHAR)"


def test_view_sees_files_published_after_connect_and_partition_columns(tmp_path: Path) -> None:
    con = connect(tmp_path)
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", flow_rows(0, 3))
    row = con.execute("SELECT count(*), min(date)::VARCHAR, min(hour) FROM flows").fetchone()
    assert row == (3, "2026-03-14", 8)


def test_schema_evolution_old_files_read_new_columns_as_null(tmp_path: Path) -> None:
    old_flows = TableSpec(
        "flows", "flows before a column was added", FLOWS.columns[:-1], FLOWS.time_column
    )
    with LakeWriter(tmp_path, tables={"flows": old_flows}) as writer:
        writer.write("flows", flow_rows(0, 2))
    con = connect(tmp_path)
    assert con.execute("SELECT count(*), count(extra) FROM flows").fetchone() == (2, 0)
    newer = flow_rows(2, 1).append_column(
        "extra", pa.array([[("ie2636_137", "1")]], FLOWS.column("extra").type)
    )
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", newer)
    assert con.execute("SELECT count(*), count(extra) FROM flows").fetchone() == (3, 1)
    assert con.execute(
        "SELECT extra['ie2636_137'] FROM flows WHERE extra IS NOT NULL"
    ).fetchone() == ("1",)


def test_a_column_no_file_has_yet_reads_as_typed_null(tmp_path: Path) -> None:
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", flow_rows(0, 2))
    grown = TableSpec(
        "flows",
        "flows with a new column",
        (*FLOWS.columns, col("app_id", pa.uint32(), "new")),
        "event_time",
    )
    con = connect(tmp_path, tables={"flows": grown})
    assert con.execute("SELECT count(*), count(app_id) FROM flows").fetchone() == (2, 0)
    assert (
        dict((r[0], r[1]) for r in con.execute("DESCRIBE flows").fetchall())["app_id"] == "UINTEGER"
    )


def test_connect_to_a_missing_lake_says_so(tmp_path: Path) -> None:
    with pytest.raises(LakeError, match=r"no lake at .*does not exist"):
        connect(tmp_path / "nope")


def test_check_sql_rejects_unknown_columns_and_tables(tmp_path: Path) -> None:
    con = connect(tmp_path)
    check_sql(con, "SELECT exporter, sum(bytes) FROM flows WHERE event_time > $since GROUP BY 1")
    with pytest.raises(LakeError, match='"byte_count" not found'):
        check_sql(con, "SELECT sum(byte_count) FROM flows")
    with pytest.raises(LakeError, match="flowz"):
        check_sql(con, "SELECT * FROM flowz")


@pytest.mark.parametrize("sql_file", SQL_FILES, ids=lambda p: p.name)
def test_every_sql_file_names_only_declared_tables_and_columns(
    tmp_path: Path, sql_file: Path
) -> None:
    check_sql(connect(tmp_path), sql_file.read_text())


def test_there_are_sql_files_to_check() -> None:
    assert SQL_FILES, "no .sql files under assurance/lake/sql — the column check would be vacuous"
