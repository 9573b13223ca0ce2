"""Webhook signatures: Standard Webhooks, X-Hub-Signature-256 and Mist's X-Mist-Signature-v2.

Owns the three HMAC-SHA256 schemes and the Standard Webhooks secret format (``whsec_`` followed
by base64 key bytes). Pure functions of their inputs: must not read the clock, config or network.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

WHSEC_PREFIX = "whsec_"


class BadSecret(ValueError):
    """A signing secret that is not in the expected form (the message never shows the secret)."""


def standard_webhooks_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: base64 after ``whsec_``."""
    if not secret.startswith(WHSEC_PREFIX):
        raise BadSecret("a Standard Webhooks secret starts with 'whsec_' followed by base64")
    try:
        key = base64.b64decode(secret[len(WHSEC_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise BadSecret("the part after 'whsec_' is not valid base64") from None
    if not 24 <= len(key) <= 64:
        raise BadSecret(f"the key must be 24 to 64 bytes, got {len(key)}")
    return key


def standard_webhooks_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``."""
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    mac = hmac.new(standard_webhooks_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def hub_signature_256(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``, keyed with the secret's UTF-8 text (as GitHub)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def mist_signature_v2(secret: str, body: bytes) -> str:
    """Mist's ``X-Mist-Signature-v2``: hex HMAC-SHA256 of the body keyed with the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
