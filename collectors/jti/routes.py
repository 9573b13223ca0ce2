"""Which telemetry leaf feeds which column of a typed table, and which instance it belongs to.

Owns the vocabulary that maps a metric path (OpenConfig key/value paths as Junos streams them over
gRPC and gNMI, and the native GPB field paths ``<extension>/<field>/...``) onto the typed tables
``interface_stats``, ``device_health``, ``sla_metrics`` and ``vpn_tunnels``. ``resolve`` runs once
per distinct path (callers cache it); everything here is pure data and small functions. Leaves
that match nothing are not lost: they stay in the long ``telemetry`` table.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from collectors.jti.paths import Keys

IFACE, HEALTH, SLA, VPN = 0, 1, 2, 3
#: typed table of each family, by family number
FAMILY_TABLES: tuple[str, ...] = ("interface_stats", "device_health", "sla_metrics", "vpn_tunnels")

Instance = Callable[[dict[str, str]], Hashable | None]


@dataclass(frozen=True, slots=True)
class Route:
    """Where one leaf goes: family, instance (row identity within a message) and column.

    ``column`` is a name the family's finisher understands (``in_octets``, ``speed_mbps``,
    ``rtt_us@current-test``…); ``accumulate`` adds values of several leaves (queue drops).
    """

    family: int
    instance: Hashable
    column: str
    accumulate: bool = False


# -- instances ---------------------------------------------------------------------------------


def _if_name(keys: dict[str, str]) -> str | None:
    return keys.get("name") or keys.get("if_name")


def _subif_name(keys: dict[str, str]) -> str | None:
    name, index = keys.get("name"), keys.get("index")
    return f"{name}.{index}" if name is not None and index is not None else None


def _cpu(keys: dict[str, str]) -> str:
    index = keys.get("index")
    return "Routing Engine" if index in (None, "ALL", "all") else f"Routing Engine cpu{index}"


def _routing_engine(keys: dict[str, str]) -> str:
    return "Routing Engine"


def _component(keys: dict[str, str]) -> str | None:
    return keys.get("name")


def _spu(keys: dict[str, str]) -> str | None:
    name = keys.get("name") or keys.get("spu_name") or keys.get("spu-name")
    return f"SPU {name}" if name else None


def _spu_core(keys: dict[str, str]) -> str | None:
    """Native SPU CPU figures come per CPU of the SPU: one component each."""
    spu, core = keys.get("spu_name"), keys.get("cpu_name")
    if not spu:
        return None
    return f"SPU {spu}/{core}" if core else f"SPU {spu}"


def _probe(keys: dict[str, str]) -> tuple[str, str] | None:
    owner = keys.get("owner")
    test = keys.get("test-name") or keys.get("test_name")
    return (owner, test) if owner is not None and test is not None else None


def _ike(keys: dict[str, str]) -> str | None:
    return keys.get("remote-ip") or keys.get("remote_ip") or keys.get("remote-address")


# -- vocabularies --------------------------------------------------------------------------------

_OC_COUNTERS = {
    "in-octets": "in_octets",
    "out-octets": "out_octets",
    "in-pkts": "in_pkts",
    "out-pkts": "out_pkts",
    "in-errors": "in_errors",
    "out-errors": "out_errors",
    "in-discards": "in_discards",
    "out-discards": "out_discards",
    "in-fcs-errors": "in_crc_errors",
    "in-crc-errors": "in_crc_errors",
}
_OC_STATE = {
    "oper-status": "oper_status",
    "admin-status": "admin_status",
    "ifindex": "if_index",
    "high-speed": "speed_mbps",
}
_QUEUE_DROPS = ("tail-drop-pkts", "red-drop-pkts", "rl-drop-pkts")

_NATIVE_PORT = {
    "ingress_stats/if_octets": "in_octets",
    "egress_stats/if_octets": "out_octets",
    "ingress_stats/if_pkts": "in_pkts",
    "egress_stats/if_pkts": "out_pkts",
    "ingress_errors/if_errors": "in_errors",
    "egress_errors/if_errors": "out_errors",
    "ingress_errors/if_discards": "in_discards",
    "egress_errors/if_discards": "out_discards",
    # Junos counts CRC/alignment errors in "framing errors".
    "ingress_errors/if_in_frame_errors": "in_crc_errors",
    "if_operational_status": "oper_status",
    "if_administration_status": "admin_status",
    "snmp_if_index": "if_index",
    "ifHighSpeed": "speed_mbps",
    "egress_queue_info/tail_drop_packets": "+queue_drops",
    "egress_queue_info/red_drop_packets": "+queue_drops",
    "egress_queue_info/rl_drop_packets": "+queue_drops",
}
_NATIVE_LOGICAL = {
    "ingress_stats/if_octets": "in_octets",
    "egress_stats/if_octets": "out_octets",
    "ingress_stats/if_packets": "in_pkts",
    "egress_stats/if_packets": "out_pkts",
    "op_state/operational_status": "oper_status",
    "administractive_status": "admin_status",
    "snmp_if_index": "if_index",
    "high_speed": "speed_mbps",
    "egress_queue_info/tail_drop_packets": "+queue_drops",
    "egress_queue_info/red_drop_packets": "+queue_drops",
    "egress_queue_info/rate_limit_drop_packets": "+queue_drops",
}

_SPU_CPU = {"cpu-utilization": "cpu_pct", "memory-utilization": "memory_pct"}
_SPU_FLOW = {"flow-session-current": "sessions_current", "flow-session-max": "sessions_max"}
_NATIVE_SPU_SESSIONS = "jnpr_spu_flow_ext/security/spu/flow/stats_scope/system/session/"
_MEMORY = {
    "physical": "mem_physical",
    "used": "mem_used",
    "free": "mem_free",
    "utilized": "memory_pct",
}

# RPM probe-test results: leaf (relative to one probe-test-results entry) → column.
_RPM = {
    "target-address": "destination",
    "destination-interface": "interface",
    "probe-test-generic-results/probes-sent": "probes_sent",
    "probe-test-generic-results/probe-responses": "probes_received",
    "probe-test-generic-results/loss-percentage": "loss_pct",
    "probe-test-generic-results/probe-test-generic-measurements/avg-delay": "rtt_us",
    "probe-test-generic-results/probe-test-generic-measurements/jitter-delay": "jitter_us",
    "probe-single-results/rtt": "single_rtt_us",
    "probe-single-results/round-trip-jitter": "single_jitter_us",
}
_IKE = {
    "local-ip": "local_address",
    "in-bytes": "in_octets",
    "out-bytes": "out_octets",
    "in-packets": "in_pkts",
    "out-packets": "out_pkts",
}


def _table() -> dict[str, tuple[int, Instance, str]]:
    """Exact metric path → (family, instance function, column)."""
    t: dict[str, tuple[int, Instance, str]] = {}
    base, sub = "/interfaces/interface/", "/interfaces/interface/subinterfaces/subinterface/"
    for leaf, column in _OC_COUNTERS.items():
        t[f"{base}state/counters/{leaf}"] = (IFACE, _if_name, column)
        t[f"{sub}state/counters/{leaf}"] = (IFACE, _subif_name, column)
    for leaf, column in _OC_STATE.items():
        t[f"{base}state/{leaf}"] = (IFACE, _if_name, column)
        if column != "speed_mbps":
            t[f"{sub}state/{leaf}"] = (IFACE, _subif_name, column)
    for leaf in _QUEUE_DROPS:
        t[f"{base}state/counters/out-queue/{leaf}"] = (IFACE, _if_name, "+queue_drops")
    t[f"{base}ethernet/state/port-speed"] = (IFACE, _if_name, "port_speed")
    for leaf, column in _NATIVE_PORT.items():
        t[f"jnpr_interface_ext/interface_stats/{leaf}"] = (IFACE, _if_name, column)
    for leaf, column in _NATIVE_LOGICAL.items():
        t[f"jnprLogicalInterfaceExt/interface_info/{leaf}"] = (IFACE, _if_name, column)

    t["/system/cpus/cpu/state/total/instant"] = (HEALTH, _cpu, "cpu_pct")
    for leaf, column in _MEMORY.items():
        t[f"/system/memory/state/{leaf}"] = (HEALTH, _routing_engine, column)
    t["/components/component/state/temperature/instant"] = (HEALTH, _component, "temperature_c")
    for leaf, column in _SPU_CPU.items():
        t[f"/junos/security/spu/cpu/usage/spu/{leaf}"] = (HEALTH, _spu, column)
    for leaf, column in _SPU_FLOW.items():
        t[f"/junos/security/spu/flow/usage/spu/{leaf}"] = (HEALTH, _spu, column)
    t["jnpr_spu_cpu_ext/security/spu/cpu/utilization"] = (HEALTH, _spu_core, "cpu_pct")
    # The native flow sensor counts current sessions by address family; their sum is the
    # SPU's session count (the counts themselves stay in the telemetry table).
    for leaf in ("no_v4", "no_v6"):
        t[f"{_NATIVE_SPU_SESSIONS}{leaf}"] = (HEALTH, _spu, "+sessions_current")
    return t


_EXACT = _table()

#: metric prefixes whose other leaves are kept in the family's ``fields`` map
_FIELDS_PREFIXES: tuple[tuple[str, int, Instance, dict[str, str]], ...] = (
    ("/junos/rpm/probe-results/probe-test-results/", SLA, _probe, _RPM),
    (
        "jnpr_rpm_ext/rpm/probe_results/probe_test_results/",
        SLA,
        _probe,
        {k.replace("-", "_"): v for k, v in _RPM.items()},
    ),
    ("/junos/ike-security-associations/ike-security-association/", VPN, _ike, _IKE),
    (
        "jnpr_junos_key_management_ext/ike_security_associations/ike_security_association/",
        VPN,
        _ike,
        {k.replace("-", "_"): v for k, v in _IKE.items()},
    ),
)


def resolve(metric: str, keys: Keys) -> Route | None:
    """The route of ``metric`` with ``keys``, or None when it feeds no typed table."""
    exact = _EXACT.get(metric)
    kv = dict(keys)
    if exact is not None:
        family, instance_of, column = exact
        instance = instance_of(kv)
        if instance is None:
            return None
        accumulate = column.startswith("+")
        return Route(family, instance, column.lstrip("+"), accumulate)
    entry = metric + "/"
    for prefix, family, instance_of, columns in _FIELDS_PREFIXES:
        if metric.startswith(prefix) or entry == prefix:
            instance = instance_of(kv)
            if instance is None:
                return None
            leaf = metric[len(prefix) :]
            if not leaf:
                return Route(family, instance, "entry")  # the list entry itself (deletes)
            known = columns.get(leaf)
            if known is None:
                return Route(family, instance, "field:" + leaf.rsplit("/", 1)[-1])
            qualified = _rpm_qualified(known, kv) if family == SLA else known
            return None if qualified is None else Route(family, instance, qualified)
    return None


def _rpm_qualified(column: str, keys: dict[str, str]) -> str | None:
    """RPM generic results come per scope and measurement type: keep the round-trip ones and
    tag them with their scope (the finisher prefers the current test)."""
    if column in ("rtt_us", "jitter_us"):
        kind = keys.get("probe-measurement-type") or keys.get("probe_measurement_type")
        if kind not in ("round-trip-time", "rtt"):
            return None
    scope = keys.get("results-scope") or keys.get("results_scope")
    return f"{column}@{scope}" if scope is not None else column
