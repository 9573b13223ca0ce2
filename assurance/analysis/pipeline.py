"""The analysis pipeline: SLE minutes → anomalies → incidents with ranked causes → actions.

Owns the two steps and their order. (1) Per site shard, through ``assurance.runner``: score every
(site, SLE) bad-share series, flag device facts (a WAN interface down, every probe over a link
lost, switch-port errors), and publish the shard's notable points to ``anomalies``. (2) Across
sites, reading those outputs: cut flagged minutes into episodes, group a site's concurrent
episodes into one incident, rank its causes from the incident's leaf cube, apply breadth (one
ISP at many sites, one application everywhere — the latter localized with ``models.rca``), and
publish ``incidents`` and ``actions``. Each step rewrites exactly the hours of its window, so a
rerun changes nothing. Must not hold SQL (``series`` owns it) or decide what a cause means
(``knowledge``).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assurance import runner
from assurance.analysis import series
from assurance.analysis.detect import DetectSettings, Episode, Scored, episodes, score
from assurance.analysis.incidents import (
    Incident,
    absorb_into_app,
    action_rows,
    cluster,
    incident_rows,
    merge_isp,
)
from assurance.analysis.rank import Cause, candidates, finish, merge
from assurance.config.inventory import Inventory
from assurance.errors import AssuranceError
from assurance.lake.catalog import connect
from assurance.lake.store import LakeStore
from assurance.sle.output import prune, publish_hours
from assurance.tables import ACTIONS, ANOMALIES, INCIDENTS, REGISTRY
from models.rca import localize

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
#: History read before the window so detectors are warm and baselines exist.
HISTORY = timedelta(hours=3)
#: Reference window for the site's usual bad share: an hour, ending a little before the
#: incident (a sparse SLE's rolling window can date its start after the first bad minute).
BASELINE = timedelta(minutes=60)
BASELINE_GAP = timedelta(minutes=10)
SITES_PER_SHARD = 25
#: Where the last run stopped (an incremental run starts there, history is re-read).
WATERMARK = "_state/analysis.json"
#: Anomaly scopes that are device facts, and how many flagged minutes of the last
#: ``confirm_window`` confirm one.
DEVICE_SCOPES = ("port:", "link:", "probe:")
DEVICE_CONFIRM = 2
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
    #: The shard's WAN links: (site, gateway, interface, link).
    links: tuple[tuple[str, str, str, str], ...] = ()
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


def _fact_key(scope: str, metric: str) -> Callable[[tuple[str, str]], tuple[str, str, str]]:
    def key(k: tuple[str, str]) -> tuple[str, str, str]:
        return k[0], f"{scope}:{k[1]}", metric

    return key


def _connect(store: LakeStore, *tables: str) -> duckdb.DuckDBPyConnection:
    """A connection with views of only the tables a step reads (views cost a file listing)."""
    return connect(store, tables={name: REGISTRY[name] for name in tables})


def detect_shard(job: ShardJob) -> int:
    """Step 1 for one shard: score its series and publish its anomalies; rows written."""
    store = LakeStore(job.lake)
    con = _connect(store, "sle_minutes", "interface_stats", "sla_metrics")
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
        ports = series.port_errors(con, job.sites, lb, job.end, PORT_MIN_ERRORS, PORT_MIN_RATIO)
        links = pd.DataFrame(list(job.links), columns=["site", "gateway", "interface", "link"])
        down = series.link_down(con, links, lb, job.end)
        lost = series.probes_lost(con, links, lb, job.end)
    finally:
        con.close()
    # Device facts (a port's input errors, a WAN interface reported down) are flagged as
    # they are: the device said so, no detector needed.
    for facts, scope, metric, detector in (
        (ports, "port", "input_errors_per_min", "port_errors"),
        (down, "link", "oper_status_down", "link_state"),
        (lost, "probe", "rpm_probes_lost", "rpm_probes"),
    ):
        flags = facts.bad > 0
        more = _notable(
            facts,
            facts.bad,
            np.zeros_like(facts.bad),
            flags.astype(np.float64),
            flags,
            job.start,
            _fact_key(scope, metric),
            detector,
        )
        for key, values in more.items():
            rows[key].extend(values)
    table = pa.Table.from_pydict(rows, schema=ANOMALIES.schema)
    publish_hours(store, ANOMALIES.name, f"analysis-{job.shard}", _hours(job.start, job.end), table)
    return int(table.num_rows)


def _episodes(matrix: series.Matrix, flags: np.ndarray, settings: DetectSettings) -> list[Episode]:
    """Episodes of the flagged minutes; device facts need fewer flagged minutes to confirm
    (a device saying a link is down is not a statistical guess)."""
    device = np.array([k[1].startswith(DEVICE_SCOPES) for k in matrix.keys], dtype=bool)
    found: list[Episode] = []
    for cols, rule in ((~device, settings), (device, replace(settings, confirm=DEVICE_CONFIRM))):
        if not cols.any():
            continue
        part = series.Matrix(
            matrix.minutes,
            [k for k, c in zip(matrix.keys, cols, strict=True) if c],
            matrix.bad[:, cols],
            matrix.total[:, cols],
        )
        scored = Scored(part.bad, part.bad, part.total, flags[:, cols])
        found += episodes(part, scored, rule)
    return found


def _sle_of(key: str) -> str | None:
    scope, metric = key.split("|", 1)
    if scope == "site" and metric.endswith("_bad_share"):
        return metric[: -len("_bad_share")]
    return None


def _windows(rows: list[tuple[int, str, str, datetime, datetime]]) -> pd.DataFrame:
    """Incident windows for the batched queries of ``series`` (end exclusive)."""
    frame = pd.DataFrame(rows, columns=["wid", "site", "sle", "start", "end"])
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["base_end"] = frame["start"] - BASELINE_GAP
    frame["base_start"] = frame["base_end"] - BASELINE
    return frame


def _by_window(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    if frame.empty:
        return {}
    return {int(str(wid)): part for wid, part in frame.groupby("wid")}


def _app_incidents(
    con: duckdb.DuckDBPyConnection,
    sites: list[str],
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
    found_eps = episodes(matrix, scored, settings)
    if not found_eps:
        return []
    series.register_windows(
        con,
        _windows(
            [
                (wid, site, "application_health", ep.start, ep.end + MINUTE)
                for wid, ep in enumerate(found_eps)
                for site in sites
            ]
        ),
    )
    leaves = _by_window(series.leaves(con))
    base = series.baseline_share(con)
    found: list[Incident] = []
    for wid, ep in enumerate(found_eps):
        app = ep.key[0]
        if wid not in leaves:
            continue
        cube = leaves[wid].groupby(["site", "application"], dropna=False)[["bad", "total"]].sum()
        cube = cube.reset_index()
        # Localize the drop of *good* minutes: a fault takes a share of them away from every
        # leaf under it (one ripple factor), which the model needs; bad minutes saturate.
        good = pd.DataFrame(
            {
                "site": cube["site"],
                "application": cube["application"].fillna("(unknown)"),
                "real": cube["total"] - cube["bad"],
                "predict": [
                    (1.0 - base.get((wid, s, "application_health"), 0.0)) * t
                    for s, t in zip(cube["site"], cube["total"], strict=True)
                ],
            }
        )
        result = localize(good, ["site", "application"], counts=True)
        top = result.causes[0] if result.causes else None
        if top is None or dict(top.combination) != {"application": app} or top.score < 0.5:
            continue
        hit = sorted(cube.loc[(cube["application"] == app) & (cube["bad"] > 0), "site"])
        if len(hit) < 2:
            continue
        cause = Cause(
            "saas_outage",
            app,
            None,
            weight=ep.bad,
            bad=ep.bad,
            first_bad=ep.start,
            sles={"application_health"},
            sites=hit,
            notes=[f"{app} degraded at {len(hit)} sites at once; root-cause set {top}"],
        )
        found.append(
            Incident(
                None,
                hit,
                ep.start,
                ep.detected_at,
                ep.end,
                ["application_health"],
                finish([cause]),
            )
        )
    return found


def _runs(minutes: pd.Series) -> int:
    """Separate runs in sorted minute stamps (a gap of more than a minute starts a new run)."""
    stamps = list(minutes)
    return 1 + sum((b - a) > MINUTE for a, b in itertools.pairwise(stamps)) if stamps else 0


#: Weight of one minute of a device fact, against bad user minutes.
DEVICE_WEIGHT = 2.0


def _device_cause(site: str, ep: Episode) -> Cause | None:
    """The cause a device-fact episode (port errors, WAN interface down, every probe over a
    link lost) points at."""
    scope, _, target = ep.key[1].split("|", 1)[0].partition(":")
    if scope not in ("port", "link", "probe"):
        return None
    device, name = target.split("/", 1)
    minutes = (ep.end - ep.start).total_seconds() / 60 + 1
    if scope == "port":
        kind, note = "bad_cable_lan", f"input errors on {device} {name} for {minutes:.0f} min"
    elif scope == "link":
        kind = "link_down"
        note = f"{device} reported WAN link {name} down ({ep.runs} time(s) in {minutes:.0f} min)"
    else:
        kind = "isp_unreachable"
        note = f"every RPM probe {device} sent over {name} was lost for {minutes:.0f} min"
    cause = Cause(
        kind,
        name,
        site,
        weight=DEVICE_WEIGHT * minutes,
        bad=0.0,
        first_bad=ep.start,
        notes=[note],
    )
    cause.facts.add(scope)
    return cause


def _site_incidents(
    con: duckdb.DuckDBPyConnection, groups: list[tuple[str, list[Episode]]]
) -> list[Incident]:
    """One incident per group of a site's concurrent episodes, causes ranked from its cube."""
    windows = []
    for wid, (site, group) in enumerate(groups):
        start = min(e.start for e in group)
        end = max(e.end for e in group) + MINUTE
        windows += [(wid, site, sle, start, end) for e in group if (sle := _sle_of(e.key[1]))]
    if not windows:
        windows = [(-1, "", "", datetime.now(UTC), datetime.now(UTC))]
    series.register_windows(con, _windows(windows))
    leaves = _by_window(series.leaves(con))
    base = series.baseline_share(con)
    links = _by_window(series.link_minutes(con))
    found = []
    for wid, (site, group) in enumerate(groups):
        sles = sorted({s for e in group if (s := _sle_of(e.key[1]))})
        causes: list[Cause] = []
        if wid in leaves:
            site_base = {(site, sle): base.get((wid, site, sle), 0.0) for sle in sles}
            causes = candidates(leaves[wid], site_base, site)
        facts = [c for ep in group if (c := _device_cause(site, ep)) is not None]
        # A link that is down also loses its probes: the interface is the root of both.
        links_down = {c.scope_value for c in facts if c.kind == "link_down"}
        causes += [
            c for c in facts if not (c.kind == "isp_unreachable" and c.scope_value in links_down)
        ]
        inc = Incident(
            site,
            [site],
            min(e.start for e in group),
            min(e.detected_at for e in group),
            max(e.end for e in group),
            sles,
            finish(merge(causes)),
        )
        top = inc.top
        if top is not None and top.kind == "link_down":
            device_runs = max(
                (e.runs for e in group if e.key[1].split("|")[0].endswith(f"/{top.scope_value}")),
                default=0,
            )
            user_runs = 0
            if wid in links:
                down = links[wid]
                user_runs = _runs(down.loc[down["wan_link"] == top.scope_value, "minute"])
            if max(device_runs, user_runs) >= 2:
                top.kind = "link_flapping"
        found.append(inc)
    return found


