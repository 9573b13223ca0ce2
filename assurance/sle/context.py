"""The inventory as the SLE engine needs it: plain, picklable rows for the SQL dimension tables.

Owns flattening an ``Inventory`` into rows (sites with their effective thresholds, client
prefixes, WAN links with interface/parent/tunnel, switches and ports, APs, apps with their match
rules and SLA) and classifying addresses against them (LAN membership, app catalogue). Must not
read files or the lake, or run SQL: the job registers these rows as DuckDB tables.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assurance.config.inventory import Inventory
from assurance.config.thresholds import Thresholds

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_PROTOCOLS = {"tcp": 6, "udp": 17}
_DEFAULT_LAN: tuple[Network, ...] = tuple(
    ipaddress.ip_network(p) for p in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


def threshold_columns(t: Thresholds) -> dict[str, float]:
    """``{"wan_link_latency_ms": 150.0, …}``: every threshold as a flat SQL column."""
    out: dict[str, float] = {}
    for group in ("wan", "wireless", "wired"):
        for key, value in getattr(t, group).model_dump().items():
            out[f"{group}_{key}"] = float(value)
    return out


@dataclass(frozen=True)
class AppRule:
    """One inventory app: names AppID may report, ports (proto, low, high), prefixes, SLA."""

    name: str
    apptrack: tuple[str, ...]
    ports: tuple[tuple[int | None, int, int], ...]
    prefixes: tuple[str, ...]
    sla: tuple[float, float, float]  # rtt_ms, jitter_ms, loss_pct

    def port_match(self, protocol: int | None, port: int | None) -> bool:
        if not self.ports:
            return True
        return any(
            (proto is None or proto == protocol) and port is not None and low <= port <= high
            for proto, low, high in self.ports
        )


@dataclass(frozen=True)
class Context:
    """Everything the per-partition job needs from the inventory, as plain data."""

    sites: tuple[tuple[str, dict[str, float]], ...]
    prefixes: dict[str, tuple[str, ...]]
    links: tuple[tuple[str, str, str, str, str, str | None, float, float], ...]
    switch_ports: tuple[tuple[str, str, str, str], ...]
    aps: tuple[tuple[str, str, str | None, str | None], ...]
    apps: tuple[AppRule, ...]
    gateways: tuple[tuple[str, str], ...]
    switches: tuple[tuple[str, str], ...] = field(default=())

    @property
    def site_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.sites)

    def for_sites(self, sites: Iterable[str]) -> Context:
        """The same context restricted to ``sites`` (the site shard of one job)."""
        keep = set(sites)
        return Context(
            sites=tuple(s for s in self.sites if s[0] in keep),
            prefixes={k: v for k, v in self.prefixes.items() if k in keep},
            links=tuple(r for r in self.links if r[0] in keep),
            switch_ports=tuple(r for r in self.switch_ports if r[0] in keep),
            aps=tuple(r for r in self.aps if r[0] in keep),
            apps=self.apps,
            gateways=tuple(r for r in self.gateways if r[0] in keep),
            switches=tuple(r for r in self.switches if r[0] in keep),
        )

    # -- address classification (run on distinct addresses, not per row) ------------------

    def v4_ranges(self) -> list[tuple[str, int, int]]:
        """(site, first, last) IPv4 client ranges; private ranges for sites that declare none."""
        out = []
        for site, _ in self.sites:
            nets = _networks(self.prefixes.get(site) or ()) or _DEFAULT_LAN
            out += [
                (site, int(n.network_address), int(n.broadcast_address))
                for n in nets
                if n.version == 4
            ]
        return out

    def app_rules(
        self,
    ) -> tuple[
        list[tuple[int, str, int, int, int | None, int, int]],
        list[tuple[int, str, int | None, int, int]],
    ]:
        """IPv4 prefix rules (order, app, first, last, protocol, low port, high port) and
        port-only rules (order, app, protocol, low, high), in inventory order."""
        prefix_rules = []
        port_rules = []
        for order, rule in enumerate(self.apps):
            ports = rule.ports or ((None, 0, 65535),)
            if rule.prefixes:
                for net in _networks(rule.prefixes):
                    if net.version != 4:
                        continue
                    for proto, low, high in ports:
                        prefix_rules.append(
                            (
                                order,
                                rule.name,
                                int(net.network_address),
                                int(net.broadcast_address),
                                proto,
                                low,
                                high,
                            )
                        )
            elif rule.ports:
                for proto, low, high in rule.ports:
                    port_rules.append((order, rule.name, proto, low, high))
        return prefix_rules, port_rules

    def lan_addresses(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The (site, address) pairs whose address is a client address of that site."""
        nets = {site: _networks(prefixes) for site, prefixes in self.prefixes.items()}
        out = []
        for site, text in pairs:
            addr = _address(text)
            if addr is None:
                continue
            site_nets = nets.get(site) or _DEFAULT_LAN
            if any(addr in net for net in site_nets if net.version == addr.version):
                out.append((site, text))
        return out

    def app_for(self, address: str | None, protocol: int | None, port: int | None) -> str | None:
        """The inventory app of a server end: prefix (+ port) first, then port-only apps."""
        addr = _address(address) if address else None
        if addr is not None:
            for rule in self.apps:
                if rule.prefixes and rule.port_match(protocol, port):
                    nets = _networks(rule.prefixes)
                    if any(addr in net for net in nets if net.version == addr.version):
                        return rule.name
        for rule in self.apps:
            if not rule.prefixes and rule.ports and rule.port_match(protocol, port):
                return rule.name
        return None


