"""What a dial-in telemetry session needs to know about one device, as plain values.

The composition root (``assurance``) builds these from the inventory, resolving secrets from
the environment; collectors never read configuration files or the environment themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from collectors.jti.model import Origin


@dataclass(frozen=True, slots=True)
class Sensor:
    """A sensor path and its sample frequency in milliseconds (0 = on change)."""

    path: str
    frequency_ms: int = 10_000


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """TLS towards a device: CA bundle, optional client certificate, optional name override.

    ``ca_file`` None means the system's default roots."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    server_name: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """One device to dial: address, credentials (the secrets themselves), TLS and sensors."""

    device: str
    address: str
    port: int
    site: str | None = None
    protocol: Literal["jti", "gnmi"] = "jti"
    username: str | None = None
    password: str | None = None
    client_id: str = "wanassure"
    tls: TlsSettings | None = None
    sensors: tuple[Sensor, ...] = field(default_factory=tuple)
    encoding: Literal["proto", "json_ietf"] = "proto"
    quiet_after_s: float = 60.0
    connect_timeout_s: float = 10.0

    @property
    def origin(self) -> Origin:
        return Origin(self.address, self.device, self.site)

    @property
    def endpoint(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"
