"""Junos ``set`` commands that point a device of the inventory at this deployment.

Owns: rendering, per device kind, the statements that make an SRX gateway export inline jflow
(IPFIX) and stream structured security and system syslog, an EX switch forward its system
syslog, both serve JTI/gNMI (gRPC dial-in) or stream native JTI over UDP, answer SNMP and send
traps — and, for APs, the rsyslog relay rule that forwards their client lines. Every statement
sits at the hierarchy Juniper documents for it (see ``tests/onboard/golden``).
Must not: read files or the environment (secrets are rendered as placeholders naming the
variable that holds them unless the caller passes the values), or talk to devices.

Lines starting with ``#`` are comments; ``load set terminal`` on a device ignores them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from assurance.config.inventory import AccessPoint, Gateway, Inventory, Site, Switch
from assurance.config.telemetry import DEFAULT_SENSORS, DeviceTelemetry, Sensor

SyslogTransport = Literal["tcp", "tls"]

#: SRX models whose forwarding engine is a TFEB (branch boxes): the sampling instance attaches
#: there; the others attach it to FPC 0.
_TFEB_PREFIXES = ("SRX3", "SRX5", "SRX1")
_TFEB_EXCEPTIONS = ("SRX5400", "SRX5600", "SRX5800", "SRX1400", "SRX1500", "SRX1600")


@dataclass(frozen=True)
class Deployment:
    """Where this deployment listens, as the devices must see it."""

    collector: str
    flow_port: int = 2055
    syslog_port: int = 601
    syslog_transport: SyslogTransport = "tcp"
    #: Junos SSL initiation profile and CA profile that trust the collector's certificate (TLS).
    tls_profile: str = "wanassure-syslog"
    ca_profile: str = "wanassure-ca"
    jti_udp_port: int = 50000
    trap_port: int = 162
    sampling_rate: int = 1
    template_refresh_s: int = 60
    option_refresh_s: int = 60
    flow_active_timeout_s: int = 60
    flow_inactive_timeout_s: int = 15
    name: str = "wanassure"


@dataclass(frozen=True)
class RenderedDevice:
    device: str
    site: str
    kind: str
    lines: tuple[str, ...]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


SecretLookup = Callable[[str], str | None]


def _placeholder(env_name: str, secrets: SecretLookup | None) -> str:
    value = secrets(env_name) if secrets else None
    return f'"{value}"' if value else f'"${{{env_name}}}"'


def _split_unit(interface: str) -> tuple[str, str]:
    name, _, unit = interface.partition(".")
    return name, unit or "0"


def _source_address(device: Gateway | Switch) -> str:
    return str(device.exporter_ips[0] if device.exporter_ips else device.mgmt_ip)


def _uses_tfeb(model: str) -> bool:
    upper = model.upper()
    return upper.startswith(_TFEB_PREFIXES) and not upper.startswith(_TFEB_EXCEPTIONS)


def _jflow(gw: Gateway, dep: Deployment) -> list[str]:
    template = f"{dep.name}-ipv4"
    instance = f"{dep.name}-ipfix"
    tpl = f"set services flow-monitoring version-ipfix template {template}"
    smp = f"set forwarding-options sampling instance {instance}"
    attach = (
        f"set chassis tfeb slot 0 sampling-instance {instance}"
        if _uses_tfeb(gw.model)
        else f"set chassis fpc 0 sampling-instance {instance}"
    )
    lines = [
        "# inline jflow: IPFIX records of every WAN interface, both directions",
        f"{tpl} flow-active-timeout {dep.flow_active_timeout_s}",
        f"{tpl} flow-inactive-timeout {dep.flow_inactive_timeout_s}",
        f"{tpl} template-refresh-rate seconds {dep.template_refresh_s}",
        f"{tpl} option-refresh-rate seconds {dep.option_refresh_s}",
        f"{tpl} ipv4-template",
        f"{smp} input rate {dep.sampling_rate}",
        f"{smp} family inet output flow-server {dep.collector} port {dep.flow_port}",
        f"{smp} family inet output flow-server {dep.collector} version-ipfix template {template}",
        f"{smp} family inet output inline-jflow source-address {_source_address(gw)}",
        attach,
    ]
    for link in gw.wan:
        ifd, unit = _split_unit(link.interface)
        for direction in ("input", "output"):
            lines.append(f"set interfaces {ifd} unit {unit} family inet sampling {direction}")
    return lines


def _security_log(gw: Gateway, dep: Deployment) -> list[str]:
    stream = f"set security log stream {dep.name}"
    lines = [
        "# structured security logs: RT_FLOW, APPTRACK, APPQOE, IDP, UTM, SCREEN, AAMW, SECINTEL",
        "set security log mode stream",
        "set security log format sd-syslog",
        f"set security log source-address {_source_address(gw)}",
        f"{stream} format sd-syslog",
        f"{stream} category all",
        f"{stream} host {dep.collector}",
        f"{stream} host port {dep.syslog_port}",
        f"{stream} transport protocol {dep.syslog_transport}",
    ]
    if dep.syslog_transport == "tls":
        lines += [
            f"{stream} transport tls-profile {dep.tls_profile}",
            f"set services ssl initiation profile {dep.tls_profile} trusted-ca {dep.ca_profile}",
        ]
    lines += [
        "set security application-tracking first-update",
        "set security application-tracking session-update-interval 1",
        "# session logs need 'then log session-init session-close' on the security policies",
    ]
    return lines


def _tls_trust(dep: Deployment) -> list[str]:
    if dep.syslog_transport != "tls":
        return []
    return [
        "# TLS: trust the CA that signed the collector's certificate; load it first with"
        f" request security pki ca-certificate load ca-profile {dep.ca_profile} filename <ca.pem>",
        f"set security pki ca-profile {dep.ca_profile} ca-identity {dep.ca_profile}",
    ]


def _system_syslog(device: Gateway | Switch, dep: Deployment) -> list[str]:
    host = f"set system syslog host {dep.collector}"
    lines = [
        "# system events: interfaces, chassis alarms, VPN (KMD), 802.1X, DHCP snooping, PoE,"
        " STP, LLDP",
        f"{host} any info",
        f"{host} port {dep.syslog_port}",
        f"{host} transport {dep.syslog_transport}",
        f"{host} source-address {_source_address(device)}",
        f"{host} structured-data",
    ]
    if dep.syslog_transport == "tls":
        lines.append(
            f"{host} tlsdetails trusted-ca-group {dep.tls_profile} ca-profiles {dep.ca_profile}"
        )
    return lines


def _grpc(device: Gateway | Switch, telemetry: DeviceTelemetry, dep: Deployment) -> list[str]:
    settings = telemetry.jti or telemetry.gnmi
    if settings is None:
        return []
    grpc = "set system services extension-service request-response grpc"
    lines = ["# JTI and gNMI, dialled in by the collector (sensors are in its subscription)"]
    if settings.tls is None:
        lines += [
            "# clear-text gRPC: for a lab only; give the device a tls block in the inventory",
            f"{grpc} clear-text port {settings.port}",
        ]
    else:
        lines += [
            f"{grpc} ssl port {settings.port}",
            f"{grpc} ssl local-certificate {dep.name}-grpc",
        ]
    lines.append(
        "set system services extension-service notification allow-clients address"
        f" {dep.collector}/32"
    )
    return lines


def _native_jti(
    device: Gateway | Switch, sensors: tuple[Sensor, ...], dep: Deployment
) -> list[str]:
    analytics = "set services analytics"
    server = f"{dep.name}-collector"
    lines = [
        "# native JTI over UDP: one export profile per reporting rate",
        f"{analytics} streaming-server {server} remote-address {dep.collector}",
        f"{analytics} streaming-server {server} remote-port {dep.jti_udp_port}",
    ]
    by_rate: dict[int, list[Sensor]] = defaultdict(list)
    for sensor in sensors:
        # Native JTI reports periodically; on-change sensors ride the 10 s profile.
        by_rate[max(1, round(sensor.frequency_ms / 1000)) if sensor.frequency_ms else 10].append(
            sensor
        )
    for rate in sorted(by_rate):
        profile = f"{dep.name}-{rate}s"
        lines += [
            f"{analytics} export-profile {profile} local-address {_source_address(device)}",
            f"{analytics} export-profile {profile} reporting-rate {rate}",
            f"{analytics} export-profile {profile} format gpb",
            f"{analytics} export-profile {profile} transport udp",
        ]
        for sensor in by_rate[rate]:
            name = _sensor_name(sensor.path)
            lines += [
                f"{analytics} sensor {name} server-name {server}",
                f"{analytics} sensor {name} export-name {profile}",
                f"{analytics} sensor {name} resource {sensor.path}",
            ]
    return lines


def _sensor_name(path: str) -> str:
    parts = [p for p in path.strip("/").split("/") if p and p != "junos"]
    return "-".join(parts[-3:]).replace("_", "-") or "root"


_AUTH = {
    "md5": "authentication-md5",
    "sha": "authentication-sha",
    "sha256": "authentication-sha256",
    "sha512": "authentication-sha512",
}
_PRIV = {"aes": "privacy-aes128", "aes256": "privacy-aes128", "des": "privacy-des"}


def _snmp(
    device: Gateway | Switch,
    telemetry: DeviceTelemetry,
    dep: Deployment,
    secrets: SecretLookup | None,
) -> list[str]:
    snmp = telemetry.snmp
    if snmp is None:
        return []
    lines = ["# SNMP polling and traps"]
    if snmp.version == "2c":
        community = _placeholder(snmp.community_env or "SNMP_COMMUNITY", secrets)
        lines += [
            f"set snmp community {community} authorization read-only",
            f"set snmp community {community} clients {dep.collector}/32",
            f"set snmp trap-group {dep.name} version v2",
            f"set snmp trap-group {dep.name} destination-port {dep.trap_port}",
            f"set snmp trap-group {dep.name} categories link",
            f"set snmp trap-group {dep.name} categories chassis",
            f"set snmp trap-group {dep.name} categories services",
            f"set snmp trap-group {dep.name} targets {dep.collector}",
        ]
        return lines
    assert snmp.v3 is not None  # the model refuses version 3 without a v3 block
    v3 = snmp.v3
    user = f"set snmp v3 usm local-engine user {v3.user}"
    level = "privacy" if v3.priv_protocol != "none" else "authentication"
    lines.append(
        f"{user} {_AUTH[v3.auth_protocol]} authentication-password"
        f" {_placeholder(v3.auth_key_env, secrets)}"
    )
    if v3.priv_protocol == "none":
        lines.append(f"{user} privacy-none")
    else:
        if v3.priv_protocol == "aes256":
            lines.append("# AES-256 privacy is not offered by every Junos release: AES-128 here")
        lines.append(
            f"{user} {_PRIV[v3.priv_protocol]} privacy-password"
            f" {_placeholder(v3.priv_key_env or 'SNMP_PRIV_KEY', secrets)}"
        )
    group = f"{dep.name}-ro"
    params = f"set snmp v3 target-parameters {dep.name}-tp parameters"
    lines += [
        f"set snmp view {dep.name}-all oid .1 include",
        f"set snmp v3 vacm security-to-group security-model usm security-name {v3.user}"
        f" group {group}",
        f"set snmp v3 vacm access group {group} default-context-prefix security-model usm"
        f" security-level {level} read-view {dep.name}-all",
        f"set snmp v3 vacm access group {group} default-context-prefix security-model usm"
        f" security-level {level} notify-view {dep.name}-all",
        f"set snmp v3 target-address {dep.name} address {dep.collector}",
        f"set snmp v3 target-address {dep.name} port {dep.trap_port}",
        f"set snmp v3 target-address {dep.name} tag-list {dep.name}-traps",
        f"set snmp v3 target-address {dep.name} target-parameters {dep.name}-tp",
        f"{params} message-processing-model v3",
        f"{params} security-model usm",
        f"{params} security-level {level}",
        f"{params} security-name {v3.user}",
        f"set snmp v3 notify {dep.name} type trap",
        f"set snmp v3 notify {dep.name} tag {dep.name}-traps",
    ]
    return lines


def _telemetry(
    device: Gateway | Switch, dep: Deployment, secrets: SecretLookup | None
) -> list[str]:
    telemetry = device.telemetry
    if telemetry is None:
        return ["# no telemetry block in the inventory: JTI, gNMI and SNMP are not configured"]
    lines = _grpc(device, telemetry, dep)
    if telemetry.jti_udp_source:
        stream = telemetry.jti or telemetry.gnmi
        lines += _native_jti(device, stream.sensors if stream else DEFAULT_SENSORS, dep)
    return lines + _snmp(device, telemetry, dep, secrets)


def render_gateway(
    site: Site, gw: Gateway, dep: Deployment, secrets: SecretLookup | None = None
) -> RenderedDevice:
    lines = [
        f"# {gw.name}: SRX gateway {gw.model}, site {site.name}",
        *_tls_trust(dep),
        *_jflow(gw, dep),
        *_security_log(gw, dep),
        *_system_syslog(gw, dep),
        *_telemetry(gw, dep, secrets),
    ]
    return RenderedDevice(gw.name, site.name, "gateway", tuple(lines))


def render_switch(
    site: Site, sw: Switch, dep: Deployment, secrets: SecretLookup | None = None
) -> RenderedDevice:
    lines = [
        f"# {sw.name}: EX switch {sw.model}, site {site.name}",
        *_tls_trust(dep),
        *_system_syslog(sw, dep),
        *_telemetry(sw, dep, secrets),
    ]
    return RenderedDevice(sw.name, site.name, "switch", tuple(lines))


def render_ap(site: Site, ap: AccessPoint, dep: Deployment) -> RenderedDevice:
    """APs are not configured with Junos: their relay forwards the Wi-Fi client lines.

    The rule is rsyslog's (RainerScript); it forwards what the relay receives from this AP in
    the Wi-Fi client line format of ``collectors/syslog/messages/clients.py``, octet-counted
    over TCP (TLS when asked), keeping the AP's own address in the header.
    """
    source = str(ap.ip) if ap.ip is not None else None
    selector = (
        f'if $fromhost-ip == "{source}" then {{'
        if source
        else (f'if $hostname == "{ap.name}" then {{')
    )
    tls = (
        ' StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"'
        if dep.syslog_transport == "tls"
        else ""
    )
    lines = [
        f"# {ap.name}: Wi-Fi AP {ap.model}, site {site.name} — rsyslog rule on the AP's relay",
        selector,
        f'  action(type="omfwd" target="{dep.collector}" port="{dep.syslog_port}"'
        f' protocol="tcp" TCP_Framing="octet-counted"'
        f' template="RSYSLOG_SyslogProtocol23Format"{tls})',
        "}",
    ]
    return RenderedDevice(ap.name, site.name, "ap", tuple(lines))


def render(
    inventory: Inventory,
    dep: Deployment,
    *,
    site: str | None = None,
    device: str | None = None,
    secrets: SecretLookup | None = None,
) -> list[RenderedDevice]:
    """Every device of the inventory (or of one site, or one device), in inventory order."""
    rendered: list[RenderedDevice] = []
    for s in inventory.sites:
        if site is not None and s.name != site:
            continue
        for gw in s.gateways:
            rendered.append(render_gateway(s, gw, dep, secrets))
        for sw in s.switches:
            rendered.append(render_switch(s, sw, dep, secrets))
        for ap in s.aps:
            rendered.append(render_ap(s, ap, dep))
    if device is not None:
        rendered = [r for r in rendered if r.device == device]
    return rendered


def environment_secrets(environ: Mapping[str, str]) -> SecretLookup:
    """A lookup that fills secrets from ``environ`` (only when the user asks for it)."""
    return environ.get


__all__ = ["Deployment", "RenderedDevice", "environment_secrets", "render"]
