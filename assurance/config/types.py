"""Validated scalar types shared by the inventory and settings models.

Owns: names, IP and MAC addresses, Junos interface names, port ranges, UTC times and the strict
base model every configuration model derives from. Must not: read files, know about YAML, or
import anything outside the standard library and pydantic.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _utc(value: Any) -> Any:
    """An ISO 8601 string or a datetime -> an aware UTC datetime (naive means UTC)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


UtcTime = Annotated[datetime, BeforeValidator(_utc)]


class StrictModel(BaseModel):
    """Frozen, typo-proof base: unknown keys, NaN and infinity are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# ge-0/0/0.0, xe-1/0/2:3.100, st0.1, irb.20, dl0.0, reth1.0, ae0 ...
_IFNAME_RE = re.compile(r"^[a-z]+[0-9]*(-[0-9]+/[0-9]+/[0-9]+(:[0-9]+)?)?(\.[0-9]+)?$")
_TUNNEL_RE = re.compile(r"^st0\.[0-9]+$")
_HEX12_RE = re.compile(r"^[0-9a-f]{12}$")


def _check_name(value: str) -> str:
    if not _NAME_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def _check_ifname(value: str) -> str:
    if not _IFNAME_RE.match(value):
        raise ValueError(f"{value!r} is not a Junos interface name (e.g. ge-0/0/0.0, st0.1)")
    return value


def _check_tunnel(value: str) -> str:
    if not _TUNNEL_RE.match(value):
        raise ValueError(f"{value!r} is not a secure tunnel interface (expected st0.<unit>)")
    return value


def _normalize_ip(value: Any) -> Any:
    """Parse with the stdlib; an IPv4-mapped IPv6 address becomes the plain IPv4 address."""
    if not isinstance(value, str):
        raise ValueError(f"IP address must be a string, got {type(value).__name__}")
    try:
        addr = ipaddress.ip_address(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a valid IPv4 or IPv6 address") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _normalize_network(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"prefix must be a string like 10.0.0.0/8, got {type(value).__name__}")
    try:
        return ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid IP prefix: {exc}") from None


def normalize_mac(value: Any) -> str:
    """Accept aa:bb:.., aa-bb-.., aabb.ccdd.eeff or aabbccddeeff; return lower-case colon form."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            "MAC address was read as a number: quote it in YAML "
            "(unquoted digits-and-colons are a base-60 integer in YAML 1.1)"
        )
    if not isinstance(value, str):
        raise ValueError(f"MAC address must be a string, got {type(value).__name__}")
    digits = re.sub(r"[:.\-]", "", value.strip().lower())
    if not _HEX12_RE.match(digits):
        raise ValueError(f"{value!r} is not a valid MAC address")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


Name = Annotated[str, AfterValidator(_check_name)]
InterfaceName = Annotated[str, AfterValidator(_check_ifname)]
TunnelInterface = Annotated[str, AfterValidator(_check_tunnel)]
IPAddr = Annotated[IPAddress, BeforeValidator(_normalize_ip)]
IPPrefix = Annotated[
    ipaddress.IPv4Network | ipaddress.IPv6Network, BeforeValidator(_normalize_network)
]
MacAddress = Annotated[str, BeforeValidator(normalize_mac)]
Vlan = Annotated[int, Field(ge=1, le=4094)]
Port = Annotated[int, Field(ge=1, le=65535)]


class PortRange(StrictModel):
    """A destination port or port range, optionally bound to a protocol.

    In YAML: ``443``, ``"3478-3481"``, ``"udp/3478-3481"`` or ``{protocol: tcp, low: 80}``.
    """

    protocol: Literal["tcp", "udp", "any"] = "any"
    low: Port
    high: Port | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse_short_form(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("port must be a number or a string like 'udp/3478-3481'")
        if isinstance(value, int):
            return {"low": value}
        if not isinstance(value, str):
            return value
        match = re.fullmatch(r"(?:(tcp|udp|any)/)?([0-9]{1,5})(?:-([0-9]{1,5}))?", value.strip())
        if match is None:
            raise ValueError(f"{value!r} is not a port spec (e.g. 443, '3478-3481', 'udp/3478')")
        proto, low, high = match.groups()
        return {"protocol": proto or "any", "low": int(low), "high": int(high) if high else None}

    @model_validator(mode="after")
    def _check_order(self) -> PortRange:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"port range {self.low}-{self.high} is reversed")
        return self

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.low <= port <= (self.high or self.low)
