"""SNMPv1/v2c messages as bytes, sans-IO: requests out, responses in, without pyasn1 objects.

Owns the BER subset community-based SNMP uses (RFC 3416 PDUs in RFC 1901 messages): encoding
GET and GETBULK requests with numeric OIDs, reading the request-id of a response cheaply (what a
receiver needs to hand the datagram to the right waiter), and decoding a whole response into
plain ``values.Value`` varbinds in one pass over the buffer. Decoding yields the same values as
``client.to_value`` gives for pysnmp's objects. Must not: touch sockets, clocks or pysnmp; raise
anything but ``MalformedResponse`` on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.errors import MalformedPacket
from collectors.snmp.oids import Oid
from collectors.snmp.values import Exceptional, Value, VarBind

GET, GET_NEXT, RESPONSE, GET_BULK = 0xA0, 0xA1, 0xA2, 0xA5
#: the version field of SNMPv1 and SNMPv2c messages
V1, V2C = 0, 1

#: RFC 3416 error-status names
ERROR_STATUS = (
    "noError",
    "tooBig",
    "noSuchName",
    "badValue",
    "readOnly",
    "genErr",
    "noAccess",
    "wrongType",
    "wrongLength",
    "wrongEncoding",
    "wrongValue",
    "noCreation",
    "inconsistentValue",
    "resourceUnavailable",
    "commitFailed",
    "undoFailed",
    "authorizationError",
    "notWritable",
    "inconsistentName",
)

_SEQUENCE, _INTEGER, _OCTETS, _NULL, _OID = 0x30, 0x02, 0x04, 0x05, 0x06
_IP, _OPAQUE = 0x40, 0x44
#: Counter32, Gauge32/Unsigned32, TimeTicks, Counter64, (SMIv1) UInteger32: unsigned integers
_UNSIGNED = frozenset((0x41, 0x42, 0x43, 0x46, 0x47))
_EXCEPTIONS = {
    0x80: Exceptional.NO_SUCH_OBJECT,
    0x81: Exceptional.NO_SUCH_INSTANCE,
    0x82: Exceptional.END_OF_MIB_VIEW,
}


class MalformedResponse(MalformedPacket):
    """Bytes that are not an SNMP response this codec understands."""


@dataclass(frozen=True, slots=True)
class Response:
    request_id: int
    error_status: int
    error_index: int
    varbinds: list[VarBind]

    @property
    def error_name(self) -> str:
        if 0 <= self.error_status < len(ERROR_STATUS):
            return ERROR_STATUS[self.error_status]
        return f"error-status {self.error_status}"


# -- encoding ------------------------------------------------------------------------------------


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes((tag,)) + _length(len(value)) + value


def _integer(n: int) -> bytes:
    return _tlv(_INTEGER, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


def encode_oid(oid: Oid) -> bytes:
    """The contents octets of an OBJECT IDENTIFIER (at least two arcs, first arc 0-2)."""
    if len(oid) < 2 or oid[0] > 2 or (oid[0] < 2 and oid[1] >= 40):
        raise ValueError(f"not an encodable OID: {oid}")
    out = bytearray()
    for arc in (40 * oid[0] + oid[1], *oid[2:]):
        if arc < 0x80:
            out.append(arc)
            continue
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


_NULL_VALUE = b"\x05\x00"


def encode_request(
    community: bytes,
    pdu: int,
    request_id: int,
    oids: list[Oid],
    *,
    non_repeaters: int = 0,
    max_repetitions: int = 0,
    version: int = V2C,
) -> bytes:
    """A GET (``pdu=GET``), GETNEXT or GETBULK request for ``oids`` with NULL values."""
    bindings = b"".join(_tlv(_SEQUENCE, _tlv(_OID, encode_oid(o)) + _NULL_VALUE) for o in oids)
    body = (
        _integer(request_id)
        + _integer(non_repeaters)
        + _integer(max_repetitions)
        + _tlv(_SEQUENCE, bindings)
    )
    message = _integer(version) + _tlv(_OCTETS, community) + _tlv(pdu, body)
    return _tlv(_SEQUENCE, message)


# -- decoding ------------------------------------------------------------------------------------


def _header(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the TLV at ``pos``, within ``end``."""
    if pos + 2 > end:
        raise MalformedResponse("truncated TLV", offset=pos)
    tag = data[pos]
    first = data[pos + 1]
    pos += 2
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise MalformedResponse("unsupported or truncated length", offset=pos - 1)
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    else:
        length = first
    if pos + length > end:
        raise MalformedResponse("length runs past its container", offset=pos)
    return tag, pos, pos + length


def _signed(data: bytes, start: int, end: int) -> int:
    if start == end or end - start > 9:
        raise MalformedResponse("bad INTEGER length", offset=start)
    return int.from_bytes(data[start:end], "big", signed=True)


