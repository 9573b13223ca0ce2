"""``python -m assurance.rollups --lake PATH [--from T] [--to T]``: bring the hourly and daily
roll-ups up to date (filling any that are missing) and print what was rebuilt. Errors are one
line naming the problem, exit code 2."""

from __future__ import annotations

import argparse
import sys

from assurance.errors import AssuranceError
from assurance.rollups.build import build, parse_time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assurance.rollups", description=__doc__)
    parser.add_argument("--lake", required=True, help="lake folder")
    parser.add_argument("--from", dest="start", help="first hour (ISO 8601, UTC)")
    parser.add_argument("--to", dest="end", help="end (exclusive, ISO 8601, UTC)")
    args = parser.parse_args(argv)
    try:
        start = parse_time(args.start) if args.start else None
        end = parse_time(args.end) if args.end else None
    except ValueError:
        bad = args.start or args.end
        print(f"error: --from/--to: not an ISO 8601 time: {bad}", file=sys.stderr)
        return 2
    try:
        results = build(args.lake, start=start, end=end)
    except AssuranceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for r in results:
        unit = "days " if r.table.endswith("_days") else "hours"
        print(
            f"{r.table:14s} {r.partitions_written:5d} of {r.partitions_checked:5d} {unit} rebuilt, "
            f"{r.rows:,} rows, {r.seconds:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
