"""One JSON-able object per parsed syslog line, for the CLI and the golden cases.

Owns the JSON view of ``syslog_events`` rows: header, structured data as sent, canonical keys,
the typed row the line makes, raw text and the error of an unparsed line. Must not parse
anything itself: it reads the tables ``SyslogParser`` made (and asks ``messages.derive`` for
the typed row, the same function the parser uses).

Shape (keys whose value would be null are left out, except the header keys)::

    {"ts": "2024-03-01T11:34:56.123000Z",        # event time, ISO 8601 UTC, microseconds
     "host": …, "app_name": …, "proc_id": …, "msg_id": …, "severity": 6, "facility": 1,
     "format": "junos-structured",                 # rfc5424, rfc3164, junos-structured, unparsed
     "sd": {"junos@2636.1.1.1.2.129": {"reason": "TCP FIN", …}},   # as sent, unescaped
     "src_addr": …, "dst_port": 443, …,           # canonical keys, below
     "typed": {"table": "sessions", "event_type": "session_close", …},  # non-null columns
     "notes": {"_truncated": "true", …},           # parser notes, if any
     "raw": "<14>1 …", "error": "…"}               # error only for unparsed lines

A parameter repeated within an element appears in ``sd`` as a list of its values. Canonical
keys come from the structured data or, for text forms, from the parameters read from the
text: integers where the device sent digits, the string as sent otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import pyarrow as pa

from collectors.syslog import messages
from collectors.syslog.junos import protocol_number
from collectors.syslog.messages.spec import to_uint
from collectors.syslog.model import Line, ParsedBatch

Record = dict[str, Any]

#: canonical key → (parameters, in order of preference; whether it is an integer)
CANONICAL: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("src_addr", ("source-address",), False),
    ("dst_addr", ("destination-address",), False),
    ("src_port", ("source-port",), True),
    ("dst_port", ("destination-port",), True),
    ("protocol", ("protocol-id", "protocol-name"), True),
    ("application", ("application", "application-name"), False),
    ("nested_application", ("nested-application",), False),
    ("user", ("username",), False),
    ("policy_name", ("policy-name",), False),
    ("bytes_from_client", ("bytes-from-client",), True),
    ("bytes_from_server", ("bytes-from-server",), True),
    ("packets_from_client", ("packets-from-client",), True),
    ("packets_from_server", ("packets-from-server",), True),
    ("elapsed_time", ("elapsed-time",), True),
    ("reason", ("reason",), False),
    ("nat_src_addr", ("nat-source-address",), False),
    ("nat_dst_addr", ("nat-destination-address",), False),
    ("nat_src_port", ("nat-source-port",), True),
    ("nat_dst_port", ("nat-destination-port",), True),
    ("src_zone", ("source-zone-name", "source-zone"), False),
    ("dst_zone", ("destination-zone-name", "destination-zone"), False),
    ("session_id", ("session-id-32", "session-id"), True),
)
_ORIGIN = ("event_time", "received_at", "exporter", "device", "site", "fields")


def iso(value: datetime | None) -> str | None:
    """A timestamp as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def structured(fields: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The structured data as sent, rebuilt from ``fields`` (see ``sd`` for the naming)."""
    ids = fields.get("_sd_id")
    if ids is None:
        return {}
    order = ids.split(" ")
    primary = next((i for i, sd_id in enumerate(order) if "@" in sd_id), 0)
    out: dict[str, dict[str, Any]] = {sd_id: {} for sd_id in order}
    others = [(sd_id + ".", sd_id) for i, sd_id in enumerate(order) if i != primary]
    for key, value in fields.items():
        if key.startswith("_") and not key.startswith("__"):
            continue
        element = order[primary]
        for prefix, sd_id in others:
            if key.startswith(prefix):
                element, key = sd_id, key[len(prefix) :]
                break
        name, _, repeat = key.rpartition("#") if "#" in key else (key, "", "")
        if not repeat.isdigit():
            name = key
        if name.startswith("__"):
            name = name[1:]
        params = out[element]
        if name in params and repeat.isdigit():
            previous = params[name]
            params[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[name] = value
    return out


def canonical(fields: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, params, integer in CANONICAL:
        value = next((fields[p] for p in params if p in fields), None)
        if value is None:
            continue
        if key == "protocol":
            out[key] = protocol_number(value) if protocol_number(value) is not None else value
        elif integer:
            number = to_uint(value, 2**64 - 1)
            out[key] = value if number is None else number
        else:
            out[key] = value
    return out


def record(row: Mapping[str, Any]) -> Record:
    """The JSON view of one ``syslog_events`` row (as from ``Table.to_pylist``)."""
    fields: dict[str, str] = {}
    for key, value in row["fields"] or []:
        fields.setdefault(key, value)
    out: Record = {
        "ts": iso(row["event_time"]),
        "host": row["hostname"],
        "app_name": row["app_name"],
        "proc_id": row["proc_id"],
        "msg_id": row["msg_id"],
        "severity": row["severity"],
        "facility": row["facility"],
        "format": row["format"],
        "sd": structured(fields),
    }
    out.update(canonical(fields))
    typed = messages.derive(row["msg_id"], fields, row["hostname"])
    if typed is not None:
        values = {k: v for k, v in typed.values.items() if v is not None and k != "fields"}
        out["typed"] = {"table": typed.table, **values}
    notes = {
        k: v
        for k, v in fields.items()
        if k.startswith("_") and not k.startswith("__") and k not in ("_sd_id", "_error")
    }
    if notes:
        out["notes"] = notes
    out["raw"] = row["raw"]
    if row["format"] == "unparsed":
        out["error"] = fields.get("_error")
    return out


def records_for_json(batch: ParsedBatch) -> list[Record]:
    """One JSON-able object per input line of a parsed batch, in input order."""
    table: pa.Table = batch.tables["syslog_events"]
    return [record(row) for row in table.to_pylist()]


class BatchParser(Protocol):
    """What ``parse_to_json`` needs (``collectors.syslog.parse.SyslogParser``)."""

    def parse_batch(self, lines: Sequence[Line]) -> ParsedBatch: ...


def parse_to_json(line: Line, parser: BatchParser) -> Record:
    """Parse one line with ``parser`` and return its JSON view."""
    return records_for_json(parser.parse_batch([line]))[0]
