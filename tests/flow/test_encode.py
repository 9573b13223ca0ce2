"""Encoders: bytes match the RFC layouts built by hand; MTU splitting and sequence numbers."""

from __future__ import annotations

import struct

import numpy as np

from collectors.flow import FlowDecoder, IpfixEncoder, V9Encoder

from .wire import EXPORTER, RX, ip4, ipfix, set_, template, v9, v9_template


def test_ipfix_bytes_match_hand_built() -> None:
    enc = IpfixEncoder(domain=4, sequence=7)
    enc.define(256, ["sourceIPv4Address", ("octetDeltaCount", 4), ("applicationName", 65535),
                     ("ie2636_9", 2)])  # fmt: skip
    (got,) = enc.encode(256, [{"sourceIPv4Address": "10.1.1.1", "octetDeltaCount": 5,
                               "applicationName": "dns", "ie2636_9": b"\x00\x01"}],
                        export_time=1000)  # fmt: skip
    body = ip4("10.1.1.1") + struct.pack(">I", 5) + b"\x03dns" + b"\x00\x01"
    want = ipfix([set_(2, template(256, [(8, 4), (1, 4), (96, 65535), (9, 2, 2636)])),
                  set_(256, body)], export=1000, seq=7, domain=4)  # fmt: skip
    assert got == want
    assert enc.sequence == 8


def test_v9_bytes_match_hand_built() -> None:
    enc = V9Encoder(domain=3, sequence=41)
    enc.define(300, ["sourceIPv4Address", ("protocolIdentifier", 1)])
    (got,) = enc.encode(
        300,
        {
            "sourceIPv4Address": np.array([0x0A000001], np.uint32),
            "protocolIdentifier": np.array([6]),
        },
        export_time=5,
        uptime_ms=9,
    )
    data = set_(300, ip4("10.0.0.1") + b"\x06" + bytes(3))  # padded to 4 octets
    want = v9(
        [set_(0, v9_template(300, [(8, 4), (4, 1)])), data],
        uptime=9,
        secs=5,
        seq=41,
        source=3,
        count=2,
    )
    assert got == want
    assert enc.sequence == 42


def test_mtu_split_and_sequences() -> None:
    enc = IpfixEncoder(domain=1, mtu=200)
    enc.define(256, ["sourceIPv4Address", "destinationIPv4Address", "octetDeltaCount"])  # 16 B
    records = {
        "sourceIPv4Address": np.arange(100, dtype=np.uint32),
        "destinationIPv4Address": np.arange(100, dtype=np.uint32),
        "octetDeltaCount": np.arange(100, dtype=np.uint64),
    }
    out = enc.encode(256, records, export_time=1)
    assert all(len(d) <= 200 for d in out)
    seqs = [struct.unpack_from(">I", d, 8)[0] for d in out]
    counts = [(len(d) - 20) // 16 for d in out[1:]]
    # 200 = 16 (header) + 20 (template set) + 4 (set header) + 10 x 16 records.
    assert len(out[0]) == 200 and seqs[0] == 0 and seqs[1] == 10
    assert seqs[2] == seqs[1] + counts[0]
    dec = FlowDecoder()
    result = dec.decode_many((d, EXPORTER, RX) for d in out)
    assert result.flows.column("bytes").to_pylist() == list(range(100))
    assert result.counters.lost_records == 0 and result.rejected == []
    assert enc.sequence == 100


def test_template_only_datagram_and_withdrawal() -> None:
    enc = IpfixEncoder(domain=2)
    enc.define(256, ["sourceIPv4Address"])
    enc.define(257, ["interfaceName"], scope=["ingressInterface"])
    dec = FlowDecoder()
    r = dec.decode(enc.template_datagram(export_time=1), EXPORTER, RX)
    assert r.counters.templates_learned == 2
    w = dec.decode(enc.withdraw(256, export_time=2), EXPORTER, RX)
    assert w.counters.templates_withdrawn == 1 and len(dec.state.templates) == 1
