"""Prometheus metrics of the telemetry collector (JTI gRPC, JTI UDP, gNMI), in a registry of its
own, per device (the inventory name, else the address).

Wraps sessions and the decoder from outside: the collector feeds these from ``SessionEvents``
and from the ``DeviceCounts`` each decode step returns; nothing in the codecs knows Prometheus.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from collectors.jti.model import DeviceCounts


class TelemetryMetrics:
    """The telemetry collector's counters; ``registry`` is what ``/metrics`` serves."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry

        def counter(name: str, doc: str, labels: list[str]) -> Counter:
            return Counter(f"wanassure_telemetry_{name}", doc, labels, registry=r)

        self.messages = counter("messages", "Telemetry messages decoded", ["device", "source"])
        self.values = counter("values", "Values decoded (rows of telemetry)", ["device", "source"])
        self.rejects = counter(
            "rejects", "Messages that could not be decoded (rows of rejects)", ["device", "error"]
        )
        self.sequence_gaps = counter("sequence_gaps", "Gaps in sequence numbers", ["device"])
        self.sequence_lost = counter(
            "sequence_lost", "Messages missing by sequence numbers", ["device"]
        )
        self.counter_resets = counter(
            "counter_resets", "Interface counters that went backwards", ["device"]
        )
        self.unmapped_values = counter(
            "unmapped_values", "Values kept in telemetry only (no typed table)", ["device"]
        )
        self.sync_responses = counter(
            "sync_responses", "Initial-dump-complete markers received", ["device"]
        )
        self.session_failures = counter(
            "session_failures",
            "Streams that failed or could not be opened, by reason: auth, tls, unreachable, "
            "quiet (watchdog resubscribe), disconnected, rejected, error",
            ["device", "protocol", "reason"],
        )
        self.streams = counter(
            "streams", "Streams opened that delivered data", ["device", "protocol"]
        )
        self.connected = Gauge(
            "wanassure_telemetry_connected",
            "1 while the device's stream is delivering, else 0",
            ["device", "protocol"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "wanassure_telemetry_queue_depth", "Messages waiting to be decoded", registry=r
        )
        self.queue_overflow = Gauge(
            "wanassure_telemetry_queue_overflow",
            "Messages dropped because decoding fell behind",
            registry=r,
        )

    def count(self, device: str, source: str, c: DeviceCounts) -> None:
        if c.messages:
            self.messages.labels(device, source).inc(c.messages)
        if c.values:
            self.values.labels(device, source).inc(c.values)
        for counter, value in (
            (self.sequence_gaps, c.sequence_gaps),
            (self.sequence_lost, c.sequence_lost),
            (self.counter_resets, c.counter_resets),
            (self.unmapped_values, c.unmapped_values),
            (self.sync_responses, c.sync_responses),
        ):
            if value:
                counter.labels(device).inc(value)
