"""Junos conventions shared by the header and the message families.

Owns: the Junos event tag (``RT_FLOW_SESSION_CLOSE: ...`` at the start of a message, or
``host TAG: ...`` inside an RFC 5424 MSG of PFE lines), the ``junos@2636...`` structured-data
ID (also anonymised forms such as ``junos@xxx.x.x.x.x.28`` or ``junos@67.43.156.15``), the
``Lsys name:`` prefix of ``_LS`` messages, regex fragments for the positional text forms
(``addr/port->addr/port``, ``username(roles)``) and IP protocol names. Must not know any one
message family's fields, build rows, or raise anything.
"""

from __future__ import annotations

import re

#: A Junos event tag: upper case words joined by underscores (RT_FLOW_SESSION_CLOSE).
_TAG = r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
_LEADING_TAG = re.compile(rf"({_TAG})(?:: ?| (?=\[)|$)")
_EMBEDDED_TAG = re.compile(rf"(\S+) ({_TAG}): ?")
_LSYS = re.compile(r"Lsys (\S+): ")

#: ``address/port`` as Junos prints it (IPv4 or IPv6; the port after the last slash).
ADDR_PORT = r"([^\s/]+)/(\d+)"
#: ``address/port->address/port``
TUPLE = ADDR_PORT + "->" + ADDR_PORT
#: ``username(roles)``; either may be empty or N/A.
USER_ROLES = r"([^\s(]*)\(([^)]*)\)"

PROTOCOLS: dict[str, int] = {
    "ICMP": 1,
    "IGMP": 2,
    "TCP": 6,
    "UDP": 17,
    "GRE": 47,
    "ESP": 50,
    "AH": 51,
    "ICMPV6": 58,
    "ICMP6": 58,
    "OSPF": 89,
    "PIM": 103,
    "SCTP": 132,
}


def split_event_tag(message: str) -> tuple[str, str] | None:
    """``TAG: text`` / ``TAG [sd]`` / ``TAG`` at the start of a message → (tag, the rest)."""
    m = _LEADING_TAG.match(message)
    if m is None:
        return None
    return m.group(1), message[m.end() :]


def embedded_tag(message: str) -> tuple[str, str] | None:
    """``host TAG: text`` (Junos PFE lines with nil APP-NAME and MSGID) → (tag, text)."""
    m = _EMBEDDED_TAG.match(message)
    if m is None:
        return None
    return m.group(2), message[m.end() :]


def is_junos_sd(sd_id: str) -> bool:
    """Whether a structured-data ID is Junos's (``junos@2636.1.1.1.2.x``, possibly anonymised)."""
    return sd_id.startswith("junos@")


def strip_lsys(text: str) -> tuple[str | None, str]:
    """``Lsys LSYS1: session created ...`` → ("LSYS1", "session created ...")."""
    m = _LSYS.match(text)
    if m is None:
        return None, text
    return m.group(1), text[m.end() :]


def protocol_number(value: str | None) -> int | None:
    """An IP protocol as a number from ``6`` or ``TCP``; None if neither."""
    if value is None:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 3:
        number = int(value)
        return number if number <= 255 else None
    return PROTOCOLS.get(value.upper())
