"""Bus messages: a batch of received datagrams (or lines) of one exporter, packed as bytes.

Owns the binary layout of a message and the subject naming (one subject per exporter). A
message is what the receiver saw, byte for byte, with the exporter address, source port and
receive time of every item; nothing is decoded. Must not do I/O.

Layout (big-endian): magic (``WAB1`` datagrams for flow, ``WAL1`` lines for syslog), item count
(u32), then per item receive time in µs since the epoch (u64), source port — for a syslog line
the transport instead: 0 UDP, 1 TCP, 2 TLS — (u16), exporter length (u8), payload length (u32),
exporter (ASCII), payload.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Sequence

from collectors.receive import Datagram

MAGIC = {"flow": b"WAB1", "syslog": b"WAL1"}
_HEAD = struct.Struct(">4sI")
_ITEM = struct.Struct(">QHBI")
#: Subject tokens may not contain dots, spaces or wildcards.
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class EnvelopeError(ValueError):
    """A bus message that is not an envelope of this format (or is truncated)."""


def subject_token(exporter: str) -> str:
    """The subject token of an exporter address: ``10.0.0.1`` → ``10_0_0_1``, IPv6 ``:`` → ``-``."""
    return _UNSAFE.sub("_", exporter.replace(":", "-")) or "_"


def pack(items: Sequence[Datagram], kind: str = "flow") -> bytes:
    """One message of ``kind`` holding ``items`` in order."""
    parts = [_HEAD.pack(MAGIC[kind], len(items))]
    for d in items:
        exporter = d.exporter.encode("ascii", "replace")[:255]
        parts.append(_ITEM.pack(d.received_at_us, d.port, len(exporter), len(d.payload)))
        parts.append(exporter)
        parts.append(d.payload)
    return b"".join(parts)


def unpack(message: bytes, kind: str = "flow") -> list[Datagram]:
    """The items of a ``kind`` message made by ``pack``; ``EnvelopeError`` when it is not one."""
    if len(message) < _HEAD.size:
        raise EnvelopeError(f"message of {len(message)} octets is shorter than a header")
    magic, count = _HEAD.unpack_from(message)
    if magic != MAGIC[kind]:
        raise EnvelopeError(f"not a wan-assurance {kind} bus message (magic {magic!r})")
    out: list[Datagram] = []
    pos = _HEAD.size
    view = memoryview(message)
    for index in range(count):
        if len(message) - pos < _ITEM.size:
            raise EnvelopeError(f"item {index} of {count} truncated at octet {pos}")
        rx, port, elen, plen = _ITEM.unpack_from(message, pos)
        pos += _ITEM.size
        if len(message) - pos < elen + plen:
            raise EnvelopeError(f"item {index} of {count} truncated at octet {pos}")
        exporter = bytes(view[pos : pos + elen]).decode("ascii", "replace")
        pos += elen
        out.append(Datagram(bytes(view[pos : pos + plen]), exporter, port, rx))
        pos += plen
    if pos != len(message):
        raise EnvelopeError(f"{len(message) - pos} stray octets after {count} items")
    return out


def by_exporter(batch: Sequence[Datagram], max_bytes: int) -> Iterator[tuple[str, list[Datagram]]]:
    """Split a received batch into per-exporter runs of at most ``max_bytes`` payload octets,
    keeping the arrival order within each exporter."""
    groups: dict[str, list[Datagram]] = {}
    for d in batch:
        groups.setdefault(d.exporter, []).append(d)
    for exporter, items in groups.items():
        run: list[Datagram] = []
        size = 0
        for d in items:
            if run and size + len(d.payload) > max_bytes:
                yield exporter, run
                run, size = [], 0
            run.append(d)
            size += len(d.payload) + _ITEM.size + len(d.exporter)
        if run:
            yield exporter, run
