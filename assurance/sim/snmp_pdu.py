"""The agent side of SNMPv2c on the wire, sans-IO: requests in, responses out.

Owns the BER the twin's SNMP agent needs and the collector's codec (``collectors.snmp.ber``,
the poller's side) has no use for: decoding GET, GETNEXT and GETBULK requests, encoding the
typed values a MIB view holds (INTEGER, OCTET STRING, OBJECT IDENTIFIER, IpAddress, Counter32,
Gauge32, TimeTicks, Counter64 and the SNMPv2 exceptions) and encoding the Response-PDU. OIDs
are encoded by ``ber.encode_oid``. Values are kept encoded (whole TLVs) so a response is a
concatenation. Must not: touch sockets or clocks, decide values, or raise anything but
``BadRequest`` on bad input.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from collectors.snmp.ber import GET, GET_BULK, GET_NEXT, RESPONSE, V2C, encode_oid
from collectors.snmp.oids import Oid

_SEQUENCE, _INTEGER, _OCTETS, _NULL, _OID = 0x30, 0x02, 0x04, 0x05, 0x06
_IP, _COUNTER32, _GAUGE32, _TIMETICKS, _COUNTER64 = 0x40, 0x41, 0x42, 0x43, 0x46
REQUESTS = (GET, GET_NEXT, GET_BULK)

#: encoded varbind exceptions (RFC 3416)
NO_SUCH_OBJECT = b"\x80\x00"
NO_SUCH_INSTANCE = b"\x81\x00"
END_OF_MIB_VIEW = b"\x82\x00"


class BadRequest(ValueError):
    """Bytes that are not an SNMPv2c GET, GETNEXT or GETBULK request."""


@dataclass(frozen=True, slots=True)
class Request:
    version: int
    community: bytes
    pdu: int
    request_id: int
    non_repeaters: int  # error-status field of GET and GETNEXT
    max_repetitions: int  # error-index field of GET and GETNEXT
    oids: list[Oid]


# -- decoding ------------------------------------------------------------------------------------


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the TLV at ``pos``."""
    if pos + 2 > end:
        raise BadRequest(f"truncated at offset {pos}")
    tag, n = data[pos], data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if not 0 < k <= 4 or pos + k > end:
            raise BadRequest(f"bad length at offset {pos - 1}")
        n = int.from_bytes(data[pos : pos + k], "big")
        pos += k
    if pos + n > end:
        raise BadRequest(f"contents run past the end at offset {pos}")
    return tag, pos, pos + n


def _expect(data: bytes, pos: int, end: int, tag: int, what: str) -> tuple[int, int]:
    got, start, stop = _tlv(data, pos, end)
    if got != tag:
        raise BadRequest(f"expected {what} at offset {pos}, found tag 0x{got:02x}")
    return start, stop


def _int(data: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    start, stop = _expect(data, pos, end, _INTEGER, what)
    if not 0 < stop - start <= 8:
        raise BadRequest(f"{what}: bad integer length {stop - start}")
    return int.from_bytes(data[start:stop], "big", signed=True), stop


def _oid(data: bytes, start: int, stop: int) -> Oid:
    arcs: list[int] = []
    value = 0
    for byte in data[start:stop]:
        value = value << 7 | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or data[stop - 1] & 0x80:
        raise BadRequest(f"bad OBJECT IDENTIFIER at offset {start}")
    first = arcs[0]
    head = (first // 40, first % 40) if first < 80 else (2, first - 80)
    return (*head, *arcs[1:])


def decode_request(data: bytes) -> Request:
    """An SNMPv1/v2c message holding a GET, GETNEXT or GETBULK request."""
    start, end = _expect(data, 0, len(data), _SEQUENCE, "message")
    version, pos = _int(data, start, end, "version")
    c_start, pos = _expect(data, pos, end, _OCTETS, "community")
    community = bytes(data[c_start:pos])
    pdu, p_start, p_end = _tlv(data, pos, end)
    if pdu not in REQUESTS:
        raise BadRequest(f"not a GET, GETNEXT or GETBULK request (PDU tag 0x{pdu:02x})")
    request_id, pos = _int(data, p_start, p_end, "request-id")
    first, pos = _int(data, pos, p_end, "non-repeaters")
    second, pos = _int(data, pos, p_end, "max-repetitions")
    pos, list_end = _expect(data, pos, p_end, _SEQUENCE, "varbind list")
    oids: list[Oid] = []
    while pos < list_end:
        b_start, b_end = _expect(data, pos, list_end, _SEQUENCE, "varbind")
        o_start, o_end = _expect(data, b_start, b_end, _OID, "OID")
        oids.append(_oid(data, o_start, o_end))
        pos = b_end
    return Request(version, community, pdu, request_id, first, second, oids)


# -- encoding ------------------------------------------------------------------------------------


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def tlv(tag: int, contents: bytes) -> bytes:
    return bytes((tag,)) + _length(len(contents)) + contents


def integer(n: int, tag: int = _INTEGER) -> bytes:
    """INTEGER, or an unsigned type by ``tag`` (``n`` ≥ 0: a leading zero keeps it positive)."""
    return tlv(tag, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


def counter32(n: int) -> bytes:
    return integer(n & 0xFFFFFFFF, _COUNTER32)


def gauge32(n: int) -> bytes:
    return integer(min(max(n, 0), 0xFFFFFFFF), _GAUGE32)


def timeticks(n: int) -> bytes:
    return integer(n & 0xFFFFFFFF, _TIMETICKS)


def counter64(n: int) -> bytes:
    return integer(n & 0xFFFFFFFFFFFFFFFF, _COUNTER64)


def octets(value: bytes | str) -> bytes:
    return tlv(_OCTETS, value.encode() if isinstance(value, str) else value)


def object_id(value: Oid) -> bytes:
    return tlv(_OID, encode_oid(value))


def ip_address(text: str) -> bytes:
    return tlv(_IP, ipaddress.IPv4Address(text).packed)


def date_and_time(ms: int) -> bytes:
    """SNMPv2-TC DateAndTime in UTC (11 octets, deci-seconds) of ``ms`` since the epoch."""
    t = datetime.fromtimestamp(ms / 1000, UTC)
    raw = bytes((t.year >> 8, t.year & 0xFF, t.month, t.day, t.hour, t.minute, t.second,
                 ms % 1000 // 100, ord("+"), 0, 0))  # fmt: skip
    return tlv(_OCTETS, raw)


def varbind(name: Oid, value: bytes) -> bytes:
    return tlv(_SEQUENCE, object_id(name) + value)


def encode_response(
    request: Request, varbinds: Sequence[bytes], error_status: int = 0, error_index: int = 0
) -> bytes:
    """The Response-PDU to ``request`` carrying encoded ``varbinds`` (see ``varbind``)."""
    body = (
        integer(request.request_id)
        + integer(error_status)
        + integer(error_index)
        + tlv(_SEQUENCE, b"".join(varbinds))
    )
    message = integer(request.version) + octets(request.community) + tlv(RESPONSE, body)
    return tlv(_SEQUENCE, message)


__all__ = [
    "END_OF_MIB_VIEW", "NO_SUCH_INSTANCE", "NO_SUCH_OBJECT", "V2C", "BadRequest", "Request",
    "decode_request", "encode_response", "varbind",
]  # fmt: skip
