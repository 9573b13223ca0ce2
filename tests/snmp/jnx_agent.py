"""A net-snmp ``pass_persist`` helper serving fixed Juniper MIB objects to snmpd.

snmpd runs it for two subtrees: enterprise 2636 (jnxOperatingTable, SPU monitoring, RPM results,
IKE and IPsec tunnel tables) and DISMAN-PING-MIB (pingCtlTargetAddress). The values are fixed
so that the tests can write the expected lake rows by hand. Protocol (snmpd(8), pass_persist):
``PING`` → ``PONG``; ``get``/``getnext`` + OID → OID, type, value, or ``NONE``.
"""

from __future__ import annotations

import sys

JNX = "1.3.6.1.4.1.2636"
OPERATING = f"{JNX}.3.1.13.1"
SPU = f"{JNX}.3.39.1.12.1.1.1"
RPM_SUM = f"{JNX}.3.50.1.2.1"
RPM_CALC = f"{JNX}.3.50.1.3.1"
IKE = f"{JNX}.3.52.1.1.2.1"
IPSEC = f"{JNX}.3.52.1.2.2.1"
PING_CTL = "1.3.6.1.2.1.80.1.2.1"


def text_index(*words: str) -> str:
    return ".".join(".".join([str(len(w)), *(str(ord(c)) for c in w)]) for w in words)


def ipv4_index(address: str) -> str:
    return f"1.4.{address}"


ISP1 = text_index("sdwan", "isp1-probe")
ISP2 = text_index("sdwan", "isp2-probe")
# DateAndTime 2026-05-28 20:26:40.0 +00:00 and 2026-05-28 20:27:40.0 +00:00
DATE1 = "07 ea 05 1c 14 1a 28 00 2b 00 00"
DATE2 = "07 ea 05 1c 14 1b 28 00 2b 00 00"

OBJECTS: dict[str, tuple[str, str]] = {}


def put(oid: str, kind: str, value: object) -> None:
    OBJECTS[oid] = (kind, str(value))


# jnxOperatingTable: Routing Engine, FPC, a power supply, a fan
for row_index, descr, state, temp, cpu, buffer, uptime in (
    ("9.1.0.0", "Routing Engine", 2, 45, 12, 37, 8_640_000),
    ("7.1.0.0", "FPC: SRX340 @ 0/*/*", 2, 41, 23, 55, 8_630_000),
    ("2.1.0.0", "Power Supply 0", 2, 0, 0, 0, 0),
    ("4.1.1.0", "Fan 1", 6, 0, 0, 0, 0),
):
    put(f"{OPERATING}.5.{row_index}", "string", descr)
    put(f"{OPERATING}.6.{row_index}", "integer", state)
    put(f"{OPERATING}.7.{row_index}", "gauge", temp)
    put(f"{OPERATING}.8.{row_index}", "gauge", cpu)
    put(f"{OPERATING}.11.{row_index}", "gauge", buffer)
    put(f"{OPERATING}.13.{row_index}", "timeticks", uptime)

# SPU monitoring: one SPU on FPC 0
for column, kind, value in (
    (2, "gauge", 0),
    (3, "gauge", 0),
    (4, "gauge", 31),
    (5, "gauge", 62),
    (6, "gauge", 15_234),
    (7, "gauge", 262_144),
    (11, "string", "single"),
):
    put(f"{SPU}.{column}.0", kind, value)

# RPM summary: two tests, all four collections; lastCompletedTest (2) is the one we read
for test, date, sent, received, lost in (
    (ISP1, DATE1, 10, 9, 10_000_000),
    (ISP2, DATE2, 10, 10, 0),
):
    for collection in (1, 2, 3, 4):
        scale = 1 if collection == 2 else collection * 3
        put(f"{RPM_SUM}.2.{test}.{collection}", "gauge", sent * scale)
        put(f"{RPM_SUM}.3.{test}.{collection}", "gauge", received * scale)
        put(f"{RPM_SUM}.4.{test}.{collection}", "gauge", lost)
        put(f"{RPM_SUM}.5.{test}.{collection}", "octet", date)

