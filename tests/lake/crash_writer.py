"""A writer process for the crash and concurrency tests: flushes batches forever.

Usage: python -m tests.lake.crash_writer LAKE BATCH_ROWS
Each batch holds the next BATCH_ROWS row ids in one hour, so each flush publishes exactly one
file. After a flush returns (the file is durable) it prints the number of rows flushed so far.
"""

from __future__ import annotations

import sys

from assurance.lake import LakeWriter
from tests.lake.helpers import flow_rows


def main() -> None:
    lake, batch = sys.argv[1], int(sys.argv[2])
    writer = LakeWriter(lake, flush_rows=batch, flush_age_s=3600)
    flushed = 0
    while True:
        writer.write("flows", flow_rows(flushed, batch))  # reaches flush_rows → publishes
        flushed += batch
        print(flushed, flush=True)


if __name__ == "__main__":
    main()
