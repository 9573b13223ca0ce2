"""The dedup sink drops exactly the (table, hour) parts an earlier chunk already published."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from assurance.bus.commits import DedupSink
from assurance.lake import LakeStore, LakeWriter, connect
from collectors.flow.decode import FlowDecoder
from tests.bus.capture import datagrams

#: Record i ends at 00:59:00.900 + i × 50 ms: records 0…1181 end before 01:00, 1182… after.
IN_HOUR_00 = 1182


def flows(count: int) -> pa.Table:
    decoder = FlowDecoder()
    result = decoder.decode_many(
        (d, "10.0.0.1", 0) for d in datagrams(0, count, with_template=True)
    )
    assert result.flows.num_rows == count
    return result.flows


def count(lake: Path, hour: int) -> int:
    row = (
        connect(str(lake))
        .execute("SELECT count(*) FROM flows WHERE hour(event_time) = ?", [hour])
        .fetchone()
    )
    assert row is not None
    return int(row[0])


def test_rows_of_an_hour_an_earlier_chunk_published_are_dropped(tmp_path: Path) -> None:
    lake = LakeStore(str(tmp_path / "lake"))
    rows = flows(2000)
    early = LakeWriter(lake, writer_id="bus-x-c1")
    early.write(
        "flows", rows.filter(pa.compute.less(rows["event_time"], rows["event_time"][IN_HOUR_00]))
    )
    early.flush()  # the crashed chunk had published its hour-00 file only
    assert count(tmp_path / "lake", 0) == IN_HOUR_00

    again = LakeWriter(lake, writer_id="bus-x-c2")
    dedup = DedupSink(again, lake, ["bus-x-c1"])
    dedup.write("flows", rows)  # the whole message comes back
    again.flush()
    assert (dedup.skipped, dedup.kept) == (IN_HOUR_00, 2000 - IN_HOUR_00)
    assert count(tmp_path / "lake", 0) == IN_HOUR_00
    assert count(tmp_path / "lake", 1) == 2000 - IN_HOUR_00


def test_a_chunk_id_that_is_a_prefix_of_another_matches_nothing(tmp_path: Path) -> None:
    lake = LakeStore(str(tmp_path / "lake"))
    rows = flows(100)
    first = LakeWriter(lake, writer_id="bus-x-c10")
    first.write("flows", rows)
    first.flush()
    dedup = DedupSink(LakeWriter(lake, writer_id="bus-x-c11"), lake, ["bus-x-c1"])
    dedup.write("flows", rows)
    assert (dedup.skipped, dedup.kept) == (0, 100)
