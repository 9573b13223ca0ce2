"""Decoding gNMI ``SubscribeResponse`` messages into the telemetry normalizer.

Owns gNMI's conventions: a notification's ``prefix`` joined with each update's path (PathElem
names and keys, rendered as ``/a/b[k='v']`` so the JTI routes apply unchanged), timestamps in
nanoseconds, scalar ``TypedValue``s with PROTO encoding and JSON scalars with JSON_IETF (JSON
objects are flattened into leaves), deletes, ``sync_response``, and Juniper's telemetry header
extension (sensor, component, sequence number) when present — without it a notification is
matched to the longest subscribed path it falls under. Sans-IO; raises only ``MalformedMessage``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from google.protobuf.message import DecodeError

from collectors.gnmi.proto import gnmi_ext_pb2, gnmi_pb2
from collectors.gnmi.proto.juniper_header_pb2 import GnmiJuniperTelemetryHeaderExtension
from collectors.jti.errors import MalformedMessage
from collectors.jti.model import Header, Origin
from collectors.jti.normalize import Leaf, Normalizer
from collectors.jti.opencfg import MAX_TIMESTAMP_MS
from collectors.jti.paths import split_path, xpath

SOURCE = "gnmi"
Scalar = int | float | str | bool | bytes


def path_string(prefix: gnmi_pb2.Path, path: gnmi_pb2.Path) -> str:
    """``prefix`` + ``path`` as ``/a/b[k='v']/c`` (the deprecated ``element`` list too)."""
    elems = [(e.name, dict(e.key)) for e in prefix.elem]
    elems += [(name, {}) for name in prefix.element]
    elems += [(e.name, dict(e.key)) for e in path.elem]
    elems += [(name, {}) for name in path.element]
    return xpath(elems) if elems else "/"


class GnmiDecoder:
    """SubscribeResponse bytes → normalizer rows, for one collector."""

    def __init__(self, norm: Normalizer) -> None:
        self.norm = norm
        self._subscribed: dict[Origin, tuple[str, ...]] = {}

    def subscribed(self, origin: Origin, paths: Sequence[str]) -> None:
        """The paths ``origin`` was subscribed to (for messages without Juniper's header)."""
        metrics = [split_path(p)[0].rstrip("/") + "/" for p in paths]
        self._subscribed[origin] = tuple(sorted(metrics, key=len, reverse=True))

    def decode(self, payload: bytes, origin: Origin, received_us: int) -> int:
        try:
            response = gnmi_pb2.SubscribeResponse.FromString(payload)
        except (DecodeError, RuntimeError, ValueError) as exc:
            raise MalformedMessage(
                f"not a gnmi.SubscribeResponse message: {exc}", exporter=origin.exporter
            ) from None
        kind = response.WhichOneof("response")
        if kind == "sync_response":
            self.norm.sync_response(origin, SOURCE)
            return 0
        if kind == "error":
            raise MalformedMessage(
                f"target reported error {response.error.code}: {response.error.message}",
                exporter=origin.exporter,
            )
        if kind != "update":
            return 0
        return self._notification(response, origin, received_us)

    def _notification(
        self, response: gnmi_pb2.SubscribeResponse, origin: Origin, received_us: int
    ) -> int:
        note = response.update
        header_ext = _juniper_header(response.extension, origin)
        if note.timestamp < 0 or note.timestamp >= MAX_TIMESTAMP_MS * 1_000_000:
            raise MalformedMessage(
                f"timestamp {note.timestamp} ns is out of range", exporter=origin.exporter
            )
        prefix = path_string(note.prefix, gnmi_pb2.Path())
        if header_ext is not None:
            sensor = header_ext.subscribed_path or header_ext.sensor_name
            component: int | None = header_ext.component_id
            sequence: int | None = header_ext.sequence_number
            stream: object = (header_ext.component_id, header_ext.sub_component_id, sensor)
        else:
            sensor = self._match(origin, split_path(prefix)[0])
            component = sequence = None
            stream = None
        time_us = note.timestamp // 1000 if note.timestamp else received_us
        norm = self.norm
        norm.begin(
            Header(origin, SOURCE, sensor, time_us, received_us, component, sequence), stream=stream
        )
        root = "" if prefix == "/" else prefix
        under = norm.leaves_under(root + "/")
        leaves: list[Leaf] = []
        raws: list[object] = []
        try:
            for update in note.update:
                val = update.val
                kind = val.WhichOneof("value")
                if kind in _SCALARS and not update.path.element:
                    relative = _relative(update.path)
                    leaf = under.get(relative)
                    if leaf is None:
                        full = f"{root}/{relative}" if relative else (root or "/")
                        leaf = under[relative] = norm.leaf(full)
                    leaves.append(leaf)
                    raws.append(getattr(val, kind))
                    continue
                base = path_string(note.prefix, update.path)
                for path, value in _values(base, val, origin):
                    leaves.append(norm.leaf(path))
                    raws.append(value)
            norm.add_values(leaves, raws)
            for deleted in note.delete:
                norm.deleted(norm.leaf(path_string(note.prefix, deleted)))
            norm.end()
        except BaseException:
            norm.abort()
            raise
        return len(leaves)

    def _match(self, origin: Origin, metric: str) -> str:
        for path in self._subscribed.get(origin, ()):
            if (metric + "/").startswith(path):
                return path
        return metric


_SCALARS = frozenset(
    ("string_val", "int_val", "uint_val", "bool_val", "float_val", "double_val", "ascii_val")
)


def _relative(path: gnmi_pb2.Path) -> str:
    """``state/counters/in-octets`` (with ``[k='v']`` predicates) from a path's elements."""
    parts = []
    for elem in path.elem:
        if elem.key:
            parts.append(xpath([(elem.name, dict(elem.key))])[1:])
        else:
            parts.append(elem.name)
    return "/".join(parts)


def _juniper_header(
    extensions: Sequence[gnmi_ext_pb2.Extension], origin: Origin
) -> GnmiJuniperTelemetryHeaderExtension | None:
    for ext in extensions:
        if (
            ext.WhichOneof("ext") == "registered_ext"
            and ext.registered_ext.id == gnmi_ext_pb2.EID_JUNIPER_TELEMETRY_HEADER
        ):
            try:
                header: GnmiJuniperTelemetryHeaderExtension = (
                    GnmiJuniperTelemetryHeaderExtension.FromString(ext.registered_ext.msg)
                )
            except (DecodeError, RuntimeError, ValueError) as exc:
                raise MalformedMessage(
                    f"bad Juniper telemetry header: {exc}", exporter=origin.exporter
                ) from None
            return header
    return None


def _values(path: str, val: gnmi_pb2.TypedValue, origin: Origin) -> Iterator[tuple[str, Scalar]]:
    kind = val.WhichOneof("value")
    if kind is None:
        return
    if kind in ("json_ietf_val", "json_val"):
        raw: bytes = getattr(val, kind)
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedMessage(
                f"{path}: JSON value does not parse: {exc}", exporter=origin.exporter
            ) from None
        yield from _flatten_json(path, document)
    elif kind == "decimal_val":
        yield path, val.decimal_val.digits / 10**val.decimal_val.precision
    elif kind == "leaflist_val":
        for index, element in enumerate(val.leaflist_val.element):
            yield from _values(f"{path}[index='{index}']", element, origin)
    else:
        scalar: Scalar = getattr(val, kind)
        yield path, scalar


def _flatten_json(path: str, document: object) -> Iterator[tuple[str, Scalar]]:
    if isinstance(document, dict):
        for key, value in document.items():
            name = str(key).split(":", 1)[-1]  # drop a module prefix (openconfig-if:...)
            yield from _flatten_json(f"{path.rstrip('/')}/{name}", value)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _flatten_json(f"{path}[index='{index}']", value)
    elif isinstance(document, bool | int | float | str):
        if (
            isinstance(document, str)
            and document.isascii()
            and document.isdigit()
            and len(document) <= 20
        ):
            document = int(document)  # RFC 7951 encodes 64-bit integers as strings
        if isinstance(document, int) and not -(2**63) <= document < 2**64:
            document = str(document)  # beyond any counter: keep the digits as text
        yield path, document
