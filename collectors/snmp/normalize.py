"""Walked SNMP tables → rows of ``interface_stats``, ``device_health``, ``sla_metrics``,
``vpn_tunnels`` and the long ``telemetry`` table. Sans-IO: plain values in, Arrow tables out.

Raw before derived: counters are stored as the device reported them; ``in_bps``/``out_bps`` and
``counter_reset`` come from ``CounterRates`` beside them, and every numeric value polled also
lands in ``telemetry`` under its MIB table and object name. SNMP carries no sample timestamp,
so ``event_time`` is when the response arrived, except RPM results, which carry the
device's own completion time (``jnxRpmResSumDate``).

Mapping rules (documented here, computed nowhere else):

* interface_stats: ``if_name`` is ifName, else ifDescr; octets from ifHCIn/OutOctets, or the
  32-bit ifIn/OutOctets on devices without HC counters (rates then use 32-bit wrap rules);
  ``in_pkts`` = HC unicast + multicast + broadcast (unicast only for 32-bit devices);
  ``speed_bps`` is ifSpeed unless it saturates (4294967295), then ifHighSpeed × 10⁶;
  ``in_crc_errors`` is dot3StatsFCSErrors; ``counter_reset`` is set when either octet counter
  went backwards.
* device_health: one row for the device (``component`` null, ``uptime_s`` from sysUpTime), one
  per jnxOperatingTable entry (``component`` = jnxOperatingDescr, ``cpu_pct`` = CPU,
  ``memory_pct`` = Buffer, ``temperature_c`` = Temp with 0 read as "no sensor", ``status`` =
  the jnxOperatingState label, ``power_status`` = that label for power supplies) and one per
  SPU (``component`` = "SPU <fpc>/<spu>", prefixed by the cluster node unless "single").
* sla_metrics (``source`` = rpm): one row per RPM test from its lastCompletedTest collection,
  only when jnxRpmResSumDate changed since the last poll; ``probe`` = "owner/test", ``rtt_ms``
  = roundTripTime average, ``jitter_ms`` = posRttJitter average (else RTT peak-to-peak),
  ``loss_pct`` = PercentLost / 10⁶, ``destination`` = pingCtlTargetAddress.
* vpn_tunnels: one row per IKE SA (``tunnel`` = jnxIkeTunMonIndex, ``remote_gateway`` from the
  index, ``ike_state`` = jnxIkeTunMonState, ``uptime_s`` = ActiveTime / 100); the counters are
  the sums of the IPsec SAs to the same remote gateway and ``ipsec_state`` is up when there is
  at least one; IPsec SAs without an IKE SA (manual keys) get their own row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from collectors import tables as spec
from collectors.snmp import oids
from collectors.snmp.oids import Oid, dotted
from collectors.snmp.rows import KeyValues, Origin, build, origin_columns
from collectors.snmp.values import (
    Value,
    as_int,
    as_text,
    date_and_time_us,
    index_inet_address,
    index_string,
    inet_address,
)
from collectors.snmp.walk import Rows
from collectors.telemetry.counters import CounterRates

SOURCE = "snmp"


@dataclass(frozen=True, slots=True)
class Walked:
    """One group's rows and when its last response arrived (µs since the epoch)."""

    rows: Rows
    time_us: int


@dataclass
class Sample:
    """Everything one poll of one device returned; groups that failed are absent."""

    origin: Origin
    groups: dict[str, Walked] = field(default_factory=dict)
    uptime: tuple[int, int] | None = None  # (sysUpTime in 1/100 s, time_us)


@dataclass
class Normalized:
    tables: dict[str, pa.Table]
    counter_resets: list[str]  # interfaces whose octet counters went backwards


