"""Finishing typed rows: the leaves one message gave an instance → one row of a typed table.

Owns the unit conversions (Mbps → bps, µs → ms, percent), the choice between alternative leaves
(RPM current test before last test, reported out-discards before summed queue drops) and the
derived columns (``in_bps``/``out_bps``/``counter_reset`` through ``CounterRates``). Raw before
derived: counters are copied as reported; rates sit beside them. Pure apart from the counter
state handed in.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from collectors.jti.routes import HEALTH, IFACE, SLA
from collectors.telemetry.counters import CounterRates

Row = dict[str, Any]
_U64 = 1 << 64

_IF_COUNTERS = (
    "in_octets",
    "out_octets",
    "in_pkts",
    "out_pkts",
    "in_errors",
    "out_errors",
    "in_discards",
    "out_discards",
    "in_crc_errors",
)
_PORT_SPEEDS = {
    "SPEED_10MB": 10_000_000,
    "SPEED_100MB": 100_000_000,
    "SPEED_1GB": 1_000_000_000,
    "SPEED_2500MB": 2_500_000_000,
    "SPEED_5GB": 5_000_000_000,
    "SPEED_10GB": 10_000_000_000,
    "SPEED_25GB": 25_000_000_000,
    "SPEED_40GB": 40_000_000_000,
    "SPEED_50GB": 50_000_000_000,
    "SPEED_100GB": 100_000_000_000,
    "SPEED_400GB": 400_000_000_000,
}


def as_int(value: object, bits: int = 64) -> int | None:
    """An unsigned integer of at most ``bits`` bits from a leaf value (ints, integral floats,
    digit strings); None for anything else or out of range."""
    if isinstance(value, bool):
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20
    ):
        number = int(value)
    else:
        return None
    return number if 0 <= number < 1 << bits else None


def as_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def finish(
    family: int, instance: Hashable, leaves: Row, rates: CounterRates, origin: Hashable, t_us: int
) -> Row:
    """The typed columns for one instance of ``family`` (origin columns excluded)."""
    if family == IFACE:
        return _interface(str(instance), leaves, rates, origin, t_us)
    if family == HEALTH:
        return _health(str(instance), leaves)
    if family == SLA:
        assert isinstance(instance, tuple)
        return _rpm(instance, leaves)
    return _ike(str(instance), leaves)


def _interface(name: str, leaves: Row, rates: CounterRates, origin: Hashable, t_us: int) -> Row:
    row: Row = {"if_name": name}
    reset = False
    seen = False
    if "out_discards" not in leaves and "queue_drops" in leaves:
        leaves["out_discards"] = leaves["queue_drops"]
    for column in _IF_COUNTERS:
        value = leaves.get(column)
        if value is None:
            continue
        if type(value) is not int or not 0 <= value < _U64:
            value = as_int(value)
        row[column] = value
        if value is None:
            continue
        seen = True
        rate = rates.update((origin, name, column), value, t_us)
        reset = reset or rate.reset
        if column == "in_octets" and rate.per_second is not None:
            row["in_bps"] = rate.per_second * 8
        elif column == "out_octets" and rate.per_second is not None:
            row["out_bps"] = rate.per_second * 8
    row["counter_reset"] = reset if seen else None
    row["if_index"] = as_int(leaves.get("if_index"), 32)
    for column in ("oper_status", "admin_status"):
        value = leaves.get(column)
        row[column] = None if value is None else str(value).lower()
    mbps = as_int(leaves.get("speed_mbps"), 44)  # × 10**6 stays within 64 bits
    if mbps is not None:
        row["speed_bps"] = mbps * 1_000_000
    else:
        row["speed_bps"] = _PORT_SPEEDS.get(str(leaves.get("port_speed")))
    return row


def _health(component: str, leaves: Row) -> Row:
    row: Row = {"component": component}
    row["cpu_pct"] = as_float(leaves.get("cpu_pct"))
    row["temperature_c"] = as_float(leaves.get("temperature_c"))
    memory = as_float(leaves.get("memory_pct"))
    physical = as_float(leaves.get("mem_physical"))
    if memory is None and physical:
        used = as_float(leaves.get("mem_used"))
        free = as_float(leaves.get("mem_free"))
        if used is not None:
            memory = 100.0 * used / physical
        elif free is not None:
            memory = 100.0 * (physical - free) / physical
    row["memory_pct"] = memory
    row["sessions_current"] = as_int(leaves.get("sessions_current"))
    row["sessions_max"] = as_int(leaves.get("sessions_max"))
    return row


def _scoped(leaves: Row, column: str) -> object:
    for scope in ("current-test", "last-test", "all-tests"):
        value = leaves.get(f"{column}@{scope}")
        if value is not None:
            return value
    return leaves.get(column)


def _ms(us: object) -> float | None:
    value = as_float(us)
    return None if value is None else abs(value) / 1000.0


def _rpm(instance: tuple[str, ...], leaves: Row) -> Row:
    owner, test = instance
    rtt = _scoped(leaves, "rtt_us")
    jitter = _scoped(leaves, "jitter_us")
    fields = {"owner": owner, "test_name": test}
    fields.update(_fields(leaves))
    return {
        "probe": f"{owner}/{test}",
        "interface": _text(leaves.get("interface")),
        "destination": _text(leaves.get("destination")),
        "rtt_ms": _ms(rtt if rtt is not None else leaves.get("single_rtt_us")),
        "jitter_ms": _ms(jitter if jitter is not None else leaves.get("single_jitter_us")),
        "loss_pct": as_float(_scoped(leaves, "loss_pct")),
        "probes_sent": as_int(_scoped(leaves, "probes_sent"), 32),
        "probes_received": as_int(_scoped(leaves, "probes_received"), 32),
        "fields": fields,
    }


def _ike(remote: str, leaves: Row) -> Row:
    deleted = leaves.get("deleted") is True
    return {
        "remote_gateway": remote,
        "local_address": _text(leaves.get("local_address")),
        # The sensor lists the SAs that exist: present means up, a delete means down.
        "ike_state": "down" if deleted else "up",
        "in_octets": as_int(leaves.get("in_octets")),
        "out_octets": as_int(leaves.get("out_octets")),
        "in_pkts": as_int(leaves.get("in_pkts")),
        "out_pkts": as_int(leaves.get("out_pkts")),
        "fields": _fields(leaves),
    }


def _fields(leaves: Row) -> dict[str, str]:
    return {k[6:]: str(v) for k, v in leaves.items() if k.startswith("field:") and v is not None}
