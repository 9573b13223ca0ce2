"""Client events → ``client_events``: Wi-Fi AP/controller lines and EX 802.1X results.

Owns the Wi-Fi client line format defined here (APs and controllers have no common syslog
format, so the project defines one that an AP template or a controller relay can produce) and
the ``DOT1XD_*`` mapping. Must not touch other tables.

Wi-Fi client line format (any syslog header; the tag is the event)::

    WIFI_CLIENT_<EVENT>: key=value key="quoted value" ...

``<EVENT>`` is ASSOC, AUTH, DHCP, DNS, ROAM, DISASSOC or RSSI (event_type assoc, auth, dhcp,
dns, roam, disassoc, rssi). Values are bare (no space, comma or semicolon) or double quoted
with ``\\"`` and ``\\\\`` escapes; the same keys may come as RFC 5424 structured data
(``[wifi@<enterprise> client_mac="…" …]``). Keys:

=============  =====================================================================
client_mac     client MAC (any of aa:bb…, aa-bb…, aabb.cc…; stored lower case, colons)
client_ip      client IP (DHCP ok)
hostname       client hostname; ``username``: 802.1X / portal identity; ``os``
ssid           SSID; ``bssid``: radio MAC; ``band``: 2.4, 5 or 6; ``channel``: number
ap             AP name (default: the header hostname); ``from_ap``: previous AP (ROAM)
vlan           VLAN id
rssi, snr      dBm and dB (decimals allowed)
result         ok or fail (AUTH, DHCP, DNS); ``reason``: failure / disconnect reason
duration_ms    time the step took (AUTH, DHCP, DNS, ROAM)
server, query  DNS server and name (DNS)
=============  =====================================================================

Example: ``<134>Mar  1 12:00:01 ap-lobby-01 wifid[212]: WIFI_CLIENT_AUTH:
client_mac=aa:bb:cc:dd:ee:01 ssid="Corp WiFi" username=jdoe result=ok duration_ms=84``.

EX 802.1X (dot1xd, structured ``user-type username mac-address interface-name vlan-name``;
text ``… User jdoe logged in MacAddress 00:00:5E:00:53:01 interface ge-0/0/1.0 vlan v100``):
``DOT1XD_USR_AUTHENTICATED`` → auth ok, ``DOT1XD_USR_ACCESS_DENIED`` → auth fail,
``DOT1XD_AUTH_SESSION_DELETED`` and ``DOT1XD_USR_SESSION_DISCONNECTED`` → disconnect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from collectors.syslog.messages.spec import Col, Typed, reported, row_values
from collectors.syslog.sd import Params, parse_kv

TABLE = "client_events"

WIFI_EVENTS = {
    "WIFI_CLIENT_ASSOC": "assoc",
    "WIFI_CLIENT_AUTH": "auth",
    "WIFI_CLIENT_DHCP": "dhcp",
    "WIFI_CLIENT_DNS": "dns",
    "WIFI_CLIENT_ROAM": "roam",
    "WIFI_CLIENT_DISASSOC": "disassoc",
    "WIFI_CLIENT_RSSI": "rssi",
}
DOT1X_EVENTS = {
    "DOT1XD_USR_AUTHENTICATED": ("auth", "ok"),
    "DOT1XD_USR_ACCESS_DENIED": ("auth", "fail"),
    "DOT1XD_AUTH_SESSION_DELETED": ("disconnect", None),
    "DOT1XD_USR_SESSION_DISCONNECTED": ("disconnect", None),
}
WIFI_COLUMNS = (
    Col("result", "str", ("result",)),
    Col("reason", "str", ("reason",)),
    Col("client_ip", "str", ("client_ip",)),
    Col("hostname", "str", ("hostname",)),
    Col("username", "str", ("username",)),
    Col("os", "str", ("os",)),
    Col("ssid", "str", ("ssid",)),
    Col("band", "str", ("band",)),
    Col("channel", "u16", ("channel",)),
    Col("vlan", "u16", ("vlan",)),
    Col("rssi_dbm", "f64", ("rssi",)),
    Col("snr_db", "f64", ("snr",)),
    Col("duration_ms", "f64", ("duration_ms",)),
)
_HEX = re.compile(r"[0-9a-fA-F]{12}")


def normalise_mac(value: str | None) -> str | None:
    """``AA-BB-CC-DD-EE-FF`` / ``aabb.ccdd.eeff`` → ``aa:bb:cc:dd:ee:ff``; as sent if not a MAC."""
    if value is None:
        return None
    digits = value.replace(":", "").replace("-", "").replace(".", "")
    if _HEX.fullmatch(digits) is None:
        return value
    digits = digits.lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def derive(msg_id: str, fields: Mapping[str, str], hostname: str | None = None) -> Typed | None:
    params = reported(fields)
    if not params:
        return None
    event = WIFI_EVENTS.get(msg_id)
    if event is not None:
        values = row_values(WIFI_COLUMNS, fields)
        values["event_type"] = event
        values["client_mac"] = normalise_mac(fields.get("client_mac"))
        values["ap"] = fields.get("ap", hostname)
        values["fields"] = params
        return Typed(TABLE, values)
    dot1x = DOT1X_EVENTS.get(msg_id)
    if dot1x is None:
        return None
    event, result = dot1x
    return Typed(
        TABLE,
        {
            "event_type": event,
            "result": result,
            "reason": fields.get("reason"),
            "client_mac": normalise_mac(fields.get("mac-address")),
            "username": fields.get("username"),
            "switch_port": fields.get("interface-name"),
            "fields": params,
        },
    )


_DOT1X_TEXT = (
    ("username", re.compile(r"\bUser (\S+?),?(?:\s|$)")),
    ("mac-address", re.compile(r"\bMacAddress (\S+?),?(?:\s|$)")),
    ("interface-name", re.compile(r"\binterface (\S+?),?(?:\s|$)")),
    ("vlan-name", re.compile(r"\bvlan (\S+?),?(?:\s|$)")),
    ("reason", re.compile(r"\breason:? (.+)$")),
)


def text_fields(msg_id: str, message: str) -> Params:
    """Wi-Fi key=value pairs, or the 802.1X text read loosely."""
    if msg_id in WIFI_EVENTS:
        return parse_kv(message)
    if msg_id in DOT1X_EVENTS:
        out: Params = []
        for name, pattern in _DOT1X_TEXT:
            m = pattern.search(message)
            if m:
                out.append((name, m.group(1)))
        return out
    return []