class Normalizer:
    """Turns samples into table rows; keeps counter and RPM state between polls."""

    def __init__(self, rates: CounterRates | None = None) -> None:
        self.rates = rates if rates is not None else CounterRates()
        self._rpm_dates: dict[tuple[str, str, str], int] = {}

    def normalize(self, sample: Sample) -> Normalized:
        out: dict[str, pa.Table] = {}
        resets: list[str] = []
        interfaces = sample.groups.get(oids.INTERFACES.name)
        if interfaces is not None:
            table, resets = self.interface_stats(sample.origin, interfaces)
            out[spec.INTERFACE_STATS.name] = table
        for name, table in (
            (spec.DEVICE_HEALTH.name, device_health(sample)),
            (spec.SLA_METRICS.name, self.sla_metrics(sample)),
            (spec.VPN_TUNNELS.name, vpn_tunnels(sample)),
            (spec.TELEMETRY.name, telemetry(sample)),
        ):
            out[name] = table
        return Normalized({k: v for k, v in out.items() if v.num_rows}, resets)

    # -- interface_stats -------------------------------------------------------------------

    def interface_stats(self, origin: Origin, walked: Walked) -> tuple[pa.Table, list[str]]:
        r = walked.rows
        t = walked.time_us
        indexes = sorted({i for column in r.values() for i in column if len(i) == 1})
        cols: dict[str, list[object]] = {name: [] for name in _INTERFACE_COLUMNS}
        resets: list[str] = []
        for index in indexes:
            if_index = index[0]
            name = (
                as_text(r["ifName"].get(index))
                or as_text(r["ifDescr"].get(index))
                or f"ifIndex {if_index}"
            )
            hc_in, hc_out = (
                as_int(r["ifHCInOctets"].get(index)),
                as_int(r["ifHCOutOctets"].get(index)),
            )
            if hc_in is not None or hc_out is not None:
                bits = 64
                in_octets, out_octets = hc_in, hc_out
                in_pkts = _sum(r, index, _HC_IN_PKTS)
                out_pkts = _sum(r, index, _HC_OUT_PKTS)
            else:
                bits = 32
                in_octets = as_int(r.get("ifInOctets", {}).get(index))
                out_octets = as_int(r.get("ifOutOctets", {}).get(index))
                in_pkts = as_int(r.get("ifInUcastPkts", {}).get(index))
                out_pkts = as_int(r.get("ifOutUcastPkts", {}).get(index))
            rate_in = self._rate((origin.exporter, if_index, name, "in"), in_octets, t, bits)
            rate_out = self._rate((origin.exporter, if_index, name, "out"), out_octets, t, bits)
            reset = rate_in[1] or rate_out[1]
            if reset:
                resets.append(name)
            speed = as_int(r["ifSpeed"].get(index))
            high = as_int(r["ifHighSpeed"].get(index))
            if high is not None and (speed is None or speed >= oids.IF_SPEED_MAX):
                speed = high * 1_000_000
            oper = as_int(r["ifOperStatus"].get(index))
            admin = as_int(r["ifAdminStatus"].get(index))
            values: dict[str, object] = {
                "if_name": name,
                "if_index": if_index,
                "oper_status": None if oper is None else oids.IF_OPER_STATUS.get(oper, str(oper)),
                "admin_status": None
                if admin is None
                else oids.IF_ADMIN_STATUS.get(admin, str(admin)),
                "speed_bps": speed,
                "in_octets": in_octets,
                "out_octets": out_octets,
                "in_pkts": in_pkts,
                "out_pkts": out_pkts,
                "in_errors": as_int(r["ifInErrors"].get(index)),
                "out_errors": as_int(r["ifOutErrors"].get(index)),
                "in_discards": as_int(r["ifInDiscards"].get(index)),
                "out_discards": as_int(r["ifOutDiscards"].get(index)),
                "in_crc_errors": as_int(r["dot3StatsFCSErrors"].get(index)),
                "in_bps": None if rate_in[0] is None else rate_in[0] * 8,
                "out_bps": None if rate_out[0] is None else rate_out[0] * 8,
                "counter_reset": reset,
            }
            for key, value in values.items():
                cols[key].append(value)
        n = len(indexes)
        columns = {**origin_columns(origin, [t] * n, t), "source": [SOURCE] * n, **cols}
        return build(spec.INTERFACE_STATS, n, columns), resets

    def _rate(
        self, key: tuple[object, ...], value: int | None, time_us: int, bits: int
    ) -> tuple[float | None, bool]:
        if value is None:
            return None, False
        rate = self.rates.update(key, value, time_us, bits=bits)
        return rate.per_second, rate.reset

    # -- sla_metrics -------------------------------------------------------------------------

    def sla_metrics(self, sample: Sample) -> pa.Table:
        origin = sample.origin
        walked = sample.groups.get(oids.RPM_SUMMARY.name)
        if walked is None:
            return build(spec.SLA_METRICS, 0, {})
        r = walked.rows
        calc = sample.groups.get(oids.RPM_CALC.name)
        target = sample.groups.get(oids.RPM_TARGET.name)
        event: list[int] = []
        cols: dict[str, list[object]] = {name: [] for name in _SLA_COLUMNS}
        for owner, test, index in rpm_tests(r):
            date_us = date_and_time_us(r["jnxRpmResSumDate"].get(index))
            key = (origin.exporter, owner, test)
            if date_us is not None:
                if self._rpm_dates.get(key) == date_us:
                    continue  # the same completed test as at the last poll
                self._rpm_dates[key] = date_us
            test_index = index[:-1]
            rtt = _calc(calc, (*test_index, oids.RPM_LAST_COMPLETED, oids.RPM_SET_RTT))
            jitter = _calc(
                calc, (*test_index, oids.RPM_LAST_COMPLETED, oids.RPM_SET_POS_RTT_JITTER)
            )
            jitter_us = jitter.get("jnxRpmResCalcAverage")
            if jitter_us is None:
                jitter_us = rtt.get("jnxRpmResCalcPkToPk")
            lost = as_int(r["jnxRpmResSumPercentLost"].get(index))
            destination = None
            if target is not None:
                destination = inet_address(
                    as_int(target.rows["pingCtlTargetAddressType"].get(test_index)),
                    target.rows["pingCtlTargetAddress"].get(test_index),
                )
            fields: KeyValues = [("owner", owner), ("test", test)]
            fields += _calc_fields("rtt", rtt) + _calc_fields("jitter", jitter)
            event.append(date_us if date_us is not None else walked.time_us)
            values: dict[str, object] = {
                "probe": f"{owner}/{test}",
                "destination": destination,
                "rtt_ms": _ms(rtt.get("jnxRpmResCalcAverage")),
                "jitter_ms": _ms(jitter_us),
                "loss_pct": None if lost is None else lost / 1_000_000,
                "probes_sent": as_int(r["jnxRpmResSumSent"].get(index)),
                "probes_received": as_int(r["jnxRpmResSumReceived"].get(index)),
                "fields": fields,
            }
            for k, v in values.items():
                cols[k].append(v)
        n = len(event)
        columns = {
            **origin_columns(origin, event, walked.time_us),
            "source": ["rpm"] * n,
            **cols,
        }
        return build(spec.SLA_METRICS, n, columns)


