"""pysnmp as a notification decoder: one datagram in, notifications or a reason out.

Owns the receiving ``SnmpEngine``: accepted v1/v2c communities (any, when none are given),
SNMPv3 USM users, and the replies pysnmp sends (inform acknowledgements, v3 discovery and time
reports), which go out through a callable instead of a pysnmp socket so the collector keeps its
own receive loop. SNMPv3 traps are authoritative at the sender: a configured user is added for
each sender engine ID the first time it is seen (keys are still checked). Why a datagram
produced nothing is read from the engine's own statistics counters. Not thread-safe: one
decoding thread owns an instance. Must not: touch sockets, sinks or Arrow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyasn1.codec.ber import decoder
from pyasn1.error import PyAsn1Error
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from pysnmp.proto import api, rfc3411
from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
from pysnmp.proto.rfc1902 import OctetString
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

from collectors.snmp.client import AUTH_PROTOCOLS, PRIV_PROTOCOLS, V3, to_value
from collectors.snmp.notifications import Notification

log = logging.getLogger(__name__)

#: at most this many distinct communities are learned when any community is accepted
MAX_LEARNED_COMMUNITIES = 256
#: at most this many (sender engine ID, user) pairs are learned for SNMPv3 traps
MAX_LEARNED_ENGINES = 10_000

#: engine statistics that explain a datagram without notification: (module, name, reason, kind)
_STATS = (
    ("__SNMPv2-MIB", "snmpInASNParseErrs", "not a valid SNMP message (BER parse error)", "bad"),
    ("__SNMPv2-MIB", "snmpInBadVersions", "unsupported SNMP version", "bad"),
    ("__SNMPv2-MIB", "snmpInBadCommunityNames", "community not accepted", "auth"),
    ("__SNMP-MPD-MIB", "snmpInvalidMsgs", "invalid SNMPv3 message", "bad"),
    ("__SNMP-MPD-MIB", "snmpUnknownSecurityModels", "unknown security model", "bad"),
    ("__SNMP-MPD-MIB", "snmpUnknownPDUHandlers", "not a notification", "other"),
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownUserNames", "unknown SNMPv3 user", "auth"),
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsWrongDigests", "wrong SNMPv3 auth key", "auth"),
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsDecryptionErrors", "wrong SNMPv3 privacy key", "auth"),
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnsupportedSecLevels", "security level", "auth"),
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsNotInTimeWindows", "time window", "sync"),
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownEngineIDs", "engine ID discovery", "sync"),
)

_VERSIONS = {0: "1", 1: "2c", 3: "3"}


@dataclass(frozen=True, slots=True)
class Fed:
    """What one datagram gave: notifications, or why it gave none.

    ``kind`` is ``ok``, ``sync`` (v3 discovery or time synchronisation: normal protocol, no
    notification), ``auth`` (credentials not accepted), ``bad`` (undecodable) or ``other``.
    """

    kind: str
    notifications: tuple[Notification, ...] = ()
    reason: str = ""


class _Replies:
    """Stands in for pysnmp's transport dispatcher: only replies go through it."""

    def __init__(self, send: Callable[[bytes, tuple[str, int]], None]) -> None:
        self._send = send

    def send_message(self, message: Any, domain: Any, address: Any) -> None:
        self._send(bytes(message), (str(address[0]), int(address[1])))

    def get_timer_resolution(self) -> float:
        return 0.5

    def get_timer_ticks(self) -> int:
        return 0


