"""Security events → ``security_events``: IDP, UTM, screens, anti-malware, security intel.

Owns the tag → category mapping, the columns of ``security_events`` and the text forms below
(read into structured-data parameter names). Must not touch sessions or device events.

Tags (each also with ``_LS``): ``IDP_ATTACK_LOG_EVENT`` (also spelled
``RT_IDP_ATTACK_LOG_EVENT``) → idp; ``WEBFILTER_*`` → utm_webfilter; ``AV_*`` → utm_antivirus;
``ANTISPAM_*`` → utm_antispam; ``CONTENT_FILTERING_*`` → utm_contentfilter; ``RT_SCREEN_*`` →
screen; ``AAMW_*`` and ``SRX_AAMW_*`` → aamw; ``SECINTEL_*`` → secintel.

Text forms (Juniper System Log Explorer, RT_IDP / RT_UTM / RT_IDS chapters):

* IDP: ``IDP: at epoch-time, message-type Attack log <source-address/source-port->
  destination-address/destination-port> for protocol-name protocol and service service-name
  application application-name by rule rule-name of rulebase rulebase-name in policy
  policy-name. attack: [id=…, ]repeat=…, action=…, threat-severity=…, name=attack-name,
  NAT <nat-source-address:port->nat-destination-address:port>, time-elapsed=…, inbytes=…,
  outbytes=…, inpackets=…, outpackets=…, intf:zone:interface->zone:interface,
  packet-log-id: … and misc-message …`` (trailing parts are optional);
* web filtering: ``WebFilter: ACTION="URL Blocked" source-address(source-port)->
  destination-address(destination-port) CATEGORY="…" REASON="…" PROFILE="…" URL=… OBJ=…
  USERNAME=… ROLES=…`` (older releases: ``username … roles …``);
* screens: ``attack-name! source: address:port, destination: address:port, zone name: …,
  interface name: …, action: …``;
* other UTM, AAMW and SECINTEL text: the first ``address(port)->address(port)`` and any
  ``key=value`` pairs, as sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from collectors.syslog.junos import protocol_number
from collectors.syslog.messages.spec import Col, Typed, columns_from, reported, row_values
from collectors.syslog.sd import Params, parse_kv

TABLE = "security_events"

_PREFIXES = (
    ("IDP_ATTACK_LOG_EVENT", "idp"),
    ("RT_IDP_ATTACK_LOG_EVENT", "idp"),
    ("WEBFILTER_", "utm_webfilter"),
    ("AV_", "utm_antivirus"),
    ("ANTISPAM_", "utm_antispam"),
    ("CONTENT_FILTERING_", "utm_contentfilter"),
    ("RT_SCREEN_", "screen"),
    ("AAMW_", "aamw"),
    ("SRX_AAMW_", "aamw"),
    ("SECINTEL_", "secintel"),
)
_NAME_PARAMS = {
    "idp": ("attack-name",),
    "screen": ("attack-name",),
    "utm_webfilter": ("category",),
    "utm_antivirus": ("name", "virus-name"),
    "aamw": ("malware-info",),
    "secintel": ("feed-name", "sub-category"),
}
COLUMNS = (
    Col("severity_text", "str", ("threat-severity",)),
    Col("src_addr", "str", ("source-address",)),
    Col("src_port", "u16", ("source-port",)),
    Col("dst_addr", "str", ("destination-address",)),
    Col("dst_port", "u16", ("destination-port",)),
    Col("application", "str", ("application", "application-name")),
    Col("policy_name", "str", ("policy-name",)),
    Col("source_zone", "str", ("source-zone-name", "source-zone")),
    Col("destination_zone", "str", ("destination-zone-name", "destination-zone")),
    Col("username", "str", ("username",)),
    Col("url", "str", ("url", "http-host")),
    Col("session_id", "u64", ("session-id-32", "session-id")),
)


def category(tag: str) -> str | None:
    for prefix, name in _PREFIXES:
        if tag.startswith(prefix):
            return name
    return None


def _action(tag: str, fields: Mapping[str, str]) -> str | None:
    action = fields.get("action")
    if action is not None:
        return action
    base = tag[:-3] if tag.endswith("_LS") else tag
    if base.endswith("_BLOCKED") or base.endswith("_BLOCKED_MT"):
        return "blocked"
    if base.endswith("_PERMITTED"):
        return "permitted"
    return None


def derive(msg_id: str, fields: Mapping[str, str]) -> Typed | None:
    kind = category(msg_id)
    params = reported(fields)
    if kind is None or not params:
        return None
    values = row_values(COLUMNS, fields)
    values["category"] = kind
    values["event_type"] = msg_id
    values["action"] = _action(msg_id, fields)
    names = _NAME_PARAMS.get(kind, ())
    values["name"] = next((fields[p] for p in names if p in fields), None)
    values["protocol"] = protocol_number(fields.get("protocol-id") or fields.get("protocol-name"))
    values["fields"] = params
    return Typed(TABLE, values)


#: Parameters ``idp_columnar`` reads.
IDP_WANTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [*(p for c in COLUMNS for p in c.params), "action", *_NAME_PARAMS["idp"], "protocol-id",
         "protocol-name"]
    )
)  # fmt: skip


def idp_columnar(tags: pa.Array, strings: Mapping[str, pa.Array]) -> dict[str, pa.Array]:
    """``security_events`` columns of many IDP attack messages at once, each with parameters
    (the batch twin of ``derive`` for them; ``tags`` has no nulls)."""
    distinct: list[str] = tags.unique().to_pylist()
    if any(category(tag) != "idp" for tag in distinct):
        raise ValueError(f"not all IDP attack tags: {distinct}")
    out = columns_from(COLUMNS, strings)
    out["category"] = pa.array(["idp"] * len(tags), pa.string())
    out["event_type"] = tags
    encoded = tags.dictionary_encode()
    by_tag = pa.array([_action(tag, {}) for tag in encoded.dictionary.to_pylist()], pa.string())
    out["action"] = pc.coalesce(strings["action"], by_tag.take(encoded.indices))
    names = [strings[p] for p in _NAME_PARAMS["idp"]]
    out["name"] = names[0] if len(names) == 1 else pc.coalesce(*names)
    protocol = pc.coalesce(strings["protocol-id"], strings["protocol-name"]).dictionary_encode()
    numbers = [protocol_number(v) for v in protocol.dictionary.to_pylist()]
    out["protocol"] = pa.array(numbers, pa.uint8()).take(protocol.indices)
    return out


# --------------------------------------------------------------------------- text forms

_IDP = re.compile(
    r"IDP: at (?P<epoch>\d+), (?P<mtype>\S+) Attack log <(?P<sa>[^/>\s]+)/(?P<sp>\d+)->"
    r"(?P<da>[^/>\s]+)/(?P<dp>\d+)> for (?P<proto>\S+) protocol and service (?P<svc>\S+)"
    r" application (?P<app>\S+) by rule (?P<rule>\S+) of rulebase (?P<rulebase>\S+)"
    r" in policy (?P<policy>.+?)\. attack: (?P<attack>.*)$",
    re.DOTALL,
)
_IDP_NAMES = (
    ("epoch", "epoch-time"),
    ("mtype", "message-type"),
    ("sa", "source-address"),
    ("sp", "source-port"),
    ("da", "destination-address"),
    ("dp", "destination-port"),
    ("proto", "protocol-name"),
    ("svc", "service-name"),
    ("app", "application-name"),
    ("rule", "rule-name"),
    ("rulebase", "rulebase-name"),
    ("policy", "policy-name"),
)
_IDP_ATTACK = {
    "id": "attack-id",
    "repeat": "repeat-count",
    "action": "action",
    "threat-severity": "threat-severity",
    "name": "attack-name",
    "time-elapsed": "elapsed-time",
    "inbytes": "inbound-bytes",
    "outbytes": "outbound-bytes",
    "inpackets": "inbound-packets",
    "outpackets": "outbound-packets",
    "username": "username",
    "roles": "roles",
}
_IDP_KV = re.compile(r"(?:^|, )([\w-]+)=([^,]*)")
_IDP_NAT = re.compile(r"NAT <([^>]*):(\d+)->([^>]*):(\d+)>")
_IDP_INTF = re.compile(r"intf:([^:,\s]*):([^,\s]*?)->([^:,\s]*):([^,\s]*)")
_IDP_LOG = re.compile(r"packet-log-id: (\d+)")
_IDP_MISC = re.compile(r"misc-message (.*)$", re.DOTALL)

_PAREN_TUPLE = re.compile(r"([^\s()]+)\((\d+)\)->([^\s()]+)\((\d+)\)")
_WF_OLD_USER = re.compile(r"\busername (\S+) roles (\S+)")
_WF_NAMES = {
    "ACTION": "action",
    "CATEGORY": "category",
    "REASON": "reason",
    "PROFILE": "profile",
    "URL": "url",
    "OBJ": "obj",
    "USERNAME": "username",
    "ROLES": "roles",
}
_SCREEN = re.compile(
    r"(?P<name>[^!]*!) source: (?P<sa>\S+?)(?::(?P<sp>\d+))?,"
    r"(?: destination: (?P<da>\S+?)(?::(?P<dp>\d+))?,)?"
    r"(?: protocol-id: (?P<proto>\d+),)?"
    r"(?: zone name: (?P<zone>[^,]*),)?(?: interface name: (?P<intf>[^,]*),)?"
    r"(?: action: (?P<action>\S+))?"
)


def _idp(message: str) -> Params:
    m = _IDP.match(message)
    if m is None:
        return []
    found = m.groupdict()
    out: Params = [(name, found[g]) for g, name in _IDP_NAMES if found[g]]
    attack = found["attack"]
    for key, value in _IDP_KV.findall(attack):
        if key in _IDP_ATTACK and value:
            out.append((_IDP_ATTACK[key], value.strip()))
    nat = _IDP_NAT.search(attack)
    if nat:
        out += [
            ("nat-source-address", nat.group(1)),
            ("nat-source-port", nat.group(2)),
            ("nat-destination-address", nat.group(3)),
            ("nat-destination-port", nat.group(4)),
        ]
    intf = _IDP_INTF.search(attack)
    if intf:
        out += [
            ("source-zone-name", intf.group(1)),
            ("source-interface-name", intf.group(2)),
            ("destination-zone-name", intf.group(3)),
            ("destination-interface-name", intf.group(4)),
        ]
    log = _IDP_LOG.search(attack)
    if log:
        out.append(("packet-log-id", log.group(1)))
    misc = _IDP_MISC.search(attack)
    if misc:
        out.append(("message", misc.group(1)))
    return out


def _tuple(message: str) -> Params:
    m = _PAREN_TUPLE.search(message)
    if m is None:
        return []
    return [
        ("source-address", m.group(1)),
        ("source-port", m.group(2)),
        ("destination-address", m.group(3)),
        ("destination-port", m.group(4)),
    ]


def _webfilter(message: str) -> Params:
    out = _tuple(message)
    for key, value in parse_kv(message):
        name = _WF_NAMES.get(key)
        if name is not None:
            out.append((name, value))
    old = _WF_OLD_USER.search(message)
    if old and not any(k == "username" for k, _ in out):
        out += [("username", old.group(1)), ("roles", old.group(2))]
    return out


def _screen(message: str) -> Params:
    m = _SCREEN.match(message)
    if m is None:
        return []
    found = m.groupdict()
    names = (
        ("name", "attack-name"),
        ("sa", "source-address"),
        ("sp", "source-port"),
        ("da", "destination-address"),
        ("dp", "destination-port"),
        ("proto", "protocol-id"),
        ("zone", "source-zone-name"),
        ("intf", "interface-name"),
        ("action", "action"),
    )
    return [(param, found[g].strip()) for g, param in names if found[g]]


def text_fields(msg_id: str, message: str) -> Params:
    """Parameters read from a text form, named as in the structured form."""
    kind = category(msg_id)
    if kind == "idp":
        return _idp(message)
    if kind == "utm_webfilter":
        return _webfilter(message)
    if kind == "screen":
        return _screen(message)
    if kind is None:
        return []
    pairs = parse_kv(message)
    return _tuple(message) + pairs
