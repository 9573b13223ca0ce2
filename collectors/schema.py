"""How a lake table is declared: columns with types and one-line descriptions, and its event time.

A ``TableSpec`` is the single source of truth for a table. The Arrow schema, the Parquet writer's
conformance step, the DuckDB views and the SQL column checks are all derived from it. This module
holds the declaration machinery only; the tables themselves live in ``collectors.tables`` (raw)
and ``assurance.tables`` (derived).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

#: Every timestamp in the lake: UTC, microsecond precision.
TIMESTAMP = pa.timestamp("us", tz="UTC")
#: Hive partition columns derived from a table's event time column.
PARTITION_KEYS: tuple[str, str] = ("date", "hour")
#: Table and column names are plain SQL identifiers, safe to splice into generated DDL.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
#: Field metadata key under which a column's description is stored in Parquet files.
DOC_KEY = b"doc"


@dataclass(frozen=True)
class Column:
    """One column: name, Arrow type, description, and whether it may be null."""

    name: str
    type: pa.DataType
    doc: str
    nullable: bool = True

    def field(self) -> pa.Field:
        return pa.field(self.name, self.type, self.nullable, metadata={DOC_KEY: self.doc.encode()})


@dataclass(frozen=True)
class TableSpec:
    """A lake table: name, description, columns, and the event-time column it is partitioned by."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    time_column: str
    kind: str = "raw"
    _by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bad = [n for n in (self.name, *(c.name for c in self.columns)) if not IDENTIFIER.match(n)]
        if bad:
            raise ValueError(f"table {self.name}: names must match {IDENTIFIER.pattern}: {bad}")
        by_name = {c.name: c for c in self.columns}
        if len(by_name) != len(self.columns):
            raise ValueError(f"table {self.name}: duplicate column names")
        clash = set(by_name) & set(PARTITION_KEYS)
        if clash:
            raise ValueError(f"table {self.name}: {sorted(clash)} are reserved for partitions")
        time_col = by_name.get(self.time_column)
        if time_col is None or time_col.type != TIMESTAMP or time_col.nullable:
            raise ValueError(f"table {self.name}: time column must be a non-null UTC timestamp")
        object.__setattr__(self, "_by_name", by_name)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([c.field() for c in self.columns], metadata={b"table": self.name.encode()})

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def has_column(self, name: str) -> bool:
        return name in self._by_name


def col(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> Column:
    """Shorthand used by the table declarations."""
    return Column(name, type_, doc, nullable)


def required(name: str, type_: pa.DataType, doc: str) -> Column:
    """A column that is never null."""
    return Column(name, type_, doc, nullable=False)
