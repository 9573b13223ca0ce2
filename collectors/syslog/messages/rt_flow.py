"""RT_FLOW_SESSION_CREATE / CLOSE / DENY (and their ``_LS`` logical-system twins).

Owns reading the standard (text) forms into the parameter names of the structured-data form
and the tag → ``sessions.event_type`` mapping. Must not build rows itself (``sessions`` does)
or know other message families.

Text forms, as in Juniper's System Log Explorer (``RT_FLOW`` chapter):

* Junos 10.x-12.1X47 ("form A"): ``session closed reason: source-address/source-port->
  destination-address/destination-port service-name nat-source-address/nat-source-port->
  nat-destination-address/nat-destination-port src-nat-rule-name dst-nat-rule-name protocol-id
  policy-name source-zone-name destination-zone-name session-id-32
  packets-from-client(bytes-from-client) packets-from-server(bytes-from-server) elapsed-time
  application nested-application username(roles) packet-incoming-interface encrypted``
  (the part from ``application`` on appeared in 11.x/12.x and may be missing);
* Junos 12.3X48 and later ("form B") adds ``connection-tag`` after the service and
  ``nat-connection-tag src-nat-rule-type src-nat-rule-name dst-nat-rule-type dst-nat-rule-name``
  after the NAT tuple (rule types are ``N/A`` or two words such as ``source rule``), and more
  fields after ``encrypted`` (category, risk, …) which are left in the message text;
* create: ``session created`` + the same up to ``session-id-32``, then ``username(roles)
  packet-incoming-interface application nested-application encrypted``;
* deny: ``session denied source/port->destination/port [connection-tag] service-name
  protocol-id(icmp-type) policy-name source-zone-name destination-zone-name application
  nested-application username(roles) packet-incoming-interface encrypted reason
  [session-id-32 ...]``;
* ``_LS`` variants start with ``Lsys logical-system-name: ``.

Positional fields that are empty in the text (``31   N/A(N/A)``) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from collectors.syslog.junos import strip_lsys
from collectors.syslog.messages import sessions
from collectors.syslog.sd import Params

EVENT_TYPES = {
    "RT_FLOW_SESSION_CREATE": "session_create",
    "RT_FLOW_SESSION_CLOSE": "session_close",
    "RT_FLOW_SESSION_DENY": "session_deny",
}
sessions.register(EVENT_TYPES)

_TUPLE = r"(?P<sa>[^\s/]+)/(?P<sp>\d+)->(?P<da>[^\s/]+)/(?P<dp>\d+)"
_NAT = r"(?P<nsa>[^\s/]+)/(?P<nsp>\d+)->(?P<nda>[^\s/]+)/(?P<ndp>\d+)"
_CTAG = r"(?:(?P<ctag>0x[0-9a-fA-F]+) )?"
_RULES = (
    r"(?:(?P<nctag>0x[0-9a-fA-F]+) (?P<snt>N/A|None|\S+ rule) (?P<snr>\S+) "
    r"(?P<dnt>N/A|None|\S+ rule) (?P<dnr>\S+)|(?P<snr0>\S+) (?P<dnr0>\S+))"
)
_APP_USER = r"(?P<app>\S*) (?P<napp>\S*) (?P<user>[^\s(]*)\((?P<roles>[^)]*)\) (?P<iface>\S+)"

CLOSE = re.compile(
    rf"session closed (?P<reason>.*?): {_TUPLE} {_CTAG}(?P<svc>\S+) {_NAT} {_RULES}"
    r" (?P<proto>\d+) (?P<policy>\S+) (?P<sz>\S+) (?P<dz>\S+) (?P<sid>\d+)"
    r" (?P<pc>\d+)\((?P<bc>\d+)\) (?P<ps>\d+)\((?P<bs>\d+)\) (?P<el>\d+)"
    rf"(?: {_APP_USER}(?: (?P<enc>\S+))?)?"
)
CREATE = re.compile(
    rf"session created {_TUPLE} {_CTAG}(?P<svc>\S+) {_NAT} {_RULES}"
    r" (?P<proto>\d+) (?P<policy>\S+) (?P<sz>\S+) (?P<dz>\S+) (?P<sid>\d+)"
    r"(?: (?P<user>[^\s(]*)\((?P<roles>[^)]*)\) (?P<iface>\S+)"
    r"(?: (?P<app>\S*) (?P<napp>\S*) (?P<enc>\S+))?)?"
)
DENY = re.compile(
    rf"session denied {_TUPLE} {_CTAG}(?P<svc>\S+) (?P<proto>\d+)\((?P<icmp>\d+)\)"
    r" (?P<policy>\S+) (?P<sz>\S+) (?P<dz>\S+)"
    rf"(?: {_APP_USER}(?: (?P<enc>\S+)(?: (?P<reason>.*?)(?: (?P<sid>\d+)(?: .*)?)?)?)?)?$"
)

#: regex group → structured-data parameter name, in the order of the structured form
NAMES = (
    ("reason", "reason"),
    ("sa", "source-address"),
    ("sp", "source-port"),
    ("da", "destination-address"),
    ("dp", "destination-port"),
    ("ctag", "connection-tag"),
    ("svc", "service-name"),
    ("nsa", "nat-source-address"),
    ("nsp", "nat-source-port"),
    ("nda", "nat-destination-address"),
    ("ndp", "nat-destination-port"),
    ("nctag", "nat-connection-tag"),
    ("snt", "src-nat-rule-type"),
    ("snr", "src-nat-rule-name"),
    ("snr0", "src-nat-rule-name"),
    ("dnt", "dst-nat-rule-type"),
    ("dnr", "dst-nat-rule-name"),
    ("dnr0", "dst-nat-rule-name"),
    ("proto", "protocol-id"),
    ("icmp", "icmp-type"),
    ("policy", "policy-name"),
    ("sz", "source-zone-name"),
    ("dz", "destination-zone-name"),
    ("sid", "session-id-32"),
    ("pc", "packets-from-client"),
    ("bc", "bytes-from-client"),
    ("ps", "packets-from-server"),
    ("bs", "bytes-from-server"),
    ("el", "elapsed-time"),
    ("app", "application"),
    ("napp", "nested-application"),
    ("user", "username"),
    ("roles", "roles"),
    ("iface", "packet-incoming-interface"),
    ("enc", "encrypted"),
)

_FORMS = {
    "RT_FLOW_SESSION_CREATE": CREATE,
    "RT_FLOW_SESSION_CLOSE": CLOSE,
    "RT_FLOW_SESSION_DENY": DENY,
}


_PLANS: dict[tuple[int, int], tuple[Callable[[tuple[str | None, ...]], Any], tuple[str, ...]]] = {}


def groups_to_params(match: re.Match[str], names: tuple[tuple[str, str], ...]) -> Params:
    """The non-empty groups of a text-form match as (parameter, value), in ``names`` order."""
    key = (id(match.re), id(names))
    plan = _PLANS.get(key)
    if plan is None:
        index = match.re.groupindex
        wanted = [(index[group] - 1, param) for group, param in names if group in index]
        if len(wanted) == 1:
            only = wanted[0][0]
            picker: Callable[[tuple[str | None, ...]], Any] = lambda groups: (groups[only],)  # noqa: E731
        else:
            picker = itemgetter(*(g for g, _ in wanted))
        plan = _PLANS[key] = (picker, tuple(p for _, p in wanted))
    pick, params = plan
    values = pick(match.groups())
    return [(p, v) for p, v in zip(params, values, strict=True) if v]


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
    params = groups_to_params(match, NAMES)
    return [("logical-system-name", lsys), *params] if lsys else params
