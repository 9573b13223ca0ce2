"""The alerts configuration: receivers, rules, per-site overrides, silences, maintenance windows,
grouping and retry policy, validated into frozen models; secrets resolved only when used.

Owns the layout of the alerts file (top level, or under an ``alerts:`` key of a bigger file) and
``load_alerts_config``, which reports every problem as one ``ConfigError`` line naming file, line
and key. Secrets (webhook URLs with tokens, signing keys, routing keys) come from an environment
variable (``url_env:``, ``secret_env:``) or inline (``url:``, ``secret:``); inline ones are held
as ``SecretStr`` so no repr or error shows them. Must not: open the lake or the network.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, model_validator

from assurance.alerts.links import DEFAULT_DASHBOARD_URL
from assurance.alerts.model import ALERTNAME, Severity
from assurance.alerts.signing import BadSecret, standard_webhooks_key
from assurance.config.problems import validation_issues
from assurance.config.telemetry import EnvName
from assurance.config.types import StrictModel, UtcTime
from assurance.config.yamldoc import YamlDoc, config_error, parse_yaml, read_yaml
from assurance.errors import ConfigError
from assurance.sle.catalog import BY_NAME, SCOPES, normalise

_DURATION_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def _duration(value: Any) -> Any:
    """``30``, ``"30s"``, ``"5m"``, ``"4h"``, ``"1d"`` -> seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '30s', '5m', '4h'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match:
            return float(match[1]) * _UNITS[match[2]]
    raise ValueError(f"{value!r} is not a duration (e.g. 30, '30s', '5m', '4h', '1d')")


Seconds = Annotated[float, BeforeValidator(_duration), Field(ge=0)]
ReceiverKind = Literal["generic", "slack", "teams", "pagerduty", "alertmanager", "mist"]
RuleKind = Literal[
    "sle_below",
    "incident",
    "anomaly",
    "action",
    "device_down",
    "link_down",
    "collector_health",
    "collector_drops",
]
#: Collector counters of lost input (``wanassure_*_kernel_drops``, ``*_queue_overflow``…).
DROP_METRICS = r"wanassure_.*(kernel_drops|queue_overflow|sequence_lost)(_total)?"
PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"
_NEEDS_SECRET = {"generic", "pagerduty", "mist"}


class SecretMissing(ConfigError):
    """A receiver's secret or URL is configured through an environment variable that is unset."""


