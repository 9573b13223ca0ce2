"""The telemetry decode thread: frames off the queue → decoders → normalizer → sink.

Owns the step between receiving and the lake for JTI gRPC, JTI UDP and gNMI: takes batches of
frames, decodes each with its source's decoder, writes the accumulated tables to the ``Sink``,
turns undecodable messages into ``rejects`` rows (raw bytes kept), and feeds metrics and
rate-limited log lines from the per-device tallies. Runs on its own thread so a slow decode or
sink never stalls the event loop that reads the streams; ``stop`` decodes what is queued before
returning, so nothing received is lost.
"""

from __future__ import annotations

import logging
import threading
import time

import pyarrow as pa

from collectors.errors import WireError
from collectors.gnmi.decode import GnmiDecoder
from collectors.jti import opencfg
from collectors.jti.frames import Frame, FrameQueue
from collectors.jti.metrics import TelemetryMetrics
from collectors.jti.model import DeviceCounts, Origin
from collectors.jti.native import NativeDecoder
from collectors.jti.normalize import Normalizer
from collectors.jti.status import Notices
from collectors.origin import Reject, rejects_table
from collectors.sink import Sink

log = logging.getLogger("collectors.jti")

HOUSEKEEPING_S = 1.0
#: rejects ``source`` column per frame source
REJECT_SOURCE = {"jti-grpc": "jti", "jti-udp": "jti", "gnmi": "gnmi"}


class DecodePipeline:
    """Decodes frames from ``frames`` on a thread and writes the rows to ``sink``."""

    def __init__(
        self,
        sink: Sink,
        frames: FrameQueue,
        metrics: TelemetryMetrics,
        *,
        max_batch: int = 4096,
        notices: Notices | None = None,
    ) -> None:
        self.sink = sink
        self.frames = frames
        self.metrics = metrics
        self.max_batch = max_batch
        self.norm = Normalizer()
        self.native = NativeDecoder(self.norm)
        self.gnmi = GnmiDecoder(self.norm)
        self.notices = notices or Notices(log)
        self.totals: dict[str, DeviceCounts] = {}
        self.failure: BaseException | None = None
        self._overflow_seen = 0
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="telemetry-decode", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Decode everything queued, write it, flush the sink."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.sink.flush()

    def _run(self) -> None:
        next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        try:
            while not (self._stopping.is_set() and len(self.frames) == 0):
                batch = self.frames.get_batch(self.max_batch, timeout=0.1)
                if batch:
                    self.process(batch)
                if time.monotonic() >= next_housekeeping:
                    self.housekeeping()
                    next_housekeeping = time.monotonic() + HOUSEKEEPING_S
        except BaseException as exc:  # keep the reason; stop() and health checks report it
            self.failure = exc
            log.exception("telemetry decoding stopped")
            raise

    def housekeeping(self) -> None:
        self.metrics.queue_depth.set(len(self.frames))
        self.metrics.queue_overflow.set(self.frames.overflow)
        if self.frames.overflow > self._overflow_seen:
            self.notices.notice(
                "overflow",
                logging.WARNING,
                "decoding fell behind: %d received messages dropped so far (queue of %d full)",
                self.frames.overflow,
                self.frames.max_frames,
            )
            self._overflow_seen = self.frames.overflow

    # -- decoding ----------------------------------------------------------------------------

    def process(self, batch: list[Frame]) -> None:
        """Decode ``batch`` and write every resulting row (including rejects)."""
        rejects: list[tuple[Frame, WireError]] = []
        for frame in batch:
            try:
                self.decode(frame)
            except WireError as exc:
                rejects.append((frame, exc))
        for name, table in self.norm.tables().items():
            self.sink.write(name, table)
        if rejects:
            self.sink.write("rejects", _rejects(rejects))
        for frame, error in rejects:
            device = frame.origin.label
            self.metrics.rejects.labels(device, type(error).__name__).inc()
            self.count(frame.origin.label, frame.source).rejects += 1
            self.notices.notice(
                ("reject", device),
                logging.WARNING,
                "%s: malformed %s message kept in rejects: %s",
                device,
                frame.source,
                error.reason,
            )
        self._report(self.norm.take_counts())

    def decode(self, frame: Frame) -> None:
        if frame.source == "jti-grpc":
            opencfg.decode(frame.payload, frame.origin, frame.received_us, self.norm)
        elif frame.source == "jti-udp":
            self.native.decode(frame.payload, frame.origin, frame.received_us)
        elif frame.source == "gnmi":
            self.gnmi.decode(frame.payload, frame.origin, frame.received_us)
        else:
            raise ValueError(f"no decoder for frame source {frame.source!r}")

    def count(self, device: str, source: str) -> DeviceCounts:
        return self.totals.setdefault(f"{device}/{source}", DeviceCounts())

    def _report(self, counts: dict[tuple[Origin, str], DeviceCounts]) -> None:
        for (origin, source), c in counts.items():
            device = origin.label
            self.metrics.count(device, source, c)
            total = self.count(device, source)
            total.add(c)
            if c.counter_resets:
                shown = ", ".join(c.reset_instances[:3])
                more = len(c.reset_instances) - 3
                self.notices.notice(
                    ("reset", device),
                    logging.WARNING,
                    "%s: counters went backwards (reset or wrap) on %s%s; no rate for them",
                    device,
                    shown,
                    f" and {more} more" if more > 0 else "",
                )
            if c.sequence_gaps:
                self.notices.notice(
                    ("gap", device, source),
                    logging.WARNING,
                    "%s: %d %s message(s) missing by sequence numbers",
                    device,
                    c.sequence_lost,
                    source,
                )
            for sensor in sorted(c.unknown_sensors):
                self.notices.once(
                    ("unknown", device, sensor),
                    logging.INFO,
                    "%s: sensor %s has no typed table; its values are kept in telemetry",
                    device,
                    sensor,
                )
        for origin, numbers in self.native.unknown_extensions.items():
            for number in sorted(numbers):
                self.notices.once(
                    ("extension", origin.label, number),
                    logging.WARNING,
                    "%s: native sensor extension %d is unknown to this collector; not decoded",
                    origin.label,
                    number,
                )


def _rejects(rejects: list[tuple[Frame, WireError]]) -> pa.Table:
    rows = [
        Reject(f.received_us, f.origin.exporter, REJECT_SOURCE.get(f.source, "jti"), e, f.payload)
        for f, e in rejects
    ]
    table = rejects_table(rows, {})
    for column in ("device", "site"):
        values = [getattr(f.origin, column) for f, _ in rejects]
        index = table.schema.get_field_index(column)
        table = table.set_column(index, table.schema.field(column), pa.array(values, pa.string()))
    return table
