"""Prometheus metrics of the syslog collector, per sender, in a registry of its own.

Wraps receiving and parsing from outside: the listener feeds these from its sockets, framers
and ``ParsedBatch`` results; neither the framer nor the parser knows about Prometheus.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

#: values of the ``reason`` label of ``wanassure_syslog_disconnects_total``
DISCONNECT_REASONS = ("closed", "timeout", "idle", "error", "shutdown")


class SyslogMetrics:
    """The syslog collector's counters; ``registry`` is what ``/metrics`` serves."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.lines = Counter(
            "wanassure_syslog_lines",
            "Syslog messages received (after framing)",
            ["sender", "transport"],
            registry=r,
        )
        self.bytes = Counter(
            "wanassure_syslog_received_bytes",
            "Bytes received: UDP payloads, TCP/TLS stream bytes including framing",
            ["sender", "transport"],
            registry=r,
        )
        self.rejects = Counter(
            "wanassure_syslog_rejects",
            "Lines the parser could not parse (written to rejects)",
            ["sender", "error"],
            registry=r,
        )
        self.oversize = Counter(
            "wanassure_syslog_oversize",
            "Messages truncated to the maximum message size",
            ["sender", "transport"],
            registry=r,
        )
        self.framing_errors = Counter(
            "wanassure_syslog_framing_errors",
            "Malformed octet-counting headers (the connection fell back to newline framing)",
            ["sender", "transport"],
            registry=r,
        )
        self.connections = Counter(
            "wanassure_syslog_connections",
            "TCP/TLS connections accepted",
            ["sender", "transport"],
            registry=r,
        )
        self.disconnects = Counter(
            "wanassure_syslog_disconnects",
            "TCP/TLS connections ended, by reason: closed (by the peer), timeout (no complete "
            "message while a partial one was pending), idle, error, shutdown",
            ["sender", "transport", "reason"],
            registry=r,
        )
        self.open_connections = Gauge(
            "wanassure_syslog_open_connections",
            "TCP/TLS connections currently open",
            ["transport"],
            registry=r,
        )
        self.rows = Counter(
            "wanassure_syslog_rows",
            "Rows written to the sink, by table",
            ["table"],
            registry=r,
        )
        self.parser_failures = Counter(
            "wanassure_syslog_parser_failures",
            "Batches the parser raised on (their lines were written to rejects instead)",
            registry=r,
        )
        self.paused_reading = Counter(
            "wanassure_syslog_backpressure_pauses",
            "Times a TCP/TLS connection stopped reading because the parse queue was full",
            ["transport"],
            registry=r,
        )
        self.queue_lines = Gauge(
            "wanassure_syslog_queue_lines", "Lines waiting to be parsed", registry=r
        )
        self.queue_overflow = Gauge(
            "wanassure_syslog_queue_overflow",
            "UDP lines dropped because parsing fell behind (TCP/TLS are paused instead)",
            registry=r,
        )
        self.kernel_drops = Gauge(
            "wanassure_syslog_kernel_drops",
            "Datagrams the kernel dropped on the UDP socket (receive buffer full)",
            ["listen"],
            registry=r,
        )
