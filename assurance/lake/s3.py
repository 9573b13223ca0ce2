"""Object-storage access for ``s3://bucket/prefix`` lakes: settings in, a pyarrow filesystem out.

Owns turning the ``s3`` settings (endpoint, region, path-style addressing, the names of the
environment variables holding credentials) into a ``pyarrow.fs.S3FileSystem``, and the fsspec
view of that same filesystem that DuckDB reads through, so no DuckDB extension is ever needed.
Settings come from the environment (``WANASSURE_S3__*``) so that every process a job runs in —
pool workers, Dask workers — opens the lake the same way; a composition root that loaded a config
file hands its ``s3`` section to ``configure``, which exports it (never a secret: those stay in
the variables the settings name). Must not: log or put a secret in a message, create buckets,
or read and write lake files (``LakeStore`` does that).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyarrow.fs as pafs

from assurance.config.loader import load_settings
from assurance.config.settings import S3Settings, env_var_for
from assurance.errors import ConfigError, LakeError


@dataclass(frozen=True)
class S3Options:
    """Everything needed to open the filesystem; secrets are kept out of ``repr``."""

    region: str
    endpoint: str | None = None  # host[:port], no scheme
    scheme: str = "https"
    path_style: bool = False
    connect_timeout_s: float = 10.0
    request_timeout_s: float = 60.0
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)


def options_from(settings: S3Settings, environ: Mapping[str, str] | None = None) -> S3Options:
    """The options the settings describe, with credentials read from the named variables."""
    env = os.environ if environ is None else environ
    endpoint: str | None = None
    scheme = "https"
    if settings.endpoint_url is not None:
        parts = urlsplit(settings.endpoint_url)
        endpoint, scheme = parts.netloc, parts.scheme
    elif settings.uses_path_style:
        # Path style towards AWS itself needs the regional endpoint named explicitly.
        endpoint = f"s3.{settings.region}.amazonaws.com"
    access = env.get(settings.access_key_id_env) or None
    secret = env.get(settings.secret_access_key_env) or None
    if (access is None) != (secret is None):
        have, missing = (
            (settings.access_key_id_env, settings.secret_access_key_env)
            if secret is None
            else (settings.secret_access_key_env, settings.access_key_id_env)
        )
        raise LakeError(f"S3 credentials: {have} is set but {missing} is not")
    return S3Options(
        region=settings.region,
        endpoint=endpoint,
        scheme=scheme,
        path_style=settings.uses_path_style,
        connect_timeout_s=settings.connect_timeout_s,
        request_timeout_s=settings.request_timeout_s,
        access_key=access,
        secret_key=secret,
        session_token=env.get(settings.session_token_env) or None,
    )


def current_settings() -> S3Settings:
    """The ``s3`` settings from the environment (``WANASSURE_S3__*``) and defaults."""
    try:
        return load_settings().s3
    except ConfigError as exc:
        raise LakeError("; ".join(exc.problems) or str(exc)) from None


def configure(settings: S3Settings) -> None:
    """Make ``settings`` the ones every lake opened from now on uses, in this process and in
    the processes it starts. Only names and addresses are exported, never a secret."""
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        var = env_var_for(("s3", name))
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = str(value).lower() if isinstance(value, bool) else str(value)


def filesystem(options: S3Options | None = None) -> pafs.S3FileSystem:
    """The S3 filesystem for ``options`` (default: the current settings); one per option set."""
    # Keyed by process too: a client made before a fork must not be used in the child.
    return _filesystem(options or options_from(current_settings()), os.getpid())


@functools.lru_cache(maxsize=8)
def _filesystem(options: S3Options, pid: int) -> pafs.S3FileSystem:
    try:
        return pafs.S3FileSystem(
            access_key=options.access_key,
            secret_key=options.secret_key,
            session_token=options.session_token,
            region=options.region,
            endpoint_override=options.endpoint,
            scheme=options.scheme,
            force_virtual_addressing=not options.path_style and options.endpoint is not None,
            connect_timeout=options.connect_timeout_s,
            request_timeout=options.request_timeout_s,
            allow_bucket_creation=False,
            allow_bucket_deletion=False,
        )
    except (OSError, ValueError) as exc:
        raise LakeError(f"cannot set up S3 access: {exc}") from None


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/a/b/`` -> ``("bucket", "a/b")``; a bucket is required."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "s3":
        raise LakeError(f"{url}: not an s3:// URL")
    if not parts.netloc:
        raise LakeError(f"{url}: an S3 lake needs a bucket: s3://bucket/prefix")
    if parts.query or parts.fragment:
        raise LakeError(f"{url}: put S3 options in the s3 settings, not in the URL")
    return parts.netloc, parts.path.strip("/")
