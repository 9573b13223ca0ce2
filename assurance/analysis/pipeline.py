"""The analysis pipeline: SLE minutes → anomalies → incidents with ranked causes → actions.

Owns the two steps and their order. (1) Per site shard, through ``assurance.runner``: score every
(site, SLE) bad-share series and every switch port's error rate, and publish the shard's notable
points to ``anomalies``. (2) Across sites, reading those outputs: cut flagged minutes into
episodes, group a site's concurrent episodes into one incident, rank its causes from the
incident's leaf cube, apply breadth (one ISP at many sites, one application everywhere — the
latter localized with ``models.rca``), and publish ``incidents`` and ``actions``. Each step
rewrites exactly the hours of its window, so a rerun changes nothing. Must not hold SQL beyond
what ``series`` owns or decide what a cause means (``knowledge``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assurance import runner
from assurance.analysis import series
from assurance.analysis.detect import DetectSettings, Episode, episodes, score
from assurance.analysis.incidents import (
    Incident,
    absorb_into_app,
    action_rows,
    cluster,
    incident_rows,
    merge_isp,
)
from assurance.analysis.rank import Cause, candidates, finish
from assurance.config.inventory import Inventory
from assurance.errors import AssuranceError
from assurance.lake.catalog import connect
from assurance.lake.store import LakeStore
from assurance.sle.output import publish_hours
from assurance.tables import ACTIONS, ANOMALIES, INCIDENTS
from models.rca import localize

HOUR = timedelta(hours=1)
#: History read before the window so detectors are warm and baselines exist.
HISTORY = timedelta(hours=3)
#: Reference window before an incident for the site's usual bad share.
BASELINE = timedelta(minutes=60)
SITES_PER_SHARD = 25
#: Bad share assumed where a baseline saw none, for localization's expected values.
PRIOR_SHARE = 0.01
#: A port error minute: at least this many input errors and this error ratio.
PORT_MIN_ERRORS = 5.0
PORT_MIN_RATIO = 1e-4


class AnalysisError(AssuranceError):
    """A request analysis cannot serve (no lake, no SLE minutes, empty range…)."""


@dataclass(frozen=True)
class ShardJob:
    lake: str
    shard: str
    sites: tuple[str, ...]
    start: datetime
    end: datetime
    settings: DetectSettings = field(default_factory=DetectSettings)


@dataclass(frozen=True)
class Summary:
    start: datetime
    end: datetime
    anomalies: int
    incidents: list[Incident]
    actions: int
    seconds: float


def _hours(start: datetime, end: datetime) -> list[datetime]:
    out, t = [], start
    while t < end:
        out.append(t)
        t += HOUR
    return out


def _notable(
    matrix: series.Matrix,
    scored_share: np.ndarray,
    expected: np.ndarray,
    scores: np.ndarray,
    flags: np.ndarray,
    keep_from: datetime,
    scope: Callable[[tuple[str, str]], tuple[str | None, str, str]],
    detector: str,
) -> dict[str, list[object]]:
    """Rows worth keeping: minutes with some badness or a flag, inside the window."""
    first = int(np.searchsorted(matrix.minutes, np.datetime64(keep_from.replace(tzinfo=None), "m")))
    value = np.nan_to_num(scored_share[first:])
    t_idx, j_idx = np.nonzero((value > 0) | flags[first:])
    out: dict[str, list[object]] = {
        k: []
        for k in (
            "event_time",
            "site",
            "scope",
            "metric",
            "value",
            "expected",
            "score",
            "is_anomaly",
            "detector",
        )
    }
    stamps = matrix.minutes[first:][t_idx].astype("datetime64[us]")
    keys = [scope(matrix.keys[j]) for j in range(len(matrix.keys))]
    out["event_time"] = pd.to_datetime(stamps).tz_localize(UTC).to_pydatetime().tolist()
    out["site"] = [keys[j][0] for j in j_idx]
    out["scope"] = [keys[j][1] for j in j_idx]
    out["metric"] = [keys[j][2] for j in j_idx]
    out["value"] = scored_share[first:][t_idx, j_idx].tolist()
    out["expected"] = expected[first:][t_idx, j_idx].tolist()
    out["score"] = scores[first:][t_idx, j_idx].tolist()
    out["is_anomaly"] = flags[first:][t_idx, j_idx].tolist()
    out["detector"] = [detector] * len(t_idx)
    return out


def _port_matrix(frame: pd.DataFrame, start: datetime, end: datetime) -> series.Matrix:
    """Port error minutes as a matrix: ``bad`` = errors, ``total`` = 1 where the port reported."""
    if frame.empty:
        return series.to_matrix(frame, ("site", "port"), start, end)
    frame = frame.assign(port=frame["device"] + "/" + frame["if_name"], total=1.0)
    frame["bad"] = np.where(
        (frame["errors"] >= PORT_MIN_ERRORS)
        & (frame["errors"] >= PORT_MIN_RATIO * frame["pkts"].clip(lower=1)),
        frame["errors"],
        0.0,
    )
    return series.to_matrix(frame, ("site", "port"), start, end)


def detect_shard(job: ShardJob) -> int:
    """Step 1 for one shard: score its series and publish its anomalies; rows written."""
    store = LakeStore(job.lake)
    con = connect(store)
    try:
        lb = job.start - HISTORY
        matrix = series.site_series(con, job.sites, lb, job.end)
        scored = score(matrix, job.settings)
        rows = _notable(
            matrix,
            scored.share,
            scored.expected,
            scored.score,
            scored.flag,
            job.start,
            lambda k: (k[0], "site", f"{k[1]}_bad_share"),
            job.settings.detector,
        )
        ports = _port_matrix(series.port_errors(con, job.sites, lb, job.end), lb, job.end)
        flags = ports.bad > 0
        port_rows = _notable(
            ports,
            ports.bad,
            np.zeros_like(ports.bad),
            flags.astype(np.float64),
            flags,
            job.start,
            lambda k: (k[0], f"port:{k[1]}", "input_errors_per_min"),
            "port_errors",
        )
    finally:
        con.close()
    for key, values in port_rows.items():
        rows[key].extend(values)
    table = pa.Table.from_pydict(rows, schema=ANOMALIES.schema)
    publish_hours(store, ANOMALIES.name, f"analysis-{job.shard}", _hours(job.start, job.end), table)
    return int(table.num_rows)


def _flag_matrix(
    con: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> tuple[series.Matrix, np.ndarray]:
    frame = con.execute(
        "SELECT event_time AS minute, coalesce(site, '') AS site, scope || '|' || metric AS key, "
        "1.0 AS bad, score AS total FROM anomalies "
        "WHERE is_anomaly AND event_time >= $a AND event_time < $b",
        {"a": start, "b": end},
    ).df()
    matrix = series.to_matrix(frame, ("site", "key"), start, end)
    return matrix, matrix.bad > 0


def _episodes(matrix: series.Matrix, flags: np.ndarray, settings: DetectSettings) -> list[Episode]:
    from assurance.analysis.detect import Scored

    scored = Scored(matrix.bad, matrix.bad, matrix.total, flags)
    return episodes(matrix, scored, settings)


def _sle_of(key: str) -> str | None:
    scope, metric = key.split("|", 1)
    if scope == "site" and metric.endswith("_bad_share"):
        return metric[: -len("_bad_share")]
    return None


def _app_incidents(
    con: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    settings: DetectSettings,
    store: LakeStore,
    window_start: datetime,
) -> list[Incident]:
    """Applications failing at many sites at once, localized with ``models.rca``."""
    matrix = series.app_series(con, start, end)
    scored = score(matrix, settings)
    rows = _notable(
        matrix,
        scored.share,
        scored.expected,
        scored.score,
        scored.flag,
        window_start,
        lambda k: (None, f"app:{k[0]}", "application_health_bad_share"),
        settings.detector,
    )
    table = pa.Table.from_pydict(rows, schema=ANOMALIES.schema)
    publish_hours(store, ANOMALIES.name, "analysis-org", _hours(window_start, end), table)
    found: list[Incident] = []
    for ep in episodes(matrix, scored, settings):
        app = ep.key[0]
        leaves = series.leaves(
            con,
            _all_sites(con, ep.start, ep.end),
            ["application_health"],
            ep.start,
            ep.end + timedelta(minutes=1),
        )
        if leaves.empty:
            continue
        cube = leaves.groupby(["site", "application"], dropna=False)[["bad", "total"]].sum()
        cube = cube.reset_index()
        base = series.baseline_share(
            con,
            cube["site"].unique().tolist(),
            ["application_health"],
            ep.start - BASELINE,
            ep.start,
        )
        # A small prior share keeps the expectation positive where the baseline saw no bad
        # minute at all (an all-zero expectation says nothing about where the deviation is).
        cube["predict"] = [
            max(base.get((s, "application_health"), 0.0), PRIOR_SHARE) * t
            for s, t in zip(cube["site"], cube["total"], strict=True)
        ]
        cube["application"] = cube["application"].fillna("(unknown)")
        result = localize(
            cube.rename(columns={"bad": "real"})[["site", "application", "real", "predict"]],
            ["site", "application"],
        )
        top = result.causes[0] if result.causes else None
        if top is None or dict(top.combination) != {"application": app} or top.score < 0.5:
            continue
        sites = sorted(cube.loc[(cube["application"] == app) & (cube["bad"] > 0), "site"])
        if len(sites) < 2:
            continue
        cause = Cause(
            "saas_outage",
            app,
            None,
            weight=ep.bad,
            bad=ep.bad,
            first_bad=ep.start,
            sles={"application_health"},
            sites=sites,
            notes=[
                f"{app} degraded at {len(sites)} sites at once; root-cause set "
                f"{result.causes[0].combination}"
            ],
        )
        found.append(
            Incident(
                None,
                sites,
                ep.start,
                ep.detected_at,
                ep.end,
                ["application_health"],
                finish([cause]),
            )
        )
    return found


def _all_sites(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT site FROM sle_minutes WHERE minute >= $a AND minute <= $b",
            {"a": start, "b": end},
        ).fetchall()
    ]


def _flapping(con: duckdb.DuckDBPyConnection, inc: Incident, cause: Cause) -> bool:
    """A link-down cause whose bad minutes come and go (two or more separate runs) flaps."""
    rows = con.execute(
        "SELECT DISTINCT minute FROM sle_minutes WHERE site = $s AND sle = 'wan_link_health' "
        "AND wan_link = $l AND classifier = 'interface' AND total > good "
        "AND minute >= $a AND minute <= $b ORDER BY 1",
        {"s": inc.site, "l": cause.scope_value, "a": inc.start, "b": inc.end},
    ).fetchall()
    stamps = [r[0] for r in rows]
    runs = 1 + sum((b - a) > timedelta(minutes=1) for a, b in itertools.pairwise(stamps))
    return len(stamps) > 0 and runs >= 2


def _site_incident(con: duckdb.DuckDBPyConnection, site: str, group: list[Episode]) -> Incident:
    start = min(e.start for e in group)
    end = max(e.end for e in group)
    sles = sorted({s for e in group if (s := _sle_of(e.key[1]))})
    causes: list[Cause] = []
    if sles:
        leaves = series.leaves(con, [site], sles, start, end + timedelta(minutes=1))
        base = series.baseline_share(con, [site], sles, start - BASELINE, start)
        causes = candidates(leaves, base, site)
    ports = [e for e in group if e.key[1].startswith("port:")]
    for ep in ports:
        device_port = ep.key[1].split("|", 1)[0][len("port:") :]
        device, port = device_port.split("/", 1)
        minutes = (ep.end - ep.start).total_seconds() / 60 + 1
        cause = Cause(
            "bad_cable_lan",
            port,
            site,
            weight=minutes,
            bad=0.0,
            first_bad=ep.start,
            notes=[f"input errors on {device} {port} for {minutes:.0f} min"],
        )
        causes.append(cause)
    causes = finish(causes)
    inc = Incident(site, [site], start, min(e.detected_at for e in group), end, sles, causes)
    top = inc.top
    if top is not None and top.kind == "link_down" and _flapping(con, inc, top):
        top.kind = "link_flapping"
    return inc


def _impact(con: duckdb.DuckDBPyConnection, inc: Incident) -> None:
    sles = sorted({s for c in inc.causes[:1] for s in c.sles}) or inc.sles
    users, apps = series.impacted_clients(
        con, inc.sites, sles, inc.start, inc.end + timedelta(minutes=1)
    )
    inc.impacted_users = users
    inc.applications = apps
    inc.impacted_minutes = sum(c.bad for c in inc.causes[:1])


def correlate(
    lake: str,
    inventory: Inventory,
    start: datetime,
    end: datetime,
    settings: DetectSettings,
) -> tuple[list[Incident], int, int]:
    """Step 2 over every site: incidents and actions for [start, end); (incidents, rows, rows)."""
    store = LakeStore(lake)
    con = connect(store)
    try:
        lb = start - HISTORY
        app_found = _app_incidents(con, lb, end, settings, store, start)
        matrix, flags = _flag_matrix(con, lb, end)
        by_site: dict[str, list[Episode]] = {}
        for ep in _episodes(matrix, flags, settings):
            by_site.setdefault(ep.key[0], []).append(ep)
        slack = timedelta(minutes=settings.quiet)
        found: list[Incident] = []
        for site, eps in sorted(by_site.items()):
            for group in cluster(eps, slack):
                found.append(_site_incident(con, site, group))
        for app_inc in app_found:
            found = absorb_into_app(app_inc, found, slack)
        isp_of = {
            (s.name, link.name): link.isp
            for s in inventory.sites
            for g in s.gateways
            for link in g.wan
        }
        sites_on: dict[str, set[str]] = {}
        for (site, _), isp in isp_of.items():
            sites_on.setdefault(isp, set()).add(site)
        found = merge_isp(found, isp_of, {k: len(v) for k, v in sites_on.items()}, slack)
        found += app_found
        found = [i for i in found if i.causes and i.detected_at < end and i.end >= start]
        data_end = end
        for inc in found:
            inc.status = "resolved" if inc.end + slack < data_end else "open"
            _impact(con, inc)
    finally:
        con.close()
    found.sort(key=lambda i: (i.detected_at, i.incident_id))
    hours = _hours(start, end)
    inc_table = pa.Table.from_pylist(incident_rows(found, end), schema=INCIDENTS.schema)
    publish_hours(store, INCIDENTS.name, "analysis-org", hours, inc_table)
    act_table = pa.Table.from_pylist(
        action_rows(found, inventory.org.name, end), schema=ACTIONS.schema
    )
    # States after the window (validation still to come) are written by a later run.
    stamp = act_table.column("updated_at")
    act_table = act_table.filter(pc.less(stamp, pa.scalar(end, stamp.type)))
    publish_hours(store, ACTIONS.name, "analysis-org", hours, act_table)
    return found, inc_table.num_rows, act_table.num_rows


def sle_range(lake: str) -> tuple[datetime, datetime] | None:
    con = connect(lake)
    try:
        row = con.execute("SELECT min(minute), max(minute) FROM sle_minutes").fetchone()
    finally:
        con.close()
    if row is None or row[0] is None:
        return None
    first = row[0].astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    last = row[1].astimezone(UTC) + timedelta(minutes=1)
    return first, last


def analyze(
    lake: str,
    inventory: Inventory,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    settings: DetectSettings | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Analyze [start, end) (default: every SLE minute in the lake)."""
    began = time.perf_counter()
    settings = settings or DetectSettings()
    if not LakeStore(lake).exists():
        raise AnalysisError(f"no lake at {lake} (folder does not exist)")
    found = sle_range(lake)
    if found is None:
        raise AnalysisError(f"no SLE minutes in {lake}: run `wanassure sle compute` first")
    start = (start or found[0]).replace(minute=0, second=0, microsecond=0)
    end = end or found[1]
    if end <= start:
        raise AnalysisError("the time range is empty (--to must be after --from)")
    names = sorted(s.name for s in inventory.sites)
    shards = [
        ShardJob(
            lake,
            f"{i // SITES_PER_SHARD:03d}",
            tuple(names[i : i + SITES_PER_SHARD]),
            start,
            end,
            settings,
        )
        for i in range(0, len(names), SITES_PER_SHARD)
    ]
    rows = 0
    for n, written in enumerate(runner.run(detect_shard, shards, workers=workers), start=1):
        rows += written
        if progress:
            progress(n, len(shards) + 1)
    incidents, _, actions = correlate(lake, inventory, start, end, settings)
    if progress:
        progress(len(shards) + 1, len(shards) + 1)
    return Summary(start, end, rows, incidents, actions, time.perf_counter() - began)


__all__ = ["AnalysisError", "Summary", "analyze", "correlate", "detect_shard"]
