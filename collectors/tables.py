"""Declarations of the raw lake tables that collectors write.

Raw before derived: columns hold what the device said (counters as reported, the device's own
timestamps and sequence numbers); anything computed (rates, verdicts) sits beside the raw value
with a name that says so. Every table starts with the same origin columns so that an exporter
missing from the inventory is kept with ``site`` null instead of being dropped.
"""

from __future__ import annotations

import pyarrow as pa

from collectors.schema import TIMESTAMP, Column, TableSpec, col, required

STR = pa.string()
F64 = pa.float64()
U8, U16, U32, U64 = pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64()
I64 = pa.int64()
BOOL = pa.bool_()
KV = pa.map_(pa.string(), pa.string())


def _origin(time_doc: str) -> tuple[Column, ...]:
    return (
        required("event_time", TIMESTAMP, time_doc),
        required("received_at", TIMESTAMP, "When the collector received the input (UTC)"),
        required("exporter", STR, "Source IP address of the device that sent the input"),
        col("device", STR, "Inventory name of the exporter; null if the exporter is unknown"),
        col("site", STR, "Inventory site of the exporter; null if the exporter is unknown"),
    )


FLOWS = TableSpec(
    name="flows",
    doc="One row per jflow record (IPFIX, NetFlow v9 or v5) as exported by the device",
    time_column="event_time",
    columns=(
        *_origin("Flow end time from the record; the export time when the record has none"),
        required("version", U8, "Export protocol version: 5, 9 or 10 (IPFIX)"),
        required("observation_domain", U32, "IPFIX observation domain / v9 source id / v5 engine"),
        col("template_id", U16, "Template the record was decoded with (null for v5)"),
        col("sequence", U32, "Export header sequence number of the datagram"),
        col("export_time", TIMESTAMP, "Export time from the datagram header"),
        col("start_time", TIMESTAMP, "Flow start time (absolute or sysUpTime-relative, in UTC)"),
        col("end_time", TIMESTAMP, "Flow end time as exported; null if the record has none"),
        col("ip_version", U8, "4 or 6"),
        col("src_addr", STR, "Source IP address"),
        col("dst_addr", STR, "Destination IP address"),
        col("src_port", U16, "Source transport port"),
        col("dst_port", U16, "Destination transport port (ICMP: type × 256 + code)"),
        col("protocol", U8, "IP protocol number"),
        col("tos", U8, "IP type of service / traffic class"),
        col("tcp_flags", U16, "Union of TCP flags seen in the flow"),
        col("bytes", U64, "Octets as reported (not scaled by sampling)"),
        col("packets", U64, "Packets as reported (not scaled by sampling)"),
        col("bytes_scaled", U64, "Derived: bytes × sampling_rate (× 1 when the rate is unknown)"),
        col(
            "packets_scaled", U64, "Derived: packets × sampling_rate (× 1 when the rate is unknown)"
        ),
        col(
            "sampling_rate", U32, "1-in-N packet sampling in force for the record; null if unknown"
        ),
        col("in_if", U32, "Ingress SNMP ifIndex"),
        col("out_if", U32, "Egress SNMP ifIndex"),
        col("next_hop", STR, "IP next hop"),
        col("src_as", U32, "Source BGP AS"),
        col("dst_as", U32, "Destination BGP AS"),
        col("src_mask", U8, "Source prefix length"),
        col("dst_mask", U8, "Destination prefix length"),
        col("direction", U8, "Flow direction: 0 ingress, 1 egress"),
        col("vlan_id", U16, "VLAN id"),
        col("extra", KV, "Every other decoded element, keyed by IANA IPFIX name or ie<pen>_<id>"),
    ),
)

FLOW_OPTIONS = TableSpec(
    name="flow_options",
    doc="One row per options data record: sampling, interface names, exporter statistics",
    time_column="event_time",
    columns=(
        *_origin("Export time from the datagram header"),
        required("version", U8, "Export protocol version: 9 or 10 (IPFIX)"),
        required("observation_domain", U32, "IPFIX observation domain / v9 source id"),
        required("template_id", U16, "Options template the record was decoded with"),
        col("sequence", U32, "Export header sequence number of the datagram"),
        col("scope", KV, "Scope fields by name (a zero-length System scope is kept as empty)"),
        col("sampling_interval", U32, "Sampling interval (IE 34/305 or v9 equivalents)"),
        col("sampling_algorithm", U8, "Sampling algorithm (IE 35/304)"),
        col("sampler_id", U32, "Sampler id (IE 48/302)"),
        col("if_index", U32, "Interface index the record describes"),
        col("if_name", STR, "Interface name (IE 82)"),
        col("if_description", STR, "Interface description (IE 83)"),
        col("exported_messages", U64, "exportedMessageTotalCount (IE 41)"),
        col("exported_records", U64, "exportedFlowRecordTotalCount (IE 42)"),
        col("values", KV, "Every decoded non-scope field by IANA name"),
    ),
)

