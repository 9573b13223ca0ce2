"""Prometheus metrics of the SNMP poller and trap receiver, each in a registry of its own.

Wraps polling and receiving from outside: the poller and receiver feed these from their poll
reports and datagrams; nothing in ``walk``, ``normalize`` or ``notifications`` knows about
Prometheus. ``device`` is the inventory name, or the address for devices without one.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: values of the ``kind`` label of ``wanassure_snmp_poll_errors_total``
ERROR_KINDS = ("timeout", "auth", "error_status", "protocol", "transport", "walk", "sink")


class SnmpMetrics:
    """The poller's counters; ``registry`` is what ``/metrics`` serves."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.polls = Counter(
            "wanassure_snmp_polls",
            "Poll cycles run, by result: ok, partial (some tables failed) or failed",
            ["device", "result"],
            registry=r,
        )
        self.errors = Counter(
            "wanassure_snmp_poll_errors",
            "Failed requests or walks: timeout, auth, error_status, protocol, transport, walk",
            ["device", "kind"],
            registry=r,
        )
        self.missing = Counter(
            "wanassure_snmp_missing_objects",
            "noSuchObject / noSuchInstance answers to GET requests",
            ["device"],
            registry=r,
        )
        self.counter_resets = Counter(
            "wanassure_snmp_counter_resets",
            "Interface octet counters that went backwards (device restart or counters cleared)",
            ["device"],
            registry=r,
        )
        self.missed_intervals = Counter(
            "wanassure_snmp_missed_intervals",
            "Poll cycles skipped because the previous cycle overran its interval",
            ["device"],
            registry=r,
        )
        self.requests = Counter(
            "wanassure_snmp_requests", "GETBULK and GET requests answered", ["device"], registry=r
        )
        self.varbinds = Counter(
            "wanassure_snmp_varbinds", "Varbinds received", ["device"], registry=r
        )
        self.rows = Counter(
            "wanassure_snmp_rows", "Rows written to the sink", ["table"], registry=r
        )
        self.up = Gauge(
            "wanassure_snmp_device_up",
            "1 when the last poll of the device got answers, else 0",
            ["device"],
            registry=r,
        )
        self.poll_seconds = Histogram(
            "wanassure_snmp_poll_seconds",
            "Wall time of one device poll cycle",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )


class TrapMetrics:
    """The trap receiver's counters; ``registry`` is what ``/metrics`` serves."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.datagrams = Counter(
            "wanassure_snmp_trap_datagrams", "Datagrams received", ["sender"], registry=r
        )
        self.notifications = Counter(
            "wanassure_snmp_trap_notifications",
            "Notifications decoded (traps and informs), by notification name or OID",
            ["sender", "notification"],
            registry=r,
        )
        self.rejects = Counter(
            "wanassure_snmp_trap_rejects",
            "Datagrams written to rejects, by reason",
            ["sender", "reason"],
            registry=r,
        )
        self.protocol = Counter(
            "wanassure_snmp_trap_protocol_messages",
            "SNMPv3 engine-ID discovery and time synchronisation exchanges (not notifications)",
            ["sender"],
            registry=r,
        )
        self.kernel_drops = Gauge(
            "wanassure_snmp_trap_kernel_drops",
            "Datagrams the kernel dropped on the listening socket",
            ["listen"],
            registry=r,
        )
        self.queue_overflow = Gauge(
            "wanassure_snmp_trap_queue_overflow",
            "Datagrams dropped because decoding fell behind",
            registry=r,
        )
