"""Export sequence tracking per (exporter, version, observation domain): loss, reordering, restarts.

Owns the rules that turn header sequence numbers into loss counters. Must not decide anything
about records or raise: a strange sequence number is a counter, never an error.

What a sequence number counts depends on the protocol: IPFIX counts data records sent before the
message (RFC 7011 §3.1), NetFlow v9 counts export packets (RFC 3954 §5.1), NetFlow v5 counts flows
sent before the datagram. All arithmetic is modulo 2**32, so a wrap is an ordinary step. With
``d = (seq - expected) mod 2**32``:

* ``d == 0``: in order.
* ``0 < d <= max_gap``: ``d`` units were lost (records, or packets for v9).
* ``d`` "behind" by at most ``reorder_window`` units: a late or duplicate datagram; it is counted
  as reordered, the expected value is not moved back, and up to its own size is taken back off
  the loss count (it was counted lost when the gap was seen).
* anything else (a huge jump forward or backward), or a v5/v9 header sysUptime that went
  backwards by more than 2 s: the exporter restarted (or another exporter shares the address);
  the tracker resyncs to the new number without counting loss. (sysUptime moving forward by up
  to a day, modulo 2**32, is normal progress; its own 49.7-day wrap is not a restart.)
* When the size of a message cannot be known (a data set held for a missing template, or a
  malformed set), the next message resyncs without counting loss.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MOD = 1 << 32
#: A header sysUptime at most this far behind the newest one is a late datagram ...
UPTIME_SLACK_MS = 2_000
#: ... and one more than a day ahead (mod 2**32, so a wrap is a small step) or further behind
#: means the exporter rebooted (or was silent a whole day, when resyncing is right anyway).
UPTIME_FORWARD_MS = 86_400_000


@dataclass
class SequenceTracker:
    """Sequence state and cumulative counters of one (exporter, version, domain) stream."""

    version: int
    expected: int | None = None
    last_uptime: int | None = None
    datagrams: int = 0
    lost: int = 0
    gaps: int = 0
    reordered: int = 0
    resets: int = 0

    @property
    def unit(self) -> str:
        return "datagrams" if self.version == 9 else "records"

    def limits(self) -> tuple[int, int]:
        """(max_gap, reorder_window) in this stream's unit."""
        return (10_000, 64) if self.version == 9 else (1_000_000, 65_536)

    def update(self, seq: int, size: int | None, uptime: int | None = None) -> int:
        """Account for one message of ``size`` units (None: unknown); returns units lost now."""
        self.datagrams += 1
        step = 1 if self.version == 9 else size
        restarted = False
        if uptime is not None:
            if self.last_uptime is not None:
                ahead = (uptime - self.last_uptime) % MOD
                if ahead > UPTIME_FORWARD_MS and MOD - ahead <= UPTIME_SLACK_MS:
                    uptime = self.last_uptime  # a late datagram: keep the newest uptime
                else:
                    restarted = ahead > UPTIME_FORWARD_MS
            self.last_uptime = uptime
        if self.expected is None or restarted:
            if restarted:
                self.resets += 1
            self._advance(seq, step)
            return 0
        max_gap, window = self.limits()
        d = (seq - self.expected) % MOD
        if d == 0:
            self._advance(seq, step)
            return 0
        if d <= max_gap:
            self.lost += d
            self.gaps += 1
            self._advance(seq, step)
            return d
        behind = MOD - d
        if behind <= window:
            self.reordered += 1
            taken_back = min(self.lost, step or 0)
            self.lost -= taken_back
            return -taken_back
        self.resets += 1
        self._advance(seq, step)
        return 0

    def _advance(self, seq: int, step: int | None) -> None:
        self.expected = None if step is None else (seq + step) % MOD

    def to_json(self) -> dict[str, int | None]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, int | None]) -> SequenceTracker:
        return SequenceTracker(**{k: v for k, v in data.items()})  # type: ignore[arg-type]
