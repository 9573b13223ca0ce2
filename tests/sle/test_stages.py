"""The job's stage plumbing: a table dropped to free memory is read by no later statement."""

from __future__ import annotations

import re

from assurance.sle import assemble, job, sqlfiles
from assurance.sle.catalog import SLE_NAMES

#: Every SQL file in the order the job runs them (see ``job.compute``).
ORDER = ("addresses", "lan", "paths", "servers", *job.STAGES[1:], *SLE_NAMES)


def _reads(sql: str, table: str) -> bool:
    """Whether ``sql`` reads ``table`` (names it after FROM or JOIN; comments are stripped)."""
    pattern = rf"\b(?:FROM|JOIN)\s+{re.escape(table)}(?!\w)"
    return re.search(pattern, sql, re.IGNORECASE) is not None


def test_released_tables_are_read_by_no_later_stage() -> None:
    assert set(job.RELEASE) <= set(ORDER)
    generated = [assemble.user_minutes_hour_sql(), assemble.sle_minutes_sql(), job._VERDICT]
    for stage, tables in job.RELEASE.items():
        later = ORDER[ORDER.index(stage) + 1 :]
        texts = [s for name in later for s in sqlfiles.statements(name)] + generated
        for table in tables:
            readers = [t[:60] for t in texts if _reads(t, table)]
            assert not readers, f"{table} is dropped after {stage} but read later: {readers}"


def test_released_tables_are_created_by_their_stage_or_before() -> None:
    created: set[str] = set()
    made = re.compile(r"CREATE OR REPLACE TEMP (?:TABLE|VIEW) (\w+)")
    inputs = {f"in_{name}" for name in job.inputs.INPUTS}
    dims = {"d_server6"}  # registered by the job in Python before servers.sql
    for name in ORDER:
        for sql in sqlfiles.statements(name):
            created.update(made.findall(sql))
        for table in job.RELEASE.get(name, ()):
            assert table in created | inputs | dims, f"{table} released after {name} is unknown"


def test_a_reader_is_detected() -> None:
    """The match the checks rely on finds a read and ignores longer names and columns."""
    assert _reads("SELECT * FROM ipm i LEFT JOIN x", "ipm")
    assert _reads("SELECT * FROM x ASOF LEFT JOIN ipm i ON true", "ipm")
    assert _reads("SELECT * FROM x\nanti join um u USING (a)", "um")
    assert not _reads("SELECT * FROM ipmap", "ipm")
    assert not _reads("SELECT u.ipm, 1 AS rssi_min FROM x u", "ipm")
    assert not _reads("SELECT 1 AS rssi_min FROM x", "rssi_min")
