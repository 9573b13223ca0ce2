"""Normalization shared by the telemetry collectors (JTI, gNMI, SNMP): counters → rates."""
