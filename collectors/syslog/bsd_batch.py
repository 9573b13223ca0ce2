"""The BSD batch path: RFC 3164 lines of a batch in the Junos text form, read into columns.

Owns taking, for many lines at once, the plain BSD shape Junos sends
``<PRI>Mmm dd hh:mm:ss host TAG[PID]: EVENT_TAG: text`` whose event has a fixed text form
(``RT_FLOW_SESSION_CLOSE`` / ``CREATE`` / ``DENY``, read with the family's own expression;
``SNMP_TRAP_LINK_UP`` / ``DOWN`` from mib2d and the short ``IDP_ATTACK_LOG_EVENT`` form from
RT_IDP, read with stricter twins of the per-line readers) and returning its header fields,
its ``fields`` (keys shared by all lines whose text filled the same parameters: one key block
per layout) and the parameter strings the typed columns need. Anything else — other shapes,
odd spacing, relays, unknown PRI or time, control characters — is simply not taken; the
per-line parser then takes it and both give the same rows (tests compare them). Must not
build tables (``parse`` assembles the batch) and never raises on input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from collectors.syslog.header import PRI, Clock
from collectors.syslog.messages import rt_flow

#: The header and event tag of the taken shape: a strict subset of what ``parse_header``
#: reads as ``rfc3164`` with hostname, tag (PID optional) and event tag, and no relayed header.
_HEAD = (
    r"<(?P<h_pri>[0-9]{1,3})>(?P<h_ts>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}) "
    r"(?P<h_host>[A-Za-z0-9][A-Za-z0-9._-]{0,254}) (?P<h_app>%s)(?:\[(?P<h_pid>[0-9]{1,10})\])?"
    r": (?P<h_tag>%s): "
)
#: groups of ``_HEAD`` (the text form's groups follow)
_HEAD_GROUPS = 6
#: SNMP link traps in the one order mib2d writes them (``device.text_fields`` reads the four
#: items in any order; in this order both give the same parameters)
_LINK = re.compile(
    r"ifIndex (?P<idx>[0-9]+), ifAdminStatus (?P<admin>[^,\s]+), "
    r"ifOperStatus (?P<oper>[^,\s]+), ifName (?P<name>[^,\s]+)$"
)
_LINK_NAMES = (("idx", "snmp-interface-index"), ("admin", "admin-status"),
               ("oper", "operational-status"), ("name", "interface-name"))  # fmt: skip
#: IDP attack lines of the short form (``security.text_fields`` reads more): every part is
#: bounded so that the per-line reader's searches in the attack text find exactly these parts
#: (no ``, key=``, ``NAT <``, ``intf:``, ``packet-log-id:`` or ``misc-message`` elsewhere)
_IDP = re.compile(
    r"IDP: at (?P<epoch>[0-9]+), (?P<mtype>\S+) Attack log <(?P<sa>[^/>\s]+)/(?P<sp>[0-9]+)->"
    r"(?P<da>[^/>\s]+)/(?P<dp>[0-9]+)> for (?P<proto>\S+) protocol and service (?P<svc>\S+)"
    r" application (?P<app>\S+) by rule (?P<rule>\S+) of rulebase (?P<rulebase>\S+)"
    r" in policy (?P<policy>[^.]+)\. attack: (?:id=(?P<id>[0-9]+), )?repeat=(?P<repeat>[0-9]+), "
    r"action=(?P<action>[A-Za-z0-9_]+), threat-severity=(?P<sev>[A-Za-z0-9_]+), "
    r"name=(?P<name>[!-+\-./-;?-~]+), "
    r"NAT <(?P<nsa>[0-9A-Fa-f.:]+):(?P<nsp>[0-9]+)->(?P<nda>[0-9A-Fa-f.:]+):(?P<ndp>[0-9]+)>$"
)
_IDP_NAMES = (
    ("epoch", "epoch-time"), ("mtype", "message-type"), ("sa", "source-address"),
    ("sp", "source-port"), ("da", "destination-address"), ("dp", "destination-port"),
    ("proto", "protocol-name"), ("svc", "service-name"), ("app", "application-name"),
    ("rule", "rule-name"), ("rulebase", "rulebase-name"), ("policy", "policy-name"),
    ("id", "attack-id"), ("repeat", "repeat-count"), ("action", "action"),
    ("sev", "threat-severity"), ("name", "attack-name"), ("nsa", "nat-source-address"),
    ("nsp", "nat-source-port"), ("nda", "nat-destination-address"),
    ("ndp", "nat-destination-port"),
)  # fmt: skip
#: per event tag: (its app name, its text form, (group, parameter) in ``fields`` order)
_FORMS: dict[str, tuple[str, re.Pattern[str], tuple[tuple[str, str], ...]]] = {
    "RT_FLOW_SESSION_CLOSE": ("RT_FLOW", rt_flow.CLOSE, rt_flow.NAMES),
    "RT_FLOW_SESSION_CREATE": ("RT_FLOW", rt_flow.CREATE, rt_flow.NAMES),
    "RT_FLOW_SESSION_DENY": ("RT_FLOW", rt_flow.DENY, rt_flow.NAMES),
    "SNMP_TRAP_LINK_UP": ("mib2d", _LINK, _LINK_NAMES),
    "SNMP_TRAP_LINK_DOWN": ("mib2d", _LINK, _LINK_NAMES),
    "IDP_ATTACK_LOG_EVENT": ("RT_IDP", _IDP, _IDP_NAMES),
}
_SHAPES: dict[str, re.Pattern[str]] = {
    tag: re.compile(_HEAD % (app, tag) + form.pattern) for tag, (app, form, _) in _FORMS.items()
}
#: the text (after ``EVENT_TAG: ``) says which shape to try
_STARTS = {"session closed ": "RT_FLOW_SESSION_CLOSE", "session created ": "RT_FLOW_SESSION_CREATE",
           "session denied ": "RT_FLOW_SESSION_DENY"}  # fmt: skip
#: event tags of the other shapes, found by ``: TAG: `` in the line
_OTHER_TAGS = {"SNMP_TRAP_LINK_UP": ": SNMP_TRAP_LINK_UP: ",
               "SNMP_TRAP_LINK_DOWN": ": SNMP_TRAP_LINK_DOWN: ",
               "IDP_ATTACK_LOG_EVENT": ": IDP_ATTACK_LOG_EVENT: "}  # fmt: skip


@dataclass
class BsdRows:
    """What the BSD batch path made of some lines (one entry per taken line, in line order).

    ``line`` indexes the lines given to ``cut``. Row ``r``'s ``fields`` keys are
    ``keys[run_lo[layout[r]]:run_hi[layout[r]]]`` and its values ``values[value_first[r]:
    value_first[r] + counts[r]]``. ``strings`` holds, per parameter name, each row's value
    (null where the row lacks it).
    """

    line: np.ndarray
    event_us: np.ndarray
    facility: np.ndarray
    severity: np.ndarray
    hostname: pa.StringArray
    app_name: pa.StringArray
    proc_id: pa.StringArray
    msg_id: pa.StringArray
    message: pa.StringArray
    keys: pa.StringArray
    run_lo: np.ndarray
    run_hi: np.ndarray
    layout: np.ndarray
    counts: np.ndarray
    values: pa.StringArray
    value_first: np.ndarray
    strings: dict[str, TagStrings]

    def __len__(self) -> int:
        return len(self.line)


def cut(
    texts: Sequence[str],
    received_us: Sequence[int],
    senders: Sequence[str],
    clock: Clock,
) -> BsdRows | None:
    """BSD batch-path rows of ``texts`` (ASCII lines without backslash or line end, as the
    batch candidates are); None if it takes none."""
    taken: list[int] = []
    event_us: list[int] = []
    pri: list[tuple[int, int]] = []
    head: list[tuple[str, str, str | None, str, str]] = []
    groups: list[tuple[str | None, ...]] = []
    layout_of: dict[tuple[object, ...], int] = {}
    layout: list[int] = []
    shapes = _SHAPES
    starts = _STARTS
    device_zones, default_zone = bool(clock.device_tz), clock.default
    for i, text in enumerate(texts):
        gap = text.find(": session ")
        if gap >= 0:
            after = text.find(" ", gap + 10)
            tag = starts.get(text[gap + 2 : after + 1])
        else:
            tag = _other_tag(text)
        if tag is None:
            continue
        m = shapes[tag].match(text)
        if m is None or not text.isprintable():
            continue
        every = m.groups()  # (pri, time, host, app, pid, tag, *text-form groups)
        code = PRI.get(every[0])
        if code is None:
            continue
        host = every[2]
        zone = clock.zone_name(host, senders[i]) if device_zones else default_zone
        when = clock.bsd_us(every[1], zone, received_us[i])
        if when is None:
            continue
        found = every[_HEAD_GROUPS:]
        shape: tuple[object, ...] = (tag, *map(bool, found))  # which groups are filled
        at = layout_of.get(shape)
        if at is None:
            at = layout_of[shape] = len(layout_of)
        taken.append(i)
        event_us.append(when)
        pri.append(code)
        head.append((host, every[3], every[4], tag, text[m.end(_HEAD_GROUPS) + 2 :]))
        groups.append(found)
        layout.append(at)
    if not taken:
        return None
    return _columns(taken, event_us, pri, head, groups, layout, list(layout_of))


def _columns(
    taken: list[int],
    event_us: list[int],
    pri: list[tuple[int, int]],
    head: list[tuple[str, str, str | None, str, str]],
    groups: list[tuple[str | None, ...]],
    layout: list[int],
    shapes: list[tuple[object, ...]],
) -> BsdRows:
    """Columns of the taken lines (``shapes``: per layout, the tag and which groups filled)."""
    count = len(taken)
    layouts = np.asarray(layout, np.int64)
    # per layout: the (group index, parameter) pairs it fills, in the order of the text form
    filled: list[list[tuple[int, str]]] = []
    for shape in shapes:
        names = _group_params(str(shape[0]))
        filled.append([(g, p) for g, p in names if shape[1 + g]])
    sizes = np.array([len(f) for f in filled], np.int64)
    run_lo = np.zeros(len(filled), np.int64)
    np.cumsum(sizes[:-1], out=run_lo[1:])
    keys = pa.array([p for f in filled for _, p in f], pa.string())
    counts = sizes[layouts]
    value_first = np.zeros(count, np.int64)
    np.cumsum(counts[:-1], out=value_first[1:])
    strings, per_tag = _strings(groups, [str(shape[0]) for shape in shapes], layouts)
    values = _values(per_tag, shapes, layouts, counts)
    hosts, apps, pids, tags, messages = zip(*head, strict=True)
    codes = np.array(pri, np.uint8).reshape(count, 2)
    return BsdRows(
        line=np.asarray(taken, np.int64),
        event_us=np.asarray(event_us, np.int64),
        facility=codes[:, 0],
        severity=codes[:, 1],
        hostname=pa.array(hosts, pa.string()),
        app_name=pa.array(apps, pa.string()),
        proc_id=pa.array(pids, pa.string()),
        msg_id=pa.array(tags, pa.string()),
        message=pa.array([m or None for m in messages], pa.string()),
        keys=keys,
        run_lo=run_lo,
        run_hi=run_lo + sizes,
        layout=layouts,
        counts=counts,
        values=values,
        value_first=value_first,
        strings=strings,
    )


_PARAMS: dict[str, list[tuple[int, str]]] = {}


def _group_params(tag: str) -> list[tuple[int, str]]:
    """(index among the text-form groups, parameter name) of a tag's shape, in ``fields``
    order (the order of the form's names)."""
    known = _PARAMS.get(tag)
    if known is None:
        index = _SHAPES[tag].groupindex
        known = [(index[g] - _HEAD_GROUPS - 1, p) for g, p in _FORMS[tag][2] if g in index]
        _PARAMS[tag] = known
    return known


def _other_tag(text: str) -> str | None:
    """The event tag of a line of the SNMP or IDP shape (to be checked by its expression)."""
    for tag, needle in _OTHER_TAGS.items():
        if needle in text:
            return tag
    return None


#: per message tag: (its rows, ``flat``, the (group, parameter) pairs of its text form), where
#: ``flat[k * len(rows) + j]`` is row ``rows[j]``'s group of pair ``k`` (null where empty)
PerTag = dict[str, tuple[np.ndarray, pa.StringArray, list[tuple[int, str]]]]
#: one tag's rows and, per parameter, its values in them
TagStrings = tuple[np.ndarray, dict[str, pa.StringArray]]


def _strings(
    groups: list[tuple[str | None, ...]], tags: list[str], layouts: np.ndarray
) -> tuple[dict[str, TagStrings], PerTag]:
    """Per tag: its rows and each parameter's values in them (null where the row's text left
    it empty); and the converted groups of each tag."""
    tag_of_row = np.array(tags, object)[layouts] if len(tags) > 1 else None
    strings: dict[str, TagStrings] = {}
    per_tag: PerTag = {}
    for tag in dict.fromkeys(tags):
        if tag_of_row is None:
            rows = np.arange(len(groups))
            picked = groups
        else:
            rows = np.flatnonzero(tag_of_row == tag)
            picked = [groups[r] for r in rows.tolist()]
        params = _group_params(tag)
        flat = _filled(_flatten(picked, params))
        per_tag[tag] = (rows, flat, params)
        strings[tag] = (rows, _by_param(flat, len(rows), params))
    return strings, per_tag


def tag_strings(
    rows: BsdRows, tags: Sequence[str], wants: Sequence[str]
) -> tuple[np.ndarray, dict[str, pa.StringArray]]:
    """The rows of message tags ``tags`` (tag after tag) and each parameter of ``wants`` in
    those rows (null where absent)."""
    parts = [rows.strings[tag] for tag in tags]
    out: dict[str, pa.StringArray] = {}
    for param in wants:
        arrays = [found.get(param, None) for _, found in parts]
        arrays = [
            pa.nulls(len(at), pa.string()) if a is None else a
            for a, (at, _) in zip(arrays, parts, strict=True)
        ]
        out[param] = arrays[0] if len(arrays) == 1 else pa.concat_arrays(arrays)
    which = parts[0][0] if len(parts) == 1 else np.concatenate([at for at, _ in parts])
    return which, out


def _flatten(
    picked: list[tuple[str | None, ...]], params: list[tuple[int, str]]
) -> list[str | None]:
    """The groups of ``params`` of all rows, group after group (all rows of the first, …)."""
    columns = list(zip(*picked, strict=True))
    return list(chain.from_iterable(columns[g] for g, _ in params)) if columns else []


def _values(
    per_tag: PerTag, shapes: list[tuple[object, ...]], layouts: np.ndarray, counts: np.ndarray
) -> pa.StringArray:
    """The ``fields`` values of all rows (each row's filled groups in text-form order), taken
    from the tags' converted groups (a filled group is never empty, so never null there)."""
    row_at = np.zeros(len(layouts), np.int64)
    stride = np.zeros(len(layouts), np.int64)
    flats: list[pa.StringArray] = []
    at = 0
    for rows, flat, _ in per_tag.values():
        row_at[rows] = at + np.arange(len(rows))
        stride[rows] = len(rows)
        flats.append(flat)
        at += len(flat)
    # per layout: which of its tag's (group, parameter) pairs it fills
    slots = [
        [k for k, (g, _) in enumerate(per_tag[str(shape[0])][2]) if shape[1 + g]]
        for shape in shapes
    ]
    slot_first = np.zeros(len(slots) + 1, np.int64)
    np.cumsum([len(x) for x in slots], out=slot_first[1:])
    all_slots = np.fromiter(chain.from_iterable(slots), np.int64, int(slot_first[-1]))
    first = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=first[1:])
    within = np.arange(first[-1], dtype=np.int64) - np.repeat(first[:-1], counts)
    slot = all_slots[np.repeat(slot_first[:-1][layouts], counts) + within]
    index = np.repeat(row_at, counts) + slot * np.repeat(stride, counts)
    source = flats[0] if len(flats) == 1 else pa.concat_arrays(flats)
    values: pa.StringArray = source.take(pa.array(index, pa.int64()))
    return values


def _by_param(
    flat: pa.StringArray, count: int, params: list[tuple[int, str]]
) -> dict[str, pa.StringArray]:
    """Per parameter, the rows' values of its groups (the first filled one where several
    groups fill it), from one tag's converted groups (``_strings``)."""
    by_param: dict[str, pa.StringArray] = {}
    for k, (_, param) in enumerate(params):
        column = flat.slice(k * count, count)
        known = by_param.get(param)
        by_param[param] = column if known is None else pc.coalesce(known, column)
    return by_param


_NULL = pa.scalar(None, pa.string())


def _filled(values: Sequence[str | None]) -> pa.StringArray:
    """``values`` as strings, null where empty or missing (one conversion, no Python loop)."""
    array = pa.array(values, pa.string())
    if array.null_count == len(array) or not len(array):
        return array
    empty = pc.equal(pc.binary_length(array), 0)
    if not pc.any(empty).as_py():
        return array
    filled: pa.StringArray = pc.if_else(empty, _NULL, array)
    return filled
