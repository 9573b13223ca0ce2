"""Which raw files can hold rows of a job's sites, from the ``site`` statistics in their footers.

Owns reading each file's site range (the min and max of its ``site`` column over every row group)
once per compute run, in the planning process, and naming per job the files whose range holds
none of the job's sites: the job then neither opens them nor parses their footers, which is most
of a small job's cost when writers cut files by site ranges. A file without such statistics, one
that cannot be read here, or one published after planning is always read. Only local lakes are
indexed: on an object store every footer would be one more request from a single process.
Must not read row data or decide what a job computes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence

import pyarrow.parquet as pq

from assurance.lake.store import LakeStore

#: The smallest and largest site name in a file.
SiteRange = tuple[str, str]


def site_range(path: str) -> SiteRange | None:
    """The site range of one Parquet file, or None when its footer cannot say (no ``site``
    column, a row group without min/max, non-text statistics, an unreadable file)."""
    try:
        meta = pq.read_metadata(path)
    except (OSError, ValueError):
        return None
    names = meta.schema.names
    if "site" not in names:
        return None
    column = names.index("site")
    low: str | None = None
    high: str | None = None
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(column).statistics
        if stats is None or not stats.has_min_max:
            return None
        a, b = stats.min, stats.max
        if not isinstance(a, str) or not isinstance(b, str):
            return None
        low = a if low is None else min(low, a)
        high = b if high is None else max(high, b)
    if low is None or high is None:
        return None
    return low, high


def indexed(store: LakeStore) -> bool:
    """Whether the planner reads this lake's footers (a local lake)."""
    return store.is_local


def site_ranges(paths: Iterable[str]) -> dict[str, SiteRange]:
    """The site range of every local file in ``paths`` (absolute, as ``files_for`` lists them)
    whose footer has one."""
    found = {}
    for path in paths:
        got = site_range(path)
        if got is not None:
            found[path] = got
    return found


def holding_none(ranges: Mapping[str, SiteRange], sites: Sequence[str]) -> frozenset[str]:
    """The files whose site range holds none of ``sites``."""
    ordered = sorted(sites)
    skip = set()
    for path, (low, high) in ranges.items():
        i = bisect_left(ordered, low)
        if i == len(ordered) or ordered[i] > high:
            skip.add(path)
    return frozenset(skip)
