"""Configuration and inventory: YAML files validated into frozen pydantic models.

Owns: the public API re-exported here (loaders, ``Config``, ``Settings``, ``Inventory`` and its
parts, ``Thresholds``). Must not: do I/O beyond reading the config files and the environment, or
import collectors, models, duckdb or the lake.
"""

from assurance.config.inventory import (
    AccessPoint,
    App,
    AppMatch,
    Capacity,
    DeviceKind,
    DeviceRef,
    Gateway,
    Inventory,
    Org,
    Overlay,
    Site,
    Sla,
    Switch,
    SwitchPort,
    TelemetryTarget,
    WanLink,
)
from assurance.config.loader import (
    Config,
    inventory_from_text,
    load_config,
    load_inventory,
    load_settings,
)
from assurance.config.settings import (
    CollectorSettings,
    FlowCollector,
    LakeSettings,
    Settings,
    SyslogCollector,
    split_listen,
)
from assurance.config.telemetry import (
    DeviceTelemetry,
    Gnmi,
    Jti,
    Sensor,
    Snmp,
    SnmpV3,
    Tls,
    secret,
)
from assurance.config.thresholds import (
    ThresholdOverrides,
    Thresholds,
    WanThresholds,
    WiredThresholds,
    WirelessThresholds,
)
from assurance.config.types import PortRange, normalize_mac

__all__ = [
    "AccessPoint",
    "App",
    "AppMatch",
    "Capacity",
    "CollectorSettings",
    "Config",
    "DeviceKind",
    "DeviceRef",
    "DeviceTelemetry",
    "FlowCollector",
    "Gateway",
    "Gnmi",
    "Inventory",
    "Jti",
    "LakeSettings",
    "Org",
    "Overlay",
    "PortRange",
    "Sensor",
    "Settings",
    "Site",
    "Sla",
    "Snmp",
    "SnmpV3",
    "Switch",
    "SwitchPort",
    "SyslogCollector",
    "TelemetryTarget",
    "ThresholdOverrides",
    "Thresholds",
    "Tls",
    "WanLink",
    "WanThresholds",
    "WiredThresholds",
    "WirelessThresholds",
    "inventory_from_text",
    "load_config",
    "load_inventory",
    "load_settings",
    "normalize_mac",
    "secret",
    "split_listen",
]
