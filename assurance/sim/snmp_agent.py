"""SNMP agents of the twin's gateways and switches, answering polls on the simulated clock.

Owns: one UDP socket per gateway and switch, bound on the device's own loopback address
(gateway ``127.a.b.1``, switch ``127.a.b.2``) at one port they all share (UDP 161 needs root,
so the port is configurable, like the JTI gRPC port of ``jti_twin``), on one event loop in a
background thread; on this port SNMPv2c, with the community from ``WANASSURE_TWIN_COMMUNITY``
(default ``public``): a request with another community or version is dropped unanswered, as a
device does, and counted. GET, GETNEXT and GETBULK are answered from the device's view
(``snmp_mib``) of the latest minute handed to ``publish``; before the first minute a device
serves nothing (every walk ends at once). A GETBULK answer stops at whole repetitions below
``MAX_RESPONSE`` bytes. Must not: decide values (``devices``/``snmp_mib``) or touch the lake.

SNMP is not written in lake mode: the same values already reach the lake over JTI (native
UDP for interfaces, SPU, RPM and IKE, gRPC for the Routing Engine), and a real deployment
picks one transport per value. What the agents serve is checked against the twin's values
instead: a poll after each published minute must find exactly that minute's values
(tests/sim/test_snmp_twin.py).

Given a ``V3User``, every device also answers SNMPv3 (authNoPriv or authPriv) on a second
shared port (``v3_port``), through a pysnmp engine per device (``snmp_v3``) serving the same
view; v2c stays on the pysnmp-free path above.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from assurance.errors import AssuranceError
from assurance.sim import snmp_pdu as pdu
from assurance.sim.devices import DeviceTelemetry, Sample
from assurance.sim.snmp_mib import DeviceMib, View, device_mibs
from assurance.sim.snmp_v3 import V3Agent, V3User
from assurance.sim.world import SNMP_COMMUNITY_ENV, Site
from collectors.snmp.ber import GET, GET_BULK, V2C

T = TypeVar("T")
COMMUNITY_ENV = SNMP_COMMUNITY_ENV
DEFAULT_COMMUNITY = "public"
MAX_RESPONSE = 60_000  # bytes; a UDP datagram holds at most 65,507
MAX_VARBINDS = 2_000
BIND_ATTEMPTS = 20


class SnmpServeError(AssuranceError):
    """The twin's devices cannot serve SNMP (the port is taken on a device address)."""


@dataclass
class AgentStats:
    requests: int = 0
    answered: int = 0
    malformed: int = 0
    refused: int = 0  # wrong community or SNMP version: dropped unanswered


