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
    "FlowCollector",
    "Gateway",
    "Inventory",
    "LakeSettings",
    "Org",
    "Overlay",
    "PortRange",
    "Settings",
    "Site",
    "Sla",
    "Switch",
    "SwitchPort",
    "SyslogCollector",
    "ThresholdOverrides",
    "Thresholds",
    "WanLink",
    "WanThresholds",
    "WiredThresholds",
    "WirelessThresholds",
    "inventory_from_text",
    "load_config",
    "load_inventory",
    "load_settings",
    "normalize_mac",
    "split_listen",
]
