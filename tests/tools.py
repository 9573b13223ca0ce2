"""Real peers the tests run (softflowd, tshark, rsyslogd, snmpd, openssl…): where they are.

A missing tool skips its test on a developer's machine and fails it under CI (the ``CI``
environment variable set to a true value), where ``scripts/install-system-deps.sh`` must have
installed it.
"""

from __future__ import annotations

import os
import shutil

import pytest

#: Daemons (snmpd, rsyslogd, softflowd) live in sbin, which a user's PATH may lack.
SBIN = "/usr/sbin:/sbin"


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tool(name: str) -> str:
    """The path of ``name``; skip without it, or fail under CI."""
    path = shutil.which(name) or shutil.which(name, path=SBIN)
    if path is None:
        message = f"{name} not found: run scripts/install-system-deps.sh"
        if under_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path
