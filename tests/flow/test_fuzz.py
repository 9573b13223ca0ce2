"""Mutated datagrams raise nothing but WireError, and output still fits the schemas."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.errors import WireError
from collectors.flow import FlowDecoder
from collectors.tables import FLOW_OPTIONS, FLOWS

from .corpus import corpus
from .wire import EXPORTER, RX, scaled

CORPUS = corpus()

flip = st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(0, 7))
cut = st.tuples(st.just("cut"), st.integers(0, 10_000), st.just(0))
insert = st.tuples(st.just("insert"), st.integers(0, 10_000), st.binary(min_size=1, max_size=8))
length = st.tuples(st.just("u16"), st.integers(0, 10_000), st.integers(0, 65535))
drop = st.tuples(st.just("drop"), st.integers(0, 10_000), st.integers(1, 16))
mutation = st.one_of(flip, cut, insert, length, drop)


def mutate(data: bytes, ops: list[tuple[str, int, object]], fix_length: bool) -> bytes:
    buf = bytearray(data)
    for op, where, arg in ops:
        pos = where % (len(buf) + 1)
        if op == "flip" and buf:
            buf[pos % len(buf)] ^= 1 << int(arg)  # type: ignore[call-overload]
        elif op == "cut":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = arg  # type: ignore[index]
        elif op == "u16" and len(buf) >= 2:
            p = pos % (len(buf) - 1)
            buf[p : p + 2] = int(arg).to_bytes(2, "big")  # type: ignore[call-overload]
        elif op == "drop":
            del buf[pos : pos + int(arg)]  # type: ignore[call-overload]
    if fix_length and len(buf) >= 4 and buf[:2] == b"\x00\x0a" and len(buf) <= 0xFFFF:
        buf[2:4] = len(buf).to_bytes(2, "big")  # so the damage reaches the sets
    return bytes(buf)


def check(decoder: FlowDecoder, data: bytes) -> None:
    try:
        result = decoder.decode(data, EXPORTER, RX)
    except WireError:
        return
    assert result.flows.schema == FLOWS.schema
    assert result.options.schema == FLOW_OPTIONS.schema
    result.flows.validate(full=True)
    result.options.validate(full=True)
    for rej in result.rejected:
        assert isinstance(rej.error, WireError)


@settings(max_examples=scaled(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, len(CORPUS) - 1), ops=st.lists(mutation, min_size=1, max_size=4),
       warm=st.booleans(), fix_length=st.booleans())  # fmt: skip
def test_mutated_datagrams_raise_only_wire_errors(
    seed: int, ops: list[tuple[str, int, object]], warm: bool, fix_length: bool
) -> None:
    decoder = FlowDecoder()
    if warm:  # templates known, so mutated data sets reach the record decoders
        decoder.decode_many((d, EXPORTER, RX) for d in CORPUS)
    check(decoder, mutate(CORPUS[seed], ops, fix_length))
    # Whatever the mutation taught the decoder, clean input must still decode without surprises.
    for d in CORPUS:
        check(decoder, d)


@settings(max_examples=scaled(200), deadline=None)
@given(data=st.binary(max_size=300), version=st.sampled_from([5, 9, 10]))
def test_random_bytes_after_a_version(data: bytes, version: int) -> None:
    check(FlowDecoder(), version.to_bytes(2, "big") + data)