SYSLOG_EVENTS = TableSpec(
    name="syslog_events",
    doc="Every syslog line received, with parsed header, tag and key/value fields and raw text",
    time_column="event_time",
    columns=(
        *_origin("Timestamp from the message header in UTC; receive time when it has none"),
        col("transport", STR, "udp, tcp or tls"),
        col("format", STR, "rfc5424, rfc3164 or junos-structured"),
        col("facility", U8, "Syslog facility"),
        col("severity", U8, "Syslog severity (0 emergency … 7 debug)"),
        col("hostname", STR, "Hostname from the header"),
        col("app_name", STR, "APP-NAME / tag (e.g. RT_FLOW)"),
        col("proc_id", STR, "PROCID"),
        col("msg_id", STR, "MSGID / event tag (e.g. RT_FLOW_SESSION_CLOSE)"),
        col("fields", KV, "Structured-data or key=value parameters"),
        col("message", STR, "Free-text part of the message"),
        required("raw", STR, "The line exactly as received (decoded as UTF-8 with replacement)"),
    ),
)

SESSIONS = TableSpec(
    name="sessions",
    doc="Session records from RT_FLOW and APPTRACK: create, close, deny and app updates",
    time_column="event_time",
    columns=(
        *_origin("Time of the event on the device clock (UTC)"),
        required("event_type", STR, "session_create, session_close, session_deny, appt_update…"),
        col("session_id", U64, "Device session id"),
        col("src_addr", STR, "Client (source) IP"),
        col("src_port", U16, "Source port"),
        col("dst_addr", STR, "Server (destination) IP"),
        col("dst_port", U16, "Destination port"),
        col("nat_src_addr", STR, "Source IP after NAT"),
        col("nat_src_port", U16, "Source port after NAT"),
        col("nat_dst_addr", STR, "Destination IP after NAT"),
        col("nat_dst_port", U16, "Destination port after NAT"),
        col("protocol", U8, "IP protocol number"),
        col("service_name", STR, "Junos application/service name (junos-https…)"),
        col("application", STR, "AppID application"),
        col("nested_application", STR, "AppID nested application"),
        col("policy_name", STR, "Security policy that matched"),
        col("source_zone", STR, "Source security zone"),
        col("destination_zone", STR, "Destination security zone"),
        col("ingress_interface", STR, "packet-incoming-interface"),
        col("egress_interface", STR, "Egress interface where reported"),
        col("username", STR, "User identity"),
        col("bytes_from_client", U64, "Octets client → server as reported"),
        col("packets_from_client", U64, "Packets client → server as reported"),
        col("bytes_from_server", U64, "Octets server → client as reported"),
        col("packets_from_server", U64, "Packets server → client as reported"),
        col("elapsed_s", U32, "Session duration in seconds as reported"),
        col("close_reason", STR, "Reason the session closed (TCP FIN, idle timeout, RST…)"),
    ),
)

SLA_METRICS = TableSpec(
    name="sla_metrics",
    doc="Path quality measurements: AppQoE SLA probes and violations, RPM probe results",
    time_column="event_time",
    columns=(
        *_origin("Measurement time on the device clock (UTC)"),
        required("source", STR, "appqoe, rpm or probe"),
        col("probe", STR, "Probe, SLA rule or RPM test name"),
        col("application", STR, "Application or application group the SLA applies to"),
        col("interface", STR, "Egress interface the probe ran over"),
        col("path", STR, "Overlay path / destination group"),
        col("destination", STR, "Probe destination address"),
        col("rtt_ms", F64, "Round-trip time in milliseconds"),
        col("jitter_ms", F64, "Jitter in milliseconds"),
        col("loss_pct", F64, "Packet loss in percent"),
        col("probes_sent", U32, "Probes sent in the measurement"),
        col("probes_received", U32, "Probe responses received"),
        col("violation", BOOL, "Whether the device declared an SLA violation"),
        col("violated_metric", STR, "Which metric violated the SLA (rtt, jitter, loss)"),
        col("fields", KV, "Every other reported parameter"),
    ),
)

