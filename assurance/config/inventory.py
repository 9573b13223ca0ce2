"""The inventory model: org -> sites -> gateways, switches, APs; apps of interest; thresholds.

Owns: the validated, frozen inventory tree and its lookups (site by name, effective thresholds,
exporter IP -> device). Cross-tree rules live in ``assurance.config.checks`` and run whenever an
``Inventory`` is validated, so no inconsistent inventory can exist. Must not: read files, parse
YAML, or decide what to do with unknown exporters (``resolve`` returns None; callers keep them).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from assurance.config.checks import find_problems, format_loc
from assurance.config.telemetry import DeviceTelemetry
from assurance.config.thresholds import ThresholdOverrides, Thresholds
from assurance.config.types import (
    InterfaceName,
    IPAddr,
    IPAddress,
    IPPrefix,
    MacAddress,
    Name,
    PortRange,
    StrictModel,
    TunnelInterface,
    Vlan,
)

DeviceKind = Literal["gateway", "switch", "ap"]


@dataclass(frozen=True, slots=True)
class DeviceRef:
    """What an exporter IP or device name resolves to."""

    device: str
    site: str
    kind: DeviceKind


@dataclass(frozen=True, slots=True)
class TelemetryTarget:
    """A device to stream or poll telemetry from."""

    ref: DeviceRef
    address: str
    settings: DeviceTelemetry


class Capacity(StrictModel):
    down: float = Field(gt=0)
    up: float = Field(gt=0)


class Overlay(StrictModel):
    """The IPsec overlay riding this WAN link: its st0 unit and the hub gateway it reaches."""

    tunnel: TunnelInterface
    hub: Name


class WanLink(StrictModel):
    name: Name
    interface: InterfaceName
    isp: str = Field(min_length=1)
    type: Literal["mpls", "broadband", "lte"]
    capacity_mbps: Capacity
    overlay: Overlay | None = None


class Gateway(StrictModel):
    """An SRX gateway. It may export jflow/syslog from its mgmt IP and from other source IPs."""

    name: Name
    model: str = Field(pattern=r"^(SRX[0-9]+[A-Z0-9-]*|vSRX[0-9.]*)$")
    role: Literal["hub", "spoke"]
    mgmt_ip: IPAddr
    exporter_ips: tuple[IPAddr, ...] = ()
    wan: tuple[WanLink, ...] = ()
    telemetry: DeviceTelemetry | None = None

    def addresses(self) -> tuple[IPAddress, ...]:
        return _unique((self.mgmt_ip, *self.exporter_ips))

    def link_for_interface(self, interface: str) -> WanLink | None:
        """The WAN link on this interface or on its overlay tunnel, else None."""
        for link in self.wan:
            if link.interface == interface or (link.overlay and link.overlay.tunnel == interface):
                return link
        return None


class SwitchPort(StrictModel):
    name: InterfaceName
    role: Literal["access", "uplink", "trunk"]
    vlan: Vlan | None = None
    poe: bool = False
    description: str = ""

    @model_validator(mode="after")
    def _access_needs_vlan(self) -> SwitchPort:
        if self.role == "access" and self.vlan is None:
            raise ValueError(f"access port {self.name} needs a vlan")
        return self


class Switch(StrictModel):
    """An EX switch."""

    name: Name
    model: str = Field(pattern=r"^(EX|QFX)[0-9]+[A-Z0-9-]*$")
    mgmt_ip: IPAddr
    exporter_ips: tuple[IPAddr, ...] = ()
    ports: tuple[SwitchPort, ...] = ()
    telemetry: DeviceTelemetry | None = None

    def addresses(self) -> tuple[IPAddress, ...]:
        return _unique((self.mgmt_ip, *self.exporter_ips))

    def port(self, name: str) -> SwitchPort | None:
        return next((p for p in self.ports if p.name == name), None)


class AccessPoint(StrictModel):
    """A Wi-Fi AP, optionally placed on the switch port it hangs on (same site)."""

    name: Name
    model: str = Field(min_length=1)
    mac: MacAddress
    ip: IPAddr | None = None
    switch: Name | None = None
    switch_port: InterfaceName | None = None

    def addresses(self) -> tuple[IPAddress, ...]:
        return () if self.ip is None else (self.ip,)


class Sla(StrictModel):
    rtt_ms: float = Field(gt=0)
    jitter_ms: float = Field(ge=0)
    loss_pct: float = Field(ge=0, le=100)


class AppMatch(StrictModel):
    """Hints that tie traffic to an app: AppTrack/AppID names, destination ports, prefixes."""

    apptrack: tuple[str, ...] = ()
    ports: tuple[PortRange, ...] = ()
    dst_prefixes: tuple[IPPrefix, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> AppMatch:
        if not (self.apptrack or self.ports or self.dst_prefixes):
            raise ValueError("give at least one of apptrack, ports or dst_prefixes")
        return self


class App(StrictModel):
    name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    match: AppMatch
    sla: Sla


class Site(StrictModel):
    name: Name
    description: str = ""
    timezone: str = Field(default="UTC", pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")
    #: Client address space behind the site's gateway (LAN and Wi-Fi subnets). A flow end inside
    #: it is a client of this site; without it, SLE identity falls back to private addresses.
    lan_prefixes: tuple[IPPrefix, ...] = ()
    gateways: tuple[Gateway, ...] = ()
    switches: tuple[Switch, ...] = ()
    aps: tuple[AccessPoint, ...] = ()
    thresholds: ThresholdOverrides | None = None

    def gateway(self, name: str) -> Gateway | None:
        return next((g for g in self.gateways if g.name == name), None)

    def switch(self, name: str) -> Switch | None:
        return next((s for s in self.switches if s.name == name), None)


class Org(StrictModel):
    name: Name
    description: str = ""


class Inventory(StrictModel):
    """The whole validated inventory. Build it with ``model_validate`` or the loader."""

    org: Org
    thresholds: Thresholds = Thresholds()
    apps: tuple[App, ...] = ()
    sites: tuple[Site, ...]

    _by_ip: dict[str, DeviceRef] = PrivateAttr(default_factory=dict)
    _by_name: dict[str, DeviceRef] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Inventory:
        problems = find_problems(self)
        if problems:
            summary = "; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems)
            raise PydanticCustomError(
                "inventory_semantics",
                "inconsistent inventory: {summary}",
                {"summary": summary, "problems": problems},
            )
        for site in self.sites:
            devices: list[tuple[Gateway | Switch | AccessPoint, DeviceKind]] = [
                *((g, "gateway") for g in site.gateways),
                *((s, "switch") for s in site.switches),
                *((a, "ap") for a in site.aps),
            ]
            for device, kind in devices:
                ref = DeviceRef(device.name, site.name, kind)
                self._by_name[device.name] = ref
                for addr in device.addresses():
                    self._by_ip[str(addr)] = ref
        return self

    def site(self, name: str) -> Site:
        """The site called ``name``; KeyError if there is none."""
        for site in self.sites:
            if site.name == name:
                return site
        raise KeyError(f"no site named {name!r} in org {self.org.name!r}")

    def thresholds_for(self, site_name: str) -> Thresholds:
        """Effective thresholds of a site: org defaults with the site's override on top."""
        return self.thresholds.merged(self.site(site_name).thresholds)

    def device_index(self) -> dict[str, DeviceRef]:
        """A fresh dict: every exporter/mgmt IP (as ``str(ip_address)``) -> its device."""
        return dict(self._by_ip)

    def device(self, name: str) -> DeviceRef | None:
        return self._by_name.get(name)

    def telemetry_targets(self) -> list[TelemetryTarget]:
        """Every gateway and switch with a ``telemetry`` block, with the address to poll."""
        targets = []
        for site in self.sites:
            devices: list[tuple[Gateway | Switch, DeviceKind]] = [
                *((g, "gateway") for g in site.gateways),
                *((s, "switch") for s in site.switches),
            ]
            for device, kind in devices:
                if device.telemetry is not None:
                    address = device.telemetry.address or str(device.mgmt_ip)
                    ref = DeviceRef(device.name, site.name, kind)
                    targets.append(TelemetryTarget(ref, address, device.telemetry))
        return targets

    def resolve(self, ip: str | IPAddress) -> DeviceRef | None:
        """The device exporting from ``ip``, or None for unknown or unparsable addresses."""
        try:
            addr = ipaddress.ip_address(ip.strip() if isinstance(ip, str) else ip)
        except (ValueError, TypeError):
            return None
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        return self._by_ip.get(str(addr))


def _unique(addrs: tuple[IPAddress, ...]) -> tuple[IPAddress, ...]:
    return tuple(dict.fromkeys(addrs))
