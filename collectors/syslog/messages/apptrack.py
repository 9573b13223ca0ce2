"""APPTRACK_SESSION_CREATE / CLOSE / VOL_UPDATE / ROUTE_UPDATE (and ``_LS`` twins).

Owns reading AppTrack's standard (text) forms into structured-data parameter names and the
tag → ``sessions.event_type`` mapping. Must not build rows itself (``sessions`` does).

Text forms, as in Juniper's System Log Explorer (``APPTRACK`` chapter); unlike RT_FLOW,
``username roles`` are two words and the application comes right after the service:

* ``AppTrack session created source-address/source-port->destination-address/
  destination-port service-name application nested-application nat-source-address/
  nat-source-port->nat-destination-address/nat-destination-port src-nat-rule-name
  dst-nat-rule-name protocol-id policy-name source-zone-name destination-zone-name
  session-id-32 username roles encrypted [destination-interface-name ...]``
* ``AppTrack session closed reason: ...`` the same up to ``session-id-32``, then
  ``packets-from-client(bytes-from-client) packets-from-server(bytes-from-server)
  elapsed-time username roles encrypted [destination-interface-name ...]``
* ``AppTrack volume update: ...`` as closed, without the reason.

AppQoE adds metrics (``rtt``, ``pkt-loss``…) to some APPTRACK_SESSION_CLOSE structured
messages; they stay in ``fields`` (``appqoe`` owns the APPQOE/APPTRACK_APPQOE_* reports).
"""

from __future__ import annotations

import re

from collectors.syslog.junos import strip_lsys
from collectors.syslog.messages import sessions
from collectors.syslog.messages.rt_flow import NAMES, groups_to_params
from collectors.syslog.sd import Params

EVENT_TYPES = {
    "APPTRACK_SESSION_CREATE": "appt_create",
    "APPTRACK_SESSION_CLOSE": "appt_close",
    "APPTRACK_SESSION_VOL_UPDATE": "appt_update",
    "APPTRACK_SESSION_ROUTE_UPDATE": "appt_route_update",
}
sessions.register(EVENT_TYPES)

_HEAD = (
    r"(?P<sa>[^\s/]+)/(?P<sp>\d+)->(?P<da>[^\s/]+)/(?P<dp>\d+) (?P<svc>\S+) (?P<app>\S*)"
    r" (?P<napp>\S*) (?P<nsa>[^\s/]+)/(?P<nsp>\d+)->(?P<nda>[^\s/]+)/(?P<ndp>\d+)"
    r" (?P<snr0>\S+) (?P<dnr0>\S+) (?P<proto>\d+) (?P<policy>\S+) (?P<sz>\S+) (?P<dz>\S+)"
    r" (?P<sid>\d+)"
)
_VOLUME = r" (?P<pc>\d+)\((?P<bc>\d+)\) (?P<ps>\d+)\((?P<bs>\d+)\) (?P<el>\d+)"
_TAIL = r"(?: (?P<user>\S*) (?P<roles>\S*) (?P<enc>\S+)(?: (?P<dif>\S+))?)?"

_FORMS = {
    "APPTRACK_SESSION_CREATE": re.compile(rf"AppTrack session created {_HEAD}{_TAIL}"),
    "APPTRACK_SESSION_CLOSE": re.compile(
        rf"AppTrack session closed (?P<reason>.*?): {_HEAD}{_VOLUME}{_TAIL}"
    ),
    "APPTRACK_SESSION_VOL_UPDATE": re.compile(rf"AppTrack volume update: {_HEAD}{_VOLUME}{_TAIL}"),
}
_NAMES = (*NAMES, ("dif", "destination-interface-name"))


def text_fields(msg_id: str, message: str) -> Params:
    """Parameters read from the text form, named as in the structured form."""
    base = msg_id[:-3] if msg_id.endswith("_LS") else msg_id
    form = _FORMS.get(base)
    if form is None:
        return []
    lsys, text = strip_lsys(message) if base != msg_id else (None, message)
    match = form.match(text)
    if match is None:
        return [("logical-system-name", lsys)] if lsys else []
    params = groups_to_params(match, _NAMES)
    return [("logical-system-name", lsys), *params] if lsys else params
