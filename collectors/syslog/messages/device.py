"""Device and network events → ``device_events``: links, VPNs, chassis alarms and EX events.

Owns the tag → (category, state) rules, the text forms below and the ``device_events``
columns. Must not touch sessions, clients or security events.

* interface: ``SNMP_TRAP_LINK_DOWN`` / ``SNMP_TRAP_LINK_UP`` (mib2d); structured parameters
  ``snmp-interface-index admin-status operational-status interface-name``; text ``ifIndex 587,
  ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/5``.
* vpn: ``KMD_VPN_UP_ALARM_USER`` / ``KMD_VPN_DOWN_ALARM_USER``; text ``VPN vpn-name from
  peer-address is up|down. Local-ip: …, gateway name: …, vpn name: …, tunnel-id: …, local
  tunnel-if: …, remote tunnel-ip: …, Local IKE-ID: …, Remote IKE-ID: …, …, Reason: …``;
  ``KMD_PM_SA_ESTABLISHED`` (state ``established``, peer ``remote-address``); kmd lines without
  a tag ``IKE negotiation failed with error: reason. … Remote: address/port …`` and
  ``IPSec negotiation failed with error: …`` (state ``failed``).
* chassis: alarmd/craftd lines without a tag: ``Alarm set: FPC color=RED, class=CHASSIS,
  reason=FPC 0 Major Errors`` / ``Alarm cleared: …`` (state ``raised`` / ``cleared``) and
  craftd's ``Major alarm set, reason`` / ``Major alarm cleared, reason``.
* EX, matched by tag (text read loosely: ``interface X``, ``vlan Y``, ``from A to B``):
  ``LLDP_NEIGHBOR_UP/DOWN`` → lldp; tags with ``STP`` → stp (``ESWD_STP_STATE_CHANGE_INFO``
  "STP state for interface ge-0/0/1.0 context id 0 changed from LEARNING to FORWARDING" gives
  state ``forwarding``; a topology change gives ``topology_change``); tags with ``POE`` → poe;
  ``ESWD_DAI_FAILED`` and tags with ``DHCP`` and ``SNOOP``/``UNTRUSTED`` → dhcp_snooping; tags
  with ``ERROR_DISABLED``, ``BPDU``, ``MAC_LIMIT``, ``STORM`` or ``PORT_ERR`` → port_errors.
  These EX forms are not verified against a device; the raw text is always in the message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from collectors.syslog.messages.spec import Col, Typed, Value, columns_from, convert, reported
from collectors.syslog.sd import Params, parse_kv

TABLE = "device_events"

_EXACT = {
    "SNMP_TRAP_LINK_DOWN": ("interface", "down"),
    "SNMP_TRAP_LINK_UP": ("interface", "up"),
    "KMD_VPN_DOWN_ALARM_USER": ("vpn", "down"),
    "KMD_VPN_UP_ALARM_USER": ("vpn", "up"),
    "KMD_PM_SA_ESTABLISHED": ("vpn", "established"),
    "IKE_NEGOTIATION_FAILED": ("vpn", "failed"),
    "IPSEC_NEGOTIATION_FAILED": ("vpn", "failed"),
    "ALARM_SET": ("chassis", "raised"),
    "ALARM_CLEARED": ("chassis", "cleared"),
    "LLDP_NEIGHBOR_UP": ("lldp", "up"),
    "LLDP_NEIGHBOR_DOWN": ("lldp", "down"),
    "ESWD_DAI_FAILED": ("dhcp_snooping", None),
}
_PORT_ERRORS = ("ERROR_DISABLED", "BPDU", "MAC_LIMIT", "STORM", "PORT_ERR")


def classify(tag: str) -> tuple[str, str | None] | None:
    """(category, state from the tag) for a device event tag, else None."""
    found = _EXACT.get(tag)
    if found is not None:
        return found
    if "STP" in tag.split("_"):
        return ("stp", None)
    if "POE" in tag:
        return ("poe", None)
    if "DHCP" in tag and ("SNOOP" in tag or "UNTRUSTED" in tag):
        return ("dhcp_snooping", None)
    if any(word in tag for word in _PORT_ERRORS):
        return ("port_errors", None)
    return None


_INTERFACE_PARAMS = ("interface-name", "local-tunnel-if", "interface")
_PEER_PARAMS = ("peer-address", "remote-address", "neighbor", "peer")


def derive(msg_id: str, fields: Mapping[str, str]) -> Typed | None:
    found = classify(msg_id)
    if found is None:
        return None
    category, state = found
    values: dict[str, Value] = {
        "category": category,
        "event_type": msg_id,
        "state": state or fields.get("state") or _state_from_text(fields),
        "interface": next((fields[p] for p in _INTERFACE_PARAMS if p in fields), None),
        "peer": next((fields[p] for p in _PEER_PARAMS if p in fields), None),
        "reason": fields.get("reason"),
        "vlan": convert("u16", fields.get("vlan-id") or fields.get("vlan")),
        "fields": reported(fields),
    }
    return Typed(TABLE, values)


_VLAN_COLUMN = (Col("vlan", "u16", ("vlan-id", "vlan")),)
#: Parameters ``link_columnar`` reads.
LINK_WANTS: tuple[str, ...] = (*_INTERFACE_PARAMS, *_PEER_PARAMS, "reason", "vlan-id", "vlan")


def link_columnar(tags: pa.Array, strings: Mapping[str, pa.Array]) -> dict[str, pa.Array]:
    """``device_events`` columns of many messages at once whose tag alone gives category and
    state (``SNMP_TRAP_LINK_UP``/``DOWN``; the batch twin of ``derive`` for them; ``tags`` has
    no nulls)."""
    encoded = tags.dictionary_encode()
    found = [_EXACT.get(tag) for tag in encoded.dictionary.to_pylist()]
    if any(f is None or f[1] is None for f in found):
        raise ValueError(f"not all tags with a state: {encoded.dictionary.to_pylist()}")
    out = columns_from(_VLAN_COLUMN, strings)
    out["category"] = pa.array([f[0] for f in found if f], pa.string()).take(encoded.indices)
    out["event_type"] = tags
    out["state"] = pa.array([f[1] for f in found if f], pa.string()).take(encoded.indices)
    out["interface"] = pc.coalesce(*(strings[p] for p in _INTERFACE_PARAMS))
    out["peer"] = pc.coalesce(*(strings[p] for p in _PEER_PARAMS))
    out["reason"] = strings["reason"]
    return out


def _state_from_text(fields: Mapping[str, str]) -> str | None:
    to_state = fields.get("to-state")
    if to_state:
        return to_state.lower()
    if "topology-change" in fields:
        return "topology_change"
    return None


# --------------------------------------------------------------------------- text forms

_LINK = re.compile(
    r"ifIndex (?P<idx>\d+)|ifAdminStatus (?P<admin>[^,\s]+)|ifOperStatus (?P<oper>[^,\s]+)"
    r"|ifName (?P<name>[^,\s]+)"
)
_VPN_HEAD = re.compile(r"VPN (\S+) from (\S+) is (\w+)")
_VPN_PART = re.compile(r"(?:^|, |\. )([A-Za-z][A-Za-z -]*?): ((?:[^,(]|\([^)]*\))*)")
_VPN_NAMES = {
    "Local-ip": "local-address",
    "gateway name": "gateway-name",
    "vpn name": "vpn-name",
    "tunnel-id": "tunnel-id",
    "local tunnel-if": "local-tunnel-if",
    "remote tunnel-ip": "remote-tunnel-ip",
    "Local IKE-ID": "local-ike-id",
    "Remote IKE-ID": "remote-ike-id",
    "AAA username": "aaa-username",
    "VR id": "vr-id",
    "SA Type": "sa-type",
    "Reason": "reason",
}
_NEGOTIATION = re.compile(r"(IKE|IPSec) negotiation failed with error: ([^.]*)\.")
_NEG_PART = re.compile(r"(VPN|Gateway|Local|Remote|IKE Version|Role): ([^,\s]+)")
_ALARM = re.compile(r"Alarm (set|cleared): (\S+) color=([^,]*), class=([^,]*), reason=(.*)$")
_CRAFT = re.compile(r"\s*(Major|Minor) alarm (set|cleared), (.*)$")
_INTERFACE = re.compile(r"\binterface (\S+?)[,.]?(?:\s|$)")
_VLAN = re.compile(r"\bvlan (\S+?)[,.]?(?:\s|$)", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom (\S+) to (\S+?)[,.]?(?:\s|$)")
_NEIGHBOR = re.compile(r"Remote-(?:System-Name|Chassis-ID)[ :]+(\S+?)[,.]?(?:\s|$)")


def text_fields(msg_id: str, message: str) -> Params:
    """Parameters read from a text form (names as in the structured form where it exists)."""
    if msg_id.startswith("SNMP_TRAP_LINK_"):
        out: Params = []
        names = {
            "idx": "snmp-interface-index",
            "admin": "admin-status",
            "oper": "operational-status",
            "name": "interface-name",
        }
        for m in _LINK.finditer(message):
            group = m.lastgroup
            if group is not None:
                out.append((names[group], m.group(group)))
        return out
    if msg_id.startswith("KMD_VPN_"):
        head = _VPN_HEAD.search(message)
        out = [("vpn-name", head.group(1)), ("peer-address", head.group(2))] if head else []
        for key, value in _VPN_PART.findall(message):
            name = _VPN_NAMES.get(key.strip())
            if name is not None and value.strip() and all(k != name for k, _ in out):
                out.append((name, value.strip()))
        return out
    category = classify(msg_id)
    if category is None:
        return []
    out = parse_kv(message)
    for pattern, name in ((_INTERFACE, "interface"), (_VLAN, "vlan")):
        found = pattern.search(message)
        if found:
            out.append((name, found.group(1)))
    moved = _FROM_TO.search(message)
    if moved:
        out += [("from-state", moved.group(1)), ("to-state", moved.group(2))]
    if "topology change" in message.lower():
        out.append(("topology-change", "true"))
    peer = _NEIGHBOR.search(message)
    if peer:
        out.append(("neighbor", peer.group(1)))
    return out


def untagged(app_name: str | None, message: str) -> tuple[str, Params] | None:
    """kmd and alarmd/craftd lines without a tag → (event key, parameters)."""
    if app_name == "kmd":
        m = _NEGOTIATION.search(message)
        if m is None:
            return None
        event = "IKE_NEGOTIATION_FAILED" if m.group(1) == "IKE" else "IPSEC_NEGOTIATION_FAILED"
        out: Params = [("reason", m.group(2))]
        for key, value in _NEG_PART.findall(message):
            name = {
                "VPN": "vpn-name",
                "Gateway": "gateway-name",
                "Local": "local-address",
                "Remote": "remote-address",
                "IKE Version": "ike-version",
                "Role": "role",
            }[key]
            if not any(k == name for k, _ in out):
                out.append((name, value))
        return event, out
    if app_name in ("alarmd", "craftd"):
        m = _ALARM.match(message)
        if m is not None:
            event = "ALARM_SET" if m.group(1) == "set" else "ALARM_CLEARED"
            return event, [
                ("component", m.group(2)),
                ("color", m.group(3)),
                ("class", m.group(4)),
                ("reason", m.group(5)),
            ]
        c = _CRAFT.match(message)
        if c is not None:
            event = "ALARM_SET" if c.group(2) == "set" else "ALARM_CLEARED"
            return event, [("class", c.group(1).lower()), ("reason", c.group(3))]
    return None