_INTERFACE_COLUMNS = (
    "if_name",
    "if_index",
    "oper_status",
    "admin_status",
    "speed_bps",
    "in_octets",
    "out_octets",
    "in_pkts",
    "out_pkts",
    "in_errors",
    "out_errors",
    "in_discards",
    "out_discards",
    "in_crc_errors",
    "in_bps",
    "out_bps",
    "counter_reset",
)
_SLA_COLUMNS = (
    "probe",
    "destination",
    "rtt_ms",
    "jitter_ms",
    "loss_pct",
    "probes_sent",
    "probes_received",
    "fields",
)


def _sum(rows: Rows, index: Oid, names: Iterable[str]) -> int | None:
    values = [as_int(rows[name].get(index)) for name in names]
    present = [v for v in values if v is not None]
    return sum(present) if present else None


_HC_IN_PKTS = ("ifHCInUcastPkts", "ifHCInMulticastPkts", "ifHCInBroadcastPkts")
_HC_OUT_PKTS = ("ifHCOutUcastPkts", "ifHCOutMulticastPkts", "ifHCOutBroadcastPkts")


def _calc_fields(prefix: str, calc: dict[str, int]) -> KeyValues:
    """``{"jnxRpmResCalcMin": 812}`` → ``[("rtt_min_us", "812")]`` (samples: no unit)."""
    out = []
    for k, v in calc.items():
        name = k.removeprefix("jnxRpmResCalc").lower()
        out.append((f"{prefix}_{name}" if name == "samples" else f"{prefix}_{name}_us", str(v)))
    return out


