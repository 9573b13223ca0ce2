"""Hand-built jflow datagrams following the RFC layouts (independent of the encoder)."""

from __future__ import annotations

import os
import struct

RX = 1_700_000_100_000_000  # receive time used by the tests, epoch µs
EXPORTER = "192.0.2.1"


def ipfix(
    sets: list[bytes], *, export: int = 1_700_000_000, seq: int = 0, domain: int = 1
) -> bytes:
    """RFC 7011 §3.1 message header: version, length, export time, sequence, domain."""
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), export, seq, domain) + body


def set_(set_id: int, body: bytes) -> bytes:
    """RFC 7011 §3.3.2 set header: set id, length (header included)."""
    return struct.pack(">HH", set_id, 4 + len(body)) + body


def template(tid: int, fields: list[tuple[int, int] | tuple[int, int, int]]) -> bytes:
    """RFC 7011 §3.4.1 template record; (ie, length, pen) sets the enterprise bit."""
    out = struct.pack(">HH", tid, len(fields))
    for f in fields:
        if len(f) == 3:
            out += struct.pack(">HHI", f[0] | 0x8000, f[1], f[2])
        else:
            out += struct.pack(">HH", f[0], f[1])
    return out


def options_template(
    tid: int, scope: list[tuple[int, int]], fields: list[tuple[int, int]]
) -> bytes:
    """RFC 7011 §3.4.2.2 options template record: id, field count, scope field count."""
    out = struct.pack(">HHH", tid, len(scope) + len(fields), len(scope))
    return out + b"".join(struct.pack(">HH", ie, ln) for ie, ln in scope + fields)


def v9(
    flowsets: list[bytes], *, uptime: int, secs: int, seq: int = 0, source: int = 0, count: int = 0
) -> bytes:
    """RFC 3954 §5.1 header: version, count, sysUpTime, UNIX secs, sequence, source id."""
    return struct.pack(">HHIIII", 9, count, uptime, secs, seq, source) + b"".join(flowsets)


def v9_template(tid: int, fields: list[tuple[int, int]]) -> bytes:
    return struct.pack(">HH", tid, len(fields)) + b"".join(struct.pack(">HH", *f) for f in fields)


def v9_options_template(
    tid: int, scope: list[tuple[int, int]], fields: list[tuple[int, int]]
) -> bytes:
    """RFC 3954 §6.1: id, option scope length, option length (both in octets), fields."""
    out = struct.pack(">HHH", tid, 4 * len(scope), 4 * len(fields))
    return out + b"".join(struct.pack(">HH", *f) for f in scope + fields)


def ip4(text: str) -> bytes:
    return bytes(int(p) for p in text.split("."))


def extra(table: object, row: int = 0) -> dict[str, str]:
    return dict(table.column("extra")[row].as_py())  # type: ignore[attr-defined]


def scaled(examples: int) -> int:
    """Hypothesis example count, multiplied by FLOW_HYPOTHESIS_SCALE for longer local runs."""
    return examples * int(os.environ.get("FLOW_HYPOTHESIS_SCALE", "1"))
