"""TLS server context for syslog over TLS (RFC 5425): certificate, key, optional client CA.

Owns only the ``ssl.SSLContext`` policy (TLS 1.2 or newer, the certificate chain, mutual
authentication when a client CA is given). Must not open sockets; the listener does that.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from collectors.errors import CollectorError


class TlsConfigError(CollectorError):
    """The certificate, key or CA file cannot be loaded."""


def server_context(
    certfile: str | Path, keyfile: str | Path | None = None, *, cafile: str | Path | None = None
) -> ssl.SSLContext:
    """A server context presenting ``certfile``; with ``cafile``, clients must present a
    certificate signed by that CA (RFC 5425 §5 mutual authentication)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(certfile), str(keyfile) if keyfile is not None else None)
    except (OSError, ssl.SSLError) as exc:
        raise TlsConfigError(
            f"cannot load TLS certificate {certfile} / key {keyfile}: {exc}"
        ) from exc
    if cafile is not None:
        try:
            context.load_verify_locations(cafile=str(cafile))
        except (OSError, ssl.SSLError) as exc:
            raise TlsConfigError(f"cannot load TLS client CA {cafile}: {exc}") from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context
