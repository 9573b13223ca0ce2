"""Synthetic SRX jflow: an SRX-like IPFIX template and vectorized record columns for it.

Used by the demo and the ingest benchmark to produce realistic exports through the real
encoder: clients in a site subnet talking to SaaS servers, heavy-tailed volumes, flows ending
within a given time window. Pure: returns columns; encoding and sending are the caller's.
"""

from __future__ import annotations

import numpy as np

#: The elements an SRX sends in its IPv4 IPFIX template (inline jflow, version-ipfix).
SRX_IPV4_FIELDS = (
    "sourceIPv4Address",
    "destinationIPv4Address",
    "sourceTransportPort",
    "destinationTransportPort",
    "protocolIdentifier",
    "ipClassOfService",
    "tcpControlBits",
    "octetDeltaCount",
    "packetDeltaCount",
    "ingressInterface",
    "egressInterface",
    "ipNextHopIPv4Address",
    "bgpSourceAsNumber",
    "bgpDestinationAsNumber",
    "sourceIPv4PrefixLength",
    "destinationIPv4PrefixLength",
    "flowDirection",
    "flowStartMilliseconds",
    "flowEndMilliseconds",
    "vlanId",
)

_SAAS_NETS = np.array([0x0D6B0000, 0x34700000, 0x28600000, 0x8EFA0000, 0x68100000], np.uint32)


def srx_ipv4_columns(
    rng: np.random.Generator,
    count: int,
    *,
    first_end_ms: int,
    last_end_ms: int,
    client_net: int = 0x0A010000,
) -> dict[str, np.ndarray]:
    """``count`` records for ``SRX_IPV4_FIELDS`` whose flows end in [first_end_ms, last_end_ms]."""
    end_ms = np.sort(rng.integers(first_end_ms, last_end_ms + 1, count))
    packets = np.maximum(1, rng.lognormal(2.5, 1.6, count)).astype(np.int64)
    protocol = rng.choice(np.array([6, 6, 6, 17, 17]), count)
    return {
        "sourceIPv4Address": (client_net + rng.integers(2, 1024, count)).astype(np.uint32),
        "destinationIPv4Address": (
            rng.choice(_SAAS_NETS, count) + rng.integers(1, 1 << 16, count)
        ).astype(np.uint32),
        "sourceTransportPort": rng.integers(1024, 65535, count),
        "destinationTransportPort": rng.choice(
            np.array([443, 443, 443, 80, 53, 3478, 8801]), count
        ),
        "protocolIdentifier": protocol,
        "ipClassOfService": rng.choice(np.array([0, 0, 0, 184, 136]), count),
        "tcpControlBits": np.where(protocol == 6, 0x1B, 0),
        "octetDeltaCount": packets * rng.integers(60, 1400, count),
        "packetDeltaCount": packets,
        "ingressInterface": rng.integers(500, 508, count),
        "egressInterface": rng.integers(508, 512, count),
        "ipNextHopIPv4Address": np.full(count, 0xC0000201, np.uint32),
        "bgpSourceAsNumber": np.zeros(count, np.int64),
        "bgpDestinationAsNumber": rng.choice(np.array([8075, 15169, 16509, 13335]), count),
        "sourceIPv4PrefixLength": np.full(count, 24),
        "destinationIPv4PrefixLength": rng.choice(np.array([16, 20, 24]), count),
        "flowDirection": rng.integers(0, 2, count),
        "flowStartMilliseconds": end_ms - rng.integers(0, 300_000, count),
        "flowEndMilliseconds": end_ms,
        "vlanId": rng.choice(np.array([10, 20, 30]), count),
    }
