"""One SLE partition job: (site shard, hour-aligned window) → that partition's output files.

Owns the order of the SQL stages, the dimension tables built from the ``Context``, the look-back
each input needs, and turning the per-SLE label lists into verdicts. A job reads raw inputs for
its window plus look-backs, writes ``user_minutes``, ``sle_minutes`` and ``sle_hours`` for its
window (and ``sle_days`` for the days the window covers whole) through ``output`` and returns
a small summary; it is pure (same inputs → same files) and may run twice. Must not reach other
shards' outputs or decide how partitions are laid out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa

from assurance.errors import AssuranceError
from assurance.lake.catalog import open_duckdb
from assurance.lake.store import LakeStore
from assurance.sle import assemble, inputs, output, sqlfiles
from assurance.sle.catalog import SLE_NAMES
from assurance.sle.context import Context
from assurance.tables import SLE_MINUTES, USER_MINUTES

#: SQL stages before the SLEs, in order.
STAGES = (
    "paths",
    "traffic",
    "identity",
    "minutes",
    "interfaces",
    "devices",
    "links",
    "outages",
    "window",
)
#: Intermediate tables no later stage reads, dropped after the stage named (frees memory).
RELEASE: dict[str, tuple[str, ...]] = {
    "traffic": (
        "in_flows",
        "in_flow_options",
        "in_sessions",
        "addr_seen",
        "cf",
        "d_server",
        "d_server6",
    ),
    "identity": ("ct", "cs", "ipm", "bind", "ipx", "in_bindings"),
    "minutes": ("ipk", "attr_min", "d_client"),
    "interfaces": ("if_samples", "if_min", "ev_held", "ev_min"),
    "devices": ("in_health", "in_ifstats", "dev_seen", "health_min"),
    "links": ("in_sla", "sla_minute", "sla_min", "baseline", "vpn_min", "in_vpn"),
    "outages": ("presence_all", "outage", "outage_runs", "in_devevents"),
    "window": ("ce_min", "rssi_min", "um", "displaced"),
}
#: Look-back of client events (identity attributes, IP → MAC bindings).
CLIENT_LOOKBACK = timedelta(minutes=60)
#: How long an IP -> MAC binding holds (a DHCP lease horizon).
BIND_LOOKBACK = timedelta(hours=24)
#: Look-back of device events that hold a state until the opposite event.
EVENT_LOOKBACK = timedelta(minutes=60)
#: Look-back of sampled state (carry-forward and counter deltas).
STATE_LOOKBACK = timedelta(minutes=10)
#: Clients seen this long before an outage began are charged for it.
DISPLACE_BEFORE = timedelta(minutes=5)
DAY = timedelta(days=1)


class SleJobError(AssuranceError):
    """A partition job failed; says which one and the first line of the engine's error."""


@dataclass(frozen=True)
class Job:
    """One partition: the lake, the shard's context, the window and execution limits."""

    lake: str
    shard: str
    context: Context
    start: datetime
    end: datetime
    threads: int = 1
    memory_limit: str = "1500MB"
    #: The newest device telemetry in the lake: silence after it is not a disconnect.
    horizon: datetime | None = None
    #: Raw files the planner found to hold none of the job's sites (never opened).
    skip: frozenset[str] = frozenset()


@dataclass(frozen=True)
class JobResult:
    shard: str
    start: datetime
    end: datetime
    user_minutes: int
    sle_rows: int
    files: int
    seconds: float
    #: The process that ran the job and when (epoch seconds): what a run's schedule looked like.
    worker: int = 0
    began_at: float = 0.0
    ended_at: float = 0.0
    #: The UTC days the window covers whole, whose ``sle_days`` file the job wrote too.
    days: tuple[datetime, ...] = ()


def _max_threshold(context: Context, key: str) -> float:
    return max((t[key] for _, t in context.sites), default=0.0)


