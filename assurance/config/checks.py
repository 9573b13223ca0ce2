"""Cross-tree rules of the inventory, each problem tied to the exact key path it concerns.

Owns: ``find_problems`` (unique names, IPs and MACs; AP placement on an existing switch port;
overlays that end on a hub; unique interfaces per device) and ``format_loc``. Must not: raise,
read files, or know about YAML; it reports ``(loc, message)`` pairs and the caller decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assurance.config.inventory import AccessPoint, Gateway, Inventory, Site
    from assurance.config.types import IPAddress

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def format_loc(loc: Iterable[str | int]) -> str:
    """``('sites', 1, 'wan', 0, 'isp')`` -> ``sites[1].wan[0].isp``; empty -> ``<root>``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


class _Registry:
    """Remembers where (and by which device) each value was first seen; reports duplicates."""

    def __init__(self, what: str, problems: list[Problem]) -> None:
        self.what = what
        self.seen: dict[object, tuple[Loc, str]] = {}
        self.problems = problems

    def add(self, value: object, loc: Loc, owner: str = "") -> None:
        first, first_owner = self.seen.setdefault(value, (loc, owner))
        if first != loc:
            by = f"used by {first_owner} at" if first_owner else "at"
            msg = f"duplicate {self.what} {value!s} (first {by} {format_loc(first)})"
            self.problems.append((loc, msg))


def find_problems(inv: Inventory) -> list[Problem]:
    problems: list[Problem] = []
    sites = _Registry("site name", problems)
    devices = _Registry("device name", problems)
    addresses = _Registry("IP address", problems)
    macs = _Registry("MAC address", problems)
    apps = _Registry("app name", problems)
    hubs = {g.name for s in inv.sites for g in s.gateways if g.role == "hub"}

    if not inv.sites:
        problems.append((("sites",), "at least one site is required"))
    for a, app in enumerate(inv.apps):
        apps.add(app.name, ("apps", a, "name"))
    for s, site in enumerate(inv.sites):
        base: Loc = ("sites", s)
        sites.add(site.name, (*base, "name"))
        for g, gw in enumerate(site.gateways):
            loc: Loc = (*base, "gateways", g)
            devices.add(gw.name, (*loc, "name"))
            _add_addresses(addresses, loc, gw.name, gw.mgmt_ip, gw.exporter_ips)
            _check_links(gw, loc, hubs, problems)
        for w, sw in enumerate(site.switches):
            loc = (*base, "switches", w)
            devices.add(sw.name, (*loc, "name"))
            _add_addresses(addresses, loc, sw.name, sw.mgmt_ip, sw.exporter_ips)
            ports = _Registry(f"port on {sw.name}:", problems)
            for p, port in enumerate(sw.ports):
                ports.add(port.name, (*loc, "ports", p, "name"))
        placed = _Registry("AP placement on switch port", problems)
        for i, ap in enumerate(site.aps):
            loc = (*base, "aps", i)
            devices.add(ap.name, (*loc, "name"))
            macs.add(ap.mac, (*loc, "mac"), ap.name)
            if ap.ip is not None:
                addresses.add(ap.ip, (*loc, "ip"), ap.name)
            _check_placement(site, ap, loc, placed, problems)
    return problems


def _add_addresses(
    reg: _Registry, loc: Loc, owner: str, mgmt: IPAddress, more: tuple[IPAddress, ...]
) -> None:
    reg.add(mgmt, (*loc, "mgmt_ip"), owner)
    for k, ip in enumerate(more):
        if ip != mgmt:  # exporting from the mgmt address as well is normal
            reg.add(ip, (*loc, "exporter_ips", k), owner)


def _check_links(gw: Gateway, loc: Loc, hubs: set[str], problems: list[Problem]) -> None:
    names = _Registry(f"WAN link name on {gw.name}:", problems)
    ifaces = _Registry(f"interface on {gw.name}:", problems)
    for k, link in enumerate(gw.wan):
        here: Loc = (*loc, "wan", k)
        names.add(link.name, (*here, "name"))
        ifaces.add(link.interface, (*here, "interface"))
        if link.overlay is None:
            continue
        ifaces.add(link.overlay.tunnel, (*here, "overlay", "tunnel"))
        hub_loc: Loc = (*here, "overlay", "hub")
        if link.overlay.hub == gw.name:
            problems.append((hub_loc, "an overlay cannot end on its own gateway"))
        elif link.overlay.hub not in hubs:
            known = ", ".join(sorted(hubs)) or "none defined"
            problems.append((hub_loc, f"{link.overlay.hub!r} is not a hub gateway (hubs: {known})"))


def _check_placement(
    site: Site, ap: AccessPoint, loc: Loc, placed: _Registry, problems: list[Problem]
) -> None:
    if ap.switch is None and ap.switch_port is None:
        return
    if ap.switch is None:
        problems.append(((*loc, "switch"), "switch is required when switch_port is set"))
    elif ap.switch_port is None:
        problems.append(((*loc, "switch_port"), "switch_port is required when switch is set"))
    elif (switch := site.switch(ap.switch)) is None:
        problems.append(((*loc, "switch"), f"no switch named {ap.switch!r} at site {site.name!r}"))
    elif switch.port(ap.switch_port) is None:
        msg = f"switch {switch.name!r} has no port {ap.switch_port!r}"
        problems.append(((*loc, "switch_port"), msg))
    else:
        placed.add(f"{switch.name} {ap.switch_port}", (*loc, "switch_port"))
