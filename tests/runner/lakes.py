"""Reading a lake's derived outputs whole, to compare two runs of the same batch work.

``contents`` maps every derived Parquet file (relative path) to its rows, sorted, so two runs
compare equal exactly when they published the same files with the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

#: Tables written by SLE compute and analysis (not by the simulator).
DERIVED = (
    "user_minutes",
    "sle_minutes",
    "sle_hours",
    "sle_days",
    "anomalies",
    "incidents",
    "actions",
)
SLE_TABLES = DERIVED[:4]

Rows = list[str]


@dataclass(frozen=True)
class Reference:
    lake: Path
    user_minutes: int
    sle_rows: int
    files: int
    anomalies: int
    contents: dict[str, Rows]


def contents(lake: Path, tables: tuple[str, ...] = DERIVED) -> dict[str, Rows]:
    found: dict[str, Rows] = {}
    for table in tables:
        for path in sorted((lake / table).rglob("*.parquet")):
            rows = pq.read_table(path).to_pylist()
            found[str(path.relative_to(lake))] = sorted(repr(sorted(r.items())) for r in rows)
    return found


def only(found: dict[str, Rows], tables: tuple[str, ...]) -> dict[str, Rows]:
    return {k: v for k, v in found.items() if k.split("/", 1)[0] in tables}