TELEMETRY = TableSpec(
    name="telemetry",
    doc="Streaming telemetry in long form: one row per device, sensor path, keys and metric",
    time_column="event_time",
    columns=(
        *_origin("Sample timestamp from the device (UTC)"),
        required("source", STR, "jti-grpc, jti-udp, gnmi or snmp"),
        required("sensor", STR, "Sensor / subscription path"),
        col("component_id", U32, "JTI component id"),
        col("sequence", U64, "Device sequence number of the message"),
        col("keys", KV, "Keys that identify the instance (interface name, component…)"),
        required("metric", STR, "Leaf path of the value"),
        col("value", F64, "Numeric value"),
        col("value_text", STR, "Value when it is not numeric"),
    ),
)

INTERFACE_STATS = TableSpec(
    name="interface_stats",
    doc="Interface counters and state as reported, with derived rates beside them",
    time_column="event_time",
    columns=(
        *_origin("Sample timestamp from the device (UTC)"),
        required("source", STR, "jti-grpc, jti-udp, gnmi or snmp"),
        required("if_name", STR, "Interface name (ge-0/0/0, ge-0/0/0.0…)"),
        col("if_index", U32, "SNMP ifIndex"),
        col("oper_status", STR, "up, down, testing…"),
        col("admin_status", STR, "up or down"),
        col("speed_bps", U64, "Interface speed in bits per second"),
        col("in_octets", U64, "Input octet counter as reported"),
        col("out_octets", U64, "Output octet counter as reported"),
        col("in_pkts", U64, "Input packet counter as reported"),
        col("out_pkts", U64, "Output packet counter as reported"),
        col("in_errors", U64, "Input error counter as reported"),
        col("out_errors", U64, "Output error counter as reported"),
        col("in_discards", U64, "Input discard counter as reported"),
        col("out_discards", U64, "Output discard (queue drop) counter as reported"),
        col("in_crc_errors", U64, "Input CRC/FCS error counter as reported"),
        col("in_bps", F64, "Derived input rate in bits per second since the previous sample"),
        col("out_bps", F64, "Derived output rate in bits per second since the previous sample"),
        col("counter_reset", BOOL, "Derived: a counter went backwards (reset or wrap) here"),
    ),
)

DEVICE_HEALTH = TableSpec(
    name="device_health",
    doc="Device and component health: CPU, memory, temperature, power, session table",
    time_column="event_time",
    columns=(
        *_origin("Sample timestamp from the device (UTC)"),
        required("source", STR, "jti-grpc, jti-udp, gnmi, snmp or syslog"),
        col("component", STR, "Routing Engine, SPU/PIC, PSU, fan… (null for the whole device)"),
        col("cpu_pct", F64, "CPU utilization in percent"),
        col("memory_pct", F64, "Memory utilization in percent"),
        col("temperature_c", F64, "Temperature in degrees Celsius"),
        col("power_status", STR, "Power supply state"),
        col("sessions_current", U64, "Active flow sessions"),
        col("sessions_max", U64, "Session table capacity"),
        col("uptime_s", U64, "Uptime in seconds as reported"),
        col("status", STR, "Overall component state (ok, alarm, absent…)"),
    ),
)

CLIENT_EVENTS = TableSpec(
    name="client_events",
    doc="Wi-Fi and LAN client events: association, auth, DHCP, DNS, roam and RSSI samples",
    time_column="event_time",
    columns=(
        *_origin("Event time on the reporting device's clock (UTC)"),
        required("event_type", STR, "assoc, disassoc, auth, dhcp, dns, roam, rssi, port_up…"),
        col("result", STR, "ok or fail"),
        col("reason", STR, "Failure or disconnect reason as reported"),
        col("client_mac", STR, "Client MAC address, lower case, colon separated"),
        col("client_ip", STR, "Client IP address"),
        col("hostname", STR, "Client hostname"),
        col("username", STR, "802.1X / portal identity"),
        col("os", STR, "Client operating system"),
        col("ssid", STR, "SSID"),
        col("band", STR, "2.4, 5 or 6 (GHz)"),
        col("channel", U16, "Radio channel"),
        col("ap", STR, "AP name"),
        col("switch_port", STR, "Switch port (ge-0/0/10…)"),
        col("vlan", U16, "VLAN id"),
        col("rssi_dbm", F64, "Received signal strength in dBm"),
        col("snr_db", F64, "Signal-to-noise ratio in dB"),
        col("duration_ms", F64, "Duration of the step (e.g. DHCP or auth time) in ms"),
        col("fields", KV, "Every other reported parameter"),
    ),
)

