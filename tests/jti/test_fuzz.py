"""Random input to every telemetry decoder raises nothing but the collectors' WireError."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.errors import WireError
from collectors.gnmi.decode import GnmiDecoder
from collectors.jti import opencfg
from collectors.jti.model import Origin
from collectors.jti.native import NativeDecoder
from collectors.jti.normalize import Normalizer
from collectors.jti.proto.telemetry_pb2 import OpenConfigData
from tests.jti.test_native import port

GW = Origin("192.0.2.1")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decoders() -> tuple[Normalizer, NativeDecoder, GnmiDecoder]:
    norm = Normalizer()
    return norm, NativeDecoder(norm), GnmiDecoder(norm)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_raise_only_wire_errors(payload: bytes) -> None:
    norm, native, gnmi = _decoders()
    for decode in (
        lambda: native.decode(payload, GW, 1),
        lambda: opencfg.decode(payload, GW, 1, norm),
        lambda: gnmi.decode(payload, GW, 1),
    ):
        with contextlib.suppress(WireError):
            decode()
    norm.tables()  # whatever was accepted builds valid tables


@FUZZ
@given(st.integers(0, 120), st.binary(max_size=8))
def test_damaged_native_messages_raise_only_wire_errors(cut: int, noise: bytes) -> None:
    good = port(1, 1_780_000_000_000, 1_000, 2_000)
    payload = good[:cut] + noise + good[cut + len(noise) :]
    norm, native, _ = _decoders()
    with contextlib.suppress(WireError):
        native.decode(payload, GW, 1)
    norm.tables()


values = st.one_of(
    st.integers(0, 2**64 - 1),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=20),
    st.binary(max_size=8),
)
keys = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "__prefix__",
            "state/counters/in-octets",
            "state/oper-status",
            "/interfaces/interface[name='x']/state/high-speed",
            "probe-test-generic-results[results-scope='current-test']/probes-sent",
            "/junos/ike-security-associations/ike-security-association[remote-ip='1",
        ]
    ),
)


@FUZZ
@given(st.lists(st.tuples(keys, values), max_size=20), st.integers(0, 2**64 - 1))
def test_well_formed_messages_with_arbitrary_content_never_crash(
    kvs: list[tuple[str, object]], timestamp: int
) -> None:
    msg = OpenConfigData(path="/interfaces/", timestamp=timestamp, sequence_number=timestamp)
    for key, value in kvs:
        kv = msg.kv.add(key=key)
        if isinstance(value, bool):
            kv.bool_value = value
        elif isinstance(value, int):
            if value >= 0:
                kv.uint_value = value
            else:
                kv.int_value = value
        elif isinstance(value, float):
            kv.double_value = value
        elif isinstance(value, bytes):
            kv.bytes_value = value
        else:
            kv.str_value = value
    norm, _, _ = _decoders()
    for _ in range(2):  # twice: the second message exercises rates and sequences
        with contextlib.suppress(WireError):
            opencfg.decode(msg.SerializeToString(), GW, 1, norm)
    norm.tables()