def answer(request: pdu.Request, view: View) -> list[bytes]:
    """The encoded varbinds answering ``request`` from ``view`` (RFC 3416 §4.2.1-3)."""
    if request.pdu == GET:
        return [pdu.varbind(name, view.get(name)) for name in request.oids]
    if request.pdu != GET_BULK:
        return [pdu.varbind(*view.next(name)) for name in request.oids]
    n = min(max(request.non_repeaters, 0), len(request.oids))
    out = [pdu.varbind(*view.next(name)) for name in request.oids[:n]]
    current = list(request.oids[n:])
    if not current:
        return out
    size = sum(map(len, out))
    repetitions = min(max(request.max_repetitions, 0), MAX_VARBINDS // len(current))
    for _ in range(repetitions):
        found = [view.next(name) for name in current]
        row = [pdu.varbind(name, value) for name, value in found]
        row_size = sum(map(len, row))
        if out and size + row_size > MAX_RESPONSE:
            break
        out += row
        size += row_size
        if all(value == pdu.END_OF_MIB_VIEW for _, value in found):
            break
        current = [name for name, _ in found]
    return out


class _Agent(asyncio.DatagramProtocol):
    def __init__(self, owner: TwinSnmp, device: int) -> None:
        self.owner = owner
        self.device = device
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        response = self.owner.handle(self.device, data)
        if response is not None and self.transport is not None:
            self.transport.sendto(response, addr)

    def error_received(self, exc: Exception) -> None:
        pass  # a poller that went away: nothing to answer


class TwinSnmp:
    """The SNMP agents of a twin's gateways and switches (``start`` … ``publish`` … ``close``)."""

    def __init__(
        self,
        sites: Sequence[Site],
        port: int = 0,
        community: str | None = None,
        *,
        v3: V3User | None = None,
        v3_port: int = 0,
    ) -> None:
        self.sites = list(sites)
        self.port = port
        self.v3 = v3
        self.v3_port = v3_port
        self.community = (community or os.environ.get(COMMUNITY_ENV) or DEFAULT_COMMUNITY).encode()
        self.addresses = [s.address(h, loopback=True) for s in self.sites for h in (1, 2)]
        self.stats = AgentStats()
        self.minutes = 0
        self._mibs: list[DeviceMib] = []
        self._current: tuple[DeviceTelemetry, Sample] | None = None
        self._views: dict[int, View] = {}
        self._transports: list[asyncio.DatagramTransport] = []
        self._v3_agents: list[V3Agent] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="twin-snmp-agents", daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> int:
        """Serve on every device address; returns the port they share."""
        self._thread.start()
        self.port = self._run(self._bind_all())
        if self.v3 is not None:
            self.v3_port = self._run(self._bind_v3(self.v3))
        return self.port

    async def _bind_v3(self, user: V3User) -> int:
        wanted = self.v3_port
        for _ in range(BIND_ATTEMPTS):
            port = wanted
            socks: list[socket.socket] = []
            try:
                for address in self.addresses:
                    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    socks.append(sock)
                    sock.bind((address, port))
                    port = sock.getsockname()[1]
            except OSError as exc:
                for sock in socks:
                    sock.close()
                if wanted:
                    raise SnmpServeError(
                        f"cannot serve SNMPv3 on UDP port {wanted} of every device address: "
                        f"{exc.strerror or exc}"
                    ) from None
                continue
            for n, (address, sock) in enumerate(zip(self.addresses, socks, strict=True)):
                view = functools.partial(self.view, n)
                self._v3_agents.append(V3Agent(address, sock, user, view))
            return port
        raise SnmpServeError("no UDP port is free for SNMPv3 on every device address")

    async def _bind_all(self) -> int:
        loop = asyncio.get_running_loop()
        wanted = self.port
        for _ in range(BIND_ATTEMPTS):
            port = wanted
            try:
                for n, address in enumerate(self.addresses):
                    transport, _ = await loop.create_datagram_endpoint(
                        functools.partial(_Agent, self, n), local_addr=(address, port)
                    )
                    self._transports.append(transport)
                    port = transport.get_extra_info("sockname")[1]
                return port
            except OSError as exc:
                self._close_transports()
                if wanted:
                    raise SnmpServeError(
                        f"cannot serve SNMP on UDP port {wanted} of every device address: "
                        f"{exc.strerror or exc}"
                    ) from None
        raise SnmpServeError("no UDP port is free on every device address")

    def _close_transports(self) -> None:
        for transport in self._transports:
            transport.close()
        self._transports.clear()

    def close(self) -> None:
        """Stop answering and end the thread."""
        if not self._thread.is_alive():
            return

        async def stop() -> None:
            self._close_transports()
            for agent in self._v3_agents:
                agent.close()
            self._v3_agents.clear()

        with contextlib.suppress(TimeoutError):
            self._run(stop(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # -- the simulated clock -----------------------------------------------------------------

    def publish(self, telemetry: DeviceTelemetry, sample: Sample) -> None:
        """Make ``sample`` (one minute of ``telemetry``) what every agent answers from."""

        async def publish() -> None:
            if not self._mibs:
                self._mibs = device_mibs(self.sites, telemetry)
            for mib in self._mibs:
                mib.advance(telemetry, sample)
            self._current = (telemetry, sample)
            self._views.clear()
            self.minutes += 1

        self._run(publish())

    # -- answering ---------------------------------------------------------------------------

    def handle(self, device: int, data: bytes) -> bytes | None:
        """The response to one datagram sent to ``device``, or None to drop it."""
        self.stats.requests += 1
        try:
            request = pdu.decode_request(data)
        except pdu.BadRequest:
            self.stats.malformed += 1
            return None
        if request.version != V2C or request.community != self.community:
            self.stats.refused += 1
            return None
        self.stats.answered += 1
        return pdu.encode_response(request, answer(request, self.view(device)))

    def view(self, device: int) -> View:
        """What ``device`` serves for the latest published minute (built on first use)."""
        view = self._views.get(device)
        if view is None:
            if self._current is None:
                return View()
            telemetry, sample = self._current
            view = self._views[device] = self._mibs[device].view(telemetry, sample)
        return view


__all__ = [
    "COMMUNITY_ENV", "DEFAULT_COMMUNITY", "SnmpServeError", "TwinSnmp", "V3User", "answer"
]  # fmt: skip
