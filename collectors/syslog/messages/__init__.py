"""Message families: which tag is which event, its text form, and the typed row it makes.

One small module per family (``rt_flow``, ``apptrack`` → ``sessions``; ``appqoe`` →
``sla_metrics``; ``security``; ``device``; ``clients``), each with ``text_fields`` (text form →
parameters named as in the structured-data form) and ``derive`` (parameters → typed row).
This module routes by tag and must not know any family's fields. Nothing here raises for any
input: families return empty parameters or no row.
"""

from __future__ import annotations

from collections.abc import Mapping

from collectors.syslog.messages import appqoe, apptrack, clients, device, rt_flow, security
from collectors.syslog.messages import sessions as sessions
from collectors.syslog.messages.spec import Typed
from collectors.syslog.sd import Params, named

#: The parameter under which an untagged line's event key is noted (kmd, alarmd lines).
EVENT_NOTE = "_event"

_FAMILY_CACHE: dict[str, str | None] = {}


def family(tag: str) -> str | None:
    """The family module name for a tag (``rt_flow``, ``apptrack``, ``appqoe``…), or None."""
    try:
        return _FAMILY_CACHE[tag]
    except KeyError:
        pass
    name: str | None
    base = tag[:-3] if tag.endswith("_LS") else tag
    if base in rt_flow.EVENT_TYPES:
        name = "rt_flow"
    elif base in apptrack.EVENT_TYPES:
        name = "apptrack"
    elif tag in appqoe.KINDS:
        name = "appqoe"
    elif tag in clients.WIFI_EVENTS or tag in clients.DOT1X_EVENTS:
        name = "clients"
    elif security.category(tag) is not None:
        name = "security"
    elif device.classify(tag) is not None:
        name = "device"
    else:
        name = None
    if len(_FAMILY_CACHE) < 10_000:
        _FAMILY_CACHE[tag] = name
    return name


def text_fields(msg_id: str | None, app_name: str | None, message: str) -> Params:
    """Parameters read from the text of a message without structured data."""
    if msg_id is None:
        found = device.untagged(app_name, message)
        if found is None:
            return []
        event, params = found
        return [(EVENT_NOTE, event), *named(params)]
    name = family(msg_id)
    if name == "rt_flow":
        return rt_flow.text_fields(msg_id, message)
    if name == "apptrack":
        return apptrack.text_fields(msg_id, message)
    if name == "security":
        return named(security.text_fields(msg_id, message))
    if name == "device":
        return named(device.text_fields(msg_id, message))
    if name == "clients":
        return named(clients.text_fields(msg_id, message))
    return []


def derive(msg_id: str | None, fields: Mapping[str, str], hostname: str | None) -> Typed | None:
    """The typed row of a message (tag or noted event key), or None."""
    tag = msg_id if msg_id is not None else fields.get(EVENT_NOTE)
    if tag is None:
        return None
    name = family(tag)
    if name in ("rt_flow", "apptrack"):
        return sessions.derive(tag, fields)
    if name == "appqoe":
        return appqoe.derive(tag, fields)
    if name == "security":
        return security.derive(tag, fields)
    if name == "device":
        return device.derive(tag, fields)
    if name == "clients":
        return clients.derive(tag, fields, hostname)
    return None
