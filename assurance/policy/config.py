"""The path-policy configuration file: mode, applications under control, windows, limits,
maintenance windows, the AppQoE thresholds in force on the gateways and NETCONF reachability.

Owns the layout of the ``policy:`` section (top level, or under ``policy:`` of a bigger file)
and ``load_policy_config``, which reports every problem as one ``ConfigError`` line naming file,
line and key, and turns it into ``LoopSettings`` and NETCONF settings. Credentials are never
read from the file (a ``password`` or ``username`` key is refused with a pointer to the
environment variables). Must not: open the lake or the network.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from assurance.config.problems import validation_issues
from assurance.config.types import StrictModel, UtcTime
from assurance.config.yamldoc import YamlDoc, config_error, parse_yaml, read_yaml
from assurance.policy.loop import LoopSettings
from assurance.policy.model import Thresholds
from assurance.policy.planner import Limits
from assurance.sim.scenario import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
_SECRET_KEYS = ("password", "username", "user", "key", "secret")


class LimitsConfig(StrictModel):
    min_bad_share: float = Field(default=0.2, gt=0, le=1)
    min_user_minutes: int = Field(default=4, ge=1)
    margin: float = Field(default=0.7, gt=0, le=1)
    max_util: float = Field(default=0.8, gt=0, le=1)
    hold_down: Duration = timedelta(minutes=30)
    cool_down: Duration = timedelta(minutes=20)
    retry_after: Duration = timedelta(hours=2)
    per_site_per_hour: int = Field(default=2, ge=0)
    per_org_per_hour: int = Field(default=20, ge=0)
    max_sites_per_hour: int = Field(default=10, ge=0)


class Maintenance(StrictModel):
    site: str = Field(default="*", min_length=1, description="Site name, or * for every site")
    start: UtcTime
    end: UtcTime

    @model_validator(mode="after")
    def _ordered(self) -> Maintenance:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class DeviceSla(StrictModel):
    site: str = Field(default="*", min_length=1)
    group: str = Field(min_length=1, description="Application group (category), e.g. video")
    rtt_ms: float = Field(gt=0)
    jitter_ms: float = Field(ge=0)
    loss_pct: float = Field(ge=0, le=100)


class NetconfConfig(StrictModel):
    port: int = Field(default=830, ge=1, le=65535)
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    load_format: Literal["set", "xml"] = "set"
    hosts: dict[str, str] = Field(default_factory=dict)
    host_keys: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            found = [k for k in data if str(k).lower() in _SECRET_KEYS]
            if found:
                raise ValueError(
                    f"{found[0]!r} does not belong in a file: set WANASSURE_NETCONF_USER and "
                    "WANASSURE_NETCONF_PASSWORD (or WANASSURE_NETCONF_KEY) in the environment"
                )
        return data


class PolicyConfig(StrictModel):
    mode: Literal["recommend", "auto"] = "recommend"
    apps: tuple[str, ...] = ()
    window: Duration = timedelta(minutes=10)
    settle: Duration = timedelta(minutes=2)
    verify: Duration = timedelta(minutes=10)
    confirm_minutes: int = Field(default=30, ge=1, le=65535)
    min_gain: float = Field(default=0.5, gt=0, le=1)
    limits: LimitsConfig = LimitsConfig()
    maintenance: tuple[Maintenance, ...] = ()
    device_sla: tuple[DeviceSla, ...] = ()
    netconf: NetconfConfig = NetconfConfig()

    @model_validator(mode="after")
    def _confirm_outlasts_verification(self) -> PolicyConfig:
        needed = self.settle + self.verify
        if timedelta(minutes=self.confirm_minutes) <= needed:
            raise ValueError(
                f"confirm_minutes ({self.confirm_minutes}) must exceed settle + verify "
                f"({needed.total_seconds() / 60:g} min), or every change rolls back by itself"
            )
        return self

    def loop_settings(self) -> LoopSettings:
        lim = self.limits
        limits = Limits(
            min_bad_share=lim.min_bad_share,
            min_user_minutes=lim.min_user_minutes,
            margin=lim.margin,
            max_util=lim.max_util,
            hold_down=lim.hold_down,
            cool_down=lim.cool_down,
            retry_after=lim.retry_after,
            per_site_per_hour=lim.per_site_per_hour,
            per_org_per_hour=lim.per_org_per_hour,
            max_sites_per_hour=lim.max_sites_per_hour,
            maintenance=tuple((m.site, m.start, m.end) for m in self.maintenance),
            apps=self.apps,
        )
        return LoopSettings(
            mode=self.mode,
            window=self.window,
            settle=self.settle,
            verify=self.verify,
            confirm_minutes=self.confirm_minutes,
            min_gain=self.min_gain,
            limits=limits,
            device_sla={
                (d.site, d.group): Thresholds(d.rtt_ms, d.jitter_ms, d.loss_pct)
                for d in self.device_sla
            },
        )


def _from_doc(doc: YamlDoc) -> PolicyConfig:
    if isinstance(doc.data, dict) and isinstance(doc.data.get("policy"), dict):
        doc = doc.sub("policy")
    if not isinstance(doc.data, dict):
        got = type(doc.data).__name__
        raise config_error(
            doc.file, [doc.issue((), f"expected a mapping of policy settings, got {got}")]
        )
    try:
        return PolicyConfig.model_validate(doc.data)
    except ValidationError as exc:
        raise config_error(doc.file, validation_issues(doc, exc, PolicyConfig)) from None


def load_policy_config(path: str | os.PathLike[str]) -> PolicyConfig:
    """Read and validate a policy file; every problem in one ``ConfigError``."""
    return _from_doc(read_yaml(Path(path)))


def policy_config_from_text(text: str, source: str = "<string>") -> PolicyConfig:
    return _from_doc(parse_yaml(text, source))


__all__ = ["PolicyConfig", "load_policy_config", "policy_config_from_text"]
