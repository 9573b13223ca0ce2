"""Prometheus metrics of the flow collector, per exporter, in a registry of its own.

Wraps the decoder from outside: the collector feeds these from ``DecodeResult`` counters and the
socket; nothing in the codec knows about Prometheus.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class FlowMetrics:
    """The flow collector's counters; ``registry`` is what ``/metrics`` serves."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.datagrams = Counter(
            "wanassure_flow_datagrams", "Datagrams received", ["exporter"], registry=r
        )
        self.bytes = Counter(
            "wanassure_flow_received_bytes", "UDP payload bytes received", ["exporter"], registry=r
        )
        self.records = Counter(
            "wanassure_flow_records", "Flow records decoded", ["exporter"], registry=r
        )
        self.option_records = Counter(
            "wanassure_flow_option_records", "Options records decoded", ["exporter"], registry=r
        )
        self.decode_errors = Counter(
            "wanassure_flow_decode_errors",
            "Datagrams or sets written to rejects",
            ["exporter", "error"],
            registry=r,
        )
        self.templates = Gauge(
            "wanassure_flow_templates", "Templates cached", ["exporter"], registry=r
        )
        self.lost_records = Gauge(
            "wanassure_flow_sequence_lost",
            "Records (IPFIX, v5) or datagrams (v9) missing by export sequence numbers",
            ["exporter", "domain", "unit"],
            registry=r,
        )
        self.sequence_gaps = Gauge(
            "wanassure_flow_sequence_gaps",
            "Gaps seen in export sequence numbers",
            ["exporter", "domain"],
            registry=r,
        )
        self.kernel_drops = Gauge(
            "wanassure_flow_kernel_drops",
            "Datagrams the kernel dropped on the listening socket (receive buffer full)",
            ["listen"],
            registry=r,
        )
        self.queue_overflow = Gauge(
            "wanassure_flow_queue_overflow",
            "Datagrams dropped because decoding fell behind",
            registry=r,
        )
        self.held_sets = Gauge(
            "wanassure_flow_held_sets", "Data sets waiting for their template", registry=r
        )
