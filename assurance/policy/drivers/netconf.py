"""NETCONF-over-SSH driver for Junos (ncclient): lock, load, check, commit confirmed, confirm.

Owns the RPC sequence and its failure handling. ``push``: lock the candidate, load the ``set``
lines, ``commit check``, ``commit confirmed <N>``, unlock; on any failure before the commit the
candidate is discarded and the lock released; if the session drops after the confirmed commit
the device rolls the change back by itself when N minutes pass. ``confirm``: a plain commit.
``rollback``: load the rollback lines and commit. Credentials come from settings or the
environment (``WANASSURE_NETCONF_USER``, ``WANASSURE_NETCONF_PASSWORD``,
``WANASSURE_NETCONF_KEY``) and never appear in errors or logs: every message that leaves this
module is scrubbed of them. Must not: decide what to push.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from assurance.policy.drivers import Request
from assurance.policy.errors import (
    DeviceTimeout,
    DriverError,
    LockBusy,
    PolicyError,
    RpcError,
    SessionLost,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetconfSettings:
    """How to reach gateways. ``hosts`` maps a device name to an address (else the name)."""

    username: str = ""
    password: str = field(default="", repr=False)
    key_file: str | None = None
    port: int = 830
    hosts: dict[str, str] = field(default_factory=dict)
    #: Expected SSH host key (base64) per device; without it ~/.ssh/known_hosts is used.
    host_keys: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 30.0
    #: Load changes as ``set`` text (``load set``) or as Junos XML (``load merge`` of XML).
    load_format: str = "set"

    @classmethod
    def from_env(cls, **overrides: Any) -> NetconfSettings:
        """Settings from ``WANASSURE_NETCONF_*``: USER, PASSWORD, KEY (private key file), PORT,
        HOSTS and HOST_KEYS (``device=value`` pairs, comma-separated; they win over the
        addresses given in ``overrides``)."""
        env = os.environ
        values: dict[str, Any] = {
            "username": env.get("WANASSURE_NETCONF_USER", ""),
            "password": env.get("WANASSURE_NETCONF_PASSWORD", ""),
            "key_file": env.get("WANASSURE_NETCONF_KEY") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        port = env.get("WANASSURE_NETCONF_PORT")
        if port:
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise PolicyError(f"WANASSURE_NETCONF_PORT {port!r} is not a TCP port")
            values["port"] = int(port)
        for key, name in (
            ("hosts", "WANASSURE_NETCONF_HOSTS"),
            ("host_keys", "WANASSURE_NETCONF_HOST_KEYS"),
        ):
            pairs = _pairs(env.get(name, ""), name)
            if pairs:
                values[key] = {**values.get(key, {}), **pairs}
        return cls(**values)

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.username if len(self.username) > 3 else "") if s]


def _pairs(text: str, name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        device, sep, value = item.partition("=")
        if not sep or not device.strip() or not value.strip():
            raise PolicyError(f"{name}: expected device=value pairs, got {item.strip()[:40]!r}")
        out[device.strip()] = value.strip()
    return out


class NetconfDriver:
    name = "netconf"

    def __init__(
        self, settings: NetconfSettings, *, connect: Callable[..., Any] | None = None
    ) -> None:
        if settings.load_format not in ("set", "xml"):
            raise PolicyError(f"load format {settings.load_format!r}: use set or xml")
        if not settings.username:
            raise PolicyError(
                "NETCONF needs a username: set WANASSURE_NETCONF_USER (and "
                "WANASSURE_NETCONF_PASSWORD or WANASSURE_NETCONF_KEY)"
            )
        self.settings = settings
        self._connect = connect

    # -- plumbing ------------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        line = " ".join(str(text).split())[:300]
        for secret in self.settings.secrets():
            line = line.replace(secret, "***")
        return line

    def _fail(self, device: str, exc: BaseException) -> DriverError:
        from ncclient.operations.errors import TimeoutExpiredError
        from ncclient.operations.rpc import RPCError
        from ncclient.transport.errors import (
            AuthenticationError,
            SessionCloseError,
            SSHError,
            TransportError,
        )

        if isinstance(exc, DriverError):
            return exc
        msg = self._scrub(str(exc) or type(exc).__name__)
        if isinstance(exc, RPCError):
            tag = getattr(exc, "tag", "") or ""
            if tag == "lock-denied" or "locked" in msg:
                return LockBusy(f"{device}: configuration is locked by another session ({msg})")
            return RpcError(f"{device}: rpc-error: {msg}")
        if isinstance(exc, TimeoutExpiredError):
            return DeviceTimeout(f"{device}: no answer within {self.settings.timeout_s:g} s")
        if isinstance(exc, AuthenticationError):
            return DriverError(f"{device}: SSH authentication failed")
        if isinstance(exc, SessionCloseError | TransportError | EOFError):
            return SessionLost(f"{device}: NETCONF session lost ({msg})")
        if isinstance(exc, SSHError | OSError):
            return DriverError(f"{device}: cannot connect: {msg}")
        return DriverError(f"{device}: {type(exc).__name__}: {msg}")

    @contextmanager
    def session(self, device: str) -> Iterator[Any]:
        s = self.settings
        host = s.hosts.get(device, device)
        key = s.host_keys.get(device)
        kwargs: dict[str, Any] = {
            "host": host,
            "port": s.port,
            "username": s.username,
            "password": s.password or None,
            "key_filename": s.key_file,
            "hostkey_verify": True,
            "hostkey_b64": key,
            "allow_agent": False,
            "look_for_keys": False,
            "timeout": s.timeout_s,
            "device_params": {"name": "junos"},
        }
        if self._connect is None:
            from ncclient import manager

            connect: Callable[..., Any] = manager.connect
        else:
            connect = self._connect
        try:
            m = connect(**kwargs)
        except Exception as exc:  # ncclient raises many unrelated types while connecting
            raise self._fail(device, exc) from None
        m.timeout = s.timeout_s
        try:
            yield m
        finally:
            # closing a broken session must not mask the error that broke it
            with suppress(Exception):
                if m.connected:
                    m.close_session()
            with suppress(Exception):
                m._session.close()

    def _locked(self, device: str, m: Any, body: Callable[[], str]) -> str:
        try:
            m.lock(target="candidate")
        except Exception as exc:
            raise self._fail(device, exc) from None
        try:
            result = body()
        except Exception as exc:
            err = self._fail(device, exc)
            if not isinstance(err, SessionLost | DeviceTimeout):
                for step in (m.discard_changes, lambda: m.unlock(target="candidate")):
                    try:
                        step()
                    except Exception as again:
                        log.warning("%s: cleanup failed: %s", device, self._scrub(str(again)))
            raise err from None
        try:
            m.unlock(target="candidate")
        except Exception as exc:
            err = self._fail(device, exc)
            if isinstance(err, SessionLost | DeviceTimeout):
                raise err from None
            log.warning("%s: unlock failed: %s", device, self._scrub(str(exc)))
        return result

    def _load(self, m: Any, text: str) -> None:
        if self.settings.load_format == "xml":
            from lxml import etree

            from assurance.policy.render import set_to_xml

            root = etree.fromstring(set_to_xml(text).encode())
            # ncclient wraps one element in <configuration> itself: one load per hierarchy
            for child in root:
                m.load_configuration(action="merge", format="xml", config=child)
        else:
            m.load_configuration(action="set", config=text)

    # -- the driver ----------------------------------------------------------------------------
    def push(self, req: Request) -> str:
        """Lock, load, check, commit confirmed; a session lost after the check is reported as
        such: whatever the device committed undoes itself when the timer runs out."""
        committed = False

        def body(m: Any) -> str:
            nonlocal committed
            self._load(m, req.change_set)
            m.commit(check=True)
            committed = True  # from here on the device may hold the confirmed commit
            m.commit(confirmed=True, timeout=str(req.confirm_minutes * 60))
            return (
                f"{req.device}: commit confirmed {req.confirm_minutes} min, awaiting verification"
            )

        try:
            with self.session(req.device) as m:
                return self._locked(req.device, m, lambda: body(m))
        except SessionLost as exc:
            if committed:
                raise SessionLost(
                    f"{exc}; a confirmed commit, if applied, rolls back by itself within "
                    f"{req.confirm_minutes} min unless confirmed"
                ) from None
            raise

    def confirm(self, req: Request) -> str:
        with self.session(req.device) as m:

            def body() -> str:
                m.commit()
                return f"{req.device}: commit confirmed made permanent"

            return self._locked(req.device, m, body)

    def rollback(self, req: Request) -> str:
        with self.session(req.device) as m:

            def body() -> str:
                self._load(m, req.rollback_set)
                m.commit(check=True)
                m.commit()
                return f"{req.device}: rollback committed"

            return self._locked(req.device, m, body)

    def running(self, device: str) -> str:
        """The committed configuration in ``set`` form (for checks and the CLI)."""
        with self.session(device) as m:
            try:
                reply = m.get_configuration(format="set")
            except Exception as exc:
                raise self._fail(device, exc) from None
        node = reply.xpath("//configuration-set")
        return str(node[0].text or "") if node else ""


__all__ = ["NetconfDriver", "NetconfSettings"]
