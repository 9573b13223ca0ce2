"""Every numeric OID the SNMP collector polls or decodes, with the enumerations it needs.

No MIB file is loaded at run time (the hot path compares integer tuples); the numbers below
are written from the MIB modules named beside them. Enterprise 2636 is Juniper Networks.

Polled objects, walked column by column with GETBULK (the columns of a group share one index):

| group: index | object (module) | OID | syntax |
|---|---|---|---|
| system | sysUpTime.0 (SNMPv2-MIB) | 1.3.6.1.2.1.1.3.0 | TimeTicks, 1/100 s |
| interfaces: ifIndex | ifDescr (IF-MIB ifTable) | 1.3.6.1.2.1.2.2.1.2 | DisplayString |
| | ifSpeed | 1.3.6.1.2.1.2.2.1.5 | Gauge32, bit/s |
| | ifAdminStatus | 1.3.6.1.2.1.2.2.1.7 | up(1) down(2) testing(3) |
| | ifOperStatus | 1.3.6.1.2.1.2.2.1.8 | up(1) down(2) … lowerLayerDown(7) |
| | ifInDiscards, ifInErrors | 1.3.6.1.2.1.2.2.1.13, .14 | Counter32 |
| | ifOutDiscards, ifOutErrors | 1.3.6.1.2.1.2.2.1.19, .20 | Counter32 |
| | ifName (IF-MIB ifXTable) | 1.3.6.1.2.1.31.1.1.1.1 | DisplayString |
| | ifHCInOctets | 1.3.6.1.2.1.31.1.1.1.6 | Counter64 |
| | ifHCIn{Ucast,Multicast,Broadcast}Pkts | 1.3.6.1.2.1.31.1.1.1.7, .8, .9 | Counter64 |
| | ifHCOutOctets | 1.3.6.1.2.1.31.1.1.1.10 | Counter64 |
| | ifHCOut{Ucast,Multicast,Broadcast}Pkts | 1.3.6.1.2.1.31.1.1.1.11, .12, .13 | Counter64 |
| | ifHighSpeed | 1.3.6.1.2.1.31.1.1.1.15 | Gauge32, Mbit/s |
| | dot3StatsFCSErrors (EtherLike-MIB) | 1.3.6.1.2.1.10.7.2.1.3 | Counter32 |
| + without HC counters | ifInOctets, ifInUcastPkts | 1.3.6.1.2.1.2.2.1.10, .11 | Counter32 |
| | ifOutOctets, ifOutUcastPkts | 1.3.6.1.2.1.2.2.1.16, .17 | Counter32 |
| operating: jnxOperating- | jnxOperatingDescr (JUNIPER-MIB) | 1.3.6.1.4.1.2636.3.1.13.1.5 | text |
| ContentsIndex.L1.L2.L3 | jnxOperatingState | 1.3.6.1.4.1.2636.3.1.13.1.6 | running(2) … |
| | jnxOperatingTemp | 1.3.6.1.4.1.2636.3.1.13.1.7 | Gauge32, °C |
| | jnxOperatingCPU | 1.3.6.1.4.1.2636.3.1.13.1.8 | Gauge32, % |
| | jnxOperatingBuffer | 1.3.6.1.4.1.2636.3.1.13.1.11 | Gauge32, % |
| | jnxOperatingUpTime | 1.3.6.1.4.1.2636.3.1.13.1.13 | TimeInterval |
| spu: SPU index | jnxJsSPUMonitoringFPCIndex (1) | 1.3.6.1.4.1.2636.3.39.1.12.1.1.1.2 | Gauge32 |
| | jnxJsSPUMonitoringSPUIndex | ….1.12.1.1.1.3 | Gauge32 |
| | jnxJsSPUMonitoringCPUUsage | ….1.12.1.1.1.4 | Gauge32, % |
| | jnxJsSPUMonitoringMemoryUsage | ….1.12.1.1.1.5 | Gauge32, % |
| | jnxJsSPUMonitoringCurrentFlowSession | ….1.12.1.1.1.6 | Gauge32 |
| | jnxJsSPUMonitoringMaxFlowSession | ….1.12.1.1.1.7 | Gauge32 |
| | jnxJsSPUMonitoringNodeDescr | ….1.12.1.1.1.11 | text |
| rpm: owner.test. | jnxRpmResSumSent (JUNIPER-RPM-MIB) | 1.3.6.1.4.1.2636.3.50.1.2.1.2 | count |
| collection | jnxRpmResSumReceived | 1.3.6.1.4.1.2636.3.50.1.2.1.3 | count |
| | jnxRpmResSumPercentLost | 1.3.6.1.4.1.2636.3.50.1.2.1.4 | 1e-6 % |
| | jnxRpmResSumDate | 1.3.6.1.4.1.2636.3.50.1.2.1.5 | DateAndTime |
| rpm-calc (GET): owner. | jnxRpmResCalcSamples | 1.3.6.1.4.1.2636.3.50.1.3.1.2 | Unsigned32 |
| test.collection.set | jnxRpmResCalc{Min,Max,Average} | 1.3.6.1.4.1.2636.3.50.1.3.1.3-5 | µs |
| | jnxRpmResCalc{PkToPk,StdDev} | 1.3.6.1.4.1.2636.3.50.1.3.1.6, .7 | µs |
| rpm-target (GET): | pingCtlTargetAddressType (DISMAN-PING-MIB) | 1.3.6.1.2.1.80.1.2.1.3 | type |
| owner.test | pingCtlTargetAddress | 1.3.6.1.2.1.80.1.2.1.4 | InetAddress |
| ike: remote type. | jnxIkeTunMonLocalGwAddr (2) | 1.3.6.1.4.1.2636.3.52.1.1.2.1.4 | InetAddress |
| address.index | jnxIkeTunMonState | 1.3.6.1.4.1.2636.3.52.1.1.2.1.6 | up(1) down(2) |
| | jnxIkeTunMonRemoteIdValue | 1.3.6.1.4.1.2636.3.52.1.1.2.1.14 | text |
| | jnxIkeTunMonActiveTime | 1.3.6.1.4.1.2636.3.52.1.1.2.1.21 | TimeInterval |
| ipsec (3) | jnxIpSecTunMonOutEncrypted{Bytes,Pkts} | ….52.1.2.2.1.10, .11 | Counter64 |
| | jnxIpSecTunMonInDecrypted{Bytes,Pkts} | ….52.1.2.2.1.12, .13 | Counter64 |

(1) JUNIPER-SRX5000-SPU-MONITORING-MIB jnxJsSPUMonitoringObjectsTable (1.3.6.1.4.1.2636.3.39.
1.12.1.1.1). (2) JUNIPER-IPSEC-FLOW-MON-MIB jnxIkeTunnelMonTable. (3) its jnxIpSecTunnelMonTable
(1.3.6.1.4.1.2636.3.52.1.2.2.1), same index as the IKE table.
TimeInterval and TimeTicks are in 1/100 s; jnxOperatingTemp 0 means "no sensor".

Notifications decoded by the trap receiver (``TRAPS``; any other trap is kept under its OID):

| notification (module) | OID | category / state |
|---|---|---|
| coldStart, warmStart (SNMPv2-MIB) | 1.3.6.1.6.3.1.1.5.1, .2 | system / restarted |
| linkDown, linkUp (IF-MIB) | 1.3.6.1.6.3.1.1.5.3, .4 | interface / down, up |
| authenticationFailure | 1.3.6.1.6.3.1.1.5.5 | system / auth_failure |
| pingProbeFailed, pingTestFailed (DISMAN-PING-MIB) | 1.3.6.1.2.1.80.0.1, .2 | rpm / failed |
| pingTestCompleted | 1.3.6.1.2.1.80.0.3 | rpm / completed |
| jnxPingRttThresholdExceeded … (JUNIPER-PING-MIB) | 1.3.6.1.4.1.2636.4.9.0.1-10 | rpm / exceeded |
| jnxPowerSupplyFailure, jnxFanFailure, jnxOverTemperature | ….2636.4.1.1-3 | chassis / raised |
| jnxPowerSupplyOK, jnxFanOK, jnxTemperatureOK (JUNIPER-MIB) | ….2636.4.2.1-3 | chassis / cleared |

Varbinds read from notifications: sysUpTime.0, snmpTrapOID.0 (1.3.6.1.6.3.1.1.4.1.0), ifIndex
(1.3.6.1.2.1.2.2.1.1), ifDescr, ifAdminStatus, ifOperStatus, ifName; pingCtlTargetAddress
(owner and test from its index), pingResultsMinRtt/MaxRtt/AverageRtt (1.3.6.1.2.1.80.1.3.1.4-6,
ms), pingResultsProbeResponses/SentProbes (.7, .8), jnxPingResultsRttUs … JitterRttUs
(1.3.6.1.4.1.2636.3.7.1.3.1.1-19, µs).
"""

