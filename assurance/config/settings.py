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


_ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _check_env_name(value: str) -> str:
    if not _ENV_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not an environment variable name (A-Z, 0-9, _)")
    return value


def _check_endpoint(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().rstrip("/")
    match = re.fullmatch(r"(https?)://([^/:\s]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?", value)
    if match is None:
        raise ValueError(f"{value!r} is not an endpoint URL like http://10.0.0.5:9000")
    if match[3] and not 1 <= int(match[3][1:]) <= 65535:
        raise ValueError(f"port {match[3][1:]} is out of range 1-65535")
    return value


#: The name of an environment variable holding a secret (never the secret itself).
EnvName = Annotated[str, AfterValidator(_check_env_name)]


class S3Settings(_Section):
    """Object storage for an ``s3://bucket/prefix`` lake (AWS S3 or an on-premises store).

    Credentials never appear in settings: the ``*_env`` keys name the environment variables that
    hold them (the AWS names by default). With neither set, the store's default credential chain
    applies. Path-style addressing (``endpoint/bucket/key``) is on by default when an endpoint
    is given, as on-premises stores expect.
    """

    endpoint_url: Annotated[str | None, AfterValidator(_check_endpoint)] = None
    region: str = Field(default="us-east-1", min_length=1)
    path_style: bool | None = None
    access_key_id_env: EnvName = "AWS_ACCESS_KEY_ID"
    secret_access_key_env: EnvName = "AWS_SECRET_ACCESS_KEY"
    session_token_env: EnvName = "AWS_SESSION_TOKEN"
    connect_timeout_s: float = Field(default=10.0, gt=0)
    request_timeout_s: float = Field(default=60.0, gt=0)

    @property
    def uses_path_style(self) -> bool:
        return self.path_style if self.path_style is not None else self.endpoint_url is not None


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
    s3: S3Settings = S3Settings()
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
