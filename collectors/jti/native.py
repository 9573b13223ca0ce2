"""Decoding native JTI (``TelemetryStream`` GPB over UDP) into the normalizer.

Owns the walk of Juniper's sensor extensions: every extension of ``JuniperNetworksSensors`` this
package knows (port, logical port, SPU CPU and flow, RPM, IKE) is flattened field by field into
values named ``<extension>/<field>/<field>``; fields marked ``is_key`` in their
``telemetry_options`` become instance keys (``if_name``, ``queue_number``…), so the same routes
as for OpenConfig fill the typed tables. Extensions this package does not know are counted, never
guessed at. Sans-IO: bytes and an ``Origin`` in; raises only ``MalformedMessage``.
"""

from __future__ import annotations

from collections.abc import Hashable

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from collectors.jti.errors import MalformedMessage
from collectors.jti.model import Header, Origin
from collectors.jti.normalize import Leaf, Normalizer
from collectors.jti.opencfg import MAX_TIMESTAMP_MS
from collectors.jti.paths import Keys, sensor_of
from collectors.jti.proto import (  # noqa: F401  (imports register the extensions)
    key_management_pb2,
    logical_port_pb2,
    port_pb2,
    rpm_pb2,
    security_spu_pb2,
)
from collectors.jti.proto.telemetry_top_pb2 import (
    TelemetryStream,
    juniperNetworks,
    telemetry_options,
)

_MESSAGE = FieldDescriptor.TYPE_MESSAGE
_STRING = FieldDescriptor.TYPE_STRING


def _text(value: object) -> str:
    """Proto2 strings are not checked for UTF-8: invalid ones arrive as bytes."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class NativeDecoder:
    """Turns native GPB datagrams into normalizer rows; keeps a cache of resolved leaves."""

    def __init__(self, norm: Normalizer, *, max_cached_leaves: int = 500_000) -> None:
        self.norm = norm
        self.max_cached_leaves = max_cached_leaves
        self.unknown_extensions: dict[Origin, set[int]] = {}
        self._leaves: dict[tuple[str, Keys], Leaf] = {}
        self._is_key: dict[str, bool] = {}

    def decode(self, payload: bytes, origin: Origin, received_us: int) -> int:
        """Decode one datagram; returns the number of values."""
        try:
            stream = TelemetryStream.FromString(payload)
        except (DecodeError, RuntimeError, ValueError) as exc:
            raise MalformedMessage(
                f"not a TelemetryStream message: {exc}", exporter=origin.exporter
            ) from None
        if not stream.IsInitialized():
            find = getattr(stream, "FindInitializationErrors", list)  # not in the type stubs
            missing = ", ".join(str(name) for name in find()[:3])
            raise MalformedMessage(
                f"TelemetryStream lacks required fields: {missing}", exporter=origin.exporter
            )
        if stream.timestamp >= MAX_TIMESTAMP_MS:
            raise MalformedMessage(
                f"timestamp {stream.timestamp} ms is out of range", exporter=origin.exporter
            )
        header = Header(
            origin,
            "jti-udp",
            sensor_of(_text(stream.sensor_name)),
            stream.timestamp * 1000 if stream.timestamp else received_us,
            received_us,
            stream.component_id,
            stream.sequence_number,
        )
        stream_key: Hashable = (
            _text(stream.system_id),
            stream.component_id,
            stream.sub_component_id,
            _text(stream.sensor_name),
        )
        norm = self.norm
        norm.begin(header, stream=stream_key)
        before = len(norm.metrics)
        try:
            if stream.enterprise.HasExtension(juniperNetworks):
                sensors = stream.enterprise.Extensions[juniperNetworks]
                for field, value in sensors.ListFields():
                    self._walk(value, field.name + "/", ())
                unknown = _unknown_numbers(sensors)
                if unknown:
                    self.unknown_extensions.setdefault(origin, set()).update(unknown)
            norm.end()
        except BaseException:
            norm.abort()
            raise
        return len(norm.metrics) - before

    def _walk(self, message: Message, prefix: str, keys: Keys) -> None:
        fields = message.ListFields()
        own_keys = tuple((f.name, str(v)) for f, v in fields if f.type != _MESSAGE and self._key(f))
        if own_keys:
            keys = keys + own_keys
        for field, value in fields:
            name = prefix + field.name
            if field.type == _MESSAGE:
                if field.is_repeated:
                    for item in value:
                        self._walk(item, name + "/", keys)
                else:
                    self._walk(value, name + "/", keys)
            elif self._key(field):
                continue
            elif field.is_repeated:
                for index, item in enumerate(value):
                    self._value(name, (*keys, (field.name + "_index", str(index))), item)
            elif field.type == _STRING:
                self._value(name, keys, _text(value))
            else:
                self._value(name, keys, value)

    def _value(self, metric: str, keys: Keys, value: object) -> None:
        leaf = self._leaves.get((metric, keys))
        if leaf is None:
            if len(self._leaves) >= self.max_cached_leaves:
                self._leaves.clear()
            leaf = self._leaves[(metric, keys)] = Leaf.of(metric, keys)
        self.norm.value(leaf, value)

    def _key(self, field: FieldDescriptor) -> bool:
        known = self._is_key.get(field.full_name)
        if known is None:
            options = field.GetOptions()
            known = options.HasExtension(telemetry_options) and bool(
                options.Extensions[telemetry_options].is_key
            )
            self._is_key[field.full_name] = known
        return known


def _unknown_numbers(message: Message) -> set[int]:
    """Field numbers of extensions present in ``message`` that no loaded proto defines."""
    try:
        from google.protobuf.unknown_fields import UnknownFieldSet
    except ImportError:  # pragma: no cover - older protobuf runtimes
        return set()
    unknown = UnknownFieldSet(message)
    return {unknown[i].field_number for i in range(len(unknown))}