def _ms(us: int | None) -> float | None:
    return None if us is None else us / 1000


def _calc(calc: Walked | None, index: Oid) -> dict[str, int]:
    if calc is None:
        return {}
    out = {}
    for column in oids.RPM_CALC.columns:
        value = as_int(calc.rows[column.name].get(index))
        if value is not None:
            out[column.name] = value
    return out


def rpm_tests(rows: Rows) -> list[tuple[str, str, Oid]]:
    """(owner, test, summary index) of every test's lastCompletedTest summary row."""
    found = []
    for index in sorted(rows["jnxRpmResSumSent"]):
        try:
            owner, pos = index_string(index, 0)
            test, pos = index_string(index, pos)
        except (ValueError, IndexError):
            continue
        if index[pos:] == (oids.RPM_LAST_COMPLETED,):
            found.append((owner, test, index))
    return found


def rpm_calc_oids(rows: Rows) -> list[Oid]:
    """The jnxRpmResultsCalculatedTable and pingCtlTable instances to GET for walked tests."""
    wanted: list[Oid] = []
    for _owner, _test, index in rpm_tests(rows):
        test_index = index[:-1]
        for set_ in (oids.RPM_SET_RTT, oids.RPM_SET_POS_RTT_JITTER):
            for column in oids.RPM_CALC.columns:
                wanted.append((*column.oid, *test_index, oids.RPM_LAST_COMPLETED, set_))
        for column in oids.RPM_TARGET.columns:
            wanted.append((*column.oid, *test_index))
    return wanted


# -- device_health ---------------------------------------------------------------------------


