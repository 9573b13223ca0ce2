"""The one error an SNMP request ends in when it has no usable answer.

Owns ``SnmpError`` and its ``kind`` vocabulary (a metric label). Shared by the pysnmp-backed
client (v3) and the v2c request path so the poller handles both alike. Nothing else lives here.
"""

from __future__ import annotations

from collectors.errors import CollectorError


class SnmpError(CollectorError):
    """A request without a usable answer. ``kind`` (a metric label) is one of ``timeout``,
    ``auth``, ``error_status``, ``protocol`` or ``transport`` (and, from the poller, ``walk``
    and ``sink``)."""

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(reason)
