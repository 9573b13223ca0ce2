"""Every table the syslog parser makes reads back from the lake exactly as written.

Guards the lake writer's encoding choices (dictionary size limit, statistics only on short flat
columns) against changing what a reader gets: all golden inputs, parsed as one batch and
repeated, go through ``LakeWriter`` and are read back with pyarrow, table by table; and
unique lines show which columns keep min/max statistics.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq

from assurance.lake.writer import LakeWriter
from collectors.syslog.model import Line
from collectors.syslog.parse import SyslogParser

ROOT = Path(__file__).resolve().parents[2] / "data" / "samples" / "syslog"
RECEIVED = 1_709_294_400_000_000  # 2024-03-01T12:00:00Z


def golden_lines(copies: int) -> list[Line]:
    raws = [
        raw
        for case in sorted(ROOT.iterdir())
        if (case / "input.log").exists()
        for raw in (case / "input.log").read_bytes()[:-1].split(b"\n")
    ]
    return [
        Line(raw, f"192.0.2.{1 + i % 50}", RECEIVED + 1000 * i, "tcp")
        for i, raw in enumerate(raws * copies)
    ]


def key(row: dict[str, object]) -> str:
    return repr(sorted(row.items()))


def test_parsed_tables_read_back_from_the_lake_unchanged(tmp_path: Path) -> None:
    lines = golden_lines(copies=40)
    parsed = SyslogParser().parse_batch(lines)
    writer = LakeWriter(str(tmp_path))
    for name, table in parsed.tables.items():
        writer.write(name, table)
    writer.close()
    assert set(parsed.tables) >= {"syslog_events", "sessions", "sla_metrics", "security_events"}
    for name, table in parsed.tables.items():
        back = ds.dataset(tmp_path / name, format="parquet", partitioning="hive").to_table()
        back = back.select(table.column_names).cast(table.schema)
        assert back.num_rows == table.num_rows, name
        assert sorted(map(key, back.to_pylist())) == sorted(map(key, table.to_pylist())), name


def test_long_text_and_maps_carry_no_statistics(tmp_path: Path) -> None:
    lines = [
        Line(
            b"<14>1 2024-03-01T12:%02d:%02dZ srx-%d RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636"
            b'.1.1.1.2.129 session-id-32="%d" source-address="10.0.%d.%d" reason="TCP FIN"]'
            % (i // 60 % 60, i % 60, i % 3, i, i // 250 % 250, i % 250),
            "192.0.2.1",
            RECEIVED + i,
            "tcp",
        )
        for i in range(5000)
    ]
    parsed = SyslogParser().parse_batch(lines)
    writer = LakeWriter(str(tmp_path))
    writer.write("syslog_events", parsed.tables["syslog_events"])
    writer.close()
    (path,) = (tmp_path / "syslog_events").rglob("*.parquet")
    meta = pq.ParquetFile(path).metadata.row_group(0)
    assert meta.num_rows == len(lines)
    columns = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert columns["event_time"].statistics is not None
    assert columns["event_time"].statistics.has_min_max
    assert columns["hostname"].statistics is not None
    assert columns["raw"].statistics is None or not columns["raw"].statistics.has_min_max
    for path_in_schema, column in columns.items():
        if path_in_schema.startswith("fields."):
            assert column.statistics is None or not column.statistics.has_min_max
    assert columns["hostname"].dictionary_page_offset is not None  # few values: a dictionary
