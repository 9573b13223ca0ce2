"""The Parquet lake: layout, crash-safe writer, DuckDB catalog and maintenance.

``LakeWriter`` implements ``collectors.sink.Sink``; ``connect`` opens DuckDB with a view per
declared table; ``lake_info``, ``compact`` and ``retain`` look after the files.
"""

from assurance.lake.catalog import connect
from assurance.lake.store import LakeStore
from assurance.lake.writer import LakeWriter, WriterStats

__all__ = ["LakeStore", "LakeWriter", "WriterStats", "connect"]