from __future__ import annotations

from dataclasses import dataclass

Oid = tuple[int, ...]


def oid(text: str) -> Oid:
    """``"1.3.6.1"`` → ``(1, 3, 6, 1)``."""
    return tuple(int(part) for part in text.strip(".").split("."))


def dotted(value: Oid) -> str:
    return ".".join(map(str, value))


@dataclass(frozen=True, slots=True)
class Column:
    """One MIB column (or scalar): its name, numeric OID and the module table it belongs to."""

    name: str
    oid: Oid
    mib_table: str  # telemetry ``sensor``: "IF-MIB::ifXTable"


@dataclass(frozen=True, slots=True)
class Group:
    """Columns walked together with GETBULK; they share one index."""

    name: str
    columns: tuple[Column, ...]
    initial_rows: int  # first max-repetitions guess; later polls use the row count seen + 1

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _columns(mib_table: str, entry: str, pairs: tuple[tuple[str, int], ...]) -> tuple[Column, ...]:
    base = oid(entry)
    return tuple(Column(name, (*base, sub), mib_table) for name, sub in pairs)


IF_TABLE = "IF-MIB::ifTable"
IF_X_TABLE = "IF-MIB::ifXTable"
DOT3_TABLE = "EtherLike-MIB::dot3StatsTable"

