"""Runtime settings: where the lake lives, how it flushes, what the collectors listen on.

Owns: the ``Settings`` model (pydantic-settings) and its sections. Values come from, in order of
precedence: environment variables ``WANASSURE_<SECTION>__<KEY>`` (e.g. ``WANASSURE_LAKE__PATH``),
then keyword arguments (which is how the loader passes the config file's values), then defaults.
Must not: read files (the loader does), open the lake or bind sockets.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "WANASSURE_"
ENV_NESTED_DELIMITER = "__"
_HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*$")


def split_listen(value: str) -> tuple[str, int]:
    """``"0.0.0.0:2055"`` -> ``("0.0.0.0", 2055)``; IPv6 hosts are bracketed: ``"[::]:2055"``."""
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:([0-9]{1,5})|([^:\[\]]+):([0-9]{1,5})", value)
    if match is None:
        raise ValueError(f"{value!r} is not host:port (use [addr]:port for IPv6)")
    v6, v6port, host, port = match.groups()
    if v6 is not None:
        ipaddress.IPv6Address(v6)  # raises ValueError when malformed
        host, port = v6, v6port
    elif not _HOST_RE.match(host):
        raise ValueError(f"{host!r} is not a valid host name or IPv4 address")
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"port {port} is out of range 1-65535")
    return host, int(port)


def _check_listen(value: str) -> str:
    split_listen(value)
    return value


def _check_lake_path(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("lake path must not be empty")
    if "://" not in value:
        return value
    scheme, rest = value.split("://", 1)
    if scheme.lower() not in ("s3", "file"):
        raise ValueError(f"unsupported scheme {scheme!r}: use a local folder or s3://bucket/prefix")
    if scheme.lower() == "s3" and not rest.split("/", 1)[0]:
        raise ValueError("an S3 lake needs a bucket: s3://bucket/prefix")
    return f"{scheme.lower()}://{rest.rstrip('/')}"


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


Listen = Annotated[str, AfterValidator(_check_listen)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LakeSettings(_Section):
    """The Parquet lake: a local folder or ``s3://bucket/prefix``, and when buffers flush.

    A relative folder given in a config file is taken relative to that file (the loader anchors
    it); one given in the environment is relative to the working directory.
    """

    path: Annotated[str, AfterValidator(_check_lake_path)] = "lake"
    flush_rows: int = Field(default=1_000_000, gt=0)
    flush_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    flush_age_s: float = Field(default=60.0, gt=0)
    compression: Literal["zstd", "snappy", "gzip", "lz4", "brotli", "none"] = "zstd"

    @property
    def is_remote(self) -> bool:
        return self.path.startswith("s3://")


class FlowCollector(_Section):
    enabled: bool = True
    listen: Listen = "0.0.0.0:2055"


class SyslogCollector(_Section):
    enabled: bool = True
    listen: Listen = "0.0.0.0:514"


class CollectorSettings(_Section):
    flow: FlowCollector = FlowCollector()
    syslog: SyslogCollector = SyslogCollector()


class Settings(BaseSettings):
    """All runtime settings. Environment variables beat every other source."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
    )

    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_upper)
    ] = "INFO"
    lake: LakeSettings = LakeSettings()
    collectors: CollectorSettings = CollectorSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first so that it overrides the file values the loader passes as kwargs.
        return env_settings, init_settings


def env_var_for(loc: tuple[str | int, ...]) -> str:
    """The environment variable that sets the setting at ``loc``: ``WANASSURE_LAKE__PATH``."""
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(str(part) for part in loc).upper()