VPN_TUNNELS = TableSpec(
    name="vpn_tunnels",
    doc="IKE and IPsec security associations: state of each overlay tunnel, with its counters",
    time_column="event_time",
    columns=(
        *_origin("Sample or event time on the device clock (UTC)"),
        required("source", STR, "jti-grpc, jti-udp, gnmi, snmp or syslog"),
        col("tunnel", STR, "Secure tunnel interface (st0.x) or SA index"),
        col("remote_gateway", STR, "IKE peer address"),
        col("local_address", STR, "Local IKE address"),
        col("ike_state", STR, "up or down"),
        col("ipsec_state", STR, "up or down"),
        col("uptime_s", U64, "Seconds since the SA came up, as reported"),
        col("in_octets", U64, "Decrypted octet counter as reported"),
        col("out_octets", U64, "Encrypted octet counter as reported"),
        col("in_pkts", U64, "Decrypted packet counter as reported"),
        col("out_pkts", U64, "Encrypted packet counter as reported"),
        col("fields", KV, "Every other reported value"),
    ),
)

SECURITY_EVENTS = TableSpec(
    name="security_events",
    doc="Security events: IDP attacks, UTM (web filtering, antivirus, antispam), screens, "
    "anti-malware, security intelligence",
    time_column="event_time",
    columns=(
        *_origin("Time of the event on the device clock (UTC)"),
        required(
            "category",
            STR,
            "idp, utm_webfilter, utm_antivirus, utm_antispam, screen, aamw, secintel",
        ),
        required(
            "event_type", STR, "Message tag (RT_IDP_ATTACK_LOG_EVENT, WEBFILTER_URL_BLOCKED…)"
        ),
        col("action", STR, "What the device did (permitted, blocked, dropped, close…)"),
        col("severity_text", STR, "Threat severity as reported (critical, major, minor…)"),
        col("name", STR, "Attack, threat, category or screen name"),
        col("src_addr", STR, "Source IP"),
        col("src_port", U16, "Source port"),
        col("dst_addr", STR, "Destination IP"),
        col("dst_port", U16, "Destination port"),
        col("protocol", U8, "IP protocol number"),
        col("application", STR, "Application"),
        col("policy_name", STR, "Security policy"),
        col("source_zone", STR, "Source zone"),
        col("destination_zone", STR, "Destination zone"),
        col("username", STR, "User identity"),
        col("url", STR, "URL or host for web and anti-malware events"),
        col("session_id", U64, "Device session id"),
        col("fields", KV, "Every reported parameter"),
    ),
)

DEVICE_EVENTS = TableSpec(
    name="device_events",
    doc="Device and network events: interface up/down, VPN up/down, chassis alarms, PoE, STP, "
    "LLDP, DHCP snooping, port errors",
    time_column="event_time",
    columns=(
        *_origin("Time of the event on the device clock (UTC)"),
        required(
            "category",
            STR,
            "interface, vpn, chassis, poe, stp, lldp, dhcp_snooping, port_errors, system",
        ),
        required("event_type", STR, "Message tag (SNMP_TRAP_LINK_DOWN, KMD_VPN_DOWN_ALARM_USER…)"),
        col("state", STR, "up, down, raised, cleared, changed…"),
        col("interface", STR, "Interface or port concerned"),
        col("peer", STR, "VPN peer, LLDP neighbour or other counterpart"),
        col("reason", STR, "Reason as reported"),
        col("vlan", U16, "VLAN id"),
        col("fields", KV, "Every reported parameter"),
    ),
)

REJECTS = TableSpec(
    name="rejects",
    doc="Input that could not be decoded: kept byte for byte with the reason",
    time_column="event_time",
    columns=(
        required("event_time", TIMESTAMP, "When the collector received the input (UTC)"),
        required("exporter", STR, "Source address of the input"),
        col("device", STR, "Inventory name of the exporter; null if unknown"),
        col("site", STR, "Inventory site of the exporter; null if unknown"),
        required("source", STR, "Collector: flow, syslog, jti, gnmi, snmp, trap"),
        required("error", STR, "Error class (MalformedPacket, UnknownTemplate…)"),
        required("reason", STR, "What was wrong, in words"),
        col("domain", U32, "Observation domain / source id where known"),
        col("offset", I64, "Byte offset of the problem in the input where known"),
        required("raw", pa.binary(), "The input exactly as received"),
    ),
)

RAW_TABLES: tuple[TableSpec, ...] = (
    FLOWS,
    FLOW_OPTIONS,
    SYSLOG_EVENTS,
    SESSIONS,
    SLA_METRICS,
    TELEMETRY,
    INTERFACE_STATS,
    DEVICE_HEALTH,
    CLIENT_EVENTS,
    VPN_TUNNELS,
    SECURITY_EVENTS,
    DEVICE_EVENTS,
    REJECTS,
)
