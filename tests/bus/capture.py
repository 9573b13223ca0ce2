"""A replayable IPFIX capture whose records are known before any decoder sees them.

Record ``i`` has source port ``i % 60000 + 1024``… (see ``expected``): the expected lake content
comes from these generated columns, not from decoding anything.
"""

from __future__ import annotations

import socket
import time

from collectors.flow import IpfixEncoder

FIELDS = [
    "sourceIPv4Address",
    "destinationIPv4Address",
    "sourceTransportPort",
    "destinationTransportPort",
    "protocolIdentifier",
    "octetDeltaCount",
    "packetDeltaCount",
    "flowStartMilliseconds",
    "flowEndMilliseconds",
]
#: The same template id redefined with one more element (type of service) in the middle.
FIELDS_V2 = [*FIELDS[:5], "ipClassOfService", *FIELDS[5:]]
RECORDS_PER_DATAGRAM = 20
#: 2026-06-01T00:59:00Z: records span two hourly partitions (00 and 01).
START_MS = 1_780_275_540_000


def columns(first: int, count: int) -> dict[str, list[object]]:
    ids = range(first, first + count)
    return {
        "sourceIPv4Address": [f"10.1.{(i // 250) % 250}.{i % 250 + 1}" for i in ids],
        "destinationIPv4Address": ["192.0.2.10"] * count,
        "sourceTransportPort": [1024 + i % 60000 for i in ids],
        "destinationTransportPort": [443] * count,
        "protocolIdentifier": [6] * count,
        "octetDeltaCount": [1000 + i for i in ids],
        "packetDeltaCount": [1 + i % 7 for i in ids],
        "flowStartMilliseconds": [START_MS + i * 50 for i in ids],
        "flowEndMilliseconds": [START_MS + i * 50 + 900 for i in ids],
    }


def expected(first: int, count: int) -> list[tuple[str, int, int, int]]:
    """(src_addr, src_port, bytes, packets) of records ``first`` … ``first + count - 1``."""
    c = columns(first, count)
    return sorted(
        zip(
            c["sourceIPv4Address"],  # type: ignore[arg-type]
            c["sourceTransportPort"],  # type: ignore[arg-type]
            c["octetDeltaCount"],  # type: ignore[arg-type]
            c["packetDeltaCount"],  # type: ignore[arg-type]
            strict=True,
        )
    )


def datagrams(
    first: int, count: int, *, with_template: bool, fields: list[str] = FIELDS
) -> list[bytes]:
    """IPFIX messages (domain 7, template 256) carrying records ``first`` … ``first+count-1``;
    with a template message in front when ``with_template``."""
    encoder = IpfixEncoder(domain=7)
    encoder.define(256, fields)
    export_s = (START_MS + (first + count) * 50) // 1000 + 5
    cols = columns(first, count)
    if "ipClassOfService" in fields:
        cols["ipClassOfService"] = [0xB8] * count  # EF
    data = encoder.encode(
        256,
        cols,
        export_time=export_s,
        max_records=RECORDS_PER_DATAGRAM,
        with_template=False,
    )
    if with_template:
        return [encoder.template_datagram(export_time=export_s), *data]
    return data


def send(port: int, messages: list[bytes], per_second: float = 2000.0) -> None:
    """Send ``messages`` to 127.0.0.1:``port``, paced."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        start = time.perf_counter()
        for n, message in enumerate(messages):
            sock.sendto(message, ("127.0.0.1", port))
            delay = start + (n + 1) / per_second - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