def _impact(con: duckdb.DuckDBPyConnection, incidents: list[Incident]) -> None:
    """Distinct users hurt and their applications, for every incident in one pass."""
    windows = [
        (wid, site, sle, inc.start, inc.end + MINUTE)
        for wid, inc in enumerate(incidents)
        for site in inc.sites
        for sle in (sorted(inc.top.sles) if inc.top and inc.top.sles else inc.sles)
    ]
    if not windows:
        return
    series.register_windows(con, _windows(windows))
    impact = series.impacted_clients(con, sorted({w[2] for w in windows}))
    for wid, inc in enumerate(incidents):
        inc.impacted_users, inc.applications = impact.get(wid, (0, []))
        inc.impacted_minutes = inc.top.bad if inc.top else 0.0


def correlate(
    lake: str,
    inventory: Inventory,
    start: datetime,
    end: datetime,
    settings: DetectSettings,
) -> tuple[list[Incident], int, int]:
    """Step 2 over every site: incidents and actions for [start, end); (incidents, rows, rows)."""
    store = LakeStore(lake)
    con = _connect(store, "sle_minutes", "anomalies", "user_minutes")
    try:
        lb = start - HISTORY
        sites = sorted(s.name for s in inventory.sites)
        app_found = _app_incidents(con, sites, lb, end, settings, store, start)
        matrix = series.flagged(con, lb, end)
        flags = matrix.bad > 0
        by_site: dict[str, list[Episode]] = {}
        for ep in _episodes(matrix, flags, settings):
            by_site.setdefault(ep.key[0], []).append(ep)
        slack = timedelta(minutes=settings.quiet)
        groups = [(site, g) for site, eps in sorted(by_site.items()) for g in cluster(eps, slack)]
        found = _site_incidents(con, groups)
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
        for inc in found:
            inc.status = "resolved" if inc.end + slack < end else "open"
        _impact(con, found)
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


