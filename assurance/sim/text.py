"""Text forms the twin's devices write: syslog timestamps and dotted IPv4 addresses.

Owns the few formatting helpers every line renderer of the twin shares. Must not: render whole
lines or know about tables.
"""

from __future__ import annotations

import numpy as np

US = 1_000_000


def iso(us: int) -> str:
    """RFC 5424 timestamp with milliseconds, UTC."""
    sec, frac = divmod(us, US)
    return f"{np.datetime64(sec, 's').astype(str)}.{frac // 1000:03d}Z"


def ip_text(value: int) -> str:
    """Dotted quad of an IPv4 address held as an integer."""
    return f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


__all__ = ["ip_text", "iso"]
