"""The decode step between queue and sink: rows, rejects, metrics, and log lines said once."""

from __future__ import annotations

import logging
import random

import pytest

from collectors.jti.backoff import Backoff
from collectors.jti.frames import Frame, FrameQueue
from collectors.jti.metrics import TelemetryMetrics
from collectors.jti.model import Origin
from collectors.jti.pipeline import DecodePipeline
from collectors.jti.status import Notices
from tests.jti.helpers import MemorySink, metric
from tests.jti.oc import T0_MS, oc

GW = Origin("10.20.12.1", "br-nyc-012-gw1", "br-nyc-012")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def frame(payload: bytes) -> Frame:
    return Frame(payload, GW, "jti-grpc", T0_MS * 1000)


def octets(seq: int, value: int) -> bytes:
    return oc(
        "/interfaces/",
        [("/interfaces/interface[name='ge-0/0/0']/state/counters/in-octets", value)],
        seq=seq,
        ts_ms=T0_MS + seq * 1000,
    )


def pipeline(clock: Clock) -> tuple[DecodePipeline, MemorySink]:
    sink = MemorySink()
    notices = Notices(logging.getLogger("collectors.jti"), interval_s=60, clock=clock)
    return DecodePipeline(sink, FrameQueue(), TelemetryMetrics(), notices=notices), sink


def test_repeated_problems_are_counted_every_time_and_logged_once_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="collectors.jti")
    clock = Clock()
    pipe, sink = pipeline(clock)
    lldp = oc("/lldp/", [("/lldp/state/enabled", True)])
    # a counter going up and down: resets at seq 2 and 4; garbage twice; an unknown sensor twice
    for payload in (octets(1, 900), octets(2, 100), octets(3, 900), octets(4, 100)):
        pipe.process([frame(payload), frame(b"\xff"), frame(lldp)])
    clock.now = 61.0
    pipe.process([frame(octets(5, 900)), frame(octets(6, 50))])
    malformed, *lines = [r.getMessage() for r in caplog.records]
    assert malformed.startswith(
        "br-nyc-012-gw1: malformed jti-grpc message kept in rejects: "
        "not a telemetry.OpenConfigData message:"
    )
    assert lines == [
        "br-nyc-012-gw1: sensor /lldp/ has no typed table; its values are kept in telemetry",
        "br-nyc-012-gw1: counters went backwards (reset or wrap) on ge-0/0/0; no rate for them",
        "br-nyc-012-gw1: counters went backwards (reset or wrap) on ge-0/0/0; no rate for them"
        " (1 more since the last report)",
    ]
    m = pipe.metrics
    assert metric(m, "wanassure_telemetry_counter_resets_total", device=GW.label) == 3
    assert (
        metric(m, "wanassure_telemetry_rejects_total", device=GW.label, error="MalformedMessage")
        == 4
    )
    assert metric(m, "wanassure_telemetry_unmapped_values_total", device=GW.label) == 4
    assert sink.count("rejects") == 4
    assert sink.count("interface_stats") == 6


def test_a_full_queue_drops_new_frames_counts_them_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="collectors.jti")
    queue = FrameQueue(max_frames=3)
    assert [queue.put(frame(octets(i, i))) for i in range(5)] == [True, True, True, False, False]
    queue.put_many([frame(b"x")] * 2)
    assert (len(queue), queue.overflow, queue.received) == (3, 4, 7)
    pipe = DecodePipeline(MemorySink(), queue, TelemetryMetrics())
    pipe.housekeeping()
    pipe.housekeeping()  # nothing new dropped: nothing new said
    assert [r.getMessage() for r in caplog.records] == [
        "decoding fell behind: 4 received messages dropped so far (queue of 3 full)"
    ]
    assert [f.payload for f in queue.get_batch(10, timeout=0)] == [octets(i, i) for i in range(3)]


def test_backoff_grows_with_jitter_up_to_the_cap_and_resets() -> None:
    backoff = Backoff(base_s=1.0, cap_s=8.0, rng=random.Random(3))
    delays = [backoff.next() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == 6  # jittered, not lockstep
    backoff.reset()
    assert 0.5 <= backoff.next() <= 1.0