def _table(rows: Sequence[Sequence[object]], fields: list[tuple[str, pa.DataType]]) -> pa.Table:
    """A table from row tuples (the columns in ``fields`` order)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in fields]
    return pa.table(
        {name: pa.array(list(c), type_) for (name, type_), c in zip(fields, columns, strict=True)}
    )


def _strings(rows: Sequence[Sequence[object]], names: list[str]) -> pa.Table:
    return _table(rows, [(n, pa.string()) for n in names])


def _dimensions(
    con: duckdb.DuckDBPyConnection, ctx: Context, lb: datetime, start: datetime, end: datetime
) -> None:
    names = sorted({k for _, t in ctx.sites for k in t})
    f64, text = pa.float64(), pa.string()
    site_rows = [(site, *(t[k] for k in names)) for site, t in ctx.sites]
    tables: dict[str, pa.Table] = {
        "d_site": _table(site_rows, [("site", text)] + [(k, f64) for k in names]),
        "d_link": _table(
            ctx.links,
            [
                ("site", text),
                ("gateway", text),
                ("link", text),
                ("interface", text),
                ("parent", text),
                ("tunnel", text),
                ("cap_up", f64),
                ("cap_down", f64),
            ],
        ),
        "d_port": _strings(ctx.switch_ports, ["site", "switch", "port", "role"]),
        "d_ap": _strings(ctx.aps, ["site", "ap", "switch", "switch_port"]),
        "d_gateway": _strings(ctx.gateways, ["site", "gateway"]),
        "d_switch": _strings(ctx.switches, ["site", "switch"]),
        "d_app": _table(
            [(a.name, *a.sla) for a in ctx.apps],
            [("app", text), ("rtt_ms", f64), ("jitter_ms", f64), ("loss_pct", f64)],
        ),
        "d_apptrack": _strings(
            [(name, a.name) for a in ctx.apps for name in a.apptrack], ["apptrack", "app"]
        ),
    }
    ifl: list[tuple[str, str, str, str | None]] = []
    for _site, gw, link, interface, _parent, tunnel, _up, _down in ctx.links:
        ifl.append((gw, interface, link, tunnel))
        if tunnel:
            ifl.append((gw, tunnel, link, tunnel))
    tables["d_ifl"] = _strings(ifl, ["gateway", "if_name", "link", "overlay"])
    for name, table in tables.items():
        con.register(f"_{name}", table)
        sqlfiles.execute(con, f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}")  # noqa: S608
        con.unregister(f"_{name}")
    # The window's bounds as a table: the SLE views (which cannot take parameters) read them.
    sqlfiles.execute(
        con,
        "CREATE OR REPLACE TEMP TABLE d_window AS SELECT $lb::TIMESTAMPTZ AS lb, "
        '$start::TIMESTAMPTZ AS start, $end::TIMESTAMPTZ AS "end"',
        {"lb": lb, "start": start, "end": end},
    )
    sqlfiles.execute(
        con,
        "CREATE OR REPLACE TEMP TABLE d_minute AS SELECT unnest(generate_series("
        "$lb::TIMESTAMPTZ, $end::TIMESTAMPTZ - INTERVAL 1 MINUTE, INTERVAL 1 MINUTE)) AS minute",
        {"lb": lb, "end": end},
    )


def _rules(con: duckdb.DuckDBPyConnection, ctx: Context) -> None:
    """Client ranges and app rules as tables for ``addresses.sql`` (IPv4 matched in SQL)."""
    u64, u16, u8, text, i64 = pa.uint64(), pa.uint16(), pa.uint8(), pa.string(), pa.int64()
    prefix_rules, port_rules = ctx.app_rules()
    tables = {
        "d_prefix4": _table(ctx.v4_ranges(), [("site", text), ("lo", u64), ("hi", u64)]),
        "d_rule4": _table(
            prefix_rules,
            [
                ("ord", i64),
                ("app", text),
                ("lo", u64),
                ("hi", u64),
                ("proto", u8),
                ("plo", u16),
                ("phi", u16),
            ],
        ),
        "d_ruleport": _table(
            port_rules,
            [("ord", i64), ("app", text), ("proto", u8), ("plo", u16), ("phi", u16)],
        ),
    }
    for name, table in tables.items():
        con.register(f"_{name}", table)
        sqlfiles.execute(con, f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}")  # noqa: S608
        con.unregister(f"_{name}")


def _lan6(con: duckdb.DuckDBPyConnection, ctx: Context) -> None:
    """IPv6 client addresses (few), classified in Python."""
    pairs = con.execute("SELECT site, addr FROM addr_seen WHERE addr LIKE '%:%'").fetchall()
    con.register("_d_lan6", _strings(ctx.lan_addresses(pairs), ["site", "addr"]))
    sqlfiles.execute(con, "CREATE OR REPLACE TEMP TABLE d_lan6 AS SELECT * FROM _d_lan6")
    con.unregister("_d_lan6")


def _servers6(con: duckdb.DuckDBPyConnection, ctx: Context) -> None:
    """Apps of IPv6 server ends (few), matched in Python."""
    ends = con.execute(
        "SELECT DISTINCT server, protocol, server_port FROM cf WHERE server LIKE '%:%'"
    ).fetchall()
    rows = []
    for addr, protocol, port in ends:
        app = ctx.app_for(addr, protocol, port)
        if app is not None:
            rows.append((addr, protocol, port, app))
    fields = [
        ("addr", pa.string()),
        ("protocol", pa.uint8()),
        ("port", pa.uint16()),
        ("app", pa.string()),
    ]
    con.register("_d_server6", _table(rows, fields))
    sqlfiles.execute(con, "CREATE OR REPLACE TEMP TABLE d_server6 AS SELECT * FROM _d_server6")
    con.unregister("_d_server6")


#: One SLE's verdicts: the row id of the user minute, minute, site and the scope dimensions
#: ``sle_minutes`` keeps for that SLE (``{dims}``), then the verdict columns. A view's ``labels``
#: lists its classifier labels in precedence order with NULL for each label that does not hold
#: (no lambda filters the list): the first non-null label is the classifier, all of them in
#: order are the evidence, and none makes the minute good.
_VERDICT = """
WITH l AS (SELECT *, list_any_value(labels) AS first FROM l_{sle})
SELECT rid, minute, site, {dims}
    first IS NULL AS ok,
    split_part(first, '/', 1) AS classifier,
    CASE WHEN position('/' IN first) > 0 THEN first[position('/' IN first) + 1:] END AS sub,
    value,
    CASE WHEN first IS NOT NULL THEN array_to_string(labels, ',') END AS evidence
