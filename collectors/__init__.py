"""Device-facing collectors: wire codecs, listeners and the Arrow schemas of the raw lake tables.

This root owns bytes → records (and records → bytes for the simulator and tests), per-exporter
state, the listeners and the ``Sink`` protocol they write to. It must never import ``assurance``,
``models`` or duckdb: the lake and everything that composes live on the other side of ``Sink``.
"""