SYS_UPTIME = Column("sysUpTime", oid("1.3.6.1.2.1.1.3.0"), "SNMPv2-MIB::system")
#: GETNEXT from here returns sysUpTime.0 (used as the GETBULK non-repeater)
SYS_UPTIME_PREFIX = oid("1.3.6.1.2.1.1.3")

INTERFACES = Group(
    "interfaces",
    _columns(
        IF_TABLE,
        "1.3.6.1.2.1.2.2.1",
        (
            ("ifDescr", 2),
            ("ifSpeed", 5),
            ("ifAdminStatus", 7),
            ("ifOperStatus", 8),
            ("ifInDiscards", 13),
            ("ifInErrors", 14),
            ("ifOutDiscards", 19),
            ("ifOutErrors", 20),
        ),
    )
    + _columns(
        IF_X_TABLE,
        "1.3.6.1.2.1.31.1.1.1",
        (
            ("ifName", 1),
            ("ifHCInOctets", 6),
            ("ifHCInUcastPkts", 7),
            ("ifHCInMulticastPkts", 8),
            ("ifHCInBroadcastPkts", 9),
            ("ifHCOutOctets", 10),
            ("ifHCOutUcastPkts", 11),
            ("ifHCOutMulticastPkts", 12),
            ("ifHCOutBroadcastPkts", 13),
            ("ifHighSpeed", 15),
        ),
    )
    + _columns(DOT3_TABLE, "1.3.6.1.2.1.10.7.2.1", (("dot3StatsFCSErrors", 3),)),
    initial_rows=32,
)

#: the same group with the 32-bit counters too, walked for devices without HC counters
INTERFACES_32 = Group(
    "interfaces",
    INTERFACES.columns
    + _columns(
        IF_TABLE,
        "1.3.6.1.2.1.2.2.1",
        (("ifInOctets", 10), ("ifInUcastPkts", 11), ("ifOutOctets", 16), ("ifOutUcastPkts", 17)),
    ),
    initial_rows=32,
)

