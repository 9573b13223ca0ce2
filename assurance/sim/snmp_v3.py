"""SNMPv3 (USM, up to authPriv) for the twin's SNMP agents, through pysnmp's command responder.

Owns: one pysnmp engine per gateway and switch (each with its own engine id, as devices have),
bound on the device's loopback address at the v3 port all devices share (a separate port from
the v2c agents of ``snmp_agent``, which answer v2c without pysnmp), one USM user allowed to
read everything at its security level, and the bridge from pysnmp's MIB instrumentation to the
device's ``snmp_mib.View`` (values decoded once from the view's BER into pysnmp's types).
pysnmp is untyped: every call into it happens here. Must not: decide values, or serve v1/v2c.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyasn1.codec.ber import decoder
from pyasn1.type import univ
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.proto import rfc1902, rfc1905
from pysnmp.smi import instrum

from assurance.sim.snmp_mib import View
from collectors.snmp.client import AUTH_PROTOCOLS, PRIV_PROTOCOLS

#: SnmpEngineID format 4 (text) under Juniper's enterprise number 2636
ENGINE_ID_PREFIX = bytes((0x80, 0x00, 0x0A, 0x4C, 0x04))


@dataclass(frozen=True)
class V3User:
    """The USM user every twin device accepts (``priv_key`` None: authNoPriv)."""

    user: str
    auth_key: str
    priv_key: str | None = None
    auth_protocol: str = "sha"
    priv_protocol: str = "aes"

    @property
    def level(self) -> str:
        return "authPriv" if self.priv_key else "authNoPriv"


def _pysnmp_value(raw: bytes) -> Any:
    value, _ = decoder.decode(raw, asn1Spec=rfc1905._BindValue())
    inner = value.getComponent()
    while isinstance(inner, univ.Choice):
        inner = inner.getComponent()
    return inner


class _ViewInstrumentation(instrum.AbstractMibInstrumController):  # type: ignore[misc]
    """Answers pysnmp's responders from the device's current view."""

    def __init__(self, view: Callable[[], View]) -> None:
        self.view = view

    def read_variables(self, *var_binds: Any, **ctx: Any) -> list[tuple[Any, Any]]:
        view = self.view()
        return [(name, _pysnmp_value(view.get(tuple(name)))) for name, _ in var_binds]

    def read_next_variables(self, *var_binds: Any, **ctx: Any) -> list[tuple[Any, Any]]:
        view = self.view()
        out = []
        for name, _ in var_binds:
            found, raw = view.next(tuple(name))
            out.append((rfc1902.ObjectName(found), _pysnmp_value(raw)))
        return out


class V3Agent:
    """The SNMPv3 agent of one device; create and close it on the agents' event loop."""

    def __init__(self, address: str, sock: socket.socket, user: V3User, view: Callable[[], View]):
        self.engine = engine.SnmpEngine(
            snmpEngineID=univ.OctetString(ENGINE_ID_PREFIX + address.encode())
        )
        transport = udp.UdpAsyncioTransport().open_server_mode(sock=sock)
        config.add_transport(self.engine, udp.DOMAIN_NAME, transport)
        priv = PRIV_PROTOCOLS[user.priv_protocol] if user.priv_key else PRIV_PROTOCOLS["none"]
        config.add_v3_user(
            self.engine,
            user.user,
            AUTH_PROTOCOLS[user.auth_protocol],
            user.auth_key,
            priv,
            user.priv_key,
        )
        config.add_vacm_user(self.engine, 3, user.user, user.level, (1, 3, 6))
        ctx = context.SnmpContext(self.engine)
        ctx.unregister_context_name(b"")
        ctx.register_context_name(b"", _ViewInstrumentation(view))
        self.responders = [
            cmdrsp.GetCommandResponder(self.engine, ctx),
            cmdrsp.NextCommandResponder(self.engine, ctx),
            cmdrsp.BulkCommandResponder(self.engine, ctx),
        ]

    def close(self) -> None:
        transport = config.get_transport(self.engine, udp.DOMAIN_NAME)
        if transport is not None:
            transport.close_transport()
        self.engine.close_dispatcher()


__all__ = ["V3Agent", "V3User"]