@lru_cache(maxsize=4096)
def _networks(prefixes: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in prefixes)


@lru_cache(maxsize=200_000)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def parent_interface(name: str) -> str:
    """``ge-0/0/1.0`` → ``ge-0/0/1``; a name without a unit is its own parent."""
    return name.rsplit(".", 1)[0] if "." in name else name


def build_context(inventory: Inventory, sites: Sequence[str] | None = None) -> Context:
    """The context of the whole inventory, or of ``sites`` only."""
    chosen = [s for s in inventory.sites if sites is None or s.name in sites]
    links = []
    switch_ports = []
    aps = []
    gateways = []
    switches = []
    for site in chosen:
        for gw in site.gateways:
            gateways.append((site.name, gw.name))
            for link in gw.wan:
                links.append(
                    (
                        site.name,
                        gw.name,
                        link.name,
                        link.interface,
                        parent_interface(link.interface),
                        link.overlay.tunnel if link.overlay else None,
                        link.capacity_mbps.up * 1e6,
                        link.capacity_mbps.down * 1e6,
                    )
                )
        for sw in site.switches:
            switches.append((site.name, sw.name))
            for port in sw.ports:
                switch_ports.append((site.name, sw.name, port.name, port.role))
        for ap in site.aps:
            aps.append((site.name, ap.name, ap.switch, ap.switch_port))
    apps = tuple(
        AppRule(
            name=app.name,
            apptrack=tuple(a.upper() for a in app.match.apptrack),
            ports=tuple(
                (_PROTOCOLS.get(p.protocol), p.low, p.high or p.low) for p in app.match.ports
            ),
            prefixes=tuple(str(p) for p in app.match.dst_prefixes),
            sla=(app.sla.rtt_ms, app.sla.jitter_ms, app.sla.loss_pct),
        )
        for app in inventory.apps
    )
    return Context(
        sites=tuple((s.name, threshold_columns(inventory.thresholds_for(s.name))) for s in chosen),
        prefixes={s.name: tuple(str(p) for p in s.lan_prefixes) for s in chosen},
        links=tuple(links),
        switch_ports=tuple(switch_ports),
        aps=tuple(aps),
        apps=apps,
        gateways=tuple(gateways),
        switches=tuple(switches),
    )