# RPM calculated results (µs): isp1 has roundTripTime (1) and posRttJitter (2);
# isp2 only roundTripTime, so its jitter comes from the RTT peak-to-peak
for test, set_, samples, low, high, avg, pk2pk, stddev in (
    (ISP1, 1, 9, 11_200, 25_400, 15_600, 14_200, 3_100),
    (ISP1, 2, 8, 0, 6_300, 2_100, 6_300, 1_700),
    (ISP2, 1, 10, 43_000, 52_100, 48_200, 9_100, 2_500),
):
    for column, value in ((2, samples), (3, low), (4, high), (5, avg), (6, pk2pk), (7, stddev)):
        put(f"{RPM_CALC}.{column}.{test}.2.{set_}", "gauge", value)

# DISMAN-PING-MIB pingCtlTargetAddressType / pingCtlTargetAddress
put(f"{PING_CTL}.3.{ISP1}", "integer", 1)
put(f"{PING_CTL}.4.{ISP1}", "octet", "0a 00 00 01")
put(f"{PING_CTL}.3.{ISP2}", "integer", 16)
put(f"{PING_CTL}.4.{ISP2}", "string", "probe.example.net")

# IKE SAs: hub 192.0.2.1 up for an hour, hub 192.0.2.2 down
for remote, index, local, state, remote_id, active in (
    ("192.0.2.1", 1, "c6 33 64 01", 1, "hub1.example.net", 360_000),
    ("192.0.2.2", 2, "c6 33 64 01", 2, "hub2.example.net", 0),
):
    row = f"{ipv4_index(remote)}.{index}"
    put(f"{IKE}.4.{row}", "octet", local)
    put(f"{IKE}.6.{row}", "integer", state)
    put(f"{IKE}.14.{row}", "string", remote_id)
    put(f"{IKE}.21.{row}", "timeticks", active)

# IPsec SAs: two to 192.0.2.1, none to 192.0.2.2
for index, out_bytes, out_pkts, in_bytes, in_pkts in (
    (1, 5_000_000, 4_000, 7_000_000, 5_000),
    (2, 1_000, 10, 2_000, 20),
):
    row = f"{ipv4_index('192.0.2.1')}.{index}"
    put(f"{IPSEC}.10.{row}", "counter64", out_bytes)
    put(f"{IPSEC}.11.{row}", "counter64", out_pkts)
    put(f"{IPSEC}.12.{row}", "counter64", in_bytes)
    put(f"{IPSEC}.13.{row}", "counter64", in_pkts)


def key(oid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in oid.strip(".").split("."))


#: the subtree snmpd registered this process for (argv[1]); objects outside it are not served
ROOT = key(sys.argv[1]) if len(sys.argv) > 1 else ()
ORDER = sorted((o for o in OBJECTS if key(o)[: len(ROOT)] == ROOT), key=key)
SERVED = set(ORDER)


def answer(command: str, oid: str) -> list[str]:
    wanted = key(oid)
    if command == "get":
        name = ".".join(map(str, wanted))
        found = OBJECTS.get(name) if name in SERVED else None
        return ["NONE"] if found is None else ["." + ".".join(map(str, wanted)), *found]
    for candidate in ORDER:
        if key(candidate) > wanted:
            return ["." + candidate, *OBJECTS[candidate]]
    return ["NONE"]


def main() -> None:
    lines = iter(sys.stdin.readline, "")
    for line in lines:
        command = line.strip()
        if command == "PING":
            reply = ["PONG"]
        elif command in ("get", "getnext"):
            reply = answer(command, next(lines).strip())
        elif command == "set":
            next(lines), next(lines)
            reply = ["not-writable"]
        else:
            reply = ["NONE"]
        sys.stdout.write("\n".join(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
