"""Wi-Fi and LAN reads: per AP (clients, signal in dBm, SNR in dB, coverage and connect SLEs),
the signal distribution, connection failures by step, and per switch port (users, wired SLEs,
traffic in Mb/s, errors).

Owns ``WifiQuery``. Reads ``user_minutes``, ``client_events`` and ``interface_stats``; ranges
over two hours read whole days and hours from the ``user``, ``radio``, ``connect`` and ``port``
roll-ups (``*_days``, ``*_hours``: the same counts, distinct clients, means and error growth; the
RSSI p10 is then interpolated within 5 dB bins, ``rssi_p10_basis`` says which). Units are in
the keys. Must not write to the lake.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assurance.query import layers
from assurance.query.reader import LakeReader, where
from assurance.rollups.tables import (
    CONNECT_HOURS,
    PORT_HOURS,
    RADIO_HOURS,
    RSSI_BINS,
    USER_HOURS,
    rssi_bin_column,
)

_BINS = ", ".join(f"sum({rssi_bin_column(lo)})" for lo in RSSI_BINS)


def _p10(bins: list[int]) -> float | None:
    """The 10th percentile of samples in 5 dB bins, linearly interpolated within its bin."""
    total = sum(bins)
    if total == 0:
        return None
    want = 0.1 * total
    seen = 0
    for lo, n in zip(RSSI_BINS, bins, strict=True):
        if n and seen + n >= want:
            return lo + 5.0 * (want - seen) / n
        seen += n
    return float(RSSI_BINS[-1] + 5)


class WifiQuery(LakeReader):
    """Wireless and wired access answers for a set of sites (None = every site)."""

    def aps(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """Per AP: clients, user minutes, coverage / throughput / capacity SLE %, mean and
        10th-percentile RSSI (dBm), mean SNR (dB); worst coverage first."""
        if layers.long_range(start, end):
            rolled = self._aps_rolled(sites, start, end)
            if rolled is not None:
                return rolled
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
            row["rssi_p10_basis"] = "samples"
        return sorted(users, key=lambda r: (r["coverage_pct"] or 100.0, r["site"], r["ap"]))

    def _rolled(
        self, rollup: Any, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> tuple[str, dict[str, Any]] | None:
        cond, params = layers.sites_filter(list(sites) if sites is not None else None)
        return layers.rollup_source(self.con, rollup, start, end, cond, params)

    def _aps_rolled(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]] | None:
        found = [
            self._rolled(r, sites, start, end) for r in (USER_HOURS, RADIO_HOURS, CONNECT_HOURS)
        ]
        if any(f is None for f in found):
            return None
        (users_src, users_p), (radio_src, radio_p), (conn_src, conn_p) = found  # type: ignore[misc]
        pct = "100.0 * (sum({0}_n) - sum({0}_bad)) / nullif(sum({0}_n), 0) AS {1}"
        users = self._dicts(
            "SELECT site, ap, count(DISTINCT client_id) AS clients, "  # noqa: S608
            "sum(minutes) AS user_minutes, "
            + ", ".join(
                pct.format(s, k)
                for s, k in (
                    ("coverage", "coverage_pct"),
                    ("wireless_throughput", "throughput_pct"),
                    ("capacity", "capacity_pct"),
                )
            )
            + f" FROM ({users_src}) WHERE ap IS NOT NULL AND wireless GROUP BY ALL",
            users_p,
        )
        radio = {
            (r[0], r[1]): r[2:]
            for r in self._rows(
                "SELECT site, ap, sum(rssi_sum) / nullif(sum(samples), 0), "  # noqa: S608
                f"sum(snr_sum) / nullif(sum(snr_count), 0), {_BINS} FROM ({radio_src}) "
                "WHERE ap IS NOT NULL GROUP BY ALL",
                radio_p,
            )
        }
        fails = dict(
            ((r[0], r[1]), int(r[2]))
            for r in self._rows(
                "SELECT site, ap, sum(events) FROM ("  # noqa: S608
                f"{conn_src}) WHERE ap IS NOT NULL AND result = 'fail' GROUP BY ALL",
                conn_p,
            )
        )
        for row in users:
            key = (row["site"], row["ap"])
            rssi, snr, *bins = radio.get(key, (None, None, *([0] * len(RSSI_BINS))))
            row["clients"] = int(row["clients"])
            row["user_minutes"] = int(row["user_minutes"])
            row.update(
                rssi_dbm=rssi,
                rssi_p10_dbm=_p10([int(b or 0) for b in bins]),
                snr_db=snr,
                failures=fails.get(key, 0),
                rssi_p10_basis="5 dB bins",
            )
        return sorted(users, key=lambda r: (r["coverage_pct"] or 100.0, r["site"], r["ap"]))

    def rssi_histogram(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        """RSSI samples per 5 dB bin (bin start in dBm) and band."""
        found = (
            self._rolled(RADIO_HOURS, sites, start, end) if layers.long_range(start, end) else None
        )
        if found is not None:
            bins = ", ".join(f"{{'lo': {lo}, 'n': sum({rssi_bin_column(lo)})}}" for lo in RSSI_BINS)
            return self._dicts(
                "SELECT b.lo::DOUBLE AS rssi_dbm, band, b.n::BIGINT AS samples FROM ("  # noqa: S608
                "SELECT band, unnest(bins) AS b FROM (SELECT coalesce(band, '?') AS band, "
                f"[{bins}] AS bins FROM ({found[0]}) GROUP BY 1)) WHERE b.n > 0 ORDER BY 1, 2",
                found[1],
            )
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
        found = (
            self._rolled(CONNECT_HOURS, sites, start, end)
            if layers.long_range(start, end)
            else None
        )
        if found is not None:
            return self._dicts(
                "SELECT site, event_type AS step, sum(events) AS attempts, "  # noqa: S608
                "coalesce(sum(events) FILTER (WHERE result = 'fail'), 0) AS failures, "
                "arg_max(reason, (events, reason)) FILTER (WHERE result = 'fail') AS top_reason, "
                "sum(duration_sum) / nullif(sum(duration_count), 0) AS mean_duration_ms "
                f"FROM (SELECT site, event_type, result, reason, sum(events) AS events, "
                "sum(duration_sum) AS duration_sum, sum(duration_count) AS duration_count "
                f"FROM ({found[0]}) WHERE event_type <> 'rssi' GROUP BY ALL) "
                "GROUP BY ALL ORDER BY failures DESC, 1, 2",
                found[1],
            )
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
        if layers.long_range(start, end):
            rolled = self._ports_rolled(sites, start, end)
            if rolled is not None:
                return rolled
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

    def _ports_rolled(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]] | None:
        users_found = self._rolled(USER_HOURS, sites, start, end)
        stats_found = self._rolled(PORT_HOURS, sites, start, end)
        if users_found is None or stats_found is None:
            return None
        pct = "100.0 * (sum({0}_n) - sum({0}_bad)) / nullif(sum({0}_n), 0) AS {1}"
        ports = self._dicts(
            "SELECT site, switch, switch_port, count(DISTINCT client_id) AS users, "  # noqa: S608
            "sum(minutes) AS user_minutes, "
            f"{pct.format('wired_throughput', 'throughput_pct')}, "
            f"{pct.format('switch_health', 'switch_health_pct')} FROM ({users_found[0]}) "
            "WHERE switch_port IS NOT NULL GROUP BY ALL",
            users_found[1],
        )
        stats = {
            (r[0], r[1], r[2]): r[3:]
            for r in self._rows(
                "SELECT site, device, if_name, sum(in_sum) / nullif(sum(in_count), 0) / 1e6, "  # noqa: S608
                "sum(out_sum) / nullif(sum(out_count), 0) / 1e6, "
                "max(in_errors_max) - min(in_errors_min), "
                f"max(out_discards_max) - min(out_discards_min) FROM ({stats_found[0]}) "
                "GROUP BY ALL",
                stats_found[1],
            )
        }
        for row in ports:
            key = (row["site"], row["switch"], row["switch_port"])
            physical = (key[0], key[1], str(key[2]).split(".")[0])
            inm, outm, errs, drops = stats.get(key) or stats.get(physical, (None,) * 4)
            row["users"] = int(row["users"])
            row["user_minutes"] = int(row["user_minutes"])
            row.update(in_mbps=inm, out_mbps=outm, errors=errs, discards=drops)
        return sorted(
            ports, key=lambda r: (r["throughput_pct"] or 100.0, r["site"], r["switch_port"])
        )
