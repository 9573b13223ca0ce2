"""100,000 mutated real datagrams: only WireError escapes, no hang, bounded memory."""

from __future__ import annotations

import resource

import pytest

from tests.flow.fuzzing import run_fuzz


@pytest.mark.timeout(240)
def test_100k_mutated_datagrams_raise_only_wire_errors_in_bounded_memory() -> None:
    run_fuzz(2_000, seed=1)  # warm up imports and caches before the memory baseline
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = run_fuzz(100_000, seed=2024)
    growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kib) / 1024
    assert report.failures == [], report.failures[:3]
    assert sum(report.outcomes.values()) == 100_000
    # Mutations must reach the decoder's error paths, not only the header check.
    assert report.outcomes["MalformedPacket"] > 1_000
    assert sum(n for k, n in report.outcomes.items() if k.startswith("ok")) > 10_000
    assert growth_mib < 64, f"peak RSS grew by {growth_mib:.0f} MiB"
