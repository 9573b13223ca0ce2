"""The concrete org a scenario describes: sites, devices, interfaces, addresses and clients.

Owns: turning profiles into numbered devices with stable names, addresses, ifIndexes and MACs,
the clients of each site (wired or Wi-Fi, OS, band, AP or port, base signal), and the
inventory the collectors resolve exporters with. Everything follows from the scenario and its
seed through ``noise``, so a site looks the same in every shard. Must not: compute traffic.

Addressing of site number ``i`` (0-based; the hub is the org's DC): octets ``a = 16 + i // 256``
and ``b = i % 256``; clients and devices live in ``10.a.b.0/24`` and the devices export from
loopback addresses ``127.a.b.x`` (gateway .1, switch .2, APs .21…) so that on the wire each
device has its own source address on one machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from assurance.config.inventory import Inventory
from assurance.sim import noise
from assurance.sim.scenario import AppProfile, LinkProfile, Profile, Scenario

LAN_IF = ("ge-0/0/7.0", 520)
_OS_WIRED = ("Windows", "Windows", "Windows", "macOS")
_OS_WIFI = ("iOS", "Android", "macOS", "Windows", "iOS", "Windows")
_BANDS = ("5", "5", "5", "5", "5", "5", "5", "2.4", "2.4", "6")
HUB_OCTETS = (15, 0)
#: JTI gRPC (dial-in) of every gateway and switch: insecure lab mode on the device's loopback
#: address, the Routing Engine sensors, one sample per simulated minute
JTI_PORT = 32767
RE_SENSORS = ("/system/cpus/", "/system/memory/", "/components/")
#: SNMPv2c polls of every gateway and switch on its loopback address (161 needs root); the
#: twin's agents and the poller read the community from this variable (agents: default public)
SNMP_PORT = 1161
SNMP_COMMUNITY_ENV = "WANASSURE_TWIN_COMMUNITY"
SNMP_INTERVAL_S = 1.0  # one simulated minute at the default wire speed (60×)


@dataclass(frozen=True)
class Link:
    index: int
    profile: LinkProfile
    interface: str
    if_index: int
    tunnel: str
    tunnel_if_index: int


@dataclass(frozen=True)
class Site:
    """One site of the scenario with everything the twin needs about it."""

    index: int
    name: str
    profile: Profile
    timezone: str
    links: tuple[Link, ...]

    @property
    def octets(self) -> tuple[int, int]:
        return 16 + self.index // 256, self.index % 256

    def address(self, host: int, *, loopback: bool = False) -> str:
        a, b = self.octets
        return f"{127 if loopback else 10}.{a}.{b}.{host}"

    @property
    def gateway(self) -> str:
        return f"{self.name}-gw1"

    @property
    def switch(self) -> str:
        return f"{self.name}-sw1"

    def ap_name(self, n: int) -> str:
        return f"{self.name}-ap{n + 1}"

    def access_port(self, n: int) -> str:
        return f"ge-0/0/{n}"

    def ap_port(self, n: int) -> str:
        return f"ge-0/0/{self.profile.access_ports + n}"


def _links(profile: Profile) -> tuple[Link, ...]:
    out = []
    for n, link in enumerate(profile.links):
        interface = "dl0.0" if link.type == "lte" else f"ge-0/0/{n}.0"
        out.append(Link(n, link, interface, 510 + n, f"st0.{n}", 540 + n))
    return tuple(out)


class World:
    """Sites, apps and clients of a scenario, as arrays where traffic needs them."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.seed = scenario.seed
        sites: list[Site] = []
        for group in scenario.sites:
            profile = scenario.profiles[group.profile]
            links = _links(profile)
            for name in group.names():
                sites.append(Site(len(sites), name, profile, group.timezone, links))
        self.sites: tuple[Site, ...] = tuple(sites)
        self.by_name = {s.name: s for s in self.sites}
        self.apps: tuple[AppProfile, ...] = scenario.apps
        self.utc_offset_min = np.array(
            [_offset_minutes(s.timezone, scenario) for s in self.sites], np.int64
        )

    # -- clients ---------------------------------------------------------------------------
    @cached_property
    def clients(self) -> Clients:
        return Clients.build(self)

    def client_mac(self, site: int, n: int) -> str:
        a, b = self.sites[site].octets
        return f"02:5a:{a:02x}:{b:02x}:{n >> 8:02x}:{n & 0xFF:02x}"

    def client_ip(self, site: int, n: int) -> str:
        return self.sites[site].address(100 + n)

    # -- inventory -------------------------------------------------------------------------
    def inventory_data(self) -> dict[str, Any]:
        """The inventory as plain data (what ``inventory.yaml`` would hold)."""
        hub_ip = f"10.{HUB_OCTETS[0]}.{HUB_OCTETS[1]}.1"
        hub = {
            "name": self.scenario.hub,
            "description": "SD-WAN hub (simulated)",
            "gateways": [
                {
                    "name": f"{self.scenario.hub}-gw1",
                    "model": "SRX4600",
                    "role": "hub",
                    "mgmt_ip": hub_ip,
                    "exporter_ips": [f"127.{HUB_OCTETS[0]}.{HUB_OCTETS[1]}.1"],
                }
            ],
        }
        sites = [hub, *(self._site_data(site) for site in self.sites)]
        apps = [
            {
                "name": app.name,
                "category": app.category,
                "match": {
                    "apptrack": [app.nested or app.apptrack],
                    "ports": [f"{app.protocol}/{app.port}"],
                    "dst_prefixes": [app.server_prefix],
                },
                "sla": app.sla.model_dump(),
            }
            for app in self.apps
        ]
        return {"org": {"name": self.scenario.org}, "apps": apps, "sites": sites}

    def inventory(self) -> Inventory:
        return Inventory.model_validate(self.inventory_data())

    def _site_data(self, site: Site) -> dict[str, Any]:
        profile = site.profile
        wan = [
            {
                "name": link.profile.name,
                "interface": link.interface,
                "isp": link.profile.isp,
                "type": link.profile.type,
                "capacity_mbps": {"down": link.profile.down_mbps, "up": link.profile.up_mbps},
                "overlay": {"tunnel": link.tunnel, "hub": f"{self.scenario.hub}-gw1"},
            }
            for link in site.links
        ]
        ports: list[dict[str, Any]] = [{"name": "ge-0/1/0", "role": "uplink"}]
        ports += [
            {"name": site.access_port(n), "role": "access", "vlan": 100}
            for n in range(profile.access_ports)
        ]
        ports += [
            {"name": site.ap_port(n), "role": "trunk", "vlan": 10, "poe": True}
            for n in range(profile.aps)
        ]
        a, b = site.octets
        aps = [
            {
                "name": site.ap_name(n),
                "model": "AP45",
                "mac": f"5c:5b:35:{a:02x}:{b:02x}:{n + 1:02x}",
                "ip": site.address(21 + n, loopback=True),
                "switch": site.switch,
                "switch_port": site.ap_port(n),
            }
            for n in range(profile.aps)
        ]
        return {
            "name": site.name,
            "timezone": site.timezone,
            "lan_prefixes": [f"10.{a}.{b}.0/24"],
            "gateways": [
                {
                    "name": site.gateway,
                    "model": profile.gateway_model,
                    "role": "spoke",
                    "mgmt_ip": site.address(1),
                    "exporter_ips": [site.address(1, loopback=True)],
                    "wan": wan,
                    "telemetry": _telemetry_block(site.address(1, loopback=True)),
                }
            ],
            "switches": [
                {
                    "name": site.switch,
                    "model": profile.switch_model,
                    "mgmt_ip": site.address(2),
                    "exporter_ips": [site.address(2, loopback=True)],
                    "ports": ports,
                    "telemetry": _telemetry_block(site.address(2, loopback=True)),
                }
            ],
            "aps": aps,
        }


