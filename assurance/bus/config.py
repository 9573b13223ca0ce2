"""Where things live on the bus: stream, subjects, consumer and key-value bucket names; connecting.

Owns ``BusConfig`` (the bus URL and the names and limits derived from it) and the idempotent
set-up of the stream and buckets an inlet or outlet needs. The stream uses work-queue retention
(a message is gone once an outlet acknowledged it) and refuses new messages when full, so a full
stream is backpressure on the inlets rather than silent loss of old data. Must not decode or
write the lake.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    KeyValueConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError
from nats.js.kv import KeyValue

from assurance.errors import AssuranceError

log = logging.getLogger(__name__)

KINDS = ("flow", "syslog")


class BusError(AssuranceError):
    """The bus is unreachable, misnamed or refuses what we ask of it."""


DAY_S = 86_400.0


@dataclass(frozen=True)
class BusConfig:
    """A bus URL and the names one kind of collector (``flow`` or ``syslog``) uses on it."""

    url: str
    kind: str = "flow"
    #: Stream limits: bytes held (beyond them inlets wait) and the age after which an
    #: unconsumed message is dropped by the server.
    max_bytes: int = 4 << 30
    max_age_s: float = DAY_S
    prefix: str = "wanassure"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BusError(f"bus kind {self.kind!r} is not one of {', '.join(KINDS)}")
        parts = urlsplit(self.url)
        if parts.scheme not in ("nats", "tls") or not parts.hostname:
            raise BusError(f"--bus {self.url!r}: expected nats://host:port (or tls://host:port)")
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError as exc:
            raise BusError(f"--bus {self.url!r}: {exc}") from None

    def of(self, kind: str) -> BusConfig:
        return replace(self, kind=kind)

    @property
    def stream(self) -> str:
        return f"{self.prefix.upper()}_{self.kind.upper()}"

    @property
    def subjects(self) -> str:
        return f"{self.prefix}.{self.kind}.>"

    def subject(self, token: str) -> str:
        return f"{self.prefix}.{self.kind}.{token}"

    def durable(self, group: str) -> str:
        return f"outlet-{group}"

    @property
    def templates_bucket(self) -> str:
        return f"{self.prefix}_{self.kind}_templates"

    @property
    def chunks_bucket(self) -> str:
        return f"{self.prefix}_{self.kind}_chunks"

    def redacted(self) -> str:
        """The URL without user information, for logs and messages."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


async def connect(config: BusConfig, name: str, connect_timeout_s: float = 5.0) -> Client:
    """A connected client that reconnects forever after the first connection succeeded."""

    async def error(exc: Exception) -> None:
        log.warning("bus %s: %s", config.redacted(), exc)

    try:
        return await asyncio.wait_for(
            nats.connect(
                config.url,
                name=name,
                connect_timeout=connect_timeout_s,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                allow_reconnect=True,
                error_cb=error,
            ),
            connect_timeout_s,
        )
    except Exception as exc:  # nats raises several unrelated types for an unreachable server
        why = str(exc) or type(exc).__name__
        raise BusError(f"cannot reach the bus at {config.redacted()}: {why}") from None


async def ensure_stream(js: JetStreamContext, config: BusConfig) -> None:
    """Create the stream if missing (an existing one keeps its settings)."""
    wanted = StreamConfig(
        name=config.stream,
        subjects=[config.subjects],
        retention=RetentionPolicy.WORK_QUEUE,
        discard=DiscardPolicy.NEW,
        storage=StorageType.FILE,
        max_bytes=config.max_bytes,
        max_age=config.max_age_s,
        duplicate_window=120.0,
    )
    try:
        await js.stream_info(config.stream)
    except nats.js.errors.NotFoundError:
        try:
            await js.add_stream(wanted)
        except BadRequestError as exc:  # another process created it in between
            if "already in use" not in str(exc):
                raise


async def ensure_bucket(js: JetStreamContext, bucket: str, ttl_s: float | None) -> KeyValue:
    """The key-value bucket ``bucket``, created if missing."""
    try:
        return await js.key_value(bucket)
    except nats.js.errors.BucketNotFoundError:
        return await js.create_key_value(KeyValueConfig(bucket=bucket, history=1, ttl=ttl_s))