def watermark(store: LakeStore) -> datetime | None:
    """Where the last analysis of this lake stopped, if any run finished."""
    try:
        with store.open_input(WATERMARK) as f:
            return datetime.fromisoformat(json.loads(f.read())["analyzed_to"])
    except (OSError, ValueError, KeyError):
        return None


def sle_range(lake: str) -> tuple[datetime, datetime] | None:
    con = _connect(LakeStore(lake), "sle_minutes")
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
    """Analyze [start, end). By default: from where the last run stopped (the lake's
    watermark) or the first SLE minute, to the last SLE minute — incremental over new minutes."""
    began = time.perf_counter()
    settings = settings or DetectSettings()
    store = LakeStore(lake)
    if not store.exists():
        raise AnalysisError(f"no lake at {lake} (folder does not exist)")
    found = sle_range(lake)
    if found is None:
        raise AnalysisError(f"no SLE minutes in {lake}: run `wanassure sle compute` first")
    mark = watermark(store) if start is None else None
    end = end or found[1]
    if mark is not None and mark >= end:
        return Summary(mark, mark, 0, [], 0, time.perf_counter() - began)
    start = (start or mark or found[0]).replace(minute=0, second=0, microsecond=0)
    if end <= start:
        raise AnalysisError("the time range is empty (--to must be after --from)")
    names = sorted(s.name for s in inventory.sites)
    wan = [
        (site.name, gw.name, link.interface, link.name)
        for site in inventory.sites
        for gw in site.gateways
        for link in gw.wan
    ]
    shards = [
        ShardJob(
            lake,
            f"{i // SITES_PER_SHARD:03d}",
            tuple(names[i : i + SITES_PER_SHARD]),
            start,
            end,
            tuple(w for w in wan if w[0] in names[i : i + SITES_PER_SHARD]),
            settings,
        )
        for i in range(0, len(names), SITES_PER_SHARD)
    ]
    rows = 0
    for n, written in enumerate(runner.run(detect_shard, shards, workers=workers), start=1):
        rows += written
        if progress:
            progress(n, len(shards) + 1)
    # A shard of an earlier run with more sites would keep its anomalies in these hours.
    current = {f"analysis-{s.shard}" for s in shards} | {"analysis-org"}
    prune(store, [ANOMALIES.name], _hours(start, end), current)
    incidents, _, actions = correlate(lake, inventory, start, end, settings)
    if mark is None or end > mark:
        store.publish(WATERMARK, json.dumps({"analyzed_to": end.isoformat()}).encode())
    if progress:
        progress(len(shards) + 1, len(shards) + 1)
    return Summary(start, end, rows, incidents, actions, time.perf_counter() - began)


__all__ = ["AnalysisError", "Summary", "analyze", "correlate", "detect_shard"]
