"""The hourly roll-up tables and the one SQL statement that derives each from its minute table.

Each ``Rollup`` pairs a table declaration (name, Arrow schema, time column ``hour_start``) with
the ``SELECT`` that sums its source table into it for any time condition. The builder runs that
statement over whole hours and publishes the result; the read API runs the same statement over
the minutes at the edges of a range, so an answer mixing roll-up hours and edge minutes is the
same as one read from the minutes alone. Column names come from here and from the SLE
catalogue, never from input. Must not read or write files.
"""

from __future__ import annotations

from dataclasses import dataclass

from assurance.sle.catalog import SLE_NAMES
from collectors.schema import TIMESTAMP, Column, TableSpec, col, required
from collectors.tables import BOOL, F64, STR, U32, U64

#: RSSI histogram bins (dBm): ``rssi_m100`` counts samples in [-100, -95); the first and last
#: bins also hold everything below / above the covered range.
RSSI_BINS = tuple(range(-110, -15, 5))


def rssi_bin_column(lo: int) -> str:
    return f"rssi_m{-lo}" if lo < 0 else f"rssi_p{lo}"


@dataclass(frozen=True)
class Rollup:
    """A roll-up table and how it is derived from ``source`` rows matching a condition."""

    spec: TableSpec
    source: str
    source_time: str
    select: str  # SQL with ``{cond}``: the source rows' WHERE condition

    @property
    def name(self) -> str:
        return self.spec.name

    def sql(self, cond: str) -> str:
        """The rows of this roll-up for the source rows matching ``cond`` (a WHERE clause
        over ``source`` built by the caller from bound parameters)."""
        return self.select.format(cond=cond)


def _hour(column: str) -> str:
    return f"time_bucket(INTERVAL 1 HOUR, {column}) AS hour_start"


def _spec(name: str, doc: str, columns: tuple[Column, ...]) -> TableSpec:
    return TableSpec(
        name=name,
        doc=doc,
        kind="derived",
        time_column="hour_start",
        columns=(required("hour_start", TIMESTAMP, "Start of the hour (UTC)"), *columns),
    )


_USER_KEYS = ("site", "client_id", "application", "wan_link", "gateway", "ap", "band",
              "wireless", "switch", "switch_port")  # fmt: skip

USER_HOURS = Rollup(
    spec=_spec(
        "user_hours",
        "User minutes per client, hour and path (app, link, AP, port): minutes, bytes, and per "
        "SLE the judged and degraded minutes",
        (
            required("site", STR, "Site"),
            required("client_id", STR, "Client identity"),
            col("application", STR, "Application"),
            col("wan_link", STR, "WAN link"),
            col("gateway", STR, "Gateway"),
            col("ap", STR, "AP"),
            col("band", STR, "Wi-Fi band"),
            col("wireless", BOOL, "On Wi-Fi"),
            col("switch", STR, "Switch"),
            col("switch_port", STR, "Switch port"),
            col("client_mac", STR, "Client MAC (any minute's)"),
            col("client_ip", STR, "Client IP (any minute's)"),
            col("hostname", STR, "Client hostname (any minute's)"),
            required("minutes", U32, "User minutes"),
            required("bytes", U64, "Octets up and down"),
            *(
                c
                for sle in SLE_NAMES
                for c in (
                    required(f"{sle}_n", U32, f"{sle}: minutes judged"),
                    required(f"{sle}_bad", U32, f"{sle}: minutes judged bad"),
                )
            ),
            col("app_rtt_sum", F64, "Sum of the application-health RTTs (ms)"),
            required("app_rtt_count", U32, "Minutes with an application-health RTT"),
        ),
    ),
    source="user_minutes",
    source_time="minute",
    select=(
        f"SELECT {_hour('minute')}, {', '.join(_USER_KEYS)}, any_value(client_mac) AS client_mac, "
        "any_value(client_ip) AS client_ip, any_value(hostname) AS hostname, "
        "count(*)::UINTEGER AS minutes, "
        "sum(coalesce(bytes_up, 0) + coalesce(bytes_down, 0))::UBIGINT AS bytes, "
        + ", ".join(
            f"count({s}_ok)::UINTEGER AS {s}_n, "
            f"count(*) FILTER (WHERE NOT {s}_ok)::UINTEGER AS {s}_bad"
            for s in SLE_NAMES
        )
        + ", sum(application_health_value) AS app_rtt_sum, "
        "count(application_health_value)::UINTEGER AS app_rtt_count "
        "FROM user_minutes WHERE {cond} GROUP BY ALL"
    ),
)

PROBE_HOURS = Rollup(
    spec=_spec(
        "probe_hours",
        "WAN probe results (RPM / probes) per link and hour: latency, jitter and loss sums",
        (
            required("site", STR, "Site"),
            col("device", STR, "Gateway"),
            col("interface", STR, "WAN interface"),
            required("probes", U32, "Probe results"),
            col("rtt_sum", F64, "Sum of RTTs (ms)"),
            required("rtt_count", U32, "Results with an RTT"),
            col("rtt_p95", F64, "95th percentile RTT within the hour (ms)"),
            col("jitter_sum", F64, "Sum of jitters (ms)"),
            required("jitter_count", U32, "Results with a jitter"),
            col("loss_sum", F64, "Sum of loss percentages"),
            required("loss_count", U32, "Results with a loss"),
            col("loss_max", F64, "Largest loss % in the hour"),
        ),
    ),
    source="sla_metrics",
    source_time="event_time",
    select=(
        f"SELECT {_hour('event_time')}, site, device, interface, "  # noqa: S608
        "count(*)::UINTEGER AS probes, "
        "sum(rtt_ms) AS rtt_sum, count(rtt_ms)::UINTEGER AS rtt_count, "
        "quantile_cont(rtt_ms, 0.95) AS rtt_p95, sum(jitter_ms) AS jitter_sum, "
        "count(jitter_ms)::UINTEGER AS jitter_count, sum(loss_pct) AS loss_sum, "
        "count(loss_pct)::UINTEGER AS loss_count, max(loss_pct) AS loss_max FROM sla_metrics "
        "WHERE source IN ('rpm', 'probe') AND site IS NOT NULL AND {cond} GROUP BY ALL"
    ),
)

