"""Long fuzz run of the jflow decoder: mutated real datagrams may raise only ``WireError``.

Mutates the valid datagrams of ``tests/flow/corpus.py`` (bit flips, truncation, inserted and
deleted bytes, random 16-bit values over length fields, random tails; half the time the IPFIX
message length is then made consistent again so the damage reaches the sets) with a seeded NumPy
generator, decodes each with a decoder that has (usually) learned the clean templates, and checks
that only the WireError hierarchy escapes and that output tables still validate. Prints how many
datagrams ran, how long it took, and every other exception (exit status 1 if there was one).
Run: ``.venv/bin/python benchmarks/flow_fuzz.py --count 100000``.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.errors import WireError
from collectors.flow import FlowDecoder
from collectors.tables import FLOW_OPTIONS, FLOWS
from tests.flow.corpus import corpus

EXPORTER = "192.0.2.1"


def mutate(rng: np.random.Generator, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        op = int(rng.integers(0, 6))
        pos = int(rng.integers(0, len(buf) + 1))
        if op == 0 and buf:
            buf[pos % len(buf)] ^= 1 << int(rng.integers(0, 8))
        elif op == 1:
            del buf[pos:]
        elif op == 2:
            buf[pos:pos] = rng.bytes(int(rng.integers(1, 9)))
        elif op == 3 and len(buf) >= 2:
            p = pos % (len(buf) - 1)
            buf[p : p + 2] = int(rng.integers(0, 65536)).to_bytes(2, "big")
        elif op == 4:
            del buf[pos : pos + int(rng.integers(1, 17))]
        else:
            buf[pos:] = rng.bytes(int(rng.integers(0, 64)))
    if rng.random() < 0.5:
        fix_ipfix_length(buf)
    return bytes(buf)


def fix_ipfix_length(buf: bytearray) -> None:
    """Make an IPFIX header's length agree again, so the mutation reaches the sets."""
    if len(buf) >= 4 and buf[:2] == b"\x00\x0a" and len(buf) <= 0xFFFF:
        buf[2:4] = len(buf).to_bytes(2, "big")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    seeds = corpus()
    errors: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    decoder = FlowDecoder()
    rx = 1_700_000_000_000_000
    t0 = time.perf_counter()
    for i in range(args.count):
        if i % 500 == 0:  # fresh state now and then, warmed with clean templates most times
            decoder = FlowDecoder(max_hold_us=1_000_000)
            if rng.random() < 0.8:
                decoder.decode_many((d, EXPORTER, rx) for d in seeds)
        rx += int(rng.integers(0, 20_000))
        data = mutate(rng, seeds[int(rng.integers(0, len(seeds)))])
        try:
            result = decoder.decode(data, EXPORTER, rx)
            assert result.flows.schema == FLOWS.schema
            assert result.options.schema == FLOW_OPTIONS.schema
            result.flows.validate(full=True)
            result.options.validate(full=True)
            errors[f"ok, {len(result.rejected)} rejected"] += 1
        except WireError as err:
            errors[type(err).__name__] += 1
        except Exception:  # the point of the run: anything else is a bug
            failures.append(f"datagram {i} {data.hex()}\n{traceback.format_exc()}")
    elapsed = time.perf_counter() - t0
    print(
        f"{args.count} mutated datagrams in {elapsed:.1f} s "
        f"({args.count / elapsed:,.0f}/s), seed {args.seed}"
    )
    for name, n in sorted(errors.items()):
        print(f"  {name}: {n}")
    print(f"other exceptions: {len(failures)}")
    for f in failures[:5]:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
