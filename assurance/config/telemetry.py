"""How to reach a device's telemetry: JTI (gRPC dial-in or native UDP), gNMI and SNMP.

Owns: the per-device ``telemetry`` block of the inventory (so the targets file of ``collect jti``
and ``collect snmp`` is an inventory file) and the defaults that apply when a field is omitted.
Secrets are never written in the file: each credential names an environment variable that holds
it. Must not: read files or the environment (``secret()`` resolves names at use time), or open
connections.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from assurance.config.types import StrictModel

_ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _check_env_name(value: str) -> str:
    if not _ENV_RE.match(value):
        raise ValueError(f"{value!r} is not an environment variable name (A-Z, 0-9, _)")
    return value


#: The name of an environment variable holding a secret (never the secret itself).
EnvName = Annotated[str, AfterValidator(_check_env_name)]


def secret(env_name: str | None) -> str | None:
    """The secret held by ``env_name`` at call time, or None when unset or not configured."""
    return os.environ.get(env_name) if env_name else None


class Tls(StrictModel):
    """TLS towards a device: the CA that signed it, optionally a client certificate."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    server_name: str | None = None

    @model_validator(mode="after")
    def _pair(self) -> Tls:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("cert_file and key_file go together")
        return self


class Sensor(StrictModel):
    """A sensor path and its sample frequency in milliseconds (0 = on change)."""

    path: str = Field(min_length=1, pattern=r"^/")
    frequency_ms: int = Field(default=10_000, ge=0)


DEFAULT_SENSORS: tuple[Sensor, ...] = (
    Sensor(path="/interfaces/"),
    Sensor(path="/junos/system/linecard/interface/"),
    Sensor(path="/system/cpus/", frequency_ms=30_000),
    Sensor(path="/system/memory/", frequency_ms=30_000),
    Sensor(path="/junos/security/spu/cpu/usage/", frequency_ms=30_000),
    Sensor(path="/junos/security/spu/flow/usage/", frequency_ms=30_000),
    Sensor(path="/junos/rpm/probe-results/", frequency_ms=0),
    Sensor(path="/junos/ike-security-associations/", frequency_ms=0),
)


class Jti(StrictModel):
    """JTI OpenConfig telemetry over gRPC (dial-in); ``tls: null`` means insecure (labs only)."""

    port: int = Field(default=32767, ge=1, le=65535)
    username_env: EnvName | None = None
    password_env: EnvName | None = None
    client_id: str = "wanassure"
    tls: Tls | None = None
    sensors: tuple[Sensor, ...] = DEFAULT_SENSORS
    quiet_after_s: float = Field(default=60.0, gt=0)


class Gnmi(StrictModel):
    """gNMI Subscribe (dial-in)."""

    port: int = Field(default=9339, ge=1, le=65535)
    username_env: EnvName | None = None
    password_env: EnvName | None = None
    tls: Tls | None = None
    encoding: Literal["proto", "json_ietf"] = "proto"
    sensors: tuple[Sensor, ...] = DEFAULT_SENSORS


class SnmpV3(StrictModel):
    """SNMPv3 USM credentials (authPriv by default)."""

    user: str = Field(min_length=1)
    auth_protocol: Literal["sha", "sha256", "sha512", "md5"] = "sha"
    auth_key_env: EnvName
    priv_protocol: Literal["aes", "aes256", "des", "none"] = "aes"
    priv_key_env: EnvName | None = None

    @model_validator(mode="after")
    def _priv_key(self) -> SnmpV3:
        if self.priv_protocol != "none" and self.priv_key_env is None:
            raise ValueError("priv_key_env is required unless priv_protocol is none")
        return self


class Snmp(StrictModel):
    """SNMP polling: v2c with a community from the environment, or v3."""

    version: Literal["2c", "3"] = "2c"
    port: int = Field(default=161, ge=1, le=65535)
    community_env: EnvName | None = None
    v3: SnmpV3 | None = None
    interval_s: float = Field(default=60.0, gt=0)
    timeout_s: float = Field(default=5.0, gt=0)
    retries: int = Field(default=1, ge=0, le=10)

    @model_validator(mode="after")
    def _credentials(self) -> Snmp:
        if self.version == "3" and self.v3 is None:
            raise ValueError("version 3 needs a v3 block (user, auth_key_env …)")
        if self.version == "2c" and self.community_env is None:
            raise ValueError("version 2c needs community_env (the variable holding the community)")
        return self


class DeviceTelemetry(StrictModel):
    """What to collect from one device and how; the address defaults to its mgmt IP."""

    address: str | None = None
    jti: Jti | None = None
    gnmi: Gnmi | None = None
    snmp: Snmp | None = None
    jti_udp_source: bool = False  # the device streams native JTI (UDP) from its mgmt IP
