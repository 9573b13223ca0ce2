"""Sequence rules (see collectors/flow/sequence.py) checked on the tracker directly."""

from __future__ import annotations

from collectors.flow.sequence import SequenceTracker


def test_records_in_order_gap_wrap_late_and_restart() -> None:
    t = SequenceTracker(10)
    assert t.update(2**32 - 10, 10) == 0 and t.expected == 0  # wraps to 0
    assert t.update(0, 5) == 0 and t.expected == 5
    assert t.update(25, 5) == 20 and t.lost == 20 and t.gaps == 1  # 5..24 missing
    assert t.update(10, 5) == -5 and t.lost == 15 and t.reordered == 1  # late: taken back
    assert t.expected == 30  # a late datagram does not move the expectation back
    assert t.update(3_000_000_000, 5) == 0 and t.resets == 1  # absurd jump: resync
    assert t.update(3_000_000_005, None) == 0 and t.expected is None  # size unknown
    assert t.update(3_000_000_100, 1) == 0 and t.lost == 15  # resynced without loss


def test_v9_counts_packets_and_uptime_rules() -> None:
    t = SequenceTracker(9)
    t.update(7, 1, uptime=2**32 - 1_000)
    assert t.update(8, 1, uptime=100_000) == 0 and t.resets == 0  # sysUptime wrap is progress
    assert t.update(10, 1, uptime=200_000) == 1  # packet 9 lost
    assert t.update(9, 1, uptime=199_000) == -1 and t.last_uptime == 200_000  # late
    assert t.update(0, 1, uptime=10) == 0 and t.resets == 1  # reboot
    assert t.expected == 1