def _expect(data: bytes, pos: int, end: int, tag: int, what: str) -> tuple[int, int]:
    found, start, stop = _header(data, pos, end)
    if found != tag:
        raise MalformedResponse(f"{what}: tag 0x{found:02x}, expected 0x{tag:02x}", offset=pos)
    return start, stop


def _decode_oid(data: bytes, start: int, end: int) -> Oid:
    if start == end:
        raise MalformedResponse("empty OBJECT IDENTIFIER", offset=start)
    if data[end - 1] & 0x80:
        raise MalformedResponse("OBJECT IDENTIFIER ends inside an arc", offset=end - 1)
    raw = data[start:end]
    if max(raw) < 0x80:  # every arc below 128: one octet each
        arcs: list[int] | bytes = raw
    else:
        arcs = []
        value = 0
        for b in raw:
            value = (value << 7) | (b & 0x7F)
            if not b & 0x80:
                arcs.append(value)
                value = 0
    first = arcs[0]
    head = (first // 40, first % 40) if first < 80 else (2, first - 80)
    return (*head, *arcs[1:])


def _value(data: bytes, tag: int, start: int, end: int) -> Value:
    if tag in _UNSIGNED:
        if end - start > 9:
            raise MalformedResponse("unsigned integer too long", offset=start)
        return int.from_bytes(data[start:end], "big")
    if tag in (_OCTETS, _OPAQUE):
        return data[start:end]
    if tag == _INTEGER:
        return _signed(data, start, end)
    if tag == _OID:
        return _decode_oid(data, start, end)
    if tag == _IP:
        return ".".join(str(b) for b in data[start:end])
    exceptional = _EXCEPTIONS.get(tag)
    if exceptional is not None:
        return exceptional
    if tag == _NULL:  # what pysnmp's conversion makes of a bare NULL too
        return Exceptional.NO_SUCH_OBJECT
    raise MalformedResponse(f"unknown value tag 0x{tag:02x}", offset=start - 2)


def _message(data: bytes) -> tuple[int, int]:
    """(start, end) of the PDU contents of a v1/v2c response; checks the envelope."""
    end = len(data)
    start, stop = _expect(data, 0, end, _SEQUENCE, "message")
    v_start, v_end = _expect(data, start, stop, _INTEGER, "version")
    if _signed(data, v_start, v_end) not in (V1, V2C):
        raise MalformedResponse("not an SNMPv1/v2c message", offset=v_start)
    _c_start, c_end = _expect(data, v_end, stop, _OCTETS, "community")
    return _expect(data, c_end, stop, RESPONSE, "Response-PDU")


def request_id_of(data: bytes) -> int | None:
    """The request-id of a v1/v2c Response, or None when ``data`` is not one (cheap: the
    varbinds are not read)."""
    try:
        start, stop = _message(data)
        r_start, r_end = _expect(data, start, stop, _INTEGER, "request-id")
        return _signed(data, r_start, r_end)
    except MalformedResponse:
        return None


class ResponseDecoder:
    """Decodes responses, remembering the OIDs it has decoded: a poller meets the same few
    thousand OIDs (columns × indexes) every cycle on every device, and a dictionary look-up of
    their octets is cheaper than decoding them again. The memory is bounded."""

    def __init__(self, max_oids: int = 200_000) -> None:
        self.max_oids = max_oids
        self._oids: dict[bytes, Oid] = {}

    def decode(self, data: bytes) -> Response:
        """A whole v1/v2c Response: request-id, error status and index, varbinds."""
        return _decode_response(data, self._oids, self.max_oids)


def decode_response(data: bytes) -> Response:
    """A whole v1/v2c Response: request-id, error status and index, varbinds."""
    return _decode_response(data, {}, 0)


def _decode_response(data: bytes, oids: dict[bytes, Oid], max_oids: int) -> Response:
    start, stop = _message(data)
    r_start, r_end = _expect(data, start, stop, _INTEGER, "request-id")
    s_start, s_end = _expect(data, r_end, stop, _INTEGER, "error-status")
    i_start, i_end = _expect(data, s_end, stop, _INTEGER, "error-index")
    pos, list_end = _expect(data, i_end, stop, _SEQUENCE, "variable-bindings")
    varbinds: list[VarBind] = []
    append = varbinds.append
    while pos < list_end:
        b_start, b_end = _expect(data, pos, list_end, _SEQUENCE, "varbind")
        o_start, o_end = _expect(data, b_start, b_end, _OID, "name")
        tag, v_start, v_end = _header(data, o_end, b_end)
        if v_end != b_end:
            raise MalformedResponse("varbind has trailing bytes", offset=v_end)
        raw = data[o_start:o_end]
        name = oids.get(raw)
        if name is None:
            name = _decode_oid(data, o_start, o_end)
            if max_oids:
                if len(oids) >= max_oids:
                    oids.clear()
                oids[raw] = name
        append((name, _value(data, tag, v_start, v_end)))
        pos = b_end
    return Response(
        _signed(data, r_start, r_end),
        _signed(data, s_start, s_end),
        _signed(data, i_start, i_end),
        varbinds,
    )
