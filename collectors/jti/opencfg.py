"""Decoding JTI OpenConfig telemetry (``telemetry.OpenConfigData``) into the normalizer.

Owns the key/value conventions of Junos over gRPC: ``__prefix__`` makes the following keys
relative to it (and may change mid-message), other ``__…__`` keys are metadata, the header path
``sensor:internal:subscribed:producer`` names the sensor, sequence numbers count per
(component, sub-component, path) stream, ``sync_response`` marks the end of the initial dump
and ``delete`` entries withdraw paths; a leaf-list value becomes one value per element
(``leaf[index='i']``). Sans-IO: bytes and an ``Origin`` in; raises only
``MalformedMessage`` (a ``WireError``).
"""

from __future__ import annotations

from google.protobuf.message import DecodeError

from collectors.jti.errors import MalformedMessage
from collectors.jti.model import Header, Origin
from collectors.jti.normalize import Leaf, Normalizer
from collectors.jti.paths import sensor_of
from collectors.jti.proto.telemetry_pb2 import OpenConfigData

#: timestamps past this (ms since the epoch, year 2286) are garbage, not a clock
MAX_TIMESTAMP_MS = 10_000_000_000_000


def parse(payload: bytes, origin: Origin) -> OpenConfigData:
    try:
        msg: OpenConfigData = OpenConfigData.FromString(payload)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise MalformedMessage(
            f"not a telemetry.OpenConfigData message: {exc}", exporter=origin.exporter
        ) from None
    return msg


def decode(
    payload: bytes, origin: Origin, received_us: int, norm: Normalizer, source: str = "jti-grpc"
) -> int:
    """Decode one serialized ``OpenConfigData``; returns the number of values."""
    return decode_message(parse(payload, origin), origin, received_us, norm, source)


def decode_message(
    msg: OpenConfigData, origin: Origin, received_us: int, norm: Normalizer, source: str
) -> int:
    if msg.timestamp >= MAX_TIMESTAMP_MS:
        raise MalformedMessage(
            f"timestamp {msg.timestamp} ms is out of range", exporter=origin.exporter
        )
    if msg.sync_response and not msg.kv and not msg.delete:
        norm.sync_response(origin, source)
        return 0
    time_us = msg.timestamp * 1000 if msg.timestamp else received_us
    header = Header(
        origin,
        source,
        sensor_of(msg.path),
        time_us,
        received_us,
        msg.component_id,
        msg.sequence_number,
    )
    norm.begin(header, stream=(msg.component_id, msg.sub_component_id, msg.path))
    leaf_of = norm.leaf
    under = norm.leaves_under("")
    leaves: list[Leaf] = []
    raws: list[object] = []
    prefix = ""
    try:
        for kv in msg.kv:
            key = kv.key
            if key.startswith("__"):
                if key == "__prefix__":
                    prefix = kv.str_value
                    under = norm.leaves_under(prefix)
                continue
            which = kv.WhichOneof("value")
            if which is None:
                continue
            if which == "leaflist_value":
                full = key
                if prefix and not key.startswith("/"):
                    full = prefix + key if prefix.endswith("/") else f"{prefix}/{key}"
                for index, element in enumerate(kv.leaflist_value.element):
                    kind = element.WhichOneof("value")
                    if kind is not None:
                        leaves.append(leaf_of(f"{full}[index='{index}']"))
                        raws.append(getattr(element, kind))
                continue
            leaf = under.get(key)
            if leaf is None:
                full = key
                if prefix and not key.startswith("/"):
                    full = prefix + key if prefix.endswith("/") else f"{prefix}/{key}"
                leaf = under[key] = leaf_of(full)
            leaves.append(leaf)
            raws.append(getattr(kv, which))
        norm.add_values(leaves, raws)
        for deleted in msg.delete:
            if deleted.path:
                norm.deleted(leaf_of(deleted.path))
        norm.end()
    except BaseException:
        norm.abort()
        raise
    if msg.sync_response:
        norm.sync_response(origin, source)
    return len(leaves)
