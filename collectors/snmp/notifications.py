"""Received SNMP notifications → ``device_events`` rows. Sans-IO: plain varbinds in.

Every notification becomes one row: ``category``, ``event_type`` and ``state`` from
``oids.TRAPS`` (an unknown notification keeps its OID as ``event_type``, category ``system``),
``interface`` from ifName/ifDescr (or "ifIndex N"), ``peer`` from pingCtlTargetAddress, and in
``fields`` every varbind as received under its dotted OID, beside decoded names (``trap``,
``version``, ``pdu``, ``user``, ``if_index``, ``probe``, RTT figures). A community string is
never stored. SNMP notifications carry no wall-clock time (sysUpTime only), so ``event_time``
is the time of receipt.

Also declares the ``rejects`` error classes of the trap receiver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from collectors import tables as spec
from collectors.errors import WireError
from collectors.origin import ExporterMap, attach_origin
from collectors.snmp import oids
from collectors.snmp.oids import Oid, dotted
from collectors.snmp.rows import KeyValues, Origin, build, origin_columns
from collectors.snmp.values import Value, VarBind, as_int, as_text, display, index_string
from collectors.snmp.values import inet_address as decode_inet_address


class TrapAuthError(WireError):
    """A notification whose community, USM user or keys are not accepted."""


class NotANotification(WireError):
    """A well-formed SNMP message that is not a trap or an inform."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One decoded trap or inform."""

    sender: str
    received_us: int
    version: str  # "1", "2c" or "3"
    pdu: str  # "trap" or "inform"
    user: str | None  # SNMPv3 user name; None for v1/v2c
    varbinds: Sequence[VarBind]

    def trap_oid(self) -> Oid | None:
        for name, value in self.varbinds:
            if name == oids.SNMP_TRAP_OID and isinstance(value, tuple):
                return value
        return None


def device_events(notifications: Sequence[Notification], exporters: ExporterMap) -> pa.Table:
    """``device_events`` rows for ``notifications``, origin resolved from ``exporters``."""
    cols: dict[str, list[object]] = {name: [] for name in _COLUMNS}
    event: list[int] = []
    senders: list[str] = []
    for note in notifications:
        trap_oid = note.trap_oid()
        known = oids.TRAPS.get(trap_oid) if trap_oid is not None else None
        decoded = _decode(note.varbinds)
        fields: KeyValues = [
            ("trap", known.name if known else (dotted(trap_oid) if trap_oid else "")),
            ("version", note.version),
            ("pdu", note.pdu),
        ]
        if note.user is not None:
            fields.append(("user", note.user))
        fields += [(k, v) for k, v in decoded.items() if k not in ("interface", "peer")]
        fields += [
            (dotted(name), _display(name, value))
            for name, value in note.varbinds
            if name != oids.SNMP_TRAP_COMMUNITY  # added by pysnmp to v1 traps: a secret
        ]
        values: dict[str, object] = {
            "category": known.category if known else "system",
            "event_type": known.name if known else (dotted(trap_oid) if trap_oid else "unknown"),
            "state": known.state if known else None,
            "interface": decoded.get("interface"),
            "peer": decoded.get("peer"),
            "fields": fields,
        }
        event.append(note.received_us)
        senders.append(note.sender)
        for name in _COLUMNS:
            cols[name].append(values.get(name))
    n = len(event)
    columns = {**origin_columns(Origin(""), event, list(event)), "exporter": senders, **cols}
    return attach_origin(build(spec.DEVICE_EVENTS, n, columns), exporters)


_COLUMNS = ("category", "event_type", "state", "interface", "peer", "fields")


def _display(name: Oid, value: Value) -> str:
    if name == oids.SNMP_TRAP_ADDRESS and isinstance(value, bytes) and len(value) == 4:
        return ".".join(map(str, value))  # the agent-addr of a v1 trap
    return display(value)


def _decode(varbinds: Sequence[VarBind]) -> dict[str, str]:
    """Readable names for the varbinds we understand (interface, probe, RTTs)."""
    out: dict[str, str] = {}
    if_name: str | None = None
    if_descr: str | None = None
    target_type: int | None = None
    target: Value | None = None
    for name, value in varbinds:
        column, index = name[:-1], name[-1:]
        if column in (oids.IF_INDEX, oids.IF_NAME, oids.IF_DESCR, oids.IF_ADMIN, oids.IF_OPER):
            out["if_index"] = str(index[0])
            if column == oids.IF_NAME:
                if_name = as_text(value)
            elif column == oids.IF_DESCR:
                if_descr = as_text(value)
            elif column == oids.IF_ADMIN and isinstance(value, int):
                out["admin_status"] = oids.IF_ADMIN_STATUS.get(value, str(value))
            elif column == oids.IF_OPER and isinstance(value, int):
                out["oper_status"] = oids.IF_OPER_STATUS.get(value, str(value))
            continue
        probe = _probe(name)
        if probe is None:
            continue
        out["probe"] = probe[0]
        prefix, sub = probe[1], probe[2]
        if prefix == oids.PING_CTL_TARGET_ADDRESS[:-1] and sub == 3:
            target_type = as_int(value)
        elif prefix == oids.PING_CTL_TARGET_ADDRESS[:-1] and sub == 4:
            target = value
        elif prefix == oids.PING_RESULTS and isinstance(value, int):
            out[oids.PING_RESULTS_COLUMNS.get(sub, f"pingResults.{sub}")] = str(value)
        elif prefix == oids.JNX_PING_RESULTS and isinstance(value, int):
            out[oids.JNX_PING_RESULTS_COLUMNS.get(sub, f"jnxPingResults.{sub}")] = str(value)
    interface = if_name or if_descr
    if interface is None and "if_index" in out:
        interface = f"ifIndex {out['if_index']}"
    if interface:
        out["interface"] = interface
    peer = decode_inet_address(target_type, target) if target is not None else None
    if peer:
        out["peer"] = peer
    return out


_PING_TABLES = (oids.PING_CTL_TARGET_ADDRESS[:-1], oids.PING_RESULTS, oids.JNX_PING_RESULTS)


def _probe(name: Oid) -> tuple[str, Oid, int] | None:
    """("owner/test", table entry OID, column) for an instance of a ping table, else None."""
    for prefix in _PING_TABLES:
        if name[: len(prefix)] == prefix and len(name) > len(prefix) + 1:
            index = name[len(prefix) + 1 :]
            try:
                owner, pos = index_string(index, 0)
                test, pos = index_string(index, pos)
            except (ValueError, IndexError):
                return None
            if pos != len(index):
                return None
            return f"{owner}/{test}", prefix, name[len(prefix)]
    return None
