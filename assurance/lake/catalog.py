"""DuckDB over the lake: one view per declared table, live while writers append.

Each view unions an empty table carrying the declared DuckDB types with ``read_parquet`` over the
table's published files (``allow_empty`` so a table without files yet is an empty view, not an
error). The glob is expanded at every query, so rows published after ``connect`` are seen; temp
files never match it, so a reader never sees a partial file. Columns are selected and cast by the
registry, so files written before a column was added read it as NULL. An ``s3://`` lake is read
through its own filesystem registered on the connection (``open_duckdb``), never through a DuckDB
extension. Read-only: this module never writes to the lake.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import duckdb
import pyarrow as pa

from assurance.errors import LakeError
from assurance.lake.store import LakeStore
from assurance.tables import REGISTRY
from collectors.schema import PARTITION_KEYS, TableSpec

#: Schema holding the empty, typed table behind each view.
SPEC_SCHEMA = "_lake_spec"
_HIVE_TYPES = "{'date': 'DATE', 'hour': 'INTEGER'}"


def sql_string(text: str) -> str:
    """A SQL string literal. Used only for DDL (view definitions), which cannot take parameters."""
    return "'" + text.replace("'", "''") + "'"


def data_glob(store: LakeStore, table: str) -> str:
    return store.abspath(f"{table}/*/*/*.parquet")


def open_duckdb(store: LakeStore, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in UTC that can read ``store.abspath(...)`` names.

    For an object-store lake the store's filesystem is registered on the connection (through
    fsspec), so ``read_parquet('s3://…')`` needs no DuckDB extension and downloads nothing.
    """
    con = duckdb.connect(database)
    con.execute("SET TimeZone = 'UTC'")
    remote = store.duckdb_filesystem()
    if remote is not None:
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.register_filesystem(remote)
    return con


def connect(
    lake: LakeStore | str,
    *,
    database: str = ":memory:",
    tables: Mapping[str, TableSpec] = REGISTRY,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per lake table (``flows``, ``sessions``, …)."""
    store = lake if isinstance(lake, LakeStore) else LakeStore(lake)
    if not store.exists():
        raise LakeError(f"no lake at {store.url} ({store.missing_reason()})")
    con = open_duckdb(store, database)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SPEC_SCHEMA}")
    for spec in tables.values():
        create_view(con, store, spec)
    return con


def create_view(con: duckdb.DuckDBPyConnection, store: LakeStore, spec: TableSpec) -> None:
    con.register("_spec_empty", pa.Table.from_batches([], schema=spec.schema))
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {SPEC_SCHEMA}.{spec.name} AS "  # noqa: S608
            "SELECT *, NULL::DATE AS date, NULL::INTEGER AS hour FROM _spec_empty"
        )
    finally:
        con.unregister("_spec_empty")
    described = con.execute(f"DESCRIBE {SPEC_SCHEMA}.{spec.name}").fetchall()
    types = {row[0]: row[1] for row in described}
    columns = ", ".join(
        f'CAST("{name}" AS {types[name]}) AS "{name}"'
        for name in (*spec.column_names, *PARTITION_KEYS)
    )
    files = (
        f"read_parquet({sql_string(data_glob(store, spec.name))}, allow_empty = true, "
        f"hive_partitioning = true, union_by_name = true, hive_types = {_HIVE_TYPES})"
    )
    # DDL cannot take bound parameters: names come from the registry (checked identifiers) and
    # the only user text, the lake path, is escaped by sql_string.
    con.execute(
        f"CREATE OR REPLACE VIEW {spec.name} AS SELECT {columns} FROM ("  # noqa: S608
        f"SELECT * FROM {SPEC_SCHEMA}.{spec.name} UNION ALL BY NAME SELECT * FROM {files})"
    )


def load_sql(name: str) -> str:
    """The text of a packaged query ``assurance/lake/sql/<name>.sql``."""
    return (resources.files("assurance.lake") / "sql" / f"{name}.sql").read_text()


def check_sql(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Bind ``sql`` against the lake views without running it; unknown tables or columns raise.

    ``PREPARE`` resolves every name and type but executes nothing, and accepts ``$name``
    parameters left unbound.
    """
    try:
        con.execute(f"PREPARE _wanassure_check AS {sql}")
    except duckdb.Error as exc:
        raise LakeError(str(exc).splitlines()[0]) from exc
    con.execute("DEALLOCATE _wanassure_check")