FROM l
"""


def look_back(job: Job) -> datetime:
    """The first minute the job judges: outages are charged to clients seen before them."""
    charge = timedelta(minutes=_max_threshold(job.context, "wan_outage_charge_min"))
    return job.start - charge - DISPLACE_BEFORE


def input_ranges(job: Job) -> dict[str, tuple[datetime, datetime]]:
    """The time range [begin, until) the job reads of each input, look-backs included."""
    lb = look_back(job)
    baseline = timedelta(hours=_max_threshold(job.context, "wan_baseline_hours"))
    begins = {
        "flows": lb,
        "flow_options": lb - timedelta(hours=1),
        "sessions": lb,
        "sla": min(lb, job.start - baseline) - STATE_LOOKBACK,
        "ifstats": lb - STATE_LOOKBACK,
        "health": lb - STATE_LOOKBACK,
        "clients": min(lb, job.start - CLIENT_LOOKBACK),
        "bindings": lb - BIND_LOOKBACK,
        "vpn": lb - STATE_LOOKBACK,
        "devevents": lb - EVENT_LOOKBACK,
    }
    # Path quality reads one minute past the window: lasting loss looks at the next minute.
    return {
        name: (begin, job.end + timedelta(minutes=1) if name == "sla" else job.end)
        for name, begin in begins.items()
    }


def compute(
    con: duckdb.DuckDBPyConnection, store: LakeStore, job: Job
) -> tuple[assemble.Verdicts, assemble.ClientNames]:
    """Run every stage for ``job`` on ``con``; leaves ``uw``, ``out_sle_minutes`` and
    ``out_sle_hours`` there and returns the verdicts (also registered as ``v_<sle>``) and the
    client names."""
    ctx = job.context
    lb = look_back(job)
    sqlfiles.run(con, "macros", {})
    _dimensions(con, ctx, lb, job.start, job.end)
    for name, (begin, until) in input_ranges(job).items():
        inputs.load(con, store, name, begin, until, job.skip)
    params = {"start": job.start, "end": job.end, "lb": lb, "horizon": job.horizon}
    _rules(con, ctx)
    sqlfiles.run(con, "addresses", params)
    _lan6(con, ctx)
    sqlfiles.run(con, "lan", params)
    sqlfiles.run(con, "paths", params)
    _servers6(con, ctx)
    sqlfiles.run(con, "servers", params)
    for stage in STAGES[1:]:
        sqlfiles.run(con, stage, params)
        if stage == "minutes":
            names = assemble.ClientNames.fetch(con)
        _release(con, stage)
    verdicts: dict[str, pa.Table] = {}
    for sle in SLE_NAMES:
        sqlfiles.run(con, sle, params)
        # fetched straight into Arrow (user_minutes is assembled there), read back as a view
        dims = "".join(f"{d}, " for d in assemble.DIMENSIONS[sle])
        verdicts[sle] = con.sql(_VERDICT.format(sle=sle, dims=dims)).to_arrow_table()
        con.register(f"v_{sle}", verdicts[sle])
        sqlfiles.execute(con, f"DROP VIEW l_{sle}")
    assemble.run(con)
    minutes = sqlfiles.execute(con, "SELECT count(*) FROM uw_rows")[0][0]
    assert isinstance(minutes, int)
    return assemble.Verdicts(verdicts, minutes), names


def _release(con: duckdb.DuckDBPyConnection, stage: str) -> None:
    for name in RELEASE.get(stage, ()):
        sqlfiles.execute(con, f"DROP TABLE IF EXISTS {name}")


def _fetch(con: duckdb.DuckDBPyConnection, table: str) -> pa.Table:
    return con.sql(f"SELECT * FROM {table}").to_arrow_table()  # noqa: S608


def publish(
    con: duckdb.DuckDBPyConnection,
    store: LakeStore,
    job: Job,
    verdicts: assemble.Verdicts,
    names: assemble.ClientNames,
) -> tuple[int, int, int]:
    """Write the job's outputs hour by hour, and the days its window covers whole; (files,
    user minutes, sle_minutes rows)."""
    hours = inputs.hours_between(job.start, job.end)
    files, users = output.publish_tables(
        store,
        USER_MINUTES.name,
        job.shard,
        hours,
        lambda a, b: assemble.user_minutes(con, verdicts, names, a, b),
    )
    # the roll-ups are small beside user_minutes: each is read once and split by hour in Arrow
    more, sle = output.publish_hours(
        store, SLE_MINUTES.name, job.shard, hours, _fetch(con, "out_sle_minutes")
    )
    files += more
    more, _ = output.publish_hours(
        store, "sle_hours", job.shard, hours, _fetch(con, "out_sle_hours")
    )
    files += more
    days = whole_days(job.start, job.end)
    if days:
        sqlfiles.execute(
            con,
            assemble.rollup_sql("out_sle_hours", "out_sle_days", "hour_start", "day_start", "day"),
        )
        more, _ = output.publish_hours(
            store, "sle_days", job.shard, days, _fetch(con, "out_sle_days")
        )
        files += more
    return files, users, sle


def whole_days(start: datetime, end: datetime) -> list[datetime]:
    """The UTC days that lie whole in [start, end)."""
    first = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if first < start:
        first += DAY
    days = []
    while first + DAY <= end:
        days.append(first)
        first += DAY
    return days


def run_job(job: Job) -> JobResult:
    """The partition function handed to ``assurance.runner.run``."""
    began = time.perf_counter()
    began_at = time.time()
    store = LakeStore(job.lake)
    con = open_duckdb(store)
    try:
        sqlfiles.execute(con, "SET TimeZone = 'UTC'")
        sqlfiles.execute(con, f"SET threads = {int(job.threads)}")
        sqlfiles.execute(con, "SET memory_limit = $m", {"m": job.memory_limit})
        sqlfiles.execute(con, "SET preserve_insertion_order = false")
        try:
            verdicts, names = compute(con, store, job)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise SleJobError(
                f"SLE job {job.shard} {job.start:%Y-%m-%d %H:%M}-{job.end:%H:%M} failed: {first}"
            ) from None
        files, users, sle = publish(con, store, job, verdicts, names)
    finally:
        con.close()
    seconds = time.perf_counter() - began
    return JobResult(
        job.shard,
        job.start,
        job.end,
        users,
        sle,
        files,
        seconds,
        os.getpid(),
        began_at,
        time.time(),
        tuple(whole_days(job.start, job.end)),
    )
