"""Errors of path policy: one line each, never carrying credentials.

Owns ``PolicyError`` (unknown action, wrong state, bad change) and the driver errors under it.
Must not: format device replies beyond one line or include passwords, keys or usernames' secrets.
"""

from __future__ import annotations

from assurance.errors import AssuranceError


class PolicyError(AssuranceError):
    """A path-policy request that cannot be served (unknown id, wrong state, bad input…)."""


class DriverError(PolicyError):
    """A device driver failed: connection, authentication, rpc-error, timeout, session loss."""


class RpcError(DriverError):
    """The device answered an RPC with <rpc-error>; the message is the device's own text."""


class DeviceTimeout(DriverError):
    """The device did not answer within the driver's timeout."""


class SessionLost(DriverError):
    """The session to the device dropped mid-change (a confirmed commit rolls back by itself)."""


class LockBusy(DriverError):
    """Another session holds the configuration lock."""


__all__ = ["DeviceTimeout", "DriverError", "LockBusy", "PolicyError", "RpcError", "SessionLost"]
