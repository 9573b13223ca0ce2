"""Builders of hand-made telemetry messages for the JTI tests."""

from __future__ import annotations

from collections.abc import Sequence

from collectors.jti.proto.telemetry_pb2 import OpenConfigData

T0_MS = 1_780_000_000_000  # 2026-05-28T20:26:40Z


def oc(
    path: str,
    kvs: Sequence[tuple[str, object]],
    *,
    seq: int = 1,
    ts_ms: int = T0_MS,
    component_id: int = 0,
    sync: bool = False,
    delete: str | None = None,
) -> bytes:
    """A serialized OpenConfigData; values pick their oneof by Python type."""
    msg = OpenConfigData(
        system_id="br-nyc-012-gw1:10.20.12.1",
        component_id=component_id,
        path=f"sensor_1000:{path}:{path}:mib2d",
        sequence_number=seq,
        timestamp=ts_ms,
        sync_response=sync,
    )
    for key, value in kvs:
        kv = msg.kv.add(key=key)
        if isinstance(value, bool):
            kv.bool_value = value
        elif isinstance(value, int):
            kv.uint_value = value
        elif isinstance(value, float):
            kv.double_value = value
        elif isinstance(value, bytes):
            kv.bytes_value = value
        else:
            kv.str_value = str(value)
    if delete is not None:
        msg.delete.add(path=delete)
    return msg.SerializeToString()
