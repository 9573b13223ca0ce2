"""Signatures against independent references: the Standard Webhooks test vector and openssl."""

from __future__ import annotations

import base64
import subprocess

import pytest

from assurance.alerts.formats import headers
from assurance.alerts.signing import (
    BadSecret,
    hub_signature_256,
    mist_signature_v2,
    standard_webhooks_key,
    standard_webhooks_signature,
)
from tests.alerts.conftest import SECRET
from tests.tools import require_tool

BODY = b'{"type":"alert.firing","data":{"site":"br-nyc-001","summary":"caf\xc3\xa9 \xe2\x9c\x93"}}'


def openssl_hmac(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA256 computed by openssl, not by Python."""
    openssl = require_tool("openssl")
    out = subprocess.run(
        [openssl, "dgst", "-sha256", "-mac", "HMAC", "-macopt", f"hexkey:{key.hex()}", "-binary"],
        input=data,
        capture_output=True,
        check=True,
    )
    return out.stdout


def test_standard_webhooks_published_vector() -> None:
    # The vector used by the Standard Webhooks reference libraries' tests (checked with openssl).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    sig = standard_webhooks_signature(
        secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_standard_webhooks_matches_openssl() -> None:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    want = base64.b64encode(openssl_hmac(key, b"msg_abc.1700000000." + BODY)).decode()
    assert standard_webhooks_signature(SECRET, "msg_abc", 1700000000, BODY) == f"v1,{want}"


def test_hub_signature_matches_openssl() -> None:
    openssl = require_tool("openssl")
    out = subprocess.run(
        [openssl, "dgst", "-sha256", "-hmac", SECRET],
        input=BODY,
        capture_output=True,
        check=True,
        text=False,
    ).stdout.decode()
    hexdigest = out.strip().rsplit(" ", 1)[-1]
    assert hub_signature_256(SECRET, BODY) == f"sha256={hexdigest}"


def test_mist_signature_matches_openssl() -> None:
    secret = "mist-shared-secret"
    want = openssl_hmac(secret.encode(), BODY).hex()
    assert mist_signature_v2(secret, BODY) == want


def test_generic_headers_sign_exactly_the_body() -> None:
    hdrs = headers("generic", "msg_1", 1700000001, BODY, SECRET)
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    want = base64.b64encode(openssl_hmac(key, b"msg_1.1700000001." + BODY)).decode()
    assert hdrs["webhook-id"] == "msg_1"
    assert hdrs["webhook-timestamp"] == "1700000001"
    assert hdrs["webhook-signature"] == f"v1,{want}"
    assert hdrs["X-Hub-Signature-256"] == "sha256=" + openssl_hmac(SECRET.encode(), BODY).hex()
    mist = headers("mist", "msg_1", 1700000001, BODY, "s3cret")
    assert mist["X-Mist-Signature-v2"] == openssl_hmac(b"s3cret", BODY).hex()
    assert "webhook-signature" not in headers("slack", "msg_1", 1, BODY, None)


@pytest.mark.parametrize(
    "bad", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not*base64", "whsec_" + "QUJD"]
)
def test_bad_standard_webhooks_secret_is_refused_without_echo(bad: str) -> None:
    with pytest.raises(BadSecret) as info:
        standard_webhooks_key(bad)
    assert bad not in str(info.value)
