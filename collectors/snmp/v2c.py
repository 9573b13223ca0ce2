"""SNMPv2c requests over our own UDP sockets, decoded by ``ber`` instead of pysnmp/pyasn1.

Owns the community-based request path of the poller: one ``V2cTransport`` (a UDP socket per
address family, with a large receive buffer) shared by every v2c device, request-ids, timeouts
and retries, and ``V2cSession`` with the same ``bulk``/``get`` calls as the pysnmp-backed
``client.Session``. Receiving is kept apart from decoding: the socket callback only reads a
datagram's request-id to hand the raw bytes to the request waiting for it; the waiting request
decodes them. Answers from another address than the one asked, late answers and strays are
counted and dropped. Must not: plan walks, decode tables or keep poll state.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from collectors.receive import udp_socket
from collectors.snmp import ber
from collectors.snmp.errors import SnmpError
from collectors.snmp.oids import Oid
from collectors.snmp.values import VarBind

Address = tuple[str, int]


@dataclass
class TransportStats:
    sent: int = 0
    answered: int = 0
    #: datagrams that matched no request in flight (late, duplicate, or not SNMP)
    strays: int = 0
    #: answers to a request from another address than the one asked
    wrong_source: int = 0


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, owner: V2cTransport) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.owner.received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP port unreachable and the like: the request times out


class V2cTransport:
    """The sockets and the table of requests in flight, shared by all v2c sessions."""

    def __init__(self, rcvbuf_bytes: int = 32 * 1024 * 1024) -> None:
        self.rcvbuf_bytes = rcvbuf_bytes
        self.stats = TransportStats()
        #: shared by every session: devices answer with the same OIDs
        self.decoder = ber.ResponseDecoder()
        self._endpoints: dict[int, asyncio.DatagramTransport] = {}
        self._waiting: dict[int, tuple[Address, asyncio.Future[bytes]]] = {}
        self._ids = itertools.count(random.randrange(1, 1 << 30))

    def next_request_id(self) -> int:
        while True:
            request_id = next(self._ids) & 0x7FFFFFFF
            if request_id and request_id not in self._waiting:
                return request_id

    async def _endpoint(self, family: int) -> asyncio.DatagramTransport:
        endpoint = self._endpoints.get(family)
        if endpoint is None or endpoint.is_closing():
            host = "::" if family == socket.AF_INET6 else "0.0.0.0"
            sock = udp_socket(host, 0, self.rcvbuf_bytes)
            loop = asyncio.get_running_loop()
            endpoint, _ = await loop.create_datagram_endpoint(lambda: _Receiver(self), sock=sock)
            self._endpoints[family] = endpoint
        return endpoint

    async def exchange(
        self, family: int, address: Address, payload: bytes, request_id: int, timeout_s: float
    ) -> bytes | None:
        """Send ``payload`` to ``address``; the raw answer with ``request_id``, or None after
        ``timeout_s``."""
        endpoint = await self._endpoint(family)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = (address, future)
        try:
            endpoint.sendto(payload, address)
            self.stats.sent += 1
            return await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            return None
        finally:
            self._waiting.pop(request_id, None)

    def received(self, data: bytes, source: Address) -> None:
        request_id = ber.request_id_of(data)
        waiting = None if request_id is None else self._waiting.get(request_id)
        if waiting is None:
            self.stats.strays += 1
            return
        address, future = waiting
        if source[1] != address[1] or _host(source[0]) != _host(address[0]):
            self.stats.wrong_source += 1
            return
        if not future.done():
            self.stats.answered += 1
            future.set_result(data)

    def close(self) -> None:
        for endpoint in self._endpoints.values():
            endpoint.close()
        self._endpoints.clear()
        for _, future in self._waiting.values():
            future.cancel()
        self._waiting.clear()


def _host(host: str) -> str:
    """IPv4-mapped IPv6 sources compare equal to their IPv4 address."""
    return host[7:] if host.startswith("::ffff:") else host


class V2cSession:
    """GET and GETBULK to one device with one community."""

    def __init__(
        self,
        transport: V2cTransport,
        family: int,
        address: Address,
        community: str,
        timeout_s: float,
        retries: int,
        why: str,
    ) -> None:
        self._transport = transport
        self._family = family
        self._address = address
        self._community = community.encode()
        self._why = why
        self.timeout_s = timeout_s
        self.retries = retries

    @classmethod
    async def open(
        cls,
        transport: V2cTransport,
        address: str,
        port: int,
        community: str,
        *,
        timeout_s: float,
        retries: int,
        why: str,
    ) -> V2cSession:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(address, port, type=socket.SOCK_DGRAM)
        except OSError as exc:
            raise SnmpError("transport", f"cannot use {address}:{port}: {exc}") from None
        family, _, _, _, sockaddr = infos[0]
        resolved = (str(sockaddr[0]), int(sockaddr[1]))
        return cls(transport, family, resolved, community, timeout_s, retries, why)

    async def bulk(
        self, non_repeaters: Sequence[Oid], repeaters: Sequence[Oid], max_repetitions: int
    ) -> tuple[list[VarBind], list[VarBind]]:
        """One GETBULK: (non-repeater varbinds, repeater varbinds in wire order)."""
        varbinds = await self._request(
            ber.GET_BULK, [*non_repeaters, *repeaters], len(non_repeaters), max_repetitions
        )
        n = min(len(non_repeaters), len(varbinds))
        return varbinds[:n], varbinds[n:]

    async def get(self, oids: Sequence[Oid]) -> list[VarBind]:
        return await self._request(ber.GET, list(oids), 0, 0)

    async def _request(
        self, pdu: int, oids: list[Oid], non_repeaters: int, max_repetitions: int
    ) -> list[VarBind]:
        transport = self._transport
        tries = self.retries + 1
        for _ in range(tries):
            # A new request-id per try: a late answer to an earlier try is then a stray.
            request_id = transport.next_request_id()
            payload = ber.encode_request(
                self._community,
                pdu,
                request_id,
                oids,
                non_repeaters=non_repeaters,
                max_repetitions=max_repetitions,
            )
            raw = await transport.exchange(
                self._family, self._address, payload, request_id, self.timeout_s
            )
            if raw is None:
                continue
            try:
                response = transport.decoder.decode(raw)
            except ber.MalformedResponse as exc:
                raise SnmpError("protocol", f"malformed response: {exc}") from None
            if response.error_status:
                hint = ""
                if response.error_name == "authorizationError":
                    hint = " (the community may not read these objects)"
                raise SnmpError("error_status", f"agent answered {response.error_name}{hint}")
            return response.varbinds
        raise SnmpError(
            "timeout", f"no response after {tries} × {self.timeout_s:g} s ({self._why})"
        )
