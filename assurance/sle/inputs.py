"""Raw inputs of one SLE job: the columns it reads from each raw table, loaded for a time range.

Owns which raw columns the engine reads (checked against the table declarations) and loading
them into DuckDB temp tables ``in_<name>`` for one time range and site shard, from the hourly
partitions that can hold rows of that range. Files are listed through the ``LakeStore`` and read
by DuckDB with the file list bound as a parameter. Must not decide anything about SLEs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from assurance.lake.catalog import open_duckdb
from assurance.lake.layout import Partition
from assurance.lake.store import LakeStore
from assurance.sle import sqlfiles
from assurance.tables import REGISTRY


@dataclass(frozen=True)
class Input:
    """A raw table read by the engine: temp table name, source table, columns (or expressions)."""

    name: str
    table: str
    columns: tuple[str, ...]
    where: str = ""


INPUTS: dict[str, Input] = {
    i.name: i
    for i in (
        Input(
            "flows",
            "flows",
            (
                "event_time",
                "site",
                "device",
                "src_addr",
                "dst_addr",
                "src_port",
                "dst_port",
                "protocol",
                "coalesce(bytes_scaled, bytes) AS b",
                "in_if",
                "out_if",
            ),
        ),
        Input("flow_options", "flow_options", ("event_time", "device", "if_index", "if_name")),
        Input(
            "sessions",
            "sessions",
            (
                "event_time",
                "site",
                "device",
                "src_addr",
                "dst_addr",
                "dst_port",
                "protocol",
                "application",
                "nested_application",
                "egress_interface",
                "packets_from_server",
                "coalesce(bytes_from_client, 0) + coalesce(bytes_from_server, 0) AS b",
                "close_reason",
            ),
            "event_type IN ('session_close', 'appt_close')",
        ),
        Input(
            "sla",
            "sla_metrics",
            (
                "event_time",
                "site",
                "device",
                "source",
                "application",
                "interface",
                "rtt_ms",
                "jitter_ms",
                "loss_pct",
                "probes_sent",
                "probes_received",
            ),
            "source IN ('rpm', 'appqoe')",
        ),
        Input(
            "ifstats",
            "interface_stats",
            (
                "event_time",
                "site",
                "device",
                "if_name",
                "if_index",
                "lower(oper_status) AS oper_status",
                "speed_bps",
                "in_pkts",
                "out_pkts",
                "in_errors",
                "out_errors",
                "out_discards",
                "in_crc_errors",
                "in_bps",
                "out_bps",
                "counter_reset",
            ),
        ),
        Input(
            "health",
            "device_health",
            (
                "event_time",
                "site",
                "device",
                "component",
                "cpu_pct",
                "memory_pct",
                "temperature_c",
                "power_status",
                "sessions_current",
                "sessions_max",
                "status",
            ),
        ),
        Input(
            "clients",
            "client_events",
            (
                "event_time",
                "site",
                "device",
                "event_type",
                "result",
                "reason",
                "client_mac",
                "client_ip",
                "hostname",
                "username",
                "os",
                "ssid",
                "band",
                "ap",
                "switch_port",
                "rssi_dbm",
                "duration_ms",
                "TRY_CAST(fields['channel_util_pct'] AS DOUBLE) AS channel_util",
                "TRY_CAST(fields['util_other_bss_pct'] AS DOUBLE) AS util_other_bss",
                "TRY_CAST(fields['util_non_wifi_pct'] AS DOUBLE) AS util_non_wifi",
                "TRY_CAST(fields['rate_mbps'] AS DOUBLE) AS rate_mbps",
                "TRY_CAST(fields['max_rate_mbps'] AS DOUBLE) AS max_rate_mbps",
                "lower(fields['roam_type']) AS roam_type",
                "TRY_CAST(fields['ap_uptime_s'] AS DOUBLE) AS ap_uptime_s",
            ),
        ),
        Input(
            "bindings",
            "client_events",
            ("event_time", "site", "client_ip", "client_mac"),
            "client_ip IS NOT NULL AND client_mac IS NOT NULL",
        ),
        Input(
            "vpn",
            "vpn_tunnels",
            ("event_time", "site", "device", "tunnel", "ike_state", "ipsec_state"),
        ),
        Input(
            "devevents",
            "device_events",
            ("event_time", "site", "device", "category", "lower(state) AS state", "interface"),
            "category IN ('interface', 'vpn', 'lldp', 'poe')",
        ),
    )
}


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    """Start of every hour that overlaps [start, end)."""
    first = start.replace(minute=0, second=0, microsecond=0)
    out = []
    t = first
    while t < end:
        out.append(t)
        t += timedelta(hours=1)
    return out


def files_for(store: LakeStore, table: str, start: datetime, end: datetime) -> list[str]:
    """Absolute paths of the published files in the hourly partitions overlapping [start, end)."""
    files = []
    for hour in hours_between(start, end):
        part = Partition(table, hour.date(), hour.hour)
        files += [store.abspath(f.path) for f in store.list_files(part.path)]
    return files


def read_columns(spec_input: Input) -> tuple[str, ...]:
    """The raw columns an input's expressions and filter name (every declared column that
    appears in them as a word; the time and the site are always read)."""
    text = " ".join((*spec_input.columns, spec_input.where, "event_time site"))
    names = REGISTRY[spec_input.table].schema.names
    return tuple(n for n in names if re.search(rf"\b{re.escape(n)}\b", text))


def _types(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> list[object]:
    return [row[:2] for row in sqlfiles.execute(con, f"DESCRIBE {sql}", params)]


def _by_first_file(
    con: duckdb.DuckDBPyConnection, spec_input: Input, empty: str, files: list[str]
) -> str | None:
    """A source bound from the first file's footer alone, when that file has every column the
    input reads with its declared type (else None)."""
    columns = ", ".join(read_columns(spec_input))
    source = f"SELECT {columns} FROM read_parquet($files, hive_partitioning = false)"  # noqa: S608
    try:
        found = _types(con, source, {"files": files})
    except duckdb.Error:
        return None
    if found != _types(con, f"SELECT {columns} FROM {empty}", {}):  # noqa: S608
        return None
    return f"SELECT * FROM {empty} UNION ALL BY NAME {source}"  # noqa: S608


def load(
    con: duckdb.DuckDBPyConnection,
    store: LakeStore,
    name: str,
    start: datetime,
    end: datetime,
    skip: frozenset[str] = frozenset(),
) -> int:
    """Create ``in_<name>`` with the rows of [start, end) at the shard's sites (``d_site``),
    from the partitions' files except those in ``skip`` (known to hold none of the sites).

    Files written with the declared schema (the normal case) are bound from the first file's
    footer alone. When that file's types differ from the declaration, or a later file lacks a
    column or cannot be cast, the files are read by column name (``union_by_name``), which
    reads every file's footer once more to bind.
    """
    spec_input = INPUTS[name]
    spec = REGISTRY[spec_input.table]
    files = [f for f in files_for(store, spec.name, start, end) if f not in skip]
    empty = f"_empty_{name}"
    con.register(empty, pa.Table.from_batches([], schema=spec.schema))
    where = "event_time >= $start AND event_time < $end AND site IN (SELECT site FROM d_site)"
    if spec_input.where:
        where += f" AND ({spec_input.where})"
    params: dict[str, object] = {"start": start, "end": end}

    def create(source: str) -> None:
        # Names and expressions come from INPUTS above, never from user text; values are bound.
        sqlfiles.execute(
            con,
            f"CREATE OR REPLACE TEMP TABLE in_{name} AS "  # noqa: S608
            f"SELECT {', '.join(spec_input.columns)} FROM ({source}) WHERE {where}",
            params,
        )

    try:
        if not files:
            create(f"SELECT * FROM {empty}")  # noqa: S608
        else:
            params["files"] = files
            fast = _by_first_file(con, spec_input, empty, files)
            if fast is not None:
                try:
                    create(fast)
                except duckdb.Error:
                    fast = None  # a later file lacks a column or cannot be cast
            if fast is None:
                create(
                    f"SELECT * FROM {empty} UNION ALL BY NAME SELECT * FROM read_parquet("  # noqa: S608
                    "$files, union_by_name = true, hive_partitioning = false)"
                )
    finally:
        con.unregister(empty)
    rows = sqlfiles.execute(con, f"SELECT count(*) FROM in_{name}")  # noqa: S608
    count = rows[0][0]
    return count if isinstance(count, int) else 0


#: Raw tables whose newest row says how far device telemetry has arrived.
TELEMETRY_TABLES = ("device_health", "interface_stats")


def telemetry_horizon(store: LakeStore) -> datetime | None:
    """The newest telemetry ``event_time`` of any inventory device in the lake (or None).

    Past it the data has not arrived yet (the end of a capture, or "now" for a running
    service), so silence there is not a disconnect. It is one figure for the whole lake, so a
    minute is judged the same whatever window or site shard computes it.
    """
    newest: datetime | None = None
    con = open_duckdb(store)
    try:
        sqlfiles.execute(con, "SET TimeZone = 'UTC'")
        for table in TELEMETRY_TABLES:
            hours = sorted(
                (part.start, path)
                for day_dir in store.list_dirs(table)
                for path in store.list_dirs(day_dir)
                if (part := Partition.parse(path)) is not None
            )
            # the newest hour partition holding a row of a known site
            for _, path in reversed(hours):
                files = [store.abspath(f.path) for f in store.list_files(path)]
                if not files:
                    continue
                got = sqlfiles.execute(
                    con,
                    "SELECT max(event_time) FROM read_parquet($files, union_by_name = true,"
                    " hive_partitioning = false) WHERE site IS NOT NULL",
                    {"files": files},
                )
                value = got[0][0]
                if isinstance(value, datetime):
                    newest = value if newest is None else max(newest, value)
                    break
    finally:
        con.close()
    return newest
