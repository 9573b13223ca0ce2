"""The scenario file: an org of sites built from profiles, its applications and its faults.

Owns: the validated, frozen scenario model and ``load_scenario`` (every problem reported with
file, line and key path, like the inventory). Must not: build the concrete topology (``world``
does), compute traffic, or know about the wire or the lake.

A scenario names profiles (gateway model, WAN links with capacity and baseline quality, switch
ports, APs, clients) and sites that use them, either one by one or as numbered groups
(``{prefix: br, count: 500, profile: branch}`` → br-001 … br-500). Applications default to a
built-in catalogue of six (video, voice, office SaaS, CRM, streaming, web). Faults name a type
from ``assurance.sim.faults.CATALOGUE``, where and when.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from assurance.config.problems import validation_issues
from assurance.config.types import Name, StrictModel
from assurance.config.yamldoc import YamlDoc, config_error, parse_yaml, read_yaml
from assurance.sim.faults import CATALOGUE

_DURATION_RE = re.compile(r"^(?:\s*\d+(?:\.\d+)?\s*(?:s|min|m|h|d))+\s*$")
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(s|min|m|h|d)")
_UNIT_S = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta:
    """``90m``, ``2h``, ``1h30m``, ``1.5h``, ``30s``, ``1d`` or a number of minutes."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(minutes=float(value))
    if isinstance(value, str) and _DURATION_RE.match(value):
        parts = _PART_RE.findall(value)
        return timedelta(seconds=sum(float(n) * _UNIT_S[unit] for n, unit in parts))
    raise ValueError(f"{value!r} is not a duration: write e.g. 45m, 2h, 1h30m, 30s or 1d")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class LinkProfile(StrictModel):
    """A WAN link: transport, ISP, capacity and its quality when healthy."""

    name: Name
    type: Literal["mpls", "broadband", "lte"]
    isp: str = Field(min_length=1)
    down_mbps: float = Field(gt=0)
    up_mbps: float = Field(gt=0)
    rtt_ms: float = Field(gt=0, default=25.0)
    jitter_ms: float = Field(ge=0, default=3.0)
    loss_pct: float = Field(ge=0, le=100, default=0.05)


class ClientMix(StrictModel):
    wired: int = Field(ge=0, default=4)
    wifi: int = Field(ge=0, default=16)


class Profile(StrictModel):
    """What a site of this kind has."""

    gateway_model: str = Field(default="SRX340", pattern=r"^(SRX[0-9]+[A-Z0-9-]*|vSRX[0-9.]*)$")
    switch_model: str = Field(default="EX2300-24P", pattern=r"^(EX|QFX)[0-9]+[A-Z0-9-]*$")
    links: tuple[LinkProfile, ...] = Field(min_length=1, max_length=4)
    access_ports: int = Field(ge=1, le=48, default=8)
    aps: int = Field(ge=0, le=16, default=2)
    clients: ClientMix = ClientMix()

    @field_validator("links")
    @classmethod
    def _unique_links(cls, links: tuple[LinkProfile, ...]) -> tuple[LinkProfile, ...]:
        names = [link.name for link in links]
        if len(set(names)) != len(names):
            raise ValueError(f"link names must be unique, got {names}")
        return links