JNX_OPERATING_TABLE = "JUNIPER-MIB::jnxOperatingTable"
OPERATING = Group(
    "operating",
    _columns(
        JNX_OPERATING_TABLE,
        "1.3.6.1.4.1.2636.3.1.13.1",
        (
            ("jnxOperatingDescr", 5),
            ("jnxOperatingState", 6),
            ("jnxOperatingTemp", 7),
            ("jnxOperatingCPU", 8),
            ("jnxOperatingBuffer", 11),
            ("jnxOperatingUpTime", 13),
        ),
    ),
    initial_rows=16,
)

SPU_TABLE = "JUNIPER-SRX5000-SPU-MONITORING-MIB::jnxJsSPUMonitoringObjectsTable"
SPU = Group(
    "spu",
    _columns(
        SPU_TABLE,
        "1.3.6.1.4.1.2636.3.39.1.12.1.1.1",
        (
            ("jnxJsSPUMonitoringFPCIndex", 2),
            ("jnxJsSPUMonitoringSPUIndex", 3),
            ("jnxJsSPUMonitoringCPUUsage", 4),
            ("jnxJsSPUMonitoringMemoryUsage", 5),
            ("jnxJsSPUMonitoringCurrentFlowSession", 6),
            ("jnxJsSPUMonitoringMaxFlowSession", 7),
            ("jnxJsSPUMonitoringNodeDescr", 11),
        ),
    ),
    initial_rows=4,
)

RPM_SUMMARY_TABLE = "JUNIPER-RPM-MIB::jnxRpmResultsSummaryTable"
RPM_SUMMARY = Group(
    "rpm",
    _columns(
        RPM_SUMMARY_TABLE,
        "1.3.6.1.4.1.2636.3.50.1.2.1",
        (
            ("jnxRpmResSumSent", 2),
            ("jnxRpmResSumReceived", 3),
            ("jnxRpmResSumPercentLost", 4),
            ("jnxRpmResSumDate", 5),
        ),
    ),
    initial_rows=8,
)

RPM_CALC_TABLE = "JUNIPER-RPM-MIB::jnxRpmResultsCalculatedTable"
#: read with GET for (owner, test, lastCompletedTest, roundTripTime | posRttJitter) only
RPM_CALC = Group(
    "rpm-calc",
    _columns(
        RPM_CALC_TABLE,
        "1.3.6.1.4.1.2636.3.50.1.3.1",
        (
            ("jnxRpmResCalcSamples", 2),
            ("jnxRpmResCalcMin", 3),
            ("jnxRpmResCalcMax", 4),
            ("jnxRpmResCalcAverage", 5),
            ("jnxRpmResCalcPkToPk", 6),
            ("jnxRpmResCalcStdDev", 7),
        ),
    ),
    initial_rows=0,
)

PING_CTL_TABLE = "DISMAN-PING-MIB::pingCtlTable"
#: read with GET for each RPM test found
RPM_TARGET = Group(
    "rpm-target",
    _columns(
        PING_CTL_TABLE,
        "1.3.6.1.2.1.80.1.2.1",
        (("pingCtlTargetAddressType", 3), ("pingCtlTargetAddress", 4)),
    ),
    initial_rows=0,
)

IKE_TABLE = "JUNIPER-IPSEC-FLOW-MON-MIB::jnxIkeTunnelMonTable"
IKE = Group(
    "ike",
    _columns(
        IKE_TABLE,
        "1.3.6.1.4.1.2636.3.52.1.1.2.1",
        (
            ("jnxIkeTunMonLocalGwAddr", 4),
            ("jnxIkeTunMonState", 6),
            ("jnxIkeTunMonRemoteIdValue", 14),
            ("jnxIkeTunMonActiveTime", 21),
        ),
    ),
    initial_rows=8,
)

