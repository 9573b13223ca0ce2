"""Wi-Fi and LAN reads: per AP (clients, signal in dBm, SNR in dB, coverage and connect SLEs),
the signal distribution, connection failures by step, and per switch port (users, wired SLEs,
traffic in Mb/s, errors).

Owns ``WifiQuery``. Reads ``user_minutes``, ``client_events`` and ``interface_stats``. Units are
in the keys. Must not write to the lake.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assurance.query.reader import LakeReader, where


class WifiQuery(LakeReader):
    """Wireless and wired access answers for a set of sites (None = every site)."""

    def aps(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """Per AP: clients, user minutes, coverage / throughput / capacity SLE %, mean and
        10th-percentile RSSI (dBm), mean SNR (dB); worst coverage first."""
        cond, params = where(sites, start, end, time_column="minute")
        users = self._dicts(
            "SELECT site, ap, count(DISTINCT client_id) AS clients, count(*) AS user_minutes, "  # noqa: S608
            "100.0 * count(*) FILTER (WHERE coverage_ok) / nullif(count(coverage_ok), 0) "
            "AS coverage_pct, 100.0 * count(*) FILTER (WHERE wireless_throughput_ok) / "
            "nullif(count(wireless_throughput_ok), 0) AS throughput_pct, "
            "100.0 * count(*) FILTER (WHERE capacity_ok) / nullif(count(capacity_ok), 0) "
            "AS capacity_pct FROM user_minutes WHERE ap IS NOT NULL AND wireless "
            f"AND {cond} GROUP BY ALL",
            params,
        )
        cond2, params2 = where(sites, start, end, time_column="event_time")
        radio = {
            (r[0], r[1]): r[2:]
            for r in self._rows(
                "SELECT site, ap, avg(rssi_dbm), quantile_cont(rssi_dbm, 0.1), avg(snr_db), "  # noqa: S608
                "count(*) FILTER (WHERE result = 'fail') FROM client_events "
                f"WHERE ap IS NOT NULL AND {cond2} GROUP BY ALL",
                params2,
            )
        }
        for row in users:
            rssi, p10, snr, fails = radio.get((row["site"], row["ap"]), (None, None, None, 0))
            row.update(rssi_dbm=rssi, rssi_p10_dbm=p10, snr_db=snr, failures=int(fails))
        return sorted(users, key=lambda r: (r["coverage_pct"] or 100.0, r["site"], r["ap"]))

    def rssi_histogram(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """RSSI samples per 5 dB bin (bin start in dBm) and band."""
        cond, params = where(sites, start, end, time_column="event_time")
        return self._dicts(
            "SELECT 5 * floor(rssi_dbm / 5) AS rssi_dbm, coalesce(band, '?') AS band, "  # noqa: S608
            "count(*) AS samples FROM client_events WHERE rssi_dbm IS NOT NULL AND "
            f"{cond} GROUP BY ALL ORDER BY 1, 2",
            params,
        )

    def connect_failures(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """Client connection steps (assoc, auth, DHCP, DNS, roam): attempts and failures."""
        cond, params = where(sites, start, end, time_column="event_time")
        return self._dicts(
            "SELECT site, event_type AS step, count(*) AS attempts, "  # noqa: S608
            "count(*) FILTER (WHERE result = 'fail') AS failures, "
            "mode(reason) FILTER (WHERE result = 'fail') AS top_reason, "
            "avg(duration_ms) AS mean_duration_ms FROM client_events "
            f"WHERE event_type <> 'rssi' AND {cond} GROUP BY ALL ORDER BY failures DESC, 1, 2",
            params,
        )

    def switch_ports(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """Per switch port with users: wired throughput and switch health SLE %, mean in/out
        Mb/s, error and discard counts over the range (counter growth)."""
        cond, params = where(sites, start, end, time_column="minute")
        ports = self._dicts(
            "SELECT site, switch, switch_port, count(DISTINCT client_id) AS users, "  # noqa: S608
            "count(*) AS user_minutes, 100.0 * count(*) FILTER (WHERE wired_throughput_ok) / "
            "nullif(count(wired_throughput_ok), 0) AS throughput_pct, "
            "100.0 * count(*) FILTER (WHERE switch_health_ok) / "
            "nullif(count(switch_health_ok), 0) AS switch_health_pct FROM user_minutes "
            f"WHERE switch_port IS NOT NULL AND {cond} GROUP BY ALL",
            params,
        )
        cond2, params2 = where(sites, start, end, time_column="event_time")
        stats = {
            (r[0], r[1], r[2]): r[3:]
            for r in self._rows(
                "SELECT site, device, if_name, avg(in_bps) / 1e6, avg(out_bps) / 1e6, "  # noqa: S608
                "max(in_errors) - min(in_errors), max(out_discards) - min(out_discards) "
                f"FROM interface_stats WHERE {cond2} GROUP BY ALL",
                params2,
            )
        }
        for row in ports:
            key = (row["site"], row["switch"], row["switch_port"])
            physical = (key[0], key[1], str(key[2]).split(".")[0])  # ge-0/0/1.0 → ge-0/0/1
            inm, outm, errs, drops = stats.get(key) or stats.get(physical, (None,) * 4)
            row.update(in_mbps=inm, out_mbps=outm, errors=errs, discards=drops)
        return sorted(
            ports, key=lambda r: (r["throughput_pct"] or 100.0, r["site"], r["switch_port"])
        )
