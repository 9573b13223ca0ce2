"""Mutation fuzzing of the jflow decoder, shared by the 100k test and the longer benchmark run.

Mutates the valid datagrams of ``tests/flow/corpus.py`` (bit flips, truncation, inserted and
deleted bytes, random 16-bit values over length fields, random tails; half the time the IPFIX
message length is then made consistent again so the damage reaches the sets) with a seeded NumPy
generator and decodes each with a decoder that has (usually) learned the clean templates. Only
the WireError hierarchy may escape and the output tables must still validate.
"""

from __future__ import annotations

import collections
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

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


@dataclass
class FuzzReport:
    count: int
    seconds: float
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)


def run_fuzz(count: int, seed: int) -> FuzzReport:
    rng = np.random.default_rng(seed)
    seeds = corpus()
    report = FuzzReport(count, 0.0)
    decoder = FlowDecoder()
    rx = 1_700_000_000_000_000
    t0 = time.perf_counter()
    for i in range(count):
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
            report.outcomes[f"ok, {len(result.rejected)} rejected"] += 1
        except WireError as err:
            report.outcomes[type(err).__name__] += 1
        except Exception:  # the point of the run: anything else is a bug
            report.failures.append(f"datagram {i} {data.hex()}\n{traceback.format_exc()}")
    report.seconds = time.perf_counter() - t0
    return report