IPSEC_TABLE = "JUNIPER-IPSEC-FLOW-MON-MIB::jnxIpSecTunnelMonTable"
IPSEC = Group(
    "ipsec",
    _columns(
        IPSEC_TABLE,
        "1.3.6.1.4.1.2636.3.52.1.2.2.1",
        (
            ("jnxIpSecTunMonOutEncryptedBytes", 10),
            ("jnxIpSecTunMonOutEncryptedPkts", 11),
            ("jnxIpSecTunMonInDecryptedBytes", 12),
            ("jnxIpSecTunMonInDecryptedPkts", 13),
        ),
    ),
    initial_rows=8,
)

#: walked every poll, in this order (INTERFACES_32 replaces INTERFACES where needed)
WALKED: tuple[Group, ...] = (INTERFACES, OPERATING, SPU, RPM_SUMMARY, IKE, IPSEC)

#: every polled column by name
COLUMNS: dict[str, Column] = {
    c.name: c
    for g in (INTERFACES_32, OPERATING, SPU, RPM_SUMMARY, RPM_CALC, RPM_TARGET, IKE, IPSEC)
    for c in g.columns
}

# -- enumerations ----------------------------------------------------------------------------

IF_OPER_STATUS = {
    1: "up",
    2: "down",
    3: "testing",
    4: "unknown",
    5: "dormant",
    6: "notPresent",
    7: "lowerLayerDown",
}
IF_ADMIN_STATUS = {1: "up", 2: "down", 3: "testing"}
JNX_OPERATING_STATE = {
    1: "unknown",
    2: "running",
    3: "ready",
    4: "reset",
    5: "runningAtFullSpeed",
    6: "down",
    7: "standby",
}
#: jnxContentsContainerIndex of power supplies (first sub-identifier of the jnxOperating index)
JNX_CONTAINER_POWER = 2
IKE_STATE = {1: "up", 2: "down"}
RPM_COLLECTION = {1: "currentTest", 2: "lastCompletedTest", 3: "movingAverage", 4: "allTests"}
RPM_LAST_COMPLETED = 2
RPM_SET_RTT = 1  # roundTripTime
RPM_SET_POS_RTT_JITTER = 2  # posRttJitter
#: ifSpeed saturates here; ifHighSpeed (Mbit/s) is the speed then (RFC 2863)
IF_SPEED_MAX = 4_294_967_295

# -- notifications ---------------------------------------------------------------------------

SNMP_TRAP_OID = oid("1.3.6.1.6.3.1.1.4.1.0")
#: added when a v1 trap is translated (RFC 3584): agent-addr and community
SNMP_TRAP_ADDRESS = oid("1.3.6.1.6.3.18.1.3.0")
SNMP_TRAP_COMMUNITY = oid("1.3.6.1.6.3.18.1.4.0")
SYS_UPTIME_0 = SYS_UPTIME.oid
IF_INDEX = oid("1.3.6.1.2.1.2.2.1.1")
IF_DESCR = oid("1.3.6.1.2.1.2.2.1.2")
IF_ADMIN = oid("1.3.6.1.2.1.2.2.1.7")
IF_OPER = oid("1.3.6.1.2.1.2.2.1.8")
IF_NAME = oid("1.3.6.1.2.1.31.1.1.1.1")
PING_CTL_TARGET_ADDRESS = oid("1.3.6.1.2.1.80.1.2.1.4")
PING_RESULTS = oid("1.3.6.1.2.1.80.1.3.1")
JNX_PING_RESULTS = oid("1.3.6.1.4.1.2636.3.7.1.3.1")

