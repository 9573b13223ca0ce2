"""SNMP traps of the twin's devices: linkDown/linkUp when a link or an AP port changes state.

Owns: noticing, minute by minute, the interface state changes a device announces by trap (a
gateway's WAN link going down or up, named as its ``SNMP_TRAP_LINK_*`` syslog line names it —
the unit and its ifIndex; a switch's AP port when its AP goes down or comes back), the SNMPv2c
``SNMPv2-Trap`` PDU of each (sysUpTime from the device's simulated boot, snmpTrapOID,
ifIndex, ifAdminStatus, ifOperStatus, ifName — the varbinds Junos sends), its BER bytes, and the
``device_events`` rows the trap receiver writes for them (through the receiver's own
``collectors.snmp.notifications.device_events``). A trap carries no wall-clock time: the
receiver stamps receipt, so lake mode stamps the simulated moment the trap is sent. Must not:
open sockets (``wire``) or decide link states (``physics``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from assurance.sim.physics import Minute, Twin
from collectors.snmp import oids
from collectors.snmp.ber import encode_oid
from collectors.snmp.notifications import Notification, device_events
from collectors.snmp.oids import Oid
from collectors.snmp.values import VarBind

US = 1_000_000
COMMUNITY = b"wanassure-sim"
LINK_DOWN: Oid = (1, 3, 6, 1, 6, 3, 1, 1, 5, 3)
LINK_UP: Oid = (1, 3, 6, 1, 6, 3, 1, 1, 5, 4)
ADMIN_UP, OPER_UP, OPER_DOWN = 1, 1, 2
#: every device booted this long before the scenario starts (plus a per-site stagger)
UPTIME_AT_START_S = 30 * 86_400
_V2C, _TRAP_PDU = 1, 0xA7
_SEQUENCE, _INTEGER, _OCTETS, _OID, _TIMETICKS = 0x30, 0x02, 0x04, 0x06, 0x43


@dataclass(frozen=True)
class Trap:
    """One linkDown/linkUp a device sends: from where, when (µs, simulated), about what."""

    source: str  # the device's loopback address
    at_us: int
    uptime_cs: int  # sysUpTime, hundredths of a second
    up: bool
    if_index: int
    if_name: str

    def varbinds(self) -> list[VarBind]:
        i = self.if_index
        return [
            (oids.SYS_UPTIME_0, self.uptime_cs),
            (oids.SNMP_TRAP_OID, LINK_UP if self.up else LINK_DOWN),
            ((*oids.IF_INDEX, i), i),
            ((*oids.IF_ADMIN, i), ADMIN_UP),
            ((*oids.IF_OPER, i), OPER_UP if self.up else OPER_DOWN),
            ((*oids.IF_NAME, i), self.if_name.encode()),
        ]


class LinkTraps:
    """The traps of a shard's gateways and switches, one minute at a time (keeps the states)."""

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.prev_link_up = twin.has_link.copy()
        self.prev_ap_up = np.ones((len(twin.sites), twin.max_aps), bool)
        self._ap_slots = np.arange(twin.max_aps)[None, :]
        start_s = int(twin.world.scenario.start.timestamp())
        self.boot_s = [start_s - UPTIME_AT_START_S - s.index % 1000 * 60 for s in twin.sites]
        self.exporters = {
            **{s.address(1, loopback=True): (s.gateway, s.name) for s in twin.sites},
            **{s.address(2, loopback=True): (s.switch, s.name) for s in twin.sites},
        }

    def minute(self, m: Minute) -> list[Trap]:
        """The traps sent in minute ``m``, in sending order (call once per minute)."""
        out: list[Trap] = []
        at_us = m.epoch_s * US + 1 * US  # the moment mib2d logs the same change
        sites = self.twin.sites
        changed = np.argwhere(self.twin.has_link & (m.link_up != self.prev_link_up))
        for n, k in changed.tolist():  # only the links that changed: most minutes have none
            site, link = sites[n], sites[n].links[k]
            out.append(Trap(site.address(1, loopback=True), at_us, self._uptime(n, at_us),
                            bool(m.link_up[n, k]), link.if_index, link.interface))  # fmt: skip
        changed = np.argwhere((self.twin.n_aps[:, None] > self._ap_slots) &
                              (m.ap_up != self.prev_ap_up))  # fmt: skip
        for n, a in changed.tolist():
            site = sites[n]
            if_index = 501 + site.profile.access_ports + a
            out.append(Trap(site.address(2, loopback=True), at_us, self._uptime(n, at_us),
                            bool(m.ap_up[n, a]), if_index, site.ap_port(a)))  # fmt: skip
        self.prev_link_up = m.link_up.copy()
        self.prev_ap_up = m.ap_up.copy()
        return out

    def _uptime(self, n: int, at_us: int) -> int:
        return (at_us // US - self.boot_s[n]) * 100

    def rows(self, traps: list[Trap]) -> pa.Table | None:
        """The ``device_events`` rows the trap receiver writes for ``traps`` (None: no trap)."""
        if not traps:
            return None
        notes = [Notification(t.source, t.at_us, "2c", "trap", None, t.varbinds()) for t in traps]
        return device_events(notes, self.exporters)


# -- BER: one SNMPv2-Trap message ---------------------------------------------------------------


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes((tag,)) + _length(len(value)) + value


def _int_bytes(n: int, *, unsigned: bool = False) -> bytes:
    if unsigned:
        return n.to_bytes(n.bit_length() // 8 + 1, "big")  # a leading 0 keeps it positive
    return n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True)


def _value(value: object, name: Oid) -> bytes:
    if name == oids.SYS_UPTIME_0 and isinstance(value, int):
        return _tlv(_TIMETICKS, _int_bytes(value % (1 << 32), unsigned=True))
    if isinstance(value, int):
        return _tlv(_INTEGER, _int_bytes(value))
    if isinstance(value, bytes):
        return _tlv(_OCTETS, value)
    if isinstance(value, tuple):
        return _tlv(_OID, encode_oid(value))
    raise TypeError(f"no BER encoding for {value!r}")


def encode_trap(trap: Trap, request_id: int, community: bytes = COMMUNITY) -> bytes:
    """The SNMPv2c message carrying ``trap`` (RFC 3416 SNMPv2-Trap-PDU)."""
    bindings = b"".join(
        _tlv(_SEQUENCE, _tlv(_OID, encode_oid(name)) + _value(value, name))
        for name, value in trap.varbinds()
    )
    pdu = (
        _tlv(_INTEGER, _int_bytes(request_id))
        + _tlv(_INTEGER, b"\x00")  # error-status
        + _tlv(_INTEGER, b"\x00")  # error-index
        + _tlv(_SEQUENCE, bindings)
    )
    message = _tlv(_INTEGER, bytes((_V2C,))) + _tlv(_OCTETS, community) + _tlv(_TRAP_PDU, pdu)
    return _tlv(_SEQUENCE, message)


__all__ = ["COMMUNITY", "LinkTraps", "Trap", "encode_trap"]
