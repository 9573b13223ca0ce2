"""Opening request sessions to devices; the narrow, typed wrapper around pysnmp 7 for SNMPv3.

Owns: credentials (v2c community, v3 USM user with SHA/AES … keys as strings), the choice of
request path per credential type — v2c through ``v2c`` (our sockets, ``ber`` decoding: pysnmp's
pyasn1 decoding cost more than everything else a poll does), v3 through pysnmp's command
generators — one pysnmp ``SnmpEngine`` per v3 credential set (pysnmp keys v3 users by name, so
two sets of keys for one user name must not share an engine), GETBULK and GET with MIB lookup
off, and turning pysnmp's results into plain ``values.Value`` varbinds or one ``SnmpError``.
pysnmp is untyped: every call into it happens in this module. Must not: plan walks, decode
tables or keep poll state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pyasn1.type import univ
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    SnmpEngine,
    Udp6TransportTarget,
    UdpTransportTarget,
    UsmUserData,
)
from pysnmp.hlapi.v3arch.asyncio import auth as pysnmp_auth
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import errind, rfc1902, rfc1905
from pysnmp.proto.rfc1902 import ObjectName

from collectors.receive import udp_socket
from collectors.snmp.errors import SnmpError
from collectors.snmp.oids import Oid
from collectors.snmp.v2c import V2cSession, V2cTransport
from collectors.snmp.values import Exceptional, Value, VarBind

_LCD = CommandGeneratorLcdConfigurator()
_BULK = cmdgen.BulkCommandGenerator()
_GET = cmdgen.GetCommandGenerator()
_NULL = univ.Null("")

AUTH_PROTOCOLS = {
    "md5": pysnmp_auth.USM_AUTH_HMAC96_MD5,
    "sha": pysnmp_auth.USM_AUTH_HMAC96_SHA,
    "sha224": pysnmp_auth.USM_AUTH_HMAC128_SHA224,
    "sha256": pysnmp_auth.USM_AUTH_HMAC192_SHA256,
    "sha384": pysnmp_auth.USM_AUTH_HMAC256_SHA384,
    "sha512": pysnmp_auth.USM_AUTH_HMAC384_SHA512,
    "none": pysnmp_auth.USM_AUTH_NONE,
}
PRIV_PROTOCOLS = {
    "aes": pysnmp_auth.USM_PRIV_CFB128_AES,
    "aes192": pysnmp_auth.USM_PRIV_CFB192_AES_BLUMENTHAL,
    "aes256": pysnmp_auth.USM_PRIV_CFB256_AES_BLUMENTHAL,
    "des": pysnmp_auth.USM_PRIV_CBC56_DES,
    "none": pysnmp_auth.USM_PRIV_NONE,
}

#: error indications that mean "these credentials are not accepted", with a hint
_AUTH_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (errind.WrongDigest, "wrong auth key or auth protocol"),
    (errind.UnknownUserName, "the device has no such user"),
    (errind.DecryptionError, "wrong privacy key or privacy protocol"),
    (errind.UnsupportedSecurityLevel, "the user does not allow this security level"),
    (errind.AuthenticationError, "authentication failed"),
    (errind.AuthenticationFailure, "authentication failed"),
    (errind.UnknownSecurityName, "unknown security name"),
    (errind.UnknownCommunityName, "unknown community"),
)


@dataclass(frozen=True, slots=True)
class V2c:
    community: str

    def __repr__(self) -> str:  # never print secrets
        return "V2c(community=***)"


@dataclass(frozen=True, slots=True)
class V3:
    """An SNMPv3 USM user; ``auth_key``/``priv_key`` None means noAuth / noPriv."""

    user: str
    auth_protocol: str = "sha"
    auth_key: str | None = None
    priv_protocol: str = "aes"
    priv_key: str | None = None

    def __post_init__(self) -> None:
        if self.auth_protocol not in AUTH_PROTOCOLS:
            raise ValueError(f"unknown SNMPv3 auth protocol {self.auth_protocol!r}")
        if self.priv_protocol not in PRIV_PROTOCOLS:
            raise ValueError(f"unknown SNMPv3 privacy protocol {self.priv_protocol!r}")

    def __repr__(self) -> str:
        return f"V3(user={self.user!r}, {self.auth_protocol}/{self.priv_protocol}, keys=***)"

    @property
    def level(self) -> str:
        if self.auth_key is None:
            return "noAuthNoPriv"
        return "authNoPriv" if self.priv_key is None else "authPriv"


Credentials = V2c | V3


def usm_user(v3: V3) -> Any:
    """pysnmp ``UsmUserData`` for ``v3``."""
    auth = AUTH_PROTOCOLS[v3.auth_protocol] if v3.auth_key else pysnmp_auth.USM_AUTH_NONE
    priv = PRIV_PROTOCOLS[v3.priv_protocol] if v3.priv_key else pysnmp_auth.USM_PRIV_NONE
    return UsmUserData(
        v3.user, authKey=v3.auth_key, privKey=v3.priv_key, authProtocol=auth, privProtocol=priv
    )


class Requester(Protocol):
    """What the poller asks of a session, whichever path carries it."""

    timeout_s: float
    retries: int

    async def bulk(
        self, non_repeaters: Sequence[Oid], repeaters: Sequence[Oid], max_repetitions: int
    ) -> tuple[list[VarBind], list[VarBind]]: ...

    async def get(self, oids: Sequence[Oid]) -> list[VarBind]: ...


class Engines:
    """The v2c transport and one pysnmp engine per v3 credential set, created on first use.

    Every socket is ours, with a large receive buffer: many devices answering at once must not
    overflow it (pysnmp's own socket keeps the small default, and a dropped response is a
    timeout).
    """

    def __init__(self, rcvbuf_bytes: int = 32 * 1024 * 1024) -> None:
        self._engines: dict[Credentials | None, Any] = {}
        self.rcvbuf_bytes = rcvbuf_bytes
        self.v2c = V2cTransport(rcvbuf_bytes)

    def for_credentials(self, credentials: Credentials) -> Any:
        """The engine for ``credentials``; call with the event loop running."""
        key = None if isinstance(credentials, V2c) else credentials
        engine = self._engines.get(key)
        if engine is None:
            engine = self._engines[key] = SnmpEngine()
            sock = udp_socket("0.0.0.0", 0, self.rcvbuf_bytes)
            transport = udp.UdpAsyncioTransport().open_server_mode(sock=sock)
            config.add_transport(engine, udp.DOMAIN_NAME, transport)
        return engine

    async def close(self) -> None:
        """Close the sockets, let datagrams already read be handled, then the dispatchers."""
        self.v2c.close()
        for engine in self._engines.values():
            transport = config.get_transport(engine, udp.DOMAIN_NAME)
            if transport is not None:
                transport.close_transport()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        for engine in self._engines.values():
            engine.close_dispatcher()
        self._engines.clear()


def to_value(value: Any) -> Value:
    """A pysnmp/pyasn1 value → ``Value`` (checked most common type first)."""
    if isinstance(value, univ.Integer):  # Integer32, Counter32/64, Gauge32, TimeTicks …
        return int(value)
    if isinstance(value, univ.Null):  # before OctetString: pyasn1's Null is one
        if isinstance(value, rfc1905.EndOfMibView):
            return Exceptional.END_OF_MIB_VIEW
        if isinstance(value, rfc1905.NoSuchInstance):
            return Exceptional.NO_SUCH_INSTANCE
        return Exceptional.NO_SUCH_OBJECT
    if isinstance(value, rfc1902.IpAddress):
        return ".".join(str(b) for b in value.asOctets())
    if isinstance(value, univ.OctetString):  # OCTET STRING, Opaque
        return bytes(value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):
        return tuple(value)
    return str(value).encode()


def _varbinds(raw: Sequence[Any]) -> list[VarBind]:
    return [(tuple(name), to_value(value)) for name, value in raw]


def _silent_rejection(credentials: Credentials) -> str:
    """What a device that drops our requests unanswered may be telling us."""
    if isinstance(credentials, V2c):
        return "device down or unreachable, or wrong community"
    if credentials.priv_key is not None:
        return "device down or unreachable, or wrong privacy key"
    return "device down or unreachable"


def _raise_for(indication: Any, status: Any, timeout_s: float, tries: int, why: str) -> None:
    if indication:
        if isinstance(indication, errind.RequestTimedOut):
            raise SnmpError("timeout", f"no response after {tries} × {timeout_s:g} s ({why})")
        for kind, hint in _AUTH_ERRORS:
            if isinstance(indication, kind):
                raise SnmpError("auth", f"credentials rejected: {indication} ({hint})")
        if isinstance(indication, errind.EncryptionError):
            raise SnmpError(
                "protocol", f"{indication}: SNMPv3 privacy needs the 'cryptography' package"
            )
        raise SnmpError("protocol", str(indication))
    if status:
        text = status.prettyPrint() if hasattr(status, "prettyPrint") else str(status)
        hint = " (the user or community may not read these objects at this security level)"
        raise SnmpError(
            "error_status", f"agent answered {text}" + (hint if "authorization" in text else "")
        )


class Session:
    """Requests to one device with one set of credentials.

    Requests go to pysnmp's command generators directly with numeric OIDs: hlapi's
    ``bulk_cmd``/``get_cmd`` would resolve every request OID through a MIB view first, which
    costs more than decoding the answer.
    """

    def __init__(
        self, engine: Any, target_name: str, timeout_s: float, retries: int, why: str
    ) -> None:
        self._engine = engine
        self._target_name = target_name
        self._why = why  # what silence from this device may mean, for timeout messages
        self.timeout_s = timeout_s
        self.retries = retries

    @classmethod
    async def open(
        cls,
        engines: Engines,
        address: str,
        port: int,
        credentials: Credentials,
        *,
        timeout_s: float,
        retries: int,
    ) -> Session:
        kind = Udp6TransportTarget if ":" in address else UdpTransportTarget
        try:
            target = await kind.create((address, port), timeout=timeout_s, retries=retries)
        except Exception as exc:  # pysnmp raises PySnmpError for unresolvable names
            raise SnmpError("transport", f"cannot use {address}:{port}: {exc}") from None
        if isinstance(credentials, V2c):
            auth = CommunityData(credentials.community, mpModel=1)
        else:
            auth = usm_user(credentials)
        engine = engines.for_credentials(credentials)
        target_name, _params = _LCD.configure(engine, auth, target, b"")
        return cls(engine, target_name, timeout_s, retries, _silent_rejection(credentials))

    async def bulk(
        self, non_repeaters: Sequence[Oid], repeaters: Sequence[Oid], max_repetitions: int
    ) -> tuple[list[VarBind], list[VarBind]]:
        """One GETBULK: (non-repeater varbinds, repeater varbinds in wire order)."""
        future, callback = self._future()
        _BULK.send_varbinds(
            self._engine,
            self._target_name,
            None,
            b"",
            len(non_repeaters),
            max_repetitions,
            [(ObjectName(o), _NULL) for o in (*non_repeaters, *repeaters)],
            callback,
        )
        varbinds = await self._answer(future)
        n = min(len(non_repeaters), len(varbinds))
        return varbinds[:n], varbinds[n:]

    async def get(self, oids: Sequence[Oid]) -> list[VarBind]:
        future, callback = self._future()
        _GET.send_varbinds(
            self._engine,
            self._target_name,
            None,
            b"",
            [(ObjectName(o), _NULL) for o in oids],
            callback,
        )
        return await self._answer(future)

    @staticmethod
    def _future() -> tuple[asyncio.Future[tuple[Any, ...]], Callable[..., None]]:
        future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

        def callback(
            engine: Any, handle: Any, indication: Any, status: Any, index: Any, raw: Any, ctx: Any
        ) -> None:
            if not future.done():
                future.set_result((indication, status, raw))

        return future, callback

    async def _answer(self, future: asyncio.Future[tuple[Any, ...]]) -> list[VarBind]:
        indication, status, raw = await future
        _raise_for(indication, status, self.timeout_s, self.retries + 1, self._why)
        return _varbinds(raw)


async def open_session(
    engines: Engines,
    address: str,
    port: int,
    credentials: Credentials,
    *,
    timeout_s: float,
    retries: int,
) -> Requester:
    """A session to ``address``:``port``: v2c on the ``v2c`` path, v3 through pysnmp."""
    if isinstance(credentials, V2c):
        return await V2cSession.open(
            engines.v2c,
            address,
            port,
            credentials.community,
            timeout_s=timeout_s,
            retries=retries,
            why=_silent_rejection(credentials),
        )
    return await Session.open(
        engines, address, port, credentials, timeout_s=timeout_s, retries=retries
    )
