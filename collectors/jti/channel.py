"""gRPC channels towards devices, and what a failed call means.

Owns channel options (keepalive, message size, TLS credentials and name override) and the
classification of ``grpc.aio.AioRpcError`` into the ``SessionError`` hierarchy: refused or
silent devices are ``Unreachable``, handshake failures ``TlsFailed``, UNAUTHENTICATED
``AuthenticationFailed``, INVALID_ARGUMENT/UNIMPLEMENTED/NOT_FOUND ``Rejected``. Reads the TLS
files named in the target; opens no connection until a call is made.
"""

from __future__ import annotations

from pathlib import Path

import grpc

from collectors.jti.errors import (
    AuthenticationFailed,
    Rejected,
    SessionError,
    StreamEnded,
    TlsFailed,
    Unreachable,
)
from collectors.jti.target import Target

KEEPALIVE_MS = 30_000
KEEPALIVE_TIMEOUT_MS = 10_000
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_TLS_WORDS = ("ssl", "tls", "handshake", "certificate", "cert verify", "x509")
_CLOSED_WORDS = ("socket closed", "connection reset", "end of tcp stream")


def channel_options(target: Target) -> list[tuple[str, int | str]]:
    options: list[tuple[str, int | str]] = [
        ("grpc.keepalive_time_ms", KEEPALIVE_MS),
        ("grpc.keepalive_timeout_ms", KEEPALIVE_TIMEOUT_MS),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        # we reconnect ourselves, with backoff and jitter; keep gRPC's own retries short
        ("grpc.initial_reconnect_backoff_ms", 500),
        ("grpc.max_reconnect_backoff_ms", 5_000),
        ("grpc.enable_retries", 0),
    ]
    if target.tls is not None and target.tls.server_name:
        options.append(("grpc.ssl_target_name_override", target.tls.server_name))
    return options


def open_channel(target: Target) -> grpc.aio.Channel:
    """A channel to ``target`` (TLS when it has TLS settings, plain text otherwise)."""
    options = channel_options(target)
    if target.tls is None:
        return grpc.aio.insecure_channel(target.endpoint, options=options)
    tls = target.tls
    try:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=_read(tls.ca_file),
            private_key=_read(tls.key_file),
            certificate_chain=_read(tls.cert_file),
        )
    except OSError as exc:
        raise TlsFailed(target.device, f"cannot read TLS file: {exc}") from None
    return grpc.aio.secure_channel(target.endpoint, credentials, options=options)


def _read(path: str | None) -> bytes | None:
    return None if path is None else Path(path).read_bytes()


def classify(target: Target, exc: grpc.aio.AioRpcError, during: str) -> SessionError:
    """The session error a failed call stands for; ``during`` says what was being done."""
    code = exc.code()
    details = (exc.details() or "").strip()
    text = f"{during}: {code.name}: {details}" if details else f"{during}: {code.name}"
    lowered = details.lower()
    if code == grpc.StatusCode.UNAUTHENTICATED or code == grpc.StatusCode.PERMISSION_DENIED:
        return AuthenticationFailed(target.device, text)
    if code == grpc.StatusCode.UNAVAILABLE and any(w in lowered for w in _TLS_WORDS):
        return TlsFailed(target.device, text)
    if (
        code == grpc.StatusCode.UNAVAILABLE
        and during != "stream"
        and target.tls is not None
        and any(w in lowered for w in _CLOSED_WORDS)
    ):
        # The client's side of a TLS 1.3 handshake ends before the device checks the client
        # certificate: a refused certificate shows only as the connection being closed.
        hint = " (closed during the TLS handshake: does the device want a client certificate?)"
        return TlsFailed(target.device, text + hint)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return Unreachable(target.device, f"{during}: no answer within the connect timeout")
    if code == grpc.StatusCode.UNAVAILABLE and during != "stream":
        hint = ""
        if target.tls is None and "refused" not in lowered:
            hint = " (is the device expecting TLS?)"
        return Unreachable(target.device, text + hint)
    if code in (
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.FAILED_PRECONDITION,
    ):
        return Rejected(target.device, text)
    return StreamEnded(target.device, text)