def redact_url(url: str) -> str:
    """``scheme://host[:port]/…``: enough to tell receivers apart, never the token in the path."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return (
        f"{parts.scheme}://{host}{port}/…"
        if parts.path.strip("/")
        else f"{parts.scheme}://{host}{port}"
    )


class Receiver(StrictModel):
    """Where notifications go and in which format."""

    name: str = Field(min_length=1, max_length=64)
    kind: ReceiverKind
    url: SecretStr | None = None
    url_env: EnvName | None = None
    secret: SecretStr | None = None
    secret_env: EnvName | None = None
    timeout_s: Seconds | None = None
    mist_topic: str = "alarms"

    @model_validator(mode="after")
    def _check(self) -> Receiver:
        if self.url is not None and self.url_env is not None:
            raise ValueError("give url or url_env, not both")
        if self.url is None and self.url_env is None and self.kind != "pagerduty":
            raise ValueError(f"a {self.kind} receiver needs url (or url_env)")
        if self.secret is not None and self.secret_env is not None:
            raise ValueError("give secret or secret_env, not both")
        if self.kind in _NEEDS_SECRET and self.secret is None and self.secret_env is None:
            what = "routing key" if self.kind == "pagerduty" else "signing secret"
            raise ValueError(f"a {self.kind} receiver needs its {what} (secret_env or secret)")
        if self.url is not None:
            _check_url(self.url.get_secret_value())
        if self.kind == "generic" and self.secret is not None:
            try:
                standard_webhooks_key(self.secret.get_secret_value())
            except BadSecret as exc:
                raise ValueError(f"secret: {exc}") from None
        return self

    def resolved_url(self) -> str:
        """The URL to POST to (from the environment when ``url_env`` is set)."""
        if self.url_env is not None:
            value = os.environ.get(self.url_env, "").strip()
            if not value:
                raise SecretMissing(
                    f"receiver {self.name}", [f"url_env: ${self.url_env} is not set"]
                )
            try:
                _check_url(value)
            except ValueError as exc:
                raise ConfigError(
                    f"receiver {self.name}", [f"url_env: ${self.url_env}: {exc}"]
                ) from None
            base = value
        elif self.url is not None:
            base = self.url.get_secret_value()
        else:
            base = PAGERDUTY_URL
        if self.kind == "alertmanager":
            return base.rstrip("/") + "/api/v2/alerts"
        return base

    def resolved_secret(self) -> str | None:
        if self.secret_env is not None:
            value = os.environ.get(self.secret_env, "")
            if not value:
                raise SecretMissing(
                    f"receiver {self.name}", [f"secret_env: ${self.secret_env} is not set"]
                )
            if self.kind == "generic":
                try:
                    standard_webhooks_key(value)
                except BadSecret as exc:
                    raise ConfigError(
                        f"receiver {self.name}", [f"secret_env: ${self.secret_env}: {exc}"]
                    ) from None
            return value
        return self.secret.get_secret_value() if self.secret is not None else None

    def describe_url(self) -> str:
        """Where it sends, safe to print: the env var name or the redacted URL."""
        if self.url_env is not None:
            return f"${self.url_env}"
        if self.url is not None:
            return redact_url(self.url.get_secret_value())
        return redact_url(PAGERDUTY_URL)


def _check_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an http:// or https:// URL with a host")


class Rule(StrictModel):
    """One alert rule. Which parameters apply depends on ``kind`` (see the sample config)."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    kind: RuleKind
    severity: Severity = "major"
    enabled: bool = True
    receivers: tuple[str, ...] | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    group_by: tuple[str, ...] | None = None
    # sle_below
    sle: str | None = None
    threshold: float | None = Field(default=None, ge=0, le=100)
    scope: str = "site"
    min_user_minutes: int = Field(default=10, ge=1)
    # windows: sle_below and collector_health look back ``for_``; device/link down must have
    # lasted ``for_``; incident/action/device/link look back at most ``lookback``
    for_: Seconds = Field(default=600.0, alias="for")
    lookback: Seconds = 86400.0
    # incident
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    # anomaly
    min_score: float = Field(default=0.0, ge=0, le=1)
    # action
    states: tuple[str, ...] = ("open", "proposed", "failed", "rolled_back")
    # link_down
    wan_only: bool = True
    # collector_health
    max_rejects: int = Field(default=1, ge=1)
    # collector_drops
    metrics_urls: tuple[str, ...] = ()
    drop_metrics: str = DROP_METRICS
    max_drops: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if self.kind == "sle_below":
            if self.sle is None or self.threshold is None:
                raise ValueError("an sle_below rule needs sle and threshold (percent)")
            if normalise(self.sle) not in BY_NAME:
                raise ValueError(f"unknown SLE {self.sle!r}; known: {', '.join(sorted(BY_NAME))}")
            if normalise(self.scope) not in SCOPES:
                raise ValueError(f"unknown scope {self.scope!r}; known: {', '.join(SCOPES)}")
        if self.kind == "collector_drops":
            if not self.metrics_urls:
                raise ValueError("a collector_drops rule needs metrics_urls (collector /metrics)")
            for url in self.metrics_urls:
                _check_url(url)
            try:
                re.compile(self.drop_metrics)
            except re.error as exc:
                raise ValueError(f"drop_metrics: bad regular expression: {exc}") from None
        if ALERTNAME in self.labels:
            raise ValueError(f"labels: {ALERTNAME!r} is the rule name and cannot be set")
        bad = [k for k in (*self.labels, *(self.group_by or ())) if not _LABEL_RE.match(k)]
        if bad:
            raise ValueError(
                f"label name(s) {', '.join(map(repr, bad))} invalid: use letters, digits and _, "
                "not starting with a digit (Prometheus label names)"
            )
        return self

    @property
    def sle_name(self) -> str | None:
        return normalise(self.sle) if self.sle else None

    @property
    def scope_column(self) -> str | None:
        name = normalise(self.scope)
        return None if name in ("org", "site") else name


class Override(StrictModel):
    """Per-site changes to a rule: ``site`` and ``rule`` are names or shell-style patterns."""

    site: str = Field(min_length=1)
    rule: str = "*"
    enabled: bool | None = None
    threshold: float | None = Field(default=None, ge=0, le=100)
    severity: Severity | None = None
    for_: Seconds | None = Field(default=None, alias="for")

    def applies(self, rule: str, site: str | None) -> bool:
        return fnmatch.fnmatchcase(site or "", self.site) and fnmatch.fnmatchcase(rule, self.rule)


_LABEL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MATCHER_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


class Matcher(StrictModel):
    name: str
    op: Literal["=", "!=", "=~", "!~"]
    value: str

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _MATCHER_RE.match(value)
        if match is None:
            raise ValueError(f"{value!r} is not a matcher (label=value, !=, =~ regex, !~ regex)")
        name, op, text = match.groups()
        text = text.strip('"')
        if op in ("=~", "!~"):
            try:
                re.compile(text)
            except re.error as exc:
                raise ValueError(f"{value!r}: bad regular expression: {exc}") from None
        return {"name": name, "op": op, "value": text}

    def matches(self, labels: dict[str, str]) -> bool:
        got = labels.get(self.name, "")
        if self.op == "=":
            return got == self.value
        if self.op == "!=":
            return got != self.value
        hit = re.fullmatch(self.value, got) is not None
        return hit if self.op == "=~" else not hit


