"""The v2c codec checked against pysnmp/pyasn1 as an independent implementation, fuzzed, and
the v2c request path against a scripted agent on loopback (drops, errors, strays, garbage)."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Callable
from typing import Any, cast

import pytest
from pyasn1.codec.ber import decoder as asn1_decoder
from pyasn1.codec.ber import encoder as asn1_encoder
from pysnmp.proto import api

from collectors.errors import WireError
from collectors.snmp import ber
from collectors.snmp.client import to_value
from collectors.snmp.errors import SnmpError
from collectors.snmp.v2c import V2cSession, V2cTransport

V2 = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
IF_HC_IN = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)


def pysnmp_response(request_id: int, varbinds: list[tuple[Any, Any]], status: int = 0) -> bytes:
    pdu = V2.GetResponsePDU()
    V2.apiPDU.set_defaults(pdu)
    V2.apiPDU.set_request_id(pdu, request_id)
    V2.apiPDU.set_error_status(pdu, status)
    V2.apiPDU.set_varbinds(pdu, varbinds)
    message = V2.Message()
    V2.apiMessage.set_defaults(message)
    V2.apiMessage.set_community(message, "public")
    V2.apiMessage.set_pdu(message, pdu)
    return bytes(asn1_encoder.encode(message))


VARBINDS: list[tuple[Any, Any]] = [
    ((1, 3, 6, 1, 2, 1, 1, 3, 0), V2.TimeTicks(8_640_000)),
    ((*IF_HC_IN, 501), V2.Counter64(2**64 - 1)),
    ((1, 3, 6, 1, 2, 1, 2, 2, 1, 14, 501), V2.Counter32(2**32 - 1)),
    ((1, 3, 6, 1, 2, 1, 2, 2, 1, 5, 501), V2.Gauge32(1_000_000_000)),
    ((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 501), V2.Integer(-2)),
    ((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 501), V2.OctetString(b"ge-0/0/0")),
    ((1, 3, 6, 1, 2, 1, 2, 2, 1, 6, 501), V2.OctetString(bytes(range(250, 256)))),
    ((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 1), V2.IpAddress("10.0.0.1")),
    ((1, 3, 6, 1, 2, 1, 1, 2, 0), V2.ObjectIdentifier((1, 3, 6, 1, 4, 1, 2636, 1, 1, 1, 2, 3))),
    ((1, 3, 6, 1, 4, 1, 2636, 3, 1, 13, 1, 8, 9, 1, 0, 0), V2.Opaque(b"\x9f\x78\x04")),
    ((1, 3, 6, 1, 4, 1, 99999, 4294967295, 0), V2.NoSuchObject("")),
    ((1, 3, 6, 1, 2, 1, 99, 0), V2.NoSuchInstance("")),
    ((2, 999, 1), V2.EndOfMibView("")),
]


def test_responses_encoded_by_pyasn1_decode_to_the_values_pysnmp_would_give() -> None:
    raw = pysnmp_response(123_456, VARBINDS)
    response = ber.decode_response(raw)
    assert (response.request_id, response.error_status, response.error_index) == (123_456, 0, 0)
    assert response.varbinds == [(name, to_value(value)) for name, value in VARBINDS]
    assert ber.request_id_of(raw) == 123_456
    # the OID memory gives the same answer the second time
    remembering = ber.ResponseDecoder(max_oids=4)
    assert remembering.decode(raw) == remembering.decode(raw) == response


def test_error_status_is_reported_by_name() -> None:
    response = ber.decode_response(pysnmp_response(7, [((1, 3, 6, 1), V2.Null(""))], status=16))
    assert (response.error_status, response.error_name) == (16, "authorizationError")


@pytest.mark.parametrize("pdu", [ber.GET, ber.GET_BULK])
def test_requests_read_back_through_pyasn1(pdu: int) -> None:
    oids = [(1, 3, 6, 1, 2, 1, 1, 3), (*IF_HC_IN, 2**31 + 5), (1, 3, 6, 1, 4, 1, 2636, 3, 50)]
    raw = ber.encode_request(
        b"c0mmunity", pdu, 2**31 - 1, oids, non_repeaters=1, max_repetitions=40
    )
    message, rest = asn1_decoder.decode(raw, asn1Spec=V2.Message())
    assert rest == b""
    assert str(V2.apiMessage.get_community(message)) == "c0mmunity"
    request = V2.apiMessage.get_pdu(message)
    assert (
        request.tagSet == (V2.GetBulkRequestPDU if pdu == ber.GET_BULK else V2.GetRequestPDU).tagSet
    )
    assert int(V2.apiPDU.get_request_id(request)) == 2**31 - 1
    assert [tuple(name) for name, _ in V2.apiPDU.get_varbinds(request)] == oids
    if pdu == ber.GET_BULK:
        assert int(V2.apiBulkPDU.get_non_repeaters(request)) == 1
        assert int(V2.apiBulkPDU.get_max_repetitions(request)) == 40


def test_random_bytes_and_truncations_raise_only_wire_errors() -> None:
    rng = random.Random(5)
    valid = pysnmp_response(99, VARBINDS)
    samples = [valid[:n] for n in range(len(valid))]
    samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))) for _ in range(3000)]
    for _ in range(3000):
        mutated = bytearray(valid)
        for _ in range(rng.randrange(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        samples.append(bytes(mutated))
    decoded = 0
    for sample in samples:
        try:
            ber.decode_response(sample)
            decoded += 1
        except WireError:
            pass
        assert ber.request_id_of(sample) is None or isinstance(ber.request_id_of(sample), int)
    assert decoded < len(samples)
    assert ber.decode_response(valid + b"trailing").request_id == 99


# -- the request path against a scripted agent ---------------------------------------------------


class Agent(asyncio.DatagramProtocol):
    """Answers each request by ``script(n, request_id) -> datagrams to send back``."""

    def __init__(self, script: Callable[[int, int], list[bytes]]) -> None:
        self.script = script
        self.requests: list[int] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        message, _ = asn1_decoder.decode(data, asn1Spec=V2.Message())
        request_id = int(V2.apiPDU.get_request_id(V2.apiMessage.get_pdu(message)))
        self.requests.append(request_id)
        assert self.transport is not None
        for reply in self.script(len(self.requests), request_id):
            self.transport.sendto(reply, addr)


def run_against(
    script: Callable[[int, int], list[bytes]], retries: int = 1
) -> tuple[list[Any] | SnmpError, Agent, V2cTransport]:
    async def scenario() -> tuple[list[Any] | SnmpError, Agent, V2cTransport]:
        loop = asyncio.get_running_loop()
        endpoint, agent = await loop.create_datagram_endpoint(
            lambda: Agent(script), local_addr=("127.0.0.1", 0), family=socket.AF_INET
        )
        port = endpoint.get_extra_info("sockname")[1]
        transport = V2cTransport(rcvbuf_bytes=1 << 20)
        session = await V2cSession.open(
            transport, "127.0.0.1", port, "public", timeout_s=0.3, retries=retries, why="test"
        )
        try:
            result: list[Any] | SnmpError = await session.get([(1, 3, 6, 1, 2, 1, 1, 3, 0)])
        except SnmpError as exc:
            result = exc
        transport.close()
        endpoint.close()
        return result, agent, transport

    return asyncio.run(scenario())


UPTIME = [((1, 3, 6, 1, 2, 1, 1, 3, 0), V2.TimeTicks(42))]


def test_a_dropped_request_is_retried_with_a_new_request_id_and_late_answers_are_strays() -> None:
    late: list[int] = []

    def script(n: int, request_id: int) -> list[bytes]:
        if n == 1:
            late.append(request_id)
            return []
        # the answer to the first try arrives late, with a stray that is not SNMP at all
        return [pysnmp_response(late[0], UPTIME), b"\x00junk", pysnmp_response(request_id, UPTIME)]

    result, agent, transport = run_against(script)
    assert result == [((1, 3, 6, 1, 2, 1, 1, 3, 0), 42)]
    assert len(agent.requests) == 2 and agent.requests[0] != agent.requests[1]
    assert (transport.stats.sent, transport.stats.answered, transport.stats.strays) == (2, 1, 2)


def test_silence_error_status_and_garbage_are_snmp_errors_of_their_kind() -> None:
    silent, agent, _ = run_against(lambda n, rid: [], retries=1)
    assert isinstance(silent, SnmpError) and silent.kind == "timeout"
    assert silent.reason == "no response after 2 × 0.3 s (test)"
    assert len(agent.requests) == 2
    denied, _, _ = run_against(lambda n, rid: [pysnmp_response(rid, UPTIME, status=16)])
    assert isinstance(denied, SnmpError) and denied.kind == "error_status"
    assert "authorizationError" in denied.reason

    def broken(n: int, request_id: int) -> list[bytes]:
        good = pysnmp_response(request_id, UPTIME)
        return [good[:-3] + b"\x09\x01\x00"]  # a varbind whose value has an unknown tag

    garbled, _, _ = run_against(broken)
    assert isinstance(garbled, SnmpError) and garbled.kind == "protocol"
