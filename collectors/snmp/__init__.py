"""SNMP: an asyncio poller (v2c on our own codec, v3 through pysnmp 7) and a trap/inform receiver.

* ``oids`` — every numeric OID polled or decoded, in documented tables (no MIB files, ever);
* ``values`` — plain Python values and the textual conventions (InetAddress, DateAndTime);
* ``walk`` — GETBULK table walks, sans-IO;
* ``ber`` — SNMPv1/v2c requests and responses as bytes, sans-IO (no pyasn1 objects);
* ``v2c`` — the v2c request path: shared UDP sockets, request-ids, timeouts and retries;
* ``client`` — opens a session per device (v2c → ``v2c``, v3 → pysnmp) and is the narrow typed
  wrapper around pysnmp's command generators (all pysnmp calls of the poller live there);
* ``errors`` — ``SnmpError``, the one failure a request ends in;
* ``normalize`` + ``rows`` — walked tables → ``interface_stats``, ``device_health``,
  ``sla_metrics``, ``vpn_tunnels`` and ``telemetry`` rows, sans-IO;
* ``poller`` — one asyncio task per device, per-device interval, timeout and error states;
* ``notifications`` — received notifications → ``device_events`` rows, sans-IO;
* ``trapengine`` — pysnmp as a notification decoder (communities, USM users, replies);
* ``traps`` — the UDP trap receiver: socket → queue → decoding thread → sink;
* ``metrics`` — Prometheus counters of both, in registries of their own.

Nothing here imports ``assurance``: targets and credentials arrive as plain strings.
"""