@dataclass(frozen=True)
class Clients:
    """Every client of the org as parallel arrays (index = global client number)."""

    site: npt.NDArray[np.int64]
    number: npt.NDArray[np.int64]  # client number within its site
    wifi: npt.NDArray[np.bool_]
    ap: npt.NDArray[np.int64]  # AP number within the site, -1 for wired
    port: npt.NDArray[np.int64]  # access port number, -1 for Wi-Fi
    os: tuple[str, ...]
    band: tuple[str | None, ...]
    base_rssi: npt.NDArray[np.float64]
    propensity: npt.NDArray[np.float64]  # how busy the user is, 0.5 … 1.0

    @staticmethod
    def build(world: World) -> Clients:
        site_ix: list[int] = []
        number: list[int] = []
        wifi: list[bool] = []
        for site in world.sites:
            mix = site.profile.clients
            total = mix.wired + mix.wifi
            site_ix += [site.index] * total
            number += list(range(total))
            wifi += [False] * mix.wired + [site.profile.aps > 0] * mix.wifi
        s = np.array(site_ix, np.int64)
        n = np.array(number, np.int64)
        w = np.array(wifi, bool)
        aps = np.array([world.sites[i].profile.aps for i in site_ix], np.int64)
        ports = np.array([world.sites[i].profile.access_ports for i in site_ix], np.int64)
        seed = world.seed
        pick = noise.bits(seed, noise.purpose("client-kind"), s, n)
        ap = np.where(w, n % np.maximum(aps, 1), -1)
        port = np.where(w, -1, n % ports)
        os_ix = (pick % np.uint64(6)).astype(np.int64)
        band_ix = ((pick >> np.uint64(8)) % np.uint64(10)).astype(np.int64)
        os_names = tuple(
            _OS_WIFI[o] if wi else _OS_WIRED[o % 4] for o, wi in zip(os_ix, w, strict=True)
        )
        bands = tuple(_BANDS[b] if wi else None for b, wi in zip(band_ix, w, strict=True))
        rssi = -45.0 - 23.0 * noise.uniform(seed, noise.purpose("base-rssi"), s, n)
        busy = 0.5 + 0.5 * noise.uniform(seed, noise.purpose("propensity"), s, n)
        return Clients(s, n, w, ap, port, os_names, bands, rssi, busy)

    def __len__(self) -> int:
        return len(self.site)


def _telemetry_block(address: str) -> dict[str, Any]:
    """The ``telemetry`` block of a gateway or switch: JTI gRPC without TLS or credentials,
    SNMPv2c with the community in ``SNMP_COMMUNITY_ENV``. No ``gnmi`` block: the devices
    serve gNMI on the JTI port too, and dialling both would write the Routing Engine rows
    twice."""
    sensors = [{"path": path, "frequency_ms": 60_000} for path in RE_SENSORS]
    # quiet: three simulated minutes at real-time speed
    return {
        "address": address,
        "jti": {"port": JTI_PORT, "sensors": sensors, "quiet_after_s": 180.0},
        "snmp": {"port": SNMP_PORT, "community_env": SNMP_COMMUNITY_ENV,
                 "interval_s": SNMP_INTERVAL_S},
    }  # fmt: skip


def _offset_minutes(timezone: str, scenario: Scenario) -> int:
    offset = scenario.start.astimezone(ZoneInfo(timezone)).utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)


__all__ = ["LAN_IF", "Clients", "Link", "Site", "World"]
