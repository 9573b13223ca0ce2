"""The roll-up tables (hourly, and daily over the hourly ones) and the SQL that derives each.

Every roll-up column is declared once, as a ``Field``: its name, Arrow type and meaning, the
SQL that computes it from the source rows of an hour, and how hours combine into a day (sum,
max, min, any value, or not at all for an in-hour percentile). From those declarations come:

- the hourly ``Rollup`` (time column ``hour_start``) and its ``SELECT`` over the minute table for
  any time condition: the builder runs it over whole hours, the read API over the minutes at a
  range's edges, so a mix of roll-up hours and edge minutes answers like the minutes alone;
- its daily ``Rollup`` (time column ``day_start``, ``<name>_days``) summed from the hourly rows,
  keyed exactly like the hours, so distinct counts (clients per app, AP, port…) over many days
  stay exact; an in-hour percentile becomes a list of the day's hourly values (``HourList``),
  from which a percentile of hourly values over any range is still exact;
- ``lift``: the expressions that give hourly rows the daily shape, so one query can read whole
  days, whole hours and edge minutes together.

Column names come from here and from the SLE catalogue, never from input. Must not read or
write files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from assurance.sle.catalog import SLE_NAMES
from collectors.schema import TIMESTAMP, Column, TableSpec, col, required
from collectors.tables import BOOL, F64, STR, U32, U64

#: RSSI histogram bins (dBm): ``rssi_m100`` counts samples in [-100, -95); the first and last
#: bins also hold everything below / above the covered range.
RSSI_BINS = tuple(range(-110, -15, 5))
#: How a day combines its hours, per ``Field.day``; "" = hour only (not in the daily table).
_PER_DAY = {"sum": "sum", "max": "max", "min": "min", "any": "any_value"}


def rssi_bin_column(lo: int) -> str:
    return f"rssi_m{-lo}" if lo < 0 else f"rssi_p{lo}"


@dataclass(frozen=True)
class Field:
    """One roll-up column: ``expr`` over the source rows (None: a group key, the source column
    of that name) and ``day``, how the hours of a day combine (see ``_PER_DAY``)."""

    column: Column
    expr: str | None = None
    day: str = "sum"

    @property
    def name(self) -> str:
        return self.column.name


@dataclass(frozen=True)
class HourList:
    """A daily column listing, per day row, the non-null values of ``expr`` over its hour rows
    (sorted): e.g. the hourly p95s of a link, or the client-hour mean RTTs."""

    name: str
    doc: str
    expr: str

    def column(self) -> Column:
        return col(self.name, pa.list_(F64), self.doc)


@dataclass(frozen=True)
class Rollup:
    """A roll-up table and how it is derived from ``source`` rows matching a condition.

    An hourly roll-up reads a lake table (``source_time`` its event time); a daily one reads its
    hourly roll-up (``hourly``), and ``lift`` maps each of its columns to an expression over
    hourly rows (the same name for most, ``[value]`` for an ``HourList``)."""

    spec: TableSpec
    source: str
    source_time: str
    select: str  # SQL with ``{cond}``: the source rows' WHERE condition
    grain: str = "hour"
    hourly: Rollup | None = None
    lift: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def time_column(self) -> str:
        return self.spec.time_column

    @property
    def value_columns(self) -> tuple[str, ...]:
        """Every column but the time column."""
        return tuple(n for n in self.spec.column_names if n != self.spec.time_column)

    def sql(self, cond: str) -> str:
        """The rows of this roll-up for the source rows matching ``cond`` (a WHERE clause
        over ``source`` built by the caller from bound parameters)."""
        return self.select.format(cond=cond)


def _spec(name: str, doc: str, time_column: str, columns: Iterable[Column]) -> TableSpec:
    what = "hour" if time_column == "hour_start" else "day"
    return TableSpec(
        name=name,
        doc=doc,
        kind="derived",
        time_column=time_column,
        columns=(required(time_column, TIMESTAMP, f"Start of the {what} (UTC)"), *columns),
    )


def key(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> Field:
    return Field(col(name, type_, doc, nullable=nullable), None, "key")


def site_keys(*others: tuple[str, str]) -> tuple[Field, ...]:
    """The group keys ``site`` (never null) and ``others`` (name, meaning; text, nullable)."""
    return (key("site", STR, "Site", nullable=False), *(key(n, STR, d) for n, d in others))


def count(name: str, doc: str, expr: str, type_: pa.DataType = U32) -> Field:
    """A never-null count (or sum) added up over hours and days."""
    return Field(required(name, type_, doc), expr)


def value(name: str, doc: str, expr: str, day: str = "sum", type_: pa.DataType = F64) -> Field:
    return Field(col(name, type_, doc), expr, day)


def mean_parts(prefix: str, column: str, what: str) -> tuple[Field, Field]:
    """``{prefix}_sum`` and ``{prefix}_count`` of a nullable source column (a mean's parts)."""
    return (
        value(f"{prefix}_sum", f"Sum of the {what}", f"sum({column})"),
        count(f"{prefix}_count", f"Number of {what}", f"count({column})"),
    )


def extremes(prefix: str, column: str, what: str, type_: pa.DataType = U64) -> tuple[Field, ...]:
    """``{prefix}_min`` and ``{prefix}_max`` of a source column (a counter's growth)."""
    return tuple(
        value(f"{prefix}_{agg}", f"{word} {what}", f"{agg}({column})", agg, type_)
        for agg, word in (("min", "Smallest"), ("max", "Largest"))
    )


def hourly(
    name: str,
    doc: str,
    source: str,
    where: str,
    fields: Iterable[Field],
    source_time: str = "event_time",
) -> tuple[Rollup, tuple[Field, ...]]:
    """An hourly roll-up of ``source`` rows matching ``where`` (and the caller's condition)."""
    fields = tuple(fields)
    keys = [f.name for f in fields if f.expr is None]
    values = [f"{f.expr} AS {f.name}" for f in fields if f.expr is not None]
    select = (
        f"SELECT time_bucket(INTERVAL 1 HOUR, {source_time}) AS hour_start, "  # noqa: S608
        f"{', '.join([*keys, *values])} FROM {source} WHERE {where} AND {{cond}} GROUP BY ALL"
    )
    spec = _spec(name, doc, "hour_start", (f.column for f in fields))
    return Rollup(spec, source, source_time, select), fields


def daily(hour: Rollup, fields: tuple[Field, ...], lists: Iterable[HourList] = ()) -> Rollup:
    """The daily roll-up of an hourly one: its rows per day, keyed like the hours."""
    lists = tuple(lists)
    kept = [f for f in fields if f.day]
    keys = [f.name for f in kept if f.day == "key"]
    values = [f"{_PER_DAY[f.day]}({f.name}) AS {f.name}" for f in kept if f.day != "key"]
    values += [
        f"coalesce(list({h.expr} ORDER BY {h.expr}) FILTER (WHERE {h.expr} IS NOT NULL), []) "
        f"AS {h.name}"
        for h in lists
    ]
    name = hour.name.removesuffix("_hours") + "_days"
    select = (
        "SELECT date_trunc('day', hour_start) AS day_start, "  # noqa: S608
        f"{', '.join([*keys, *values])} FROM {hour.name} WHERE {{cond}} GROUP BY ALL"
    )
    lift = tuple((f.name, f.name) for f in kept) + tuple(
        (h.name, f"CASE WHEN ({h.expr}) IS NULL THEN []::DOUBLE[] ELSE [{h.expr}] END")
        for h in lists
    )
    doc = f"{hour.spec.doc}, per day" + "".join(f"; {h.name}: {h.doc}" for h in lists)
    columns = [*(f.column for f in kept), *(h.column() for h in lists)]
    spec = _spec(name, doc, "day_start", columns)
    return Rollup(spec, hour.name, "hour_start", select, "day", hour, lift)


USER_HOURS, _USER = hourly(
    "user_hours",
    "User minutes per client, hour and path (app, link, AP, port): minutes, bytes, and per "
    "SLE the judged and degraded minutes",
    "user_minutes",
    "true",
    (
        key("site", STR, "Site", nullable=False),
        key("client_id", STR, "Client identity", nullable=False),
        *(
            key(n, t, d)
            for n, t, d in (
                ("application", STR, "Application"),
                ("wan_link", STR, "WAN link"),
                ("gateway", STR, "Gateway"),
                ("ap", STR, "AP"),
                ("band", STR, "Wi-Fi band"),
                ("wireless", BOOL, "On Wi-Fi"),
                ("switch", STR, "Switch"),
                ("switch_port", STR, "Switch port"),
            )
        ),
        *(
            value(n, f"Client {d} (any minute's)", f"any_value({n})", "any", STR)
            for n, d in (("client_mac", "MAC"), ("client_ip", "IP"), ("hostname", "hostname"))
        ),
        count("minutes", "User minutes", "count(*)"),
        count(
            "bytes",
            "Octets up and down",
            "sum(coalesce(bytes_up, 0) + coalesce(bytes_down, 0))",
            U64,
        ),
        *(
            c
            for sle in SLE_NAMES
            for c in (
                count(f"{sle}_n", f"{sle}: minutes judged", f"count({sle}_ok)"),
                count(
                    f"{sle}_bad",
                    f"{sle}: minutes judged bad",
                    f"count(*) FILTER (WHERE NOT {sle}_ok)",
                ),
            )
        ),
        *mean_parts("app_rtt", "application_health_value", "application-health RTTs (ms)"),
    ),
    source_time="minute",
)
USER_DAYS = daily(
    USER_HOURS,
    _USER,
    [
        HourList(
            "app_rtt_means",
            "client-hour mean application RTTs (ms)",
            "app_rtt_sum / nullif(app_rtt_count, 0)",
        )
    ],
)

PROBE_HOURS, _PROBE = hourly(
    "probe_hours",
    "WAN probe results (RPM / probes) per link and hour: latency, jitter and loss sums",
    "sla_metrics",
    "source IN ('rpm', 'probe') AND site IS NOT NULL",
    (
        *site_keys(("device", "Gateway"), ("interface", "WAN interface")),
        count("probes", "Probe results", "count(*)"),
        *mean_parts("rtt", "rtt_ms", "RTTs (ms)"),
        value(
            "rtt_p95", "95th percentile RTT within the hour (ms)", "quantile_cont(rtt_ms, 0.95)", ""
        ),
        *mean_parts("jitter", "jitter_ms", "jitters (ms)"),
        *mean_parts("loss", "loss_pct", "loss percentages"),
        value("loss_max", "Largest loss %", "max(loss_pct)", "max"),
    ),
)
PROBE_DAYS = daily(
    PROBE_HOURS, _PROBE, [HourList("rtt_p95_hours", "the hourly p95 RTTs (ms)", "rtt_p95")]
)

PORT_HOURS, _PORT = hourly(
    "port_hours",
    "Interface counters per device interface and hour: rates, down minutes, error growth",
    "interface_stats",
    "site IS NOT NULL",
    (
        *site_keys(("device", "Device"), ("if_name", "Interface")),
        *(
            f
            for d in ("in", "out")
            for f in (
                count(f"{d}_count", f"Samples with an {d}put rate", f"count({d}_bps)"),
                value(f"{d}_sum", f"Sum of {d}put rates (b/s)", f"sum({d}_bps)"),
                value(f"{d}_max", f"Largest {d}put rate (b/s)", f"max({d}_bps)", "max"),
            )
        ),
        value("speed_max", "Largest reported speed (b/s)", "max(speed_bps)", "max", U64),
        count(
            "down_minutes",
            "Minutes with a sample reporting oper down",
            "count(DISTINCT time_bucket(INTERVAL 1 MINUTE, event_time)) "
            "FILTER (WHERE oper_status = 'down')",
        ),
        *extremes("in_errors", "in_errors", "input-error counter"),
        *extremes("out_discards", "out_discards", "output-discard counter"),
    ),
)
PORT_DAYS = daily(PORT_HOURS, _PORT)

_BIN_CONDITIONS = tuple(
    " AND ".join(
        c
        for c in (
            f"rssi_dbm >= {lo}" if lo != RSSI_BINS[0] else "",
            f"rssi_dbm < {lo + 5}" if lo != RSSI_BINS[-1] else "",
        )
        if c
    )
    or "true"
    for lo in RSSI_BINS
)

RADIO_HOURS, _RADIO = hourly(
    "radio_hours",
    "Client signal samples per AP, band and hour: count, RSSI and SNR sums, 5 dB RSSI bins",
    "client_events",
    "rssi_dbm IS NOT NULL AND site IS NOT NULL",
    (
        *site_keys(("ap", "AP"), ("band", "Wi-Fi band")),
        count("samples", "Samples with an RSSI", "count(*)"),
        value("rssi_sum", "Sum of RSSIs (dBm)", "sum(rssi_dbm)"),
        *mean_parts("snr", "snr_db", "SNRs (dB)"),
        *(
            count(
                rssi_bin_column(lo),
                f"Samples in [{lo}, {lo + 5}) dBm",
                f"count(*) FILTER (WHERE {cond})",
            )
            for lo, cond in zip(RSSI_BINS, _BIN_CONDITIONS, strict=True)
        ),
    ),
)
RADIO_DAYS = daily(RADIO_HOURS, _RADIO)

CONNECT_HOURS, _CONNECT = hourly(
    "connect_hours",
    "Client connection steps (and every failed event) per AP, step, result, reason and hour",
    "client_events",
    "(event_type <> 'rssi' OR result = 'fail') AND site IS NOT NULL",
    (
        *site_keys(
            ("ap", "AP"),
            ("event_type", "Step (assoc, auth, dhcp, dns, roam…)"),
            ("result", "ok or fail"),
            ("reason", "Failure reason"),
        ),
        count("events", "Events", "count(*)"),
        *mean_parts("duration", "duration_ms", "step durations (ms)"),
    ),
)
CONNECT_DAYS = daily(CONNECT_HOURS, _CONNECT)

#: Build order: every daily roll-up after its hourly one.
ROLLUPS: tuple[Rollup, ...] = (
    USER_HOURS, PROBE_HOURS, PORT_HOURS, RADIO_HOURS, CONNECT_HOURS,
    USER_DAYS, PROBE_DAYS, PORT_DAYS, RADIO_DAYS, CONNECT_DAYS,
)  # fmt: skip
BY_NAME: dict[str, Rollup] = {r.name: r for r in ROLLUPS}
#: The daily roll-up of each hourly one.
DAILY: dict[str, Rollup] = {r.hourly.name: r for r in ROLLUPS if r.hourly is not None}
