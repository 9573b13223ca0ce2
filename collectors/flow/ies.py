"""IANA IPFIX information elements (RFC 7011/7012 registry subset) and NetFlow v9 field types.

Owns the static knowledge of what an element id means: its IANA name, abstract data type and
default (full) length, the RFC 3954 v9 field-type names with the IANA element each maps to, and
the v9 options scope types. Must not hold state or decode bytes; names here are what the decoder
writes into ``extra`` / ``values`` maps and what the encoder accepts as field names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Abstract data types (RFC 7012 §3.1) the codec distinguishes.
U8, U16, U32, U64 = "unsigned8", "unsigned16", "unsigned32", "unsigned64"
S32, S64 = "signed32", "signed64"
F64 = "float64"
BOOL = "boolean"
MAC = "macAddress"
OCTETS = "octetArray"
STRING = "string"
SECS, MILLIS = "dateTimeSeconds", "dateTimeMilliseconds"
MICROS, NANOS = "dateTimeMicroseconds", "dateTimeNanoseconds"
IPV4, IPV6 = "ipv4Address", "ipv6Address"
LIST = "basicList"

#: Length that marks a variable-length field in an IPFIX template (RFC 7011 §7).
VARLEN: Final = 65535

_DEFAULT_LENGTH: Final[dict[str, int]] = {
    U8: 1, U16: 2, U32: 4, U64: 8, S32: 4, S64: 8, F64: 8, BOOL: 1, MAC: 6,
    SECS: 4, MILLIS: 8, MICROS: 8, NANOS: 8, IPV4: 4, IPV6: 16,
}  # fmt: skip

#: Types whose value is an integer that may be sent in fewer octets (reduced-size encoding).
INTEGER_TYPES: Final = frozenset({U8, U16, U32, U64, S32, S64, BOOL, SECS, MILLIS})
SIGNED_TYPES: Final = frozenset({S32, S64})
#: dateTimeMicroseconds/Nanoseconds are NTP-format 64-bit timestamps (RFC 7011 §6.1.9-10).
NTP_TYPES: Final = frozenset({MICROS, NANOS})


@dataclass(frozen=True, slots=True)
class IE:
    """One information element: id, IANA name, abstract type and full length."""

    id: int
    name: str
    type: str

    @property
    def length(self) -> int:
        return _DEFAULT_LENGTH.get(self.type, VARLEN)


def _mpls_stack() -> list[tuple[int, str, str]]:
    first = [(70, "mplsTopLabelStackSection", OCTETS)]
    return first + [(70 + i, f"mplsLabelStackSection{i + 1}", OCTETS) for i in range(1, 10)]


_TABLE: Final[list[tuple[int, str, str]]] = [
    (1, "octetDeltaCount", U64), (2, "packetDeltaCount", U64), (3, "deltaFlowCount", U64),
    (4, "protocolIdentifier", U8), (5, "ipClassOfService", U8), (6, "tcpControlBits", U16),
    (7, "sourceTransportPort", U16), (8, "sourceIPv4Address", IPV4),
    (9, "sourceIPv4PrefixLength", U8), (10, "ingressInterface", U32),
    (11, "destinationTransportPort", U16), (12, "destinationIPv4Address", IPV4),
    (13, "destinationIPv4PrefixLength", U8), (14, "egressInterface", U32),
    (15, "ipNextHopIPv4Address", IPV4), (16, "bgpSourceAsNumber", U32),
    (17, "bgpDestinationAsNumber", U32), (18, "bgpNextHopIPv4Address", IPV4),
    (19, "postMCastPacketDeltaCount", U64), (20, "postMCastOctetDeltaCount", U64),
    (21, "flowEndSysUpTime", U32), (22, "flowStartSysUpTime", U32),
    (23, "postOctetDeltaCount", U64), (24, "postPacketDeltaCount", U64),
    (25, "minimumIpTotalLength", U64), (26, "maximumIpTotalLength", U64),
    (27, "sourceIPv6Address", IPV6), (28, "destinationIPv6Address", IPV6),
    (29, "sourceIPv6PrefixLength", U8), (30, "destinationIPv6PrefixLength", U8),
    (31, "flowLabelIPv6", U32), (32, "icmpTypeCodeIPv4", U16), (33, "igmpType", U8),
    (34, "samplingInterval", U32), (35, "samplingAlgorithm", U8),
    (36, "flowActiveTimeout", U16), (37, "flowIdleTimeout", U16), (38, "engineType", U8),
    (39, "engineId", U8), (40, "exportedOctetTotalCount", U64),
    (41, "exportedMessageTotalCount", U64), (42, "exportedFlowRecordTotalCount", U64),
    (43, "ipv4RouterSc", IPV4), (44, "sourceIPv4Prefix", IPV4),
    (45, "destinationIPv4Prefix", IPV4), (46, "mplsTopLabelType", U8),
    (47, "mplsTopLabelIPv4Address", IPV4), (48, "samplerId", U8), (49, "samplerMode", U8),
    (50, "samplerRandomInterval", U32), (51, "classId", U8), (52, "minimumTTL", U8),
    (53, "maximumTTL", U8), (54, "fragmentIdentification", U32),
    (55, "postIpClassOfService", U8), (56, "sourceMacAddress", MAC),
    (57, "postDestinationMacAddress", MAC), (58, "vlanId", U16), (59, "postVlanId", U16),
    (60, "ipVersion", U8), (61, "flowDirection", U8), (62, "ipNextHopIPv6Address", IPV6),
    (63, "bgpNextHopIPv6Address", IPV6), (64, "ipv6ExtensionHeaders", U32),
    *_mpls_stack(),
    (80, "destinationMacAddress", MAC), (81, "postSourceMacAddress", MAC),
    (82, "interfaceName", STRING), (83, "interfaceDescription", STRING),
    (84, "samplerName", STRING), (85, "octetTotalCount", U64), (86, "packetTotalCount", U64),
    (87, "flagsAndSamplerId", U32), (88, "fragmentOffset", U16), (89, "forwardingStatus", U32),
    (90, "mplsVpnRouteDistinguisher", OCTETS), (91, "mplsTopLabelPrefixLength", U8),
    (92, "srcTrafficIndex", U32), (93, "dstTrafficIndex", U32),
    (94, "applicationDescription", STRING), (95, "applicationId", OCTETS),
    (96, "applicationName", STRING), (98, "postIpDiffServCodePoint", U8),
    (99, "multicastReplicationFactor", U32), (100, "className", STRING),
    (101, "classificationEngineId", U8), (102, "layer2packetSectionOffset", U16),
    (103, "layer2packetSectionSize", U16), (104, "layer2packetSectionData", OCTETS),
    (128, "bgpNextAdjacentAsNumber", U32), (129, "bgpPrevAdjacentAsNumber", U32),
    (130, "exporterIPv4Address", IPV4), (131, "exporterIPv6Address", IPV6),
    (132, "droppedOctetDeltaCount", U64), (133, "droppedPacketDeltaCount", U64),
    (134, "droppedOctetTotalCount", U64), (135, "droppedPacketTotalCount", U64),
    (136, "flowEndReason", U8), (137, "commonPropertiesId", U64),
    (138, "observationPointId", U64), (139, "icmpTypeCodeIPv6", U16),
    (140, "mplsTopLabelIPv6Address", IPV6), (141, "lineCardId", U32), (142, "portId", U32),
    (143, "meteringProcessId", U32), (144, "exportingProcessId", U32),
    (145, "templateId", U16), (146, "wlanChannelId", U8), (147, "wlanSSID", STRING),
    (148, "flowId", U64), (149, "observationDomainId", U32),
    (150, "flowStartSeconds", SECS), (151, "flowEndSeconds", SECS),
    (152, "flowStartMilliseconds", MILLIS), (153, "flowEndMilliseconds", MILLIS),
    (154, "flowStartMicroseconds", MICROS), (155, "flowEndMicroseconds", MICROS),
    (156, "flowStartNanoseconds", NANOS), (157, "flowEndNanoseconds", NANOS),
    (158, "flowStartDeltaMicroseconds", U32), (159, "flowEndDeltaMicroseconds", U32),
    (160, "systemInitTimeMilliseconds", MILLIS), (161, "flowDurationMilliseconds", U32),
    (162, "flowDurationMicroseconds", U32), (163, "observedFlowTotalCount", U64),
    (164, "ignoredPacketTotalCount", U64), (165, "ignoredOctetTotalCount", U64),
    (166, "notSentFlowTotalCount", U64), (167, "notSentPacketTotalCount", U64),
    (168, "notSentOctetTotalCount", U64), (169, "destinationIPv6Prefix", IPV6),
    (170, "sourceIPv6Prefix", IPV6), (171, "postOctetTotalCount", U64),
    (172, "postPacketTotalCount", U64), (173, "flowKeyIndicator", U64),
    (174, "postMCastPacketTotalCount", U64), (175, "postMCastOctetTotalCount", U64),
    (176, "icmpTypeIPv4", U8), (177, "icmpCodeIPv4", U8), (178, "icmpTypeIPv6", U8),
    (179, "icmpCodeIPv6", U8), (180, "udpSourcePort", U16), (181, "udpDestinationPort", U16),
    (182, "tcpSourcePort", U16), (183, "tcpDestinationPort", U16),
    (184, "tcpSequenceNumber", U32), (185, "tcpAcknowledgementNumber", U32),
    (186, "tcpWindowSize", U16), (187, "tcpUrgentPointer", U16), (188, "tcpHeaderLength", U8),
    (189, "ipHeaderLength", U8), (190, "totalLengthIPv4", U16), (191, "payloadLengthIPv6", U16),
    (192, "ipTTL", U8), (193, "nextHeaderIPv6", U8), (194, "mplsPayloadLength", U32),
    (195, "ipDiffServCodePoint", U8), (196, "ipPrecedence", U8), (197, "fragmentFlags", U8),
    (198, "octetDeltaSumOfSquares", U64), (199, "octetTotalSumOfSquares", U64),
    (200, "mplsTopLabelTTL", U8), (201, "mplsLabelStackLength", U32),
    (202, "mplsLabelStackDepth", U32), (203, "mplsTopLabelExp", U8),
    (204, "ipPayloadLength", U32), (205, "udpMessageLength", U16), (206, "isMulticast", U8),
    (207, "ipv4IHL", U8), (208, "ipv4Options", U32), (209, "tcpOptions", U64),
    (210, "paddingOctets", OCTETS), (211, "collectorIPv4Address", IPV4),
    (212, "collectorIPv6Address", IPV6), (213, "exportInterface", U32),
    (214, "exportProtocolVersion", U8), (215, "exportTransportProtocol", U8),
    (216, "collectorTransportPort", U16), (217, "exporterTransportPort", U16),
    (218, "tcpSynTotalCount", U64), (219, "tcpFinTotalCount", U64),
    (220, "tcpRstTotalCount", U64), (221, "tcpPshTotalCount", U64),
    (222, "tcpAckTotalCount", U64), (223, "tcpUrgTotalCount", U64),
    (224, "ipTotalLength", U64), (225, "postNATSourceIPv4Address", IPV4),
    (226, "postNATDestinationIPv4Address", IPV4), (227, "postNAPTSourceTransportPort", U16),
    (228, "postNAPTDestinationTransportPort", U16), (229, "natOriginatingAddressRealm", U8),
    (230, "natEvent", U8), (231, "initiatorOctets", U64), (232, "responderOctets", U64),
    (233, "firewallEvent", U8), (234, "ingressVRFID", U32), (235, "egressVRFID", U32),
    (236, "VRFname", STRING), (237, "postMplsTopLabelExp", U8), (238, "tcpWindowScale", U16),
    (239, "biflowDirection", U8), (240, "ethernetHeaderLength", U8),
    (241, "ethernetPayloadLength", U16), (242, "ethernetTotalLength", U16),
    (243, "dot1qVlanId", U16), (244, "dot1qPriority", U8), (245, "dot1qCustomerVlanId", U16),
    (246, "dot1qCustomerPriority", U8), (247, "metroEvcId", STRING), (248, "metroEvcType", U8),
    (249, "pseudoWireId", U32), (250, "pseudoWireType", U16),
    (251, "pseudoWireControlWord", U32), (252, "ingressPhysicalInterface", U32),
    (253, "egressPhysicalInterface", U32), (254, "postDot1qVlanId", U16),
    (255, "postDot1qCustomerVlanId", U16), (256, "ethernetType", U16),
    (257, "postIpPrecedence", U8), (258, "collectionTimeMilliseconds", MILLIS),
    (259, "exportSctpStreamId", U16), (260, "maxExportSeconds", SECS),
    (261, "maxFlowEndSeconds", SECS), (262, "messageMD5Checksum", OCTETS),
    (263, "messageScope", U8), (264, "minExportSeconds", SECS),
    (265, "minFlowStartSeconds", SECS), (266, "opaqueOctets", OCTETS),
    (267, "sessionScope", U8), (268, "maxFlowEndMicroseconds", MICROS),
    (269, "maxFlowEndMilliseconds", MILLIS), (270, "maxFlowEndNanoseconds", NANOS),
    (271, "minFlowStartMicroseconds", MICROS), (272, "minFlowStartMilliseconds", MILLIS),
    (273, "minFlowStartNanoseconds", NANOS), (274, "collectorCertificate", OCTETS),
    (275, "exporterCertificate", OCTETS), (276, "dataRecordsReliability", BOOL),
    (277, "observationPointType", U8), (278, "newConnectionDeltaCount", U32),
    (279, "connectionSumDurationSeconds", U64), (280, "connectionTransactionId", U64),
    (281, "postNATSourceIPv6Address", IPV6), (282, "postNATDestinationIPv6Address", IPV6),
    (283, "natPoolId", U32), (284, "natPoolName", STRING), (285, "anonymizationFlags", U16),
    (286, "anonymizationTechnique", U16), (287, "informationElementIndex", U16),
    (288, "p2pTechnology", STRING), (289, "tunnelTechnology", STRING),
    (290, "encryptedTechnology", STRING), (291, "basicList", LIST),
    (292, "subTemplateList", LIST), (293, "subTemplateMultiList", LIST),
    (294, "bgpValidityState", U8), (295, "IPSecSPI", U32), (296, "greKey", U32),
    (297, "natType", U8), (298, "initiatorPackets", U64), (299, "responderPackets", U64),
    (300, "observationDomainName", STRING), (301, "selectionSequenceId", U64),
    (302, "selectorId", U64), (303, "informationElementId", U16),
    (304, "selectorAlgorithm", U16), (305, "samplingPacketInterval", U32),
    (306, "samplingPacketSpace", U32), (307, "samplingTimeInterval", U32),
    (308, "samplingTimeSpace", U32), (309, "samplingSize", U32),
    (310, "samplingPopulation", U32), (311, "samplingProbability", F64),
    (312, "dataLinkFrameSize", U16), (313, "ipHeaderPacketSection", OCTETS),
    (314, "ipPayloadPacketSection", OCTETS), (315, "dataLinkFrameSection", OCTETS),
    (316, "mplsLabelStackSection", OCTETS), (317, "mplsPayloadPacketSection", OCTETS),
    (318, "selectorIdTotalPktsObserved", U64), (319, "selectorIdTotalPktsSelected", U64),
    (320, "absoluteError", F64), (321, "relativeError", F64),
    (322, "observationTimeSeconds", SECS), (323, "observationTimeMilliseconds", MILLIS),
    (324, "observationTimeMicroseconds", MICROS), (325, "observationTimeNanoseconds", NANOS),
    (326, "digestHashValue", U64), (335, "selectorName", STRING),
    (346, "privateEnterpriseNumber", U32), (351, "layer2SegmentId", U64),
    (352, "layer2OctetDeltaCount", U64), (353, "layer2OctetTotalCount", U64),
    (361, "portRangeStart", U16), (362, "portRangeEnd", U16),
    (363, "portRangeStepSize", U16), (364, "portRangeNumPorts", U16),
    (365, "staMacAddress", MAC), (366, "staIPv4Address", IPV4), (367, "wtpMacAddress", MAC),
    (368, "ingressInterfaceType", U32), (369, "egressInterfaceType", U32),
    (370, "rtpSequenceNumber", U16), (371, "userName", STRING),
    (372, "applicationCategoryName", STRING), (373, "applicationSubCategoryName", STRING),
    (374, "applicationGroupName", STRING), (385, "rfc3550JitterMilliseconds", U32),
    (386, "rfc3550JitterMicroseconds", U32), (387, "rfc3550JitterNanoseconds", U32),
    (390, "flowSelectorAlgorithm", U16), (396, "samplingFlowInterval", U64),
    (397, "samplingFlowSpacing", U64),
]  # fmt: skip

#: IANA registry subset: element id → IE (enterprise bit clear).
IANA: Final[dict[int, IE]] = {i: IE(i, n, t) for i, n, t in _TABLE}
BY_NAME: Final[dict[str, IE]] = {ie.name: ie for ie in IANA.values()}

#: Enterprise-specific elements the codec knows by name: (PEN, id) → IE. Juniper (PEN 2636)
#: SRX jflow uses IANA elements for everything the flow table needs; unknown enterprise
#: elements are kept as ``ie<pen>_<id>`` octet arrays, as RFC 7011 §3.2 requires.
ENTERPRISE: Final[dict[tuple[int, int], IE]] = {}

#: RFC 3954 §8 field type names. Types 1-89 (and the NAT types Cisco added later) carry the same
#: numbers and semantics in the IANA registry, so a v9 field type *is* its IANA element id.
V9_NAMES: Final[dict[int, str]] = {
    1: "IN_BYTES", 2: "IN_PKTS", 3: "FLOWS", 4: "PROTOCOL", 5: "SRC_TOS", 6: "TCP_FLAGS",
    7: "L4_SRC_PORT", 8: "IPV4_SRC_ADDR", 9: "SRC_MASK", 10: "INPUT_SNMP", 11: "L4_DST_PORT",
    12: "IPV4_DST_ADDR", 13: "DST_MASK", 14: "OUTPUT_SNMP", 15: "IPV4_NEXT_HOP", 16: "SRC_AS",
    17: "DST_AS", 18: "BGP_IPV4_NEXT_HOP", 19: "MUL_DST_PKTS", 20: "MUL_DST_BYTES",
    21: "LAST_SWITCHED", 22: "FIRST_SWITCHED", 23: "OUT_BYTES", 24: "OUT_PKTS",
    25: "MIN_PKT_LNGTH", 26: "MAX_PKT_LNGTH", 27: "IPV6_SRC_ADDR", 28: "IPV6_DST_ADDR",
    29: "IPV6_SRC_MASK", 30: "IPV6_DST_MASK", 31: "IPV6_FLOW_LABEL", 32: "ICMP_TYPE",
    33: "MUL_IGMP_TYPE", 34: "SAMPLING_INTERVAL", 35: "SAMPLING_ALGORITHM",
    36: "FLOW_ACTIVE_TIMEOUT", 37: "FLOW_INACTIVE_TIMEOUT", 38: "ENGINE_TYPE", 39: "ENGINE_ID",
    40: "TOTAL_BYTES_EXP", 41: "TOTAL_PKTS_EXP", 42: "TOTAL_FLOWS_EXP",
    44: "IPV4_SRC_PREFIX", 45: "IPV4_DST_PREFIX", 46: "MPLS_TOP_LABEL_TYPE",
    47: "MPLS_TOP_LABEL_IP_ADDR", 48: "FLOW_SAMPLER_ID", 49: "FLOW_SAMPLER_MODE",
    50: "FLOW_SAMPLER_RANDOM_INTERVAL", 52: "MIN_TTL", 53: "MAX_TTL", 54: "IPV4_IDENT",
    55: "DST_TOS", 56: "IN_SRC_MAC", 57: "OUT_DST_MAC", 58: "SRC_VLAN", 59: "DST_VLAN",
    60: "IP_PROTOCOL_VERSION", 61: "DIRECTION", 62: "IPV6_NEXT_HOP", 63: "BGP_IPV6_NEXT_HOP",
    64: "IPV6_OPTION_HEADERS", **{69 + i: f"MPLS_LABEL_{i}" for i in range(1, 11)},
    80: "IN_DST_MAC", 81: "OUT_SRC_MAC", 82: "IF_NAME", 83: "IF_DESC", 84: "SAMPLER_NAME",
    85: "IN_PERMANENT_BYTES", 86: "IN_PERMANENT_PKTS", 88: "FRAGMENT_OFFSET",
    89: "FORWARDING_STATUS", 225: "XLATE_SRC_ADDR_IPV4", 226: "XLATE_DST_ADDR_IPV4",
    227: "XLATE_SRC_PORT", 228: "XLATE_DST_PORT",
}  # fmt: skip

#: RFC 3954 §6.1 options scope field types; they live in their own number space.
V9_SCOPES: Final[dict[int, IE]] = {
    1: IE(1, "scopeSystem", OCTETS),
    2: IE(2, "scopeInterface", U32),
    3: IE(3, "scopeLineCard", U32),
    4: IE(4, "scopeCache", U32),
    5: IE(5, "scopeTemplate", U32),
}
#: Pseudo enterprise number under which v9 scope fields are keyed (no real PEN is negative).
V9_SCOPE_PEN: Final = -1


def v9_ie(field_type: int) -> int:
    """IANA element id of a v9 field type (the numbering coincides; kept as one seam)."""
    return field_type


def lookup(ie_id: int, pen: int = 0) -> IE:
    """The element for ``(pen, id)``; unknown ones become ``ie<pen>_<id>`` octet arrays."""
    if pen == 0:
        known = IANA.get(ie_id)
    elif pen == V9_SCOPE_PEN:
        known = V9_SCOPES.get(ie_id)
    else:
        known = ENTERPRISE.get((pen, ie_id))
    if known is not None:
        return known
    if pen == V9_SCOPE_PEN:
        return IE(ie_id, f"scope{ie_id}", OCTETS)
    return IE(ie_id, f"ie{pen}_{ie_id}", OCTETS)


def resolve(name: str) -> tuple[int, int]:
    """``(pen, id)`` for an IANA name or an ``ie<pen>_<id>`` name; KeyError when neither."""
    known = BY_NAME.get(name)
    if known is not None:
        return 0, known.id
    if name.startswith("ie") and "_" in name:
        pen_text, _, id_text = name[2:].partition("_")
        if pen_text.isdigit() and id_text.isdigit():
            return int(pen_text), int(id_text)
    raise KeyError(name)
