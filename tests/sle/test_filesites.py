"""Files whose footers show none of a job's sites are set aside, and no verdict changes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assurance.config.inventory import Inventory
from assurance.lake.store import LakeStore
from assurance.lake.writer import LakeWriter
from assurance.sle import compute as compute_module
from assurance.sle.compute import compute, plan, skip_foreign_files
from assurance.sle.context import build_context
from assurance.sle.filesites import holding_none, site_range
from assurance.tables import REGISTRY
from tests.sle import fixture
from tests.sle.conftest import END, START
from tests.sle.test_partitions import contents


def _write(path: Path, sites: list[str | None], **options: object) -> str:
    table = pa.table({"site": pa.array(sites, pa.string()), "n": list(range(len(sites)))})
    pq.write_table(table, path, **options)  # type: ignore[arg-type]
    return str(path)


def test_a_file_range_spans_every_row_group(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.parquet", ["s2", "s1", "s7", "s3"], row_group_size=2)
    assert pq.read_metadata(path).num_row_groups == 2
    assert site_range(path) == ("s1", "s7")


def test_a_file_whose_footer_cannot_say_has_no_range(tmp_path: Path) -> None:
    no_stats = _write(tmp_path / "b.parquet", ["s1", "s2"], write_statistics=False)
    all_null = _write(tmp_path / "c.parquet", [None, None])
    pq.write_table(pa.table({"device": ["gw1"]}), tmp_path / "d.parquet")
    (tmp_path / "e.parquet").write_bytes(b"not parquet at all")
    for name in (no_stats, all_null, tmp_path / "d.parquet", tmp_path / "e.parquet"):
        assert site_range(str(name)) is None, name


def test_a_file_is_skipped_only_when_no_site_lies_in_its_range() -> None:
    ranges = {"f1": ("a", "c"), "f2": ("d", "w"), "f3": ("x", "x"), "f4": ("y", "z")}
    # b is in f1's range, x is f3's; f2 (d..w) and f4 (y..z) hold neither.
    assert holding_none(ranges, ["x", "b"]) == {"f2", "f4"}
    assert holding_none(ranges, []) == {"f1", "f2", "f3", "f4"}
    assert holding_none(ranges, ["c", "d", "x", "z"]) == frozenset()


def _write_per_site(lake: str) -> dict[str, set[str]]:
    """The fixture's raw rows, each site's in files of its own; the files each site wrote."""
    store = LakeStore(lake)
    written: dict[str, set[str]] = {}
    before: set[str] = set()
    rows = fixture.build()
    for site in sorted({r["site"] for table in rows.values() for r in table}):
        with LakeWriter(lake) as writer:
            for table, table_rows in rows.items():
                mine = [r for r in table_rows if r["site"] == site]
                if mine:
                    writer.write(table, pa.Table.from_pylist(mine, schema=REGISTRY[table].schema))
        now = {store.abspath(f.path) for t in rows for f in store.list_files_any(t)}
        written[str(site)] = {p for p in now - before if p.endswith(".parquet")}
        before = now
    return written


def test_jobs_skip_the_other_sites_files_and_compute_the_same(
    tmp_path: Path, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = str(tmp_path / "lake")
    written = _write_per_site(lake)
    assert {"s1", "s2"} <= set(written)
    store = LakeStore(lake)
    jobs = plan(lake, build_context(inventory), START, END, shards=3)
    by_sites = {job.context.site_names: job for job in skip_foreign_files(store, jobs)}
    s1 = by_sites[("s1",)]
    others = set().union(*(files for site, files in written.items() if site != "s1"))
    assert others and s1.skip == others

    compute(lake, inventory, START, END, workers=1, shards=3)
    pruned = contents(lake)
    monkeypatch.setattr(compute_module, "skip_foreign_files", lambda store, jobs: list(jobs))
    compute(lake, inventory, START, END, workers=1, shards=3)
    assert contents(lake) == pruned
    assert len(pruned["user_minutes"]) > 0


def test_outputs_keep_statistics_for_time_site_and_sle_only(fixture_lake: str) -> None:
    """Readers prune SLE outputs on the time, the site and the SLE; the other columns' min
    and max span every file and are not written."""
    store = LakeStore(fixture_lake)
    kept = {
        "user_minutes": {"minute", "site"},
        "sle_minutes": {"minute", "site", "sle"},
        "sle_hours": {"hour_start", "site", "sle"},
        "sle_days": {"day_start", "site", "sle"},
    }
    for table, expected in kept.items():
        files = store.list_files(table)
        assert files, table
        meta = pq.read_metadata(store.abspath(files[0].path))
        group = meta.row_group(0)
        with_stats = {
            group.column(i).path_in_schema
            for i in range(group.num_columns)
            if group.column(i).statistics is not None and group.column(i).statistics.has_min_max
        }
        assert with_stats == expected, table
