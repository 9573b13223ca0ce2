"""The engine's SQL: packaged ``.sql`` files, split into statements and run with bound values.

Owns reading ``assurance/sle/sql/<name>.sql`` and executing its statements in order with the
named parameters each statement uses (``$start``, ``$end``…). Values are always bound, never
spliced into the text. Must not build SQL from user input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

import duckdb

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of ``sql/<name>.sql`` (separated by ``;`` at the end of a line)."""
    text = (resources.files("assurance.sle") / "sql" / f"{name}.sql").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    parts = re.split(r";\s*$", "\n".join(lines), flags=re.MULTILINE)
    return tuple(p.strip() for p in parts if p.strip())


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object] | None = None
) -> list[tuple[object, ...]]:
    """Run one statement and consume its result (the connection takes no other work before)."""
    return con.execute(sql, dict(params) if params else None).fetchall()


def run(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object]) -> None:
    """Run every statement of ``sql/<name>.sql`` with the parameters it references."""
    for sql in statements(name):
        wanted = set(_PARAM.findall(sql))
        missing = wanted - set(params)
        if missing:
            raise KeyError(f"{name}.sql needs parameters {sorted(missing)}")
        execute(con, sql, {k: params[k] for k in wanted})
