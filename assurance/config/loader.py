"""Load settings and inventory from YAML files into validated, frozen objects.

Owns: ``load_inventory``, ``load_settings``, ``load_config`` and the ``Config`` they build; the
layout of a config file (settings keys plus ``inventory:``, inline or a path relative to the
config file; a bare inventory file is accepted too). Every problem, wherever it is found, ends in
one ``assurance.errors.ConfigError`` listing all problems with file, line and key path; nothing
half-configured is ever returned. Must not: do I/O other than reading the config files and the
environment, or import collectors, models or the lake.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assurance.config.inventory import Inventory
from assurance.config.problems import validation_issues
from assurance.config.settings import Settings
from assurance.config.yamldoc import (
    Issue,
    YamlDoc,
    config_error,
    parse_yaml,
    read_yaml,
    try_read_yaml,
)

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class Config:
    """Everything the process needs: runtime settings and the org's inventory."""

    settings: Settings
    inventory: Inventory
    source: Path | None = None


def load_inventory(path: StrPath) -> Inventory:
    """Read a bare inventory file (top-level ``org``, ``sites``, ...)."""
    doc = read_yaml(Path(path))
    inventory, issues = _inventory(doc)
    if inventory is None or issues:
        raise config_error(doc.file, issues)
    return inventory


def inventory_from_text(text: str, source: str = "<string>") -> Inventory:
    """Like ``load_inventory`` for YAML already in memory; ``source`` names it in errors."""
    doc = parse_yaml(text, source)
    inventory, issues = _inventory(doc)
    if inventory is None or issues:
        raise config_error(source, issues)
    return inventory


def load_settings(path: StrPath | None = None) -> Settings:
    """Settings from a config file (its ``inventory`` key is ignored) or, with None, from the
    environment and defaults alone. Environment variables beat file values."""
    if path is None:
        try:
            return Settings()
        except ValidationError as exc:
            doc = parse_yaml("{}", "<environment>")
            issues = validation_issues(doc, exc, Settings, from_env=True)
            raise config_error(doc.file, issues) from None
    doc = read_yaml(Path(path))
    settings, issues = _settings(doc)
    if settings is None or issues:
        raise config_error(doc.file, issues)
    return settings


def load_config(path: StrPath) -> Config:
    """Settings and inventory from one config file, or a bare inventory with default settings."""
    file = Path(path)
    doc = read_yaml(file)
    settings, issues = _settings(doc)
    inventory: Inventory | None = None
    if not isinstance(doc.data, dict):
        raise config_error(doc.file, issues)  # not a mapping: nothing more to say
    if _is_bare_inventory(doc.data):
        inventory, more = _inventory(doc)
    elif "inventory" not in doc.data:
        more = [doc.issue(("inventory",), "required key is missing (inline mapping or a path)")]
    else:
        inventory, more = _referenced_inventory(doc, file)
    if settings is None or inventory is None or issues or more:
        raise config_error(doc.file, issues + more)
    return Config(settings=settings, inventory=inventory, source=file)


def _is_bare_inventory(data: dict[str, Any]) -> bool:
    return "inventory" not in data and ("org" in data or "sites" in data)


def _top_mapping(
    doc: YamlDoc, what: str = "settings and inventory (or org and sites)"
) -> list[Issue]:
    if isinstance(doc.data, dict):
        bad = [k for k in doc.data if not isinstance(k, str)]
        return [doc.issue((), f"keys must be strings, got {k!r}") for k in bad]
    got = type(doc.data).__name__
    return [doc.issue((), f"expected a mapping of {what} at the top level, got {got}")]


def _inventory(doc: YamlDoc) -> tuple[Inventory | None, list[Issue]]:
    issues = _top_mapping(doc, "org, sites, apps and thresholds")
    if issues:
        return None, issues
    try:
        return Inventory.model_validate(doc.data), []
    except ValidationError as exc:
        return None, validation_issues(doc, exc, Inventory)


def _referenced_inventory(doc: YamlDoc, file: Path) -> tuple[Inventory | None, list[Issue]]:
    ref = doc.data["inventory"]
    if isinstance(ref, dict):
        return _inventory(doc.sub("inventory"))
    if not isinstance(ref, str) or not ref.strip():
        msg = "must be an inline mapping or the path of an inventory file"
        return None, [doc.issue(("inventory",), msg)]
    target = file.parent / Path(ref.strip()).expanduser()
    if not target.exists():
        return None, [doc.issue(("inventory",), f"inventory file not found: {target}")]
    result = try_read_yaml(target)
    return _inventory(result) if isinstance(result, YamlDoc) else (None, result)


def _settings(doc: YamlDoc) -> tuple[Settings | None, list[Issue]]:
    issues = _top_mapping(doc)
    if issues:
        return None, issues
    data: dict[str, Any] = dict(doc.data)
    if _is_bare_inventory(data):
        data = {}
    data.pop("inventory", None)
    for key in [k for k in data if k.startswith("_")]:  # pydantic-settings init options
        issues.append(doc.issue((key,), "unknown key"))
        del data[key]
    _anchor_lake_path(data, Path(doc.file).parent)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        return None, issues + validation_issues(doc, exc, Settings, from_env=True)
    return (None, issues) if issues else (settings, [])


def _anchor_lake_path(data: dict[str, Any], base: Path) -> None:
    """A relative local lake path in a file is relative to that file, like ``inventory:``."""
    lake = data.get("lake")
    if isinstance(lake, dict) and isinstance(lake.get("path"), str):
        value: str = lake["path"].strip()
        if value and "://" not in value:
            data["lake"] = {**lake, "path": str(base / Path(value).expanduser())}
