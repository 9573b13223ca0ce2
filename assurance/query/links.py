"""WAN link reads: latency, jitter and loss per link (RPM / probe results in ``sla_metrics``),
utilisation per link (``interface_stats`` rates against the link's capacity), per ISP, over time,
and the path changes that moved applications between links.

Owns ``LinkQuery`` and ``LinkRef`` (what the inventory says a link is: site, gateway, interface,
name, ISP, type, capacity). Links come from the inventory when one is given, else from the
interfaces that carried probes. Units are in the keys (``_ms``, ``_pct``, ``_mbps``). Ranges over
two hours read whole days and hours from the ``probe``/``port`` roll-ups (``*_days``, ``*_hours``):
the same means, maxima and down minutes, but the latency p95 is then the 95th percentile of
hourly p95s (``latency_p95_basis``); path changes are between hours' dominant links
(``user_hours``), and a link's series over time comes from the hours. Must not write to
the lake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assurance.query import layers
from assurance.query.reader import LakeReader, where
from assurance.rollups.tables import PORT_HOURS, PROBE_HOURS, USER_HOURS

_BUCKETS = {"1m": "1 minute", "5m": "5 minutes", "15m": "15 minutes", "1h": "1 hour"}


@dataclass(frozen=True)
class LinkRef:
    """One WAN link as the inventory declares it."""

    site: str
    gateway: str
    interface: str
    name: str
    isp: str
    type: str
    capacity_mbps: float | None


def inventory_links(inventory: Any) -> list[LinkRef]:
    """Every WAN link of an ``assurance.config.Inventory`` (download capacity as capacity)."""
    out = []
    for site in inventory.sites:
        for gw in site.gateways:
            for link in gw.wan:
                out.append(
                    LinkRef(
                        site.name,
                        gw.name,
                        link.interface,
                        link.name,
                        link.isp,
                        link.type,
                        float(link.capacity_mbps.down),
                    )
                )
    return out


class LinkQuery(LakeReader):
    """WAN link answers for a set of sites (None = every site)."""

    def links(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        refs: Iterable[LinkRef] = (),
    ) -> list[dict[str, Any]]:
        """One row per link: mean and p95 latency, mean jitter, mean and max loss (probes),
        mean and peak in/out Mb/s, peak utilisation %, minutes reported down."""
        rolled = self._rolled(sites, start, end) if layers.long_range(start, end) else None
        basis = "minutes" if rolled is None else "hourly p95"
        if rolled is not None:
            probes, traffic = rolled
        else:
            probes, traffic = self._minutes(sites, start, end)
        return self._join(sites, refs, probes, traffic, basis)

    def _minutes(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        cond, params = where(sites, start, end, time_column="event_time")
        probes = self._rows(
            "SELECT site, device, interface, count(*), avg(rtt_ms), "  # noqa: S608
            "quantile_cont(rtt_ms, 0.95), avg(jitter_ms), avg(loss_pct), max(loss_pct) "
            f"FROM sla_metrics WHERE source IN ('rpm', 'probe') AND {cond} GROUP BY ALL",
            params,
        )
        traffic = self._rows(
            "SELECT site, device, if_name, avg(in_bps), max(in_bps), avg(out_bps), "  # noqa: S608
            "max(out_bps), max(speed_bps), "
            "count(DISTINCT date_trunc('minute', event_time)) FILTER (WHERE oper_status = 'down') "
            f"FROM interface_stats WHERE {cond} GROUP BY ALL",
            params,
        )
        return probes, traffic

    def _rolled(
        self, sites: Sequence[str] | None, start: datetime | None, end: datetime | None
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] | None:
        cond, params = layers.sites_filter(list(sites) if sites is not None else None)
        found_p = layers.rollup_source(self.con, PROBE_HOURS, start, end, cond, params)
        found_t = layers.rollup_source(self.con, PORT_HOURS, start, end, cond, params)
        if found_p is None or found_t is None:
            return None
        probes = self._rows(
            "SELECT site, device, interface, sum(probes), "  # noqa: S608
            "sum(rtt_sum) / nullif(sum(rtt_count), 0), "
            "list_aggregate(flatten(list(rtt_p95_hours)), 'quantile_cont', 0.95), "
            "sum(jitter_sum) / nullif(sum(jitter_count), 0), "
            f"sum(loss_sum) / nullif(sum(loss_count), 0), max(loss_max) FROM ({found_p[0]}) "
            "GROUP BY ALL",
            found_p[1],
        )
        traffic = self._rows(
            "SELECT site, device, if_name, sum(in_sum) / nullif(sum(in_count), 0), "  # noqa: S608
            "max(in_max), sum(out_sum) / nullif(sum(out_count), 0), max(out_max), "
            f"max(speed_max), sum(down_minutes) FROM ({found_t[0]}) GROUP BY ALL",
            found_t[1],
        )
        return probes, traffic

    @staticmethod
    def _join(
        sites: Sequence[str] | None,
        refs: Iterable[LinkRef],
        probes: list[tuple[Any, ...]],
        traffic: list[tuple[Any, ...]],
        basis: str,
    ) -> list[dict[str, Any]]:
        by_probe = {(s, d, i): r for s, d, i, *r in probes}
        by_if = {(s, d, i): r for s, d, i, *r in traffic}
        allowed = None if sites is None else set(sites)
        known = [r for r in refs if allowed is None or r.site in allowed]
        if not known:
            known = [LinkRef(s, d, i, i, "", "", None) for (s, d, i) in sorted(by_probe) if i]
        out = []
        for ref in known:
            p = by_probe.get((ref.site, ref.gateway, ref.interface))
            t = by_if.get((ref.site, ref.gateway, ref.interface))
            speed_mbps = (t[4] / 1e6) if t and t[4] else None
            capacity = ref.capacity_mbps or speed_mbps
            peak = max((t[1] or 0.0, t[3] or 0.0)) / 1e6 if t else None
            out.append(
                {
                    "site": ref.site,
                    "gateway": ref.gateway,
                    "link": ref.name,
                    "interface": ref.interface,
                    "isp": ref.isp,
                    "type": ref.type,
                    "capacity_mbps": capacity,
                    "probes": int(p[0]) if p else 0,
                    "latency_ms": p[1] if p else None,
                    "latency_p95_ms": p[2] if p else None,
                    "jitter_ms": p[3] if p else None,
                    "loss_pct": p[4] if p else None,
                    "loss_max_pct": p[5] if p else None,
                    "in_mbps": (t[0] or 0.0) / 1e6 if t else None,
                    "out_mbps": (t[2] or 0.0) / 1e6 if t else None,
                    "peak_mbps": peak,
                    "peak_util_pct": 100.0 * peak / capacity
                    if peak is not None and capacity
                    else None,
                    "down_minutes": int(t[5]) if t else 0,
                    "latency_p95_basis": basis,
                }
            )
        return out

    @staticmethod
    def by_isp(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Links grouped by ISP: probe-weighted latency, jitter, loss; link and site counts."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for link in links:
            groups.setdefault(link["isp"] or "(unknown ISP)", []).append(link)
        out = []
        for isp, rows in sorted(groups.items()):
            weight = sum(r["probes"] for r in rows)

            def mean(key: str, rows: list[dict[str, Any]] = rows, weight: int = weight) -> Any:
                if weight == 0:
                    return None
                return sum((r[key] or 0.0) * r["probes"] for r in rows) / weight

            out.append(
                {
                    "isp": isp,
                    "links": len(rows),
                    "sites": len({r["site"] for r in rows}),
                    "latency_ms": mean("latency_ms"),
                    "jitter_ms": mean("jitter_ms"),
                    "loss_pct": mean("loss_pct"),
                    "down_minutes": sum(r["down_minutes"] for r in rows),
                }
            )
        return out

    def series(
        self,
        site: str,
        interface: str,
        start: datetime | None,
        end: datetime | None,
        *,
        gateway: str | None = None,
        bucket: str = "5m",
    ) -> list[dict[str, Any]]:
        """One link over time: latency, jitter, loss and in/out Mb/s per bucket (``1h``
        buckets over more than a day come from the hourly roll-ups)."""
        width = _BUCKETS.get(bucket, "5 minutes")
        if width == "1 hour" and layers.long_range(start, end):
            rolled = self._series_rolled(site, interface, start, end, gateway)
            if rolled is not None:
                return rolled
        cond, params = where([site], start, end, time_column="event_time")
        params["ifname"] = interface
        params["gw"] = gateway
        gw = "($gw IS NULL OR device = $gw)"
        probes = self._rows(
            f"SELECT time_bucket(INTERVAL '{width}', event_time) AS t, avg(rtt_ms), "  # noqa: S608
            "avg(jitter_ms), avg(loss_pct) FROM sla_metrics WHERE source IN ('rpm', 'probe') "
            f"AND interface = $ifname AND {gw} AND {cond} GROUP BY 1",
            params,
        )
        traffic = self._rows(
            f"SELECT time_bucket(INTERVAL '{width}', event_time) AS t, avg(in_bps), "  # noqa: S608
            f"avg(out_bps) FROM interface_stats WHERE if_name = $ifname AND {gw} AND {cond} "
            "GROUP BY 1",
            params,
        )
        return self._merge(probes, traffic)

    @staticmethod
    def _merge(
        probes: list[tuple[Any, ...]], traffic: list[tuple[Any, ...]]
    ) -> list[dict[str, Any]]:
        rows: dict[datetime, dict[str, Any]] = {}
        for t, rtt, jit, loss in probes:
            rows.setdefault(t, {"time": t})
            rows[t].update(latency_ms=rtt, jitter_ms=jit, loss_pct=loss)
        for t, inb, outb in traffic:
            rows.setdefault(t, {"time": t})
            rows[t].update(
                in_mbps=None if inb is None else inb / 1e6,
                out_mbps=None if outb is None else outb / 1e6,
            )
        keys = ("latency_ms", "jitter_ms", "loss_pct", "in_mbps", "out_mbps")
        return [{k: r.get(k) for k in ("time", *keys)} for _, r in sorted(rows.items())]

    def _series_rolled(
        self,
        site: str,
        interface: str,
        start: datetime | None,
        end: datetime | None,
        gateway: str | None,
    ) -> list[dict[str, Any]] | None:
        params = {"site": site, "ifname": interface, "gw": gateway}
        gw = "($gw IS NULL OR device = $gw)"
        found_p = layers.rollup_source(
            self.con,
            PROBE_HOURS,
            start,
            end,
            f"site = $site AND interface = $ifname AND {gw}",
            params,
            coarsest="hour",
        )
        found_t = layers.rollup_source(
            self.con,
            PORT_HOURS,
            start,
            end,
            f"site = $site AND if_name = $ifname AND {gw}",
            params,
            coarsest="hour",
        )
        if found_p is None or found_t is None:
            return None
        probes = self._rows(
            "SELECT t, sum(rtt_sum) / nullif(sum(rtt_count), 0), "  # noqa: S608
            "sum(jitter_sum) / nullif(sum(jitter_count), 0), "
            f"sum(loss_sum) / nullif(sum(loss_count), 0) FROM ({found_p[0]}) GROUP BY 1",
            found_p[1],
        )
        traffic = self._rows(
            "SELECT t, sum(in_sum) / nullif(sum(in_count), 0), "  # noqa: S608
            f"sum(out_sum) / nullif(sum(out_count), 0) FROM ({found_t[0]}) GROUP BY 1",
            found_t[1],
        )
        return self._merge(probes, traffic)

    def path_changes(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        *,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """When an application's traffic at a site moved from one WAN link to another (the
        link carrying most of its user minutes, minute by minute — hour by hour over more than two
        hours), and link up/down events."""
        moves = None
        if layers.long_range(start, end):
            moves = self._moves_rolled(sites, start, end, limit)
        if moves is None:
            moves = self._moves(sites, start, end, limit)
        cond2, params2 = where(sites, start, end, time_column="event_time")
        events = self._dicts(
            "SELECT event_time AS time, site, 'link ' || coalesce(state, '?') AS event, "  # noqa: S608
            "NULL AS application, device || ' ' || interface || ' (' || event_type || ')' "
            "AS detail FROM device_events "
            f"WHERE category = 'interface' AND {cond2} ORDER BY event_time DESC",
            params2,
        )
        return sorted(moves + events, key=lambda r: r["time"], reverse=True)[:limit]

    def _moves_rolled(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[dict[str, Any]] | None:
        cond, params = layers.sites_filter(list(sites) if sites is not None else None)
        found = layers.rollup_source(
            self.con, USER_HOURS, start, end, cond, params, coarsest="hour"
        )
        if found is None:
            return None
        source, params = found
        params["limit"] = limit
        return self._dicts(
            "WITH per AS (SELECT t, site, application, "  # noqa: S608
            "arg_max(wan_link, (minutes, wan_link)) AS link FROM (SELECT t, site, application, "
            f"wan_link, sum(minutes) AS minutes FROM ({source}) WHERE application IS NOT NULL "
            "AND wan_link IS NOT NULL GROUP BY ALL) GROUP BY ALL), "
            "seq AS (SELECT *, lag(link) OVER (PARTITION BY site, application "
            "ORDER BY t) AS prev FROM per) "
            "SELECT t AS time, site, 'path change (hourly)' AS event, application, "
            "prev || ' → ' || link AS detail FROM seq WHERE prev IS NOT NULL AND prev <> link "
            "ORDER BY t DESC LIMIT $limit",
            params,
        )

    def _moves(
        self,
        sites: Sequence[str] | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        cond, params = where(sites, start, end, time_column="minute")
        params["limit"] = limit
        return self._dicts(
            "WITH per AS (SELECT minute, site, application, mode(wan_link) AS link "  # noqa: S608
            "FROM user_minutes WHERE application IS NOT NULL AND wan_link IS NOT NULL "
            f"AND {cond} GROUP BY ALL), "
            "seq AS (SELECT *, lag(link) OVER (PARTITION BY site, application ORDER BY minute) "
            "AS prev FROM per) "
            "SELECT minute AS time, site, 'path change' AS event, application, "
            "prev || ' → ' || link AS detail FROM seq WHERE prev IS NOT NULL AND prev <> link "
            "ORDER BY minute DESC LIMIT $limit",
            params,
        )