#: DISMAN-PING-MIB pingResultsEntry columns carried by ping notifications
PING_RESULTS_COLUMNS = {
    1: "pingResultsOperStatus",
    2: "pingResultsIpTargetAddressType",
    3: "pingResultsIpTargetAddress",
    4: "pingResultsMinRtt",
    5: "pingResultsMaxRtt",
    6: "pingResultsAverageRtt",
    7: "pingResultsProbeResponses",
    8: "pingResultsSentProbes",
    9: "pingResultsRttSumOfSquares",
    10: "pingResultsLastGoodProbe",
}
#: JUNIPER-PING-MIB jnxPingResultsEntry columns (microseconds)
JNX_PING_RESULTS_COLUMNS = {
    1: "jnxPingResultsRttUs",
    2: "jnxPingResultsSumRttUs",
    3: "jnxPingResultsMinRttUs",
    4: "jnxPingResultsMaxRttUs",
    5: "jnxPingResultsAvgRttUs",
    6: "jnxPingResultsStdDevRttUs",
    7: "jnxPingResultsEgressUs",
    8: "jnxPingResultsMinEgressUs",
    9: "jnxPingResultsMaxEgressUs",
    10: "jnxPingResultsAvgEgressUs",
    11: "jnxPingResultsStddevEgressUs",
    12: "jnxPingResultsIngressUs",
    13: "jnxPingResultsMinIngressUs",
    14: "jnxPingResultsMaxIngressUs",
    15: "jnxPingResultsAvgIngressUs",
    16: "jnxPingResultsStddevIngressUs",
    17: "jnxPingResultsJitterRttUs",
    18: "jnxPingResultsJitterEgressUs",
    19: "jnxPingResultsJitterIngressUs",
}


@dataclass(frozen=True, slots=True)
class Trap:
    """What a known notification means for ``device_events``."""

    name: str
    category: str
    state: str


def _jnx_ping(n: int, name: str) -> tuple[Oid, Trap]:
    return (*oid("1.3.6.1.4.1.2636.4.9.0"), n), Trap(name, "rpm", "exceeded")


TRAPS: dict[Oid, Trap] = {
    oid("1.3.6.1.6.3.1.1.5.1"): Trap("coldStart", "system", "restarted"),
    oid("1.3.6.1.6.3.1.1.5.2"): Trap("warmStart", "system", "restarted"),
    oid("1.3.6.1.6.3.1.1.5.3"): Trap("linkDown", "interface", "down"),
    oid("1.3.6.1.6.3.1.1.5.4"): Trap("linkUp", "interface", "up"),
    oid("1.3.6.1.6.3.1.1.5.5"): Trap("authenticationFailure", "system", "auth_failure"),
    oid("1.3.6.1.2.1.80.0.1"): Trap("pingProbeFailed", "rpm", "failed"),
    oid("1.3.6.1.2.1.80.0.2"): Trap("pingTestFailed", "rpm", "failed"),
    oid("1.3.6.1.2.1.80.0.3"): Trap("pingTestCompleted", "rpm", "completed"),
    **dict(
        _jnx_ping(n, name)
        for n, name in enumerate(
            (
                "jnxPingRttThresholdExceeded",
                "jnxPingRttStdDevThresholdExceeded",
                "jnxPingRttJitterThresholdExceeded",
                "jnxPingEgressThresholdExceeded",
                "jnxPingEgressStdDevThresholdExceeded",
                "jnxPingEgressJitterThresholdExceeded",
                "jnxPingIngressThresholdExceeded",
                "jnxPingIngressStddevThresholdExceeded",
                "jnxPingIngressJitterThresholdExceeded",
                "jnxPingMaxRttThresholdExceeded",
            ),
            start=1,
        )
    ),
    oid("1.3.6.1.4.1.2636.4.1.1"): Trap("jnxPowerSupplyFailure", "chassis", "raised"),
    oid("1.3.6.1.4.1.2636.4.1.2"): Trap("jnxFanFailure", "chassis", "raised"),
    oid("1.3.6.1.4.1.2636.4.1.3"): Trap("jnxOverTemperature", "chassis", "raised"),
    oid("1.3.6.1.4.1.2636.4.2.1"): Trap("jnxPowerSupplyOK", "chassis", "cleared"),
    oid("1.3.6.1.4.1.2636.4.2.2"): Trap("jnxFanOK", "chassis", "cleared"),
    oid("1.3.6.1.4.1.2636.4.2.3"): Trap("jnxTemperatureOK", "chassis", "cleared"),
}
