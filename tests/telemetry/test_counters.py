"""Counter rates: first sample, steady rate, 32-bit wrap, resets, clock problems."""

from __future__ import annotations

from collectors.telemetry.counters import CounterRates, Rate

S = 1_000_000  # µs per second


def test_first_sample_has_no_rate_then_rates_per_second() -> None:
    rates = CounterRates()
    assert rates.update("ge-0/0/0:in_octets", 1_000, 0) == Rate(None, False)
    assert rates.update("ge-0/0/0:in_octets", 126_000, 10 * S) == Rate(12_500.0, False)
    # another counter is independent
    assert rates.update("ge-0/0/1:in_octets", 5, 10 * S) == Rate(None, False)


def test_32_bit_wrap_gives_the_true_delta() -> None:
    rates = CounterRates()
    rates.update("c", 2**32 - 1_000, 0, bits=32)
    # 1,000 to the top, then 24,000 after wrapping: 25,000 in 5 s
    assert rates.update("c", 24_000, 5 * S, bits=32) == Rate(5_000.0, False)


def test_going_backwards_otherwise_is_a_reset() -> None:
    rates = CounterRates()
    rates.update("c", 9_000_000, 0)
    assert rates.update("c", 100, 10 * S) == Rate(None, True)  # 64-bit: never a wrap
    assert rates.update("c", 1_100, 20 * S) == Rate(100.0, False)  # counting again after it
    rates.update("d", 1_000_000, 0, bits=32)  # a 32-bit counter low in its range
    assert rates.update("d", 10, S, bits=32) == Rate(None, True)


def test_repeated_or_older_timestamps_give_no_rate() -> None:
    rates = CounterRates()
    rates.update("c", 100, 10 * S)
    assert rates.update("c", 200, 10 * S) == Rate(None, False)
    assert rates.update("c", 300, 9 * S) == Rate(None, False)


def test_memory_is_bounded() -> None:
    rates = CounterRates(max_counters=3)
    for i in range(10):
        rates.update(i, i, 0)
    assert len(rates) <= 3
