"""Hourly and daily roll-ups of the minute tables the dashboard reads over long ranges.

``tables`` declares ``user_hours`` (per client, hour and path: minutes, bytes, judged and
degraded minutes of every SLE), ``probe_hours`` (WAN probe results per link), ``port_hours``
(interface counters), ``radio_hours`` (client RSSI/SNR with 5 dB bins) and ``connect_hours``
(client connection steps), each with the SQL that derives it from its minute table, and the
daily ``*_days`` table of each (the same keys per day, so distinct counts stay exact);
``build`` writes them (``python -m assurance.rollups --lake PATH``, idempotent, only stale
hours and days, missing ones filled). ``assurance.query`` reads whole days, then whole hours
from them and the edges of a range from the minutes.
The SLE roll-ups ``sle_hours``/``sle_days`` are the SLE engine's, not this package's. Must not
write any other table.
"""

from assurance.rollups.build import Built, build
from assurance.rollups.tables import BY_NAME, ROLLUPS, Rollup

__all__ = ["BY_NAME", "ROLLUPS", "Built", "Rollup", "build"]
