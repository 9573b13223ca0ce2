"""The ``sessions`` table as filled from RT_FLOW and APPTRACK parameters.

Owns the column spec shared by ``rt_flow`` and ``apptrack`` (parameter names as in Juniper's
structured-data form; their text forms are converted to these names first) and the one
function that builds a sessions row. Must not parse text or know other tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from collectors.syslog.messages.spec import Col, Typed, columns_from, per_tag, row_values

TABLE = "sessions"

COLUMNS: tuple[Col, ...] = (
    Col("session_id", "u64", ("session-id-32", "session-id")),
    Col("src_addr", "str", ("source-address",)),
    Col("src_port", "u16", ("source-port",)),
    Col("dst_addr", "str", ("destination-address",)),
    Col("dst_port", "u16", ("destination-port",)),
    Col("nat_src_addr", "str", ("nat-source-address",)),
    Col("nat_src_port", "u16", ("nat-source-port",)),
    Col("nat_dst_addr", "str", ("nat-destination-address",)),
    Col("nat_dst_port", "u16", ("nat-destination-port",)),
    Col("protocol", "u8", ("protocol-id",)),
    Col("service_name", "str", ("service-name",)),
    Col("application", "str", ("application",)),
    Col("nested_application", "str", ("nested-application",)),
    Col("policy_name", "str", ("policy-name",)),
    Col("source_zone", "str", ("source-zone-name",)),
    Col("destination_zone", "str", ("destination-zone-name",)),
    Col("ingress_interface", "str", ("packet-incoming-interface",)),
    Col("egress_interface", "str", ("destination-interface-name",)),
    Col("username", "str", ("username",)),
    Col("bytes_from_client", "u64", ("bytes-from-client",)),
    Col("packets_from_client", "u64", ("packets-from-client",)),
    Col("bytes_from_server", "u64", ("bytes-from-server",)),
    Col("packets_from_server", "u64", ("packets-from-server",)),
    Col("elapsed_s", "u32", ("elapsed-time",)),
    Col("close_reason", "str", ("reason",)),
)

#: Message tag → sessions.event_type, filled in by ``rt_flow`` and ``apptrack``.
EVENT_TYPES: dict[str, str] = {}


def register(event_types: Mapping[str, str]) -> None:
    """Add tags (and their ``_LS`` logical-system twins) that become sessions rows."""
    for tag, event_type in event_types.items():
        EVENT_TYPES[tag] = event_type
        EVENT_TYPES[tag + "_LS"] = event_type


def derive(msg_id: str, fields: Mapping[str, str]) -> Typed | None:
    """The sessions row of one message, or None if the tag is not a session event."""
    event_type = EVENT_TYPES.get(msg_id)
    if event_type is None:
        return None
    values = row_values(COLUMNS, fields)
    values["event_type"] = event_type
    return Typed(TABLE, values)


#: Parameters ``columnar`` reads.
WANTS: tuple[str, ...] = tuple(dict.fromkeys(p for c in COLUMNS for p in c.params))


def columnar(
    tags: Sequence[str] | pa.Array, strings: Mapping[str, pa.Array]
) -> dict[str, pa.Array]:
    """Sessions columns for many messages at once (the batch twin of ``derive``)."""
    out = columns_from(COLUMNS, strings)
    out["event_type"] = per_tag(tags, EVENT_TYPES, pa.string())
    return out
