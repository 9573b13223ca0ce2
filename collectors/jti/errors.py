"""Errors of the telemetry collectors (JTI over gRPC and UDP, gNMI).

Decoding problems are ``collectors.errors.WireError`` subclasses (they become ``rejects`` rows);
session problems are ``SessionError`` subclasses, each with the ``reason`` label used in metrics
and logs, so every failure of a device stream has one name from connect to dashboard.
"""

from __future__ import annotations

from collectors.errors import CollectorError, MalformedPacket


class MalformedMessage(MalformedPacket):
    """A telemetry message that is not valid protobuf for its type, or says impossible things."""


class SessionError(CollectorError):
    """A device stream could not be opened or was lost."""

    reason = "error"

    def __init__(self, device: str, detail: str) -> None:
        self.device = device
        self.detail = detail
        super().__init__(f"{device}: {self.reason}: {detail}")


class AuthenticationFailed(SessionError):
    """The device refused the username/password (LoginCheck false or UNAUTHENTICATED)."""

    reason = "auth"


class TlsFailed(SessionError):
    """The TLS handshake failed: wrong CA, wrong name, or TLS spoken to a plain-text port."""

    reason = "tls"


class Unreachable(SessionError):
    """No connection within the connect timeout, or the connection was refused."""

    reason = "unreachable"


class StreamQuiet(SessionError):
    """The stream sent nothing for longer than the watchdog allows."""

    reason = "quiet"


class StreamEnded(SessionError):
    """The device ended the stream or the connection broke."""

    reason = "disconnected"


class Rejected(SessionError):
    """The device refused the request itself (unknown path, unsupported option…)."""

    reason = "rejected"
