"""Key blocks copied one run per row (``columnar.gather_runs``) equal entry-by-entry takes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.syslog.columnar import gather_runs


@settings(deadline=None)
@given(
    st.lists(st.lists(st.text(max_size=4), max_size=5), min_size=1, max_size=6),
    st.lists(st.integers(0, 5), max_size=20),
    st.integers(0, 3),
)
def test_gather_runs_equals_taking_each_entry(
    runs: list[list[str]], rows: list[int], lead: int
) -> None:
    flat = ["x"] * lead + [s for run in runs for s in run]
    source = pa.array(flat, pa.string()).slice(lead)
    sizes = np.array([len(run) for run in runs], np.int64)
    lo = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    which = np.array([r % len(runs) for r in rows], np.int64)
    found, counts = gather_runs(source, lo, lo + sizes, which)
    assert found.to_pylist() == [s for r in which for s in runs[r]]
    assert counts.tolist() == [len(runs[r]) for r in which]