PORT_HOURS = Rollup(
    spec=_spec(
        "port_hours",
        "Interface counters per device interface and hour: rates, down minutes, error growth",
        (
            required("site", STR, "Site"),
            col("device", STR, "Device"),
            col("if_name", STR, "Interface"),
            required("in_count", U32, "Samples with an input rate"),
            col("in_sum", F64, "Sum of input rates (b/s)"),
            col("in_max", F64, "Largest input rate (b/s)"),
            required("out_count", U32, "Samples with an output rate"),
            col("out_sum", F64, "Sum of output rates (b/s)"),
            col("out_max", F64, "Largest output rate (b/s)"),
            col("speed_max", U64, "Largest reported speed (b/s)"),
            required("down_minutes", U32, "Minutes with a sample reporting oper down"),
            col("in_errors_min", U64, "Smallest input-error counter"),
            col("in_errors_max", U64, "Largest input-error counter"),
            col("out_discards_min", U64, "Smallest output-discard counter"),
            col("out_discards_max", U64, "Largest output-discard counter"),
        ),
    ),
    source="interface_stats",
    source_time="event_time",
    select=(
        f"SELECT {_hour('event_time')}, site, device, if_name, "  # noqa: S608
        "count(in_bps)::UINTEGER AS in_count, sum(in_bps) AS in_sum, max(in_bps) AS in_max, "
        "count(out_bps)::UINTEGER AS out_count, sum(out_bps) AS out_sum, "
        "max(out_bps) AS out_max, max(speed_bps) AS speed_max, "
        "count(DISTINCT time_bucket(INTERVAL 1 MINUTE, event_time)) "
        "FILTER (WHERE oper_status = 'down')::UINTEGER AS down_minutes, "
        "min(in_errors) AS in_errors_min, max(in_errors) AS in_errors_max, "
        "min(out_discards) AS out_discards_min, max(out_discards) AS out_discards_max "
        "FROM interface_stats WHERE site IS NOT NULL AND {cond} GROUP BY ALL"
    ),
)

_BIN_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE {cond})::UINTEGER AS {rssi_bin_column(lo)}"
    for lo, cond in (
        (
            lo,
            " AND ".join(
                c
                for c in (
                    f"rssi_dbm >= {lo}" if lo != RSSI_BINS[0] else "",
                    f"rssi_dbm < {lo + 5}" if lo != RSSI_BINS[-1] else "",
                )
                if c
            )
            or "true",
        )
        for lo in RSSI_BINS
    )
)

RADIO_HOURS = Rollup(
    spec=_spec(
        "radio_hours",
        "Client signal samples per AP, band and hour: count, RSSI and SNR sums, 5 dB RSSI bins",
        (
            required("site", STR, "Site"),
            col("ap", STR, "AP"),
            col("band", STR, "Wi-Fi band"),
            required("samples", U32, "Samples with an RSSI"),
            col("rssi_sum", F64, "Sum of RSSIs (dBm)"),
            col("snr_sum", F64, "Sum of SNRs (dB)"),
            required("snr_count", U32, "Samples with an SNR"),
            *(
                required(rssi_bin_column(lo), U32, f"Samples in [{lo}, {lo + 5}) dBm")
                for lo in RSSI_BINS
            ),
        ),
    ),
    source="client_events",
    source_time="event_time",
    select=(
        f"SELECT {_hour('event_time')}, site, ap, band, "  # noqa: S608
        "count(*)::UINTEGER AS samples, sum(rssi_dbm) AS rssi_sum, sum(snr_db) AS snr_sum, "
        "count(snr_db)::UINTEGER AS snr_count, "
        f"{_BIN_COUNTS} FROM client_events "
        "WHERE rssi_dbm IS NOT NULL AND site IS NOT NULL AND {cond} GROUP BY ALL"
    ),
)

CONNECT_HOURS = Rollup(
    spec=_spec(
        "connect_hours",
        "Client connection steps (and every failed event) per AP, step, result, reason and hour",
        (
            required("site", STR, "Site"),
            col("ap", STR, "AP"),
            col("event_type", STR, "Step (assoc, auth, dhcp, dns, roam…)"),
            col("result", STR, "ok or fail"),
            col("reason", STR, "Failure reason"),
            required("events", U32, "Events"),
            col("duration_sum", F64, "Sum of step durations (ms)"),
            required("duration_count", U32, "Events with a duration"),
        ),
    ),
    source="client_events",
    source_time="event_time",
    select=(
        f"SELECT {_hour('event_time')}, site, ap, event_type, result, reason, "  # noqa: S608
        "count(*)::UINTEGER AS events, sum(duration_ms) AS duration_sum, "
        "count(duration_ms)::UINTEGER AS duration_count FROM client_events "
        "WHERE (event_type <> 'rssi' OR result = 'fail') AND site IS NOT NULL AND {cond} "
        "GROUP BY ALL"
    ),
)

ROLLUPS: tuple[Rollup, ...] = (USER_HOURS, PROBE_HOURS, PORT_HOURS, RADIO_HOURS, CONNECT_HOURS)
BY_NAME: dict[str, Rollup] = {r.name: r for r in ROLLUPS}