class NotificationEngine:
    """Decodes datagrams sent to a trap receiver with a pysnmp engine."""

    def __init__(
        self,
        send: Callable[[bytes, tuple[str, int]], None],
        *,
        communities: Sequence[str] | None = None,
        users: Sequence[V3] = (),
    ) -> None:
        self._engine: Any = engine.SnmpEngine()
        self._engine.transport_dispatcher = _Replies(send)
        self._own_engine_id = bytes(self._engine.snmpEngineID)
        self._any_community = communities is None
        self._communities: set[str] = set()
        for community in communities or ():
            self._add_community(community)
        self._users = {u.user: u for u in users}
        for user in users:
            self._add_user(user, None)  # for informs: keys localized to our engine ID
        self._learned_engines: set[tuple[bytes, str]] = set()
        self._received: list[Notification] = []
        self._current: tuple[str, int] = ("", 0)
        self._request: dict[str, Any] = {}
        ntfrcv.NotificationReceiver(self._engine, self._on_notification)
        self._engine.observer.register_observer(self._on_request, "rfc3412.receiveMessage:request")

    # -- configuration ---------------------------------------------------------------------

    def _add_community(self, community: str) -> None:
        if community not in self._communities:
            config.add_v1_system(self._engine, f"c{len(self._communities)}", community)
            self._communities.add(community)

    def _add_user(self, user: V3, engine_id: bytes | None) -> None:
        auth = AUTH_PROTOCOLS[user.auth_protocol] if user.auth_key else AUTH_PROTOCOLS["none"]
        priv = PRIV_PROTOCOLS[user.priv_protocol] if user.priv_key else PRIV_PROTOCOLS["none"]
        config.add_v3_user(
            self._engine,
            user.user,
            auth,
            user.auth_key,
            priv,
            user.priv_key,
            securityEngineId=None if engine_id is None else OctetString(engine_id),
        )

    def _prepare(self, payload: bytes, version: int) -> None:
        """Learn the community (when any is accepted) or the sender's v3 engine ID."""
        if version in (0, 1):
            if not self._any_community or len(self._communities) >= MAX_LEARNED_COMMUNITIES:
                return
            module = api.PROTOCOL_MODULES[version]
            try:
                message, _ = decoder.decode(payload, asn1Spec=module.Message())
            except PyAsn1Error:
                return
            self._add_community(bytes(module.apiMessage.get_community(message)).decode("latin-1"))
        elif version == 3:
            try:
                message, _ = decoder.decode(payload, asn1Spec=SNMPv3Message())
                params, _ = decoder.decode(
                    bytes(message["msgSecurityParameters"]), asn1Spec=UsmSecurityParameters()
                )
            except PyAsn1Error:
                return
            engine_id = bytes(params["msgAuthoritativeEngineId"])
            user = self._users.get(bytes(params["msgUserName"]).decode("utf-8", "replace"))
            key = (engine_id, user.user if user else "")
            if (
                user is not None
                and engine_id != self._own_engine_id  # informs: the user is there already
                and 4 < len(engine_id) < 33
                and key not in self._learned_engines
                and len(self._learned_engines) < MAX_LEARNED_ENGINES
            ):
                self._add_user(user, engine_id)
                self._learned_engines.add(key)

    # -- decoding --------------------------------------------------------------------------

    def feed(self, payload: bytes, sender: str, port: int, received_us: int) -> Fed:
        """Decode one datagram; replies (inform acks, v3 reports) are sent before returning."""
        try:
            version = int(api.decodeMessageVersion(payload))
        except Exception as exc:  # pyasn1 raises several types on arbitrary bytes
            return Fed("bad", reason=f"not an SNMP message ({type(exc).__name__})")
        self._prepare(payload, version)
        before = self._stats()
        self._received.clear()
        self._current = (sender, received_us)
        try:
            self._engine.message_dispatcher.receive_message(
                self._engine, udp.DOMAIN_NAME, (sender, port), payload
            )
        except Exception as exc:  # pysnmp may raise on inputs it does not expect
            return Fed("bad", reason=f"undecodable SNMP message ({type(exc).__name__})")
        if self._received:
            return Fed("ok", tuple(self._received))
        after = self._stats()
        moved = [(s[2], s[3]) for s, b, a in zip(_STATS, before, after, strict=True) if a > b]
        if not moved:
            return Fed("other", reason="no notification in the message")
        reason, kind = moved[0]
        return Fed(kind, reason=reason)

    def _stats(self) -> list[int]:
        builder = self._engine.get_mib_builder()
        return [int(builder.import_symbols(m, n)[0].syntax) for m, n, _r, _k in _STATS]

    def _on_request(self, snmp_engine: Any, point: str, variables: Any, context: Any) -> None:
        self._request = dict(variables)

    def _on_notification(
        self,
        snmp_engine: Any,
        state_reference: Any,
        context_engine_id: Any,
        context_name: Any,
        varbinds: Any,
        context: Any,
    ) -> None:
        request = self._request
        model = int(request.get("messageProcessingModel", -1))
        pdu = request.get("pdu")
        confirmed = pdu is not None and pdu.tagSet in rfc3411.CONFIRMED_CLASS_PDUS
        sender, received_us = self._current
        self._received.append(
            Notification(
                sender=sender,
                received_us=received_us,
                version=_VERSIONS.get(model, str(model)),
                pdu="inform" if confirmed else "trap",
                user=str(request.get("securityName")) if model == 3 else None,
                varbinds=[(tuple(name), to_value(value)) for name, value in varbinds],
            )
        )