class Silence(StrictModel):
    """Mute alerts whose labels match every matcher between ``starts_at`` and ``ends_at``."""

    matchers: tuple[Matcher, ...] = Field(min_length=1)
    starts_at: UtcTime
    ends_at: UtcTime
    comment: str = ""

    @model_validator(mode="after")
    def _order(self) -> Silence:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class Maintenance(StrictModel):
    """A maintenance window: alerts of these sites (patterns) and rules are muted during it."""

    sites: tuple[str, ...] = Field(min_length=1)
    rules: tuple[str, ...] = ("*",)
    start: UtcTime
    end: UtcTime
    comment: str = ""

    @model_validator(mode="after")
    def _order(self) -> Maintenance:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Grouping(StrictModel):
    """Alertmanager-style timing. Groups never span rules; ``group_by`` picks labels within one."""

    group_by: tuple[str, ...] = (ALERTNAME, "site")
    group_wait: Seconds = 30.0
    group_interval: Seconds = 300.0
    repeat_interval: Seconds = 4 * 3600.0


class Retry(StrictModel):
    """Delivery retries: exponential backoff with full jitter, capped; dead letter after N."""

    max_attempts: int = Field(default=8, ge=1, le=100)
    base: Seconds = 2.0
    cap: Seconds = 600.0
    timeout: Seconds = 10.0
    max_retry_after: Seconds = 3600.0
    concurrency: int = Field(default=8, ge=1, le=64)


class AlertsConfig(StrictModel):
    """Everything ``wanassure alerts`` needs besides the lake."""

    dashboard_url: str = DEFAULT_DASHBOARD_URL
    interval: Seconds = 60.0
    #: delivered events older than this leave the outbox (the lake's alerts table keeps them)
    retention: Seconds = 30 * 86400.0
    inventory: str | None = None
    receivers: tuple[Receiver, ...] = ()
    rules: tuple[Rule, ...] = ()
    overrides: tuple[Override, ...] = ()
    silences: tuple[Silence, ...] = ()
    maintenance: tuple[Maintenance, ...] = ()
    grouping: Grouping = Grouping()
    retry: Retry = Retry()

    @model_validator(mode="after")
    def _check(self) -> AlertsConfig:
        names = [r.name for r in self.receivers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"receivers: duplicate name(s) {', '.join(dupes)}")
        rules = [r.name for r in self.rules]
        dupes = sorted({n for n in rules if rules.count(n) > 1})
        if dupes:
            raise ValueError(f"rules: duplicate name(s) {', '.join(dupes)}")
        for rule in self.rules:
            unknown = [n for n in rule.receivers or () if n not in names]
            if unknown:
                raise ValueError(
                    f"rule {rule.name}: unknown receiver(s) {', '.join(unknown)}; "
                    f"known: {', '.join(names) or 'none'}"
                )
        return self

    def receiver(self, name: str) -> Receiver:
        for r in self.receivers:
            if r.name == name:
                return r
        known = ", ".join(r.name for r in self.receivers) or "none"
        raise ConfigError(
            "alerts config", [f"receivers: no receiver named {name!r} (known: {known})"]
        )

    def receivers_of(self, rule: Rule) -> tuple[str, ...]:
        return (
            rule.receivers if rule.receivers is not None else tuple(r.name for r in self.receivers)
        )

    def group_by(self, rule: Rule) -> tuple[str, ...]:
        return rule.group_by if rule.group_by is not None else self.grouping.group_by


def _from_doc(doc: YamlDoc) -> AlertsConfig:
    if isinstance(doc.data, dict) and isinstance(doc.data.get("alerts"), dict):
        doc = doc.sub("alerts")
    if not isinstance(doc.data, dict):
        got = type(doc.data).__name__
        raise config_error(
            doc.file, [doc.issue((), f"expected a mapping of alert settings, got {got}")]
        )
    try:
        config = AlertsConfig.model_validate(doc.data)
    except ValidationError as exc:
        raise config_error(doc.file, validation_issues(doc, exc, AlertsConfig)) from None
    if config.inventory is not None and not Path(config.inventory).is_absolute():
        anchored = str(Path(doc.file).parent / config.inventory)
        config = config.model_copy(update={"inventory": anchored})
    return config


def load_alerts_config(path: str | os.PathLike[str]) -> AlertsConfig:
    """Read and validate an alerts file; every problem in one ``ConfigError``."""
    return _from_doc(read_yaml(Path(path)))


def alerts_config_from_text(text: str, source: str = "<string>") -> AlertsConfig:
    return _from_doc(parse_yaml(text, source))
