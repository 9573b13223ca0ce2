"""Long fuzz run of the jflow decoder: mutated real datagrams may raise only ``WireError``.

Uses ``tests/flow/fuzzing.py`` (the same mutations as the 100,000-datagram test) with any count
and seed. Prints how many datagrams ran, how long it took, the outcomes, and every other
exception (exit status 1 if there was one).
Run: ``.venv/bin/python benchmarks/flow_fuzz.py --count 1000000 --seed 7``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.flow.fuzzing import run_fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    report = run_fuzz(args.count, args.seed)
    print(
        f"{report.count} mutated datagrams in {report.seconds:.1f} s "
        f"({report.count / report.seconds:,.0f}/s), seed {args.seed}"
    )
    for name, n in sorted(report.outcomes.items()):
        print(f"  {name}: {n}")
    print(f"other exceptions: {len(report.failures)}")
    for failure in report.failures[:5]:
        print(failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
