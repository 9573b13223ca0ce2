"""Verdicts are put beside their user minutes by row id: each SLE's five columns land on the row
whose ``rid`` they carry, rows an SLE does not judge get nulls, and a table with two verdicts for
one user minute is refused instead of silently dropping one."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from assurance.sle import job
from assurance.sle.assemble import VERDICT_COLUMNS, VerdictError, Verdicts
from assurance.sle.catalog import SLE_NAMES

SCHEMA = pa.schema(
    [
        ("rid", pa.int64()),
        ("ok", pa.bool_()),
        ("classifier", pa.string()),
        ("sub", pa.string()),
        ("value", pa.float64()),
        ("evidence", pa.string()),
    ]
)


def _table(rows: list[tuple[object, ...]]) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(SCHEMA.names, r, strict=True)) for r in rows], SCHEMA)


def _tables(**chosen: list[tuple[object, ...]]) -> dict[str, pa.Table]:
    return {sle: _table(chosen.get(sle, [])) for sle in SLE_NAMES}


def test_each_verdict_lands_on_its_user_minute() -> None:
    coverage = [
        (3, False, "weak_signal", "5", -80.0, "weak_signal/5"),
        (0, True, None, None, -60.0, None),
        (1, True, None, None, None, None),  # judged, with no measurement behind it
    ]
    roaming = [(2, False, "failed_roam", None, 900.0, "failed_roam")]
    verdicts = Verdicts(_tables(coverage=coverage, roaming=roaming), minutes=4)

    # the hour holds user minutes 2, 0 and 1, in that order
    got = verdicts.columns(np.array([2, 0, 1]))

    assert list(got) == [f"{s}_{c}" for s in SLE_NAMES for c in VERDICT_COLUMNS]
    assert got["coverage_ok"].to_pylist() == [None, True, True]
    assert got["coverage_value"].to_pylist() == [None, -60.0, None]
    assert got["roaming_ok"].to_pylist() == [False, None, None]
    assert got["roaming_classifier"].to_pylist() == ["failed_roam", None, None]
    assert got["roaming_evidence"].to_pylist() == ["failed_roam", None, None]
    assert got["gateway_health_ok"].to_pylist() == [None, None, None]
    # user minute 3 is not in this hour: its coverage verdict is not used
    assert "weak_signal" not in got["coverage_classifier"].to_pylist()


def test_two_verdicts_for_one_user_minute_are_refused() -> None:
    twice = [(1, True, None, None, 1.0, None), (1, False, "cpu", "x", 99.0, "cpu/x")]
    with pytest.raises(VerdictError, match="gateway_health"):
        Verdicts(_tables(gateway_health=twice), minutes=2)


def test_label_lists_with_unset_labels_become_verdicts() -> None:
    """A view's ``labels`` holds NULL for every label that does not hold: the first set label
    is the classifier (and sub-classifier after its ``/``), all set labels in order are the
    evidence, and a list with none set (or an empty one) is a good minute."""
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP VIEW l_coverage AS SELECT * FROM (VALUES "
        "(0, [NULL, 'loss/appqoe', NULL, 'latency/link']::VARCHAR[], 1.5), "
        "(1, [NULL, NULL]::VARCHAR[], 2.5), "
        "(2, []::VARCHAR[], 3.5), "
        "(3, ['network_issues']::VARCHAR[], 4.5)"
        ") t(rid, labels, value)"
    )
    sql = job._VERDICT.format(sle="coverage", dims="")
    sql = sql.replace("SELECT rid, minute, site, ", "SELECT rid, ")
    got = con.execute(sql + " ORDER BY rid").fetchall()
    assert got == [
        (0, False, "loss", "appqoe", 1.5, "loss/appqoe,latency/link"),
        (1, True, None, None, 2.5, None),
        (2, True, None, None, 3.5, None),
        (3, False, "network_issues", None, 4.5, "network_issues"),
    ]
