"""Valid datagrams of every kind the decoder handles: the seeds that fuzzing mutates."""

from __future__ import annotations

import struct

from collectors.flow import IpfixEncoder, V9Encoder

from .wire import ip4, ipfix, options_template, set_, template, v9, v9_options_template, v9_template


def corpus() -> list[bytes]:
    out: list[bytes] = []
    enc = IpfixEncoder(domain=1, mtu=1400)
    enc.define(
        256,
        [
            "sourceIPv4Address",
            "destinationIPv4Address",
            "sourceTransportPort",
            ("octetDeltaCount", 4),
            "flowStartMilliseconds",
            "flowEndMilliseconds",
            ("tcpControlBits", 1),
            ("bgpSourceAsNumber", 3),
            "sourceMacAddress",
        ],
    )
    recs = [{"sourceIPv4Address": f"10.0.0.{i}", "destinationIPv4Address": "8.8.8.8",
             "sourceTransportPort": 1000 + i, "octetDeltaCount": i * 100,
             "flowStartMilliseconds": 1_700_000_000_000 + i,
             "flowEndMilliseconds": 1_700_000_001_000 + i, "tcpControlBits": 0x12,
             "bgpSourceAsNumber": 65000, "sourceMacAddress": "00:11:22:33:44:55"}
            for i in range(12)]  # fmt: skip
    out += enc.encode(256, recs, export_time=1_700_000_002)
    enc.define(
        257,
        [
            "sourceIPv4Address",
            ("applicationName", 65535),
            ("ie2636_12", 65535),
            ("ie2636_13", 2),
            "flowEndSysUpTime",
            "flowStartSysUpTime",
        ],
    )
    out += enc.encode(
        257,
        [
            {
                "sourceIPv4Address": "1.2.3.4",
                "applicationName": "x" * n,
                "ie2636_12": b"\x01" * (n // 2),
                "ie2636_13": b"\x00\x07",
                "flowEndSysUpTime": 5000,
                "flowStartSysUpTime": 4000,
            }
            for n in (0, 3, 254, 255, 400)
        ],
        export_time=1_700_000_003,
    )
    enc.define(
        258,
        [
            "interfaceName",
            "samplingPacketInterval",
            "samplingPacketSpace",
            "systemInitTimeMilliseconds",
        ],
        scope=["ingressInterface"],
    )
    out += enc.encode(
        258,
        [
            {
                "ingressInterface": 5,
                "interfaceName": "ge-0/0/0",
                "samplingPacketInterval": 1,
                "samplingPacketSpace": 9,
                "systemInitTimeMilliseconds": 1_699_000_000_000,
            }
        ],
        export_time=9,
    )
    enc.define(
        259,
        [
            "sourceIPv6Address",
            "destinationIPv6Address",
            "flowStartMicroseconds",
            "flowEndNanoseconds",
            "selectorId",
            "samplingInterval",
        ],
    )
    out += enc.encode(
        259,
        [
            {
                "sourceIPv6Address": "2001:db8::1",
                "destinationIPv6Address": "::ffff:10.0.0.1",
                "flowStartMicroseconds": 1_700_000_000_000_000,
                "flowEndNanoseconds": 1_700_000_000_000_000_000,
                "selectorId": 3,
                "samplingInterval": 0,
            }
        ]
        * 3,
        export_time=10,
    )
    out.append(enc.withdraw(256, export_time=11))
    out.append(
        ipfix(
            [
                set_(3, options_template(600, [(149, 4)], [(311, 8), (304, 2)])),
                set_(600, struct.pack(">IdH", 1, 0.01, 4) + bytes(2)),
            ]
        )
    )
    out.append(
        ipfix(
            [
                set_(2, template(601, [(8, 4), (12, 4), (1, 8)])),
                set_(601, ip4("1.1.1.1") + ip4("2.2.2.2") + struct.pack(">Q", 1)),
            ]
        )
    )

    venc = V9Encoder(domain=3, mtu=500)
    venc.define(
        300,
        [
            "sourceIPv4Address",
            "destinationIPv4Address",
            "flowStartSysUpTime",
            "flowEndSysUpTime",
            ("protocolIdentifier", 1),
            "samplerId",
        ],
    )
    out += venc.encode(
        300,
        [
            {
                "sourceIPv4Address": "10.1.1.1",
                "destinationIPv4Address": "10.2.2.2",
                "flowStartSysUpTime": 100,
                "flowEndSysUpTime": 200,
                "protocolIdentifier": 6,
                "samplerId": 1,
            }
        ]
        * 20,
        export_time=1_700_000_000,
        uptime_ms=300,
    )
    opt = v9_options_template(310, [(1, 0)], [(34, 4), (35, 1)])
    out.append(
        v9(
            [
                set_(1, opt + bytes(2)),
                set_(310, struct.pack(">IB", 100, 2) + bytes(3)),
                set_(0, v9_template(311, [(8, 4), (27, 16), (48, 2)])),
            ],
            uptime=400,
            secs=1_700_000_001,
            seq=2,
            source=3,
        )
    )
    v5 = struct.pack(">HHIIIIBBH", 5, 2, 1000, 1_700_000_000, 0, 0, 0, 0, 0x4000 | 10)
    v5 += (ip4("10.0.0.1") + ip4("10.0.0.2") + bytes(40)) * 2
    out.append(v5)
    return out