class SiteGroup(StrictModel):
    """One site (``name``) or ``count`` numbered sites ``<prefix>-001`` …"""

    name: Name | None = None
    prefix: Name | None = None
    count: int = Field(ge=1, le=20_000, default=1)
    profile: Name
    timezone: str = Field(default="UTC", pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")

    @model_validator(mode="after")
    def _named(self) -> SiteGroup:
        if (self.name is None) == (self.prefix is None):
            raise ValueError("give either name (one site) or prefix with count (numbered sites)")
        if self.name is not None and self.count != 1:
            raise ValueError("count needs prefix, not name")
        return self

    def names(self) -> list[str]:
        if self.name is not None:
            return [self.name]
        width = max(3, len(str(self.count)))
        return [f"{self.prefix}-{n:0{width}d}" for n in range(1, self.count + 1)]


class AppSla(StrictModel):
    rtt_ms: float = Field(gt=0)
    jitter_ms: float = Field(ge=0)
    loss_pct: float = Field(ge=0, le=100)


class AppProfile(StrictModel):
    """An application: how it looks on the wire, how much it moves, what it needs, where it goes."""

    name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    apptrack: str = Field(pattern=r"^[A-Z0-9][A-Z0-9:_-]*$")
    nested: str | None = None
    protocol: Literal["tcp", "udp"]
    port: int = Field(ge=1, le=65535)
    server_prefix: str = Field(pattern=r"^\d+\.\d+\.\d+\.\d+/\d+$")
    down_kbps: float = Field(gt=0)
    up_kbps: float = Field(gt=0)
    share: float = Field(gt=0, description="Relative popularity among active users")
    server_ms: float = Field(ge=0, default=20.0)
    sla: AppSla
    prefer: tuple[Name, ...] = Field(
        default=(), description="Link names or types (mpls, broadband, lte) in order of preference"
    )


class FaultSpec(StrictModel):
    """A scheduled fault: its type, where, when and how strong."""

    id: Name | None = None
    type: str
    site: Name | None = None
    link: Name | None = None
    ap: int | None = Field(default=None, ge=1, description="AP number at the site (1-based)")
    port: int | None = Field(default=None, ge=1, description="Access port number (1-based)")
    app: str | None = None
    isp: str | None = None
    at: Duration
    duration: Duration = Field(alias="for")
    params: dict[str, float] = Field(default_factory=dict)

    model_config = StrictModel.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _placed(self) -> FaultSpec:
        kind = CATALOGUE.get(self.type)
        if kind is None:
            known = ", ".join(sorted(CATALOGUE))
            raise ValueError(f"unknown fault type {self.type!r}; known: {known}")
        needs = {
            "link": ("site", "link"),
            "site": ("site",),
            "gateway": ("site",),
            "switch": ("site",),
            "ap": ("site", "ap"),
            "port": ("site", "port"),
            "app": ("app",),
            "isp": ("isp",),
        }[kind.scope]
        missing = [key for key in needs if getattr(self, key) is None]
        if missing:
            raise ValueError(f"fault {self.type} needs {' and '.join(missing)}")
        unknown = sorted(set(self.params) - set(kind.params))
        if unknown:
            allowed = ", ".join(sorted(kind.params)) or "none"
            raise ValueError(f"unknown params {unknown} for {self.type}; allowed: {allowed}")
        if self.duration <= timedelta(0):
            raise ValueError("for must be a positive duration")
        return self

    def value(self, key: str) -> float:
        """A parameter of the fault: the scenario's value, else the catalogue default."""
        return self.params.get(key, CATALOGUE[self.type].params[key])


class PolicyChange(StrictModel):
    """A path-preference change applied at a time (what the policy driver pushes)."""

    site: Name
    app: str
    prefer: tuple[Name, ...] = Field(min_length=1)
    at: Duration


def _default_apps() -> tuple[AppProfile, ...]:
    from assurance.sim.apps import DEFAULT_APPS

    return DEFAULT_APPS


class Scenario(StrictModel):
    """A whole scenario. Build it with ``load_scenario`` or ``Scenario.model_validate``."""

    name: Name
    seed: int = Field(ge=0, default=1)
    start: datetime
    hours: float = Field(gt=0, le=24 * 31, default=24)
    org: Name
    hub: Name = "hub-dc1"
    profiles: dict[Name, Profile] = Field(min_length=1)
    sites: tuple[SiteGroup, ...] = Field(min_length=1)
    apps: tuple[AppProfile, ...] = Field(default_factory=_default_apps)
    faults: tuple[FaultSpec, ...] = ()
    changes: tuple[PolicyChange, ...] = ()
    #: How gateways export flows: IPFIX, or NetFlow v9 (same records and options)
    flow_export: Literal["ipfix", "netflow-v9"] = "ipfix"
    #: SRX security logs (IDP attacks, web-filtering verdicts, screens) per site and hour
    security_logs_per_hour: float = Field(ge=0, le=600, default=2.0)
    #: Share of sites with AppTrack on their LAN zone (each session close is also reported
    #: as APPTRACK_SESSION_CLOSE there)
    apptrack_sites_pct: float = Field(ge=0, le=100, default=25.0)

    @field_validator("start")
    @classmethod
    def _utc_minute(cls, start: datetime) -> datetime:
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
        if start.second or start.microsecond:
            raise ValueError("start must fall on a whole minute")
        return start

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems: list[str] = []
        seen: set[str] = set()
        links_of: dict[str, set[str]] = {}
        aps_of: dict[str, int] = {}
        ports_of: dict[str, int] = {}
        for group in self.sites:
            profile = self.profiles.get(group.profile)
            if profile is None:
                problems.append(
                    f"site {group.name or group.prefix}: unknown profile {group.profile!r}"
                )
                continue
            for name in group.names():
                if name in seen or name == self.hub:
                    problems.append(f"site name {name!r} is used twice")
                seen.add(name)
                links_of[name] = {link.name for link in profile.links}
                aps_of[name] = profile.aps
                ports_of[name] = profile.access_ports
        apps = {a.name for a in self.apps}
        isps = {lk.isp for p in self.profiles.values() for lk in p.links}
        for n, fault in enumerate(self.faults):
            where = f"faults[{n}] ({fault.type})"
            if fault.site is not None and fault.site not in links_of:
                problems.append(f"{where}: unknown site {fault.site!r}")
                continue
            if fault.link is not None and fault.site and fault.link not in links_of[fault.site]:
                problems.append(f"{where}: site {fault.site} has no link {fault.link!r}")
            if fault.ap is not None and fault.site and fault.ap > aps_of[fault.site]:
                problems.append(f"{where}: site {fault.site} has {aps_of[fault.site]} APs")
            if fault.port is not None and fault.site and fault.port > ports_of[fault.site]:
                problems.append(f"{where}: site {fault.site} has {ports_of[fault.site]} ports")
            if fault.app is not None and fault.app not in apps:
                problems.append(f"{where}: unknown app {fault.app!r}")
            if fault.isp is not None and fault.isp not in isps:
                problems.append(f"{where}: no link uses ISP {fault.isp!r}")
        for n, change in enumerate(self.changes):
            if change.site not in links_of:
                problems.append(f"changes[{n}]: unknown site {change.site!r}")
            elif unknown := set(change.prefer) - links_of[change.site]:
                problems.append(f"changes[{n}]: site {change.site} has no link {sorted(unknown)}")
            if change.app not in apps:
                problems.append(f"changes[{n}]: unknown app {change.app!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)

    @property
    def minutes(self) -> int:
        return round(self.hours * 60)

    def site_names(self) -> list[str]:
        return [name for group in self.sites for name in group.names()]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; a ConfigError lists every problem with its line."""
    return _validate(read_yaml(Path(path)))


def scenario_from_text(text: str, source: str = "<string>") -> Scenario:
    return _validate(parse_yaml(text, source))


def _validate(doc: YamlDoc) -> Scenario:
    if not isinstance(doc.data, dict):
        raise config_error(doc.file, [doc.issue((), "expected a mapping (name, start, sites…)")])
    try:
        return Scenario.model_validate(doc.data)
    except ValidationError as exc:
        raise config_error(doc.file, validation_issues(doc, exc, Scenario)) from None


__all__ = [
    "AppProfile",
    "FaultSpec",
    "LinkProfile",
    "PolicyChange",
    "Profile",
    "Scenario",
    "load_scenario",
    "parse_duration",
    "scenario_from_text",
]
