"""The SLE catalogue: every SLE's name, family, scope and classifiers in precedence order.

Owns the names the rest of the code base uses for SLEs and classifiers (``wan_link_health``,
``interface``…), their Mist-style spellings (``wan-link-health``) and the precedence a bad minute
is attributed by (first listed wins; ``SIGNALS.md`` says which signal fires each one). Pure data:
must not import other ``assurance`` modules, read the lake or run SQL.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sle:
    """One SLE: its name, family, the metric its value holds, and classifiers by precedence."""

    name: str
    family: str
    metric: str
    classifiers: tuple[str, ...]

    @property
    def key(self) -> str:
        """The Mist-style spelling (``wan-link-health``)."""
        return self.name.replace("_", "-")


SLES: tuple[Sle, ...] = (
    Sle(
        "gateway_health",
        "wan",
        "cpu_pct",
        ("disconnected", "power", "temperature", "cpu", "memory", "session_table"),
    ),
    Sle(
        "wan_link_health",
        "wan",
        "rtt_ms",
        ("interface", "isp_reachability", "network"),
    ),
    Sle(
        "application_health",
        "wan",
        "rtt_ms",
        ("bandwidth", "loss", "latency", "jitter", "application_services"),
    ),
    Sle("gateway_bandwidth", "wan", "utilization_pct", ("queue_drops", "headroom")),
    Sle(
        "wired_throughput",
        "wired",
        "utilization_pct",
        ("port_errors", "speed_mismatch", "congestion"),
    ),
    Sle("wired_successful_connects", "wired", "failures", ("authorization", "dhcp", "dns")),
    Sle(
        "switch_health",
        "wired",
        "cpu_pct",
        ("disconnected", "uplink", "temperature", "poe", "cpu", "memory"),
    ),
    Sle(
        "time_to_connect",
        "wireless",
        "seconds",
        ("association", "authorization", "dhcp", "ip_services"),
    ),
    Sle(
        "successful_connects",
        "wireless",
        "failures",
        ("association", "authorization", "dhcp", "dns"),
    ),
    Sle("coverage", "wireless", "rssi_dbm", ("weak_signal",)),
    Sle(
        "roaming",
        "wireless",
        "roam_ms",
        ("failed_roam", "slow_11r_roam", "slow_okc_roam", "slow_standard_roam"),
    ),
    Sle(
        "wireless_throughput",
        "wireless",
        "mbps",
        ("coverage", "interference", "capacity", "device_capability", "network_issues"),
    ),
    Sle(
        "capacity",
        "wireless",
        "utilization_pct",
        ("non_wifi_interference", "wifi_interference", "ap_load"),
    ),
    Sle(
        "ap_health",
        "wireless",
        "errors",
        ("ap_disconnected", "ap_reboot", "low_power", "ethernet_errors"),
    ),
)

SLE_NAMES: tuple[str, ...] = tuple(s.name for s in SLES)
BY_NAME: dict[str, Sle] = {s.name: s for s in SLES}

#: Scope dimensions a summary can be asked for, as columns of ``sle_minutes``.
SCOPES: tuple[str, ...] = (
    "org",
    "site",
    "gateway",
    "wan_link",
    "application",
    "ap",
    "switch",
    "switch_port",
    "band",
)


def normalise(key: str) -> str:
    """``wan-link-health`` / ``WAN_Link_Health`` → ``wan_link_health`` (not validated)."""
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def sle(key: str) -> Sle:
    """The SLE for either spelling of its name; ``KeyError`` naming the known ones otherwise."""
    found = BY_NAME.get(normalise(key))
    if found is None:
        known = ", ".join(s.key for s in SLES)
        raise KeyError(f"unknown SLE {key!r}; known: {known}")
    return found


__all__ = ["BY_NAME", "SCOPES", "SLES", "SLE_NAMES", "Sle", "normalise", "sle"]
