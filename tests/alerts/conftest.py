"""Shared fixtures: a loopback webhook receiver and a signing secret."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tests.alerts.receiver import Receiver

#: A Standard Webhooks secret (whsec_ + base64 of 32 bytes); tests assert it never leaks.
SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789ABCDEF").decode()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(secret=SECRET).start()
    yield r
    r.stop()