def device_health(sample: Sample) -> pa.Table:
    origin = sample.origin
    event: list[int] = []
    cols: dict[str, list[object]] = {name: [] for name in _HEALTH_COLUMNS}

    def add(time_us: int, **values: object) -> None:
        event.append(time_us)
        for name in _HEALTH_COLUMNS:
            cols[name].append(values.get(name))

    if sample.uptime is not None:
        add(sample.uptime[1], uptime_s=sample.uptime[0] // 100)
    operating = sample.groups.get(oids.OPERATING.name)
    if operating is not None:
        r = operating.rows
        for index in sorted({i for column in r.values() for i in column}):
            state = as_int(r["jnxOperatingState"].get(index))
            label = None if state is None else oids.JNX_OPERATING_STATE.get(state, str(state))
            temp = as_int(r["jnxOperatingTemp"].get(index))
            uptime = as_int(r["jnxOperatingUpTime"].get(index))
            add(
                operating.time_us,
                component=as_text(r["jnxOperatingDescr"].get(index)) or dotted(index),
                cpu_pct=_float(r["jnxOperatingCPU"].get(index)),
                memory_pct=_float(r["jnxOperatingBuffer"].get(index)),
                temperature_c=float(temp) if temp else None,
                power_status=label if index[:1] == (oids.JNX_CONTAINER_POWER,) else None,
                uptime_s=None if uptime is None else uptime // 100,
                status=label,
            )
    spu = sample.groups.get(oids.SPU.name)
    if spu is not None:
        r = spu.rows
        for index in sorted({i for column in r.values() for i in column}):
            add(
                spu.time_us,
                component=spu_name(r, index),
                cpu_pct=_float(r["jnxJsSPUMonitoringCPUUsage"].get(index)),
                memory_pct=_float(r["jnxJsSPUMonitoringMemoryUsage"].get(index)),
                sessions_current=as_int(r["jnxJsSPUMonitoringCurrentFlowSession"].get(index)),
                sessions_max=as_int(r["jnxJsSPUMonitoringMaxFlowSession"].get(index)),
            )
    n = len(event)
    columns = {**origin_columns(origin, event, list(event)), "source": [SOURCE] * n, **cols}
    return build(spec.DEVICE_HEALTH, n, columns)


_HEALTH_COLUMNS = (
    "component",
    "cpu_pct",
    "memory_pct",
    "temperature_c",
    "power_status",
    "sessions_current",
    "sessions_max",
    "uptime_s",
    "status",
)


def _float(value: Value | None) -> float | None:
    return float(value) if isinstance(value, int) else None


def spu_name(rows: Rows, index: Oid) -> str:
    fpc = as_int(rows["jnxJsSPUMonitoringFPCIndex"].get(index))
    spu = as_int(rows["jnxJsSPUMonitoringSPUIndex"].get(index))
    name = f"SPU {fpc}/{spu}" if fpc is not None and spu is not None else f"SPU {dotted(index)}"
    node = as_text(rows["jnxJsSPUMonitoringNodeDescr"].get(index))
    return f"{node} {name}" if node and node != "single" else name


# -- vpn_tunnels -----------------------------------------------------------------------------


def vpn_tunnels(sample: Sample) -> pa.Table:
    origin = sample.origin
    ike = sample.groups.get(oids.IKE.name)
    ipsec = sample.groups.get(oids.IPSEC.name)
    sas: dict[str, dict[str, int]] = {}
    sa_count: dict[str, int] = {}
    if ipsec is not None:
        for remote, _tunnel, index in _tunnel_indexes(ipsec.rows):
            totals = sas.setdefault(remote, {})
            sa_count[remote] = sa_count.get(remote, 0) + 1
            for column in oids.IPSEC.columns:
                value = as_int(ipsec.rows[column.name].get(index))
                if value is not None:
                    totals[column.name] = totals.get(column.name, 0) + value
    event: list[int] = []
    cols: dict[str, list[object]] = {name: [] for name in _VPN_COLUMNS}

    def add(time_us: int, remote: str, **values: object) -> None:
        totals = sas.get(remote, {})
        values |= {
            "remote_gateway": remote,
            "ipsec_state": "up" if remote in sas else "down",
            "in_octets": totals.get("jnxIpSecTunMonInDecryptedBytes"),
            "out_octets": totals.get("jnxIpSecTunMonOutEncryptedBytes"),
            "in_pkts": totals.get("jnxIpSecTunMonInDecryptedPkts"),
            "out_pkts": totals.get("jnxIpSecTunMonOutEncryptedPkts"),
        }
        fields = values.get("fields")
        sa_field = ("ipsec_sas", str(sa_count.get(remote, 0)))
        values["fields"] = [*(fields if isinstance(fields, list) else []), sa_field]
        event.append(time_us)
        for name in _VPN_COLUMNS:
            cols[name].append(values.get(name))

    seen: set[str] = set()
    if ike is not None:
        r = ike.rows
        for remote, tunnel, index in _tunnel_indexes(r):
            seen.add(remote)
            state = as_int(r["jnxIkeTunMonState"].get(index))
            active = as_int(r["jnxIkeTunMonActiveTime"].get(index))
            remote_id = as_text(r["jnxIkeTunMonRemoteIdValue"].get(index))
            add(
                ike.time_us,
                remote,
                tunnel=str(tunnel),
                local_address=inet_address(None, r["jnxIkeTunMonLocalGwAddr"].get(index)),
                ike_state=None if state is None else oids.IKE_STATE.get(state, str(state)),
                uptime_s=None if active is None else active // 100,
                fields=[("remote_id", remote_id)] if remote_id else [],
            )
    if ipsec is not None:
        for remote in sorted(set(sas) - seen):
            add(ipsec.time_us, remote)
    n = len(event)
    columns = {**origin_columns(origin, event, list(event)), "source": [SOURCE] * n, **cols}
    return build(spec.VPN_TUNNELS, n, columns)


_VPN_COLUMNS = (
    "tunnel",
    "remote_gateway",
    "local_address",
    "ike_state",
    "ipsec_state",
    "uptime_s",
    "in_octets",
    "out_octets",
    "in_pkts",
    "out_pkts",
    "fields",
)


def _tunnel_indexes(rows: Rows) -> list[tuple[str, int, Oid]]:
    """(remote gateway, tunnel index, row index) for type.length.address.index row indexes."""
    out = []
    for index in sorted({i for column in rows.values() for i in column}):
        try:
            remote, pos = index_inet_address(index, 0)
        except (ValueError, IndexError):
            continue
        if remote is not None and len(index) == pos + 1:
            out.append((remote, index[pos], index))
    return out


# -- telemetry -------------------------------------------------------------------------------


def telemetry(sample: Sample) -> pa.Table:
    """Every numeric value of the sample, one row each, keyed by index and a readable name."""
    event: list[int] = []
    sensor: list[str] = []
    keys: list[KeyValues] = []
    metric: list[str] = []
    value: list[float] = []
    if sample.uptime is not None:
        event.append(sample.uptime[1])
        sensor.append(oids.SYS_UPTIME.mib_table)
        keys.append([])
        metric.append(oids.SYS_UPTIME.name)
        value.append(float(sample.uptime[0]))
    for group_name, walked in sample.groups.items():
        name_of = _NAMERS.get(group_name)
        r = walked.rows
        names: dict[Oid, KeyValues] = {}
        for column_name, column_rows in r.items():
            mib_table = oids.COLUMNS[column_name].mib_table
            for index, v in column_rows.items():
                if not isinstance(v, int):
                    continue
                k = names.get(index)
                if k is None:
                    k = names[index] = [("index", dotted(index))] + (
                        name_of(r, index) if name_of else []
                    )
                event.append(walked.time_us)
                sensor.append(mib_table)
                keys.append(k)
                metric.append(column_name)
                value.append(float(v))
    n = len(event)
    columns = {
        **origin_columns(sample.origin, event, list(event)),
        "source": [SOURCE] * n,
        "sensor": sensor,
        "keys": keys,
        "metric": metric,
        "value": value,
    }
    return build(spec.TELEMETRY, n, columns)


def _interface_keys(rows: Rows, index: Oid) -> KeyValues:
    name = as_text(rows["ifName"].get(index)) or as_text(rows["ifDescr"].get(index))
    return [("if_name", name)] if name else []


def _operating_keys(rows: Rows, index: Oid) -> KeyValues:
    name = as_text(rows["jnxOperatingDescr"].get(index))
    return [("component", name)] if name else []


def _rpm_keys(rows: Rows, index: Oid) -> KeyValues:
    try:
        owner, pos = index_string(index, 0)
        test, pos = index_string(index, pos)
    except (ValueError, IndexError):
        return []
    keys = [("owner", owner), ("test", test)]
    if len(index) > pos:
        keys.append(("collection", oids.RPM_COLLECTION.get(index[pos], str(index[pos]))))
    if len(index) > pos + 1:
        keys.append(("set", str(index[pos + 1])))
    return keys


def _tunnel_keys(rows: Rows, index: Oid) -> KeyValues:
    try:
        remote, _pos = index_inet_address(index, 0)
    except (ValueError, IndexError):
        return []
    return [("remote_gateway", remote)] if remote else []


_NAMERS: dict[str, Callable[[Rows, Oid], KeyValues]] = {
    oids.INTERFACES.name: _interface_keys,
    oids.OPERATING.name: _operating_keys,
    oids.SPU.name: lambda rows, index: [("component", spu_name(rows, index))],
    oids.RPM_SUMMARY.name: _rpm_keys,
    oids.RPM_CALC.name: _rpm_keys,
    oids.IKE.name: _tunnel_keys,
    oids.IPSEC.name: _tunnel_keys,
}
