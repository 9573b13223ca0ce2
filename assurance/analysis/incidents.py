"""Incidents: symptom episodes grouped over time and scope, with their ranked causes.

Owns the records the pipeline writes — an ``Incident`` (where, when, which SLEs, how many users,
ranked causes) and the Marvis-style action that goes with its top cause — their stable ids, the
grouping of a site's concurrent episodes into one incident, and the cross-site breadth rules:
the same ISP failing at several sites at once is one ISP incident, one application failing at
many sites is the provider's. Must not read the lake (the pipeline hands it the frames).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assurance.analysis.detect import Episode
from assurance.analysis.knowledge import ISP_WIDE, KINDS
from assurance.analysis.rank import Cause

EPSILON = timedelta(seconds=1)
#: Causes kept per incident.
TOP_CAUSES = 3
#: An action is validated once its symptom has stayed clear this long.
VALIDATE_AFTER = timedelta(minutes=30)


@dataclass
class Incident:
    site: str | None
    sites: list[str]
    start: datetime
    detected_at: datetime
    end: datetime
    sles: list[str]
    causes: list[Cause]
    status: str = "open"
    impacted_users: int = 0
    impacted_minutes: float = 0.0
    applications: list[str] = field(default_factory=list)

    @property
    def top(self) -> Cause | None:
        return self.causes[0] if self.causes else None

    @property
    def incident_id(self) -> str:
        top = self.top
        what = top.label() if top else ",".join(self.sles)
        digest = hashlib.sha1(f"{what}|{self.start:%Y%m%dT%H%M}".encode()).hexdigest()
        return f"inc-{digest[:16]}"


def cluster(episodes: Sequence[Episode], slack: timedelta) -> list[list[Episode]]:
    """Group one site's episodes whose spans overlap (within ``slack``)."""
    groups: list[list[Episode]] = []
    reach: datetime | None = None
    for episode in sorted(episodes, key=lambda e: e.start):
        if reach is None or episode.start > reach:
            groups.append([episode])
            reach = episode.end + slack
        else:
            groups[-1].append(episode)
            reach = max(reach, episode.end + slack)
    return groups


def _overlap(a: Incident, b: Incident, slack: timedelta) -> bool:
    return a.start <= b.end + slack and b.start <= a.end + slack


def merge_isp(
    incidents: list[Incident],
    isp_of: Mapping[tuple[str, str], str],
    sites_on_isp: Mapping[str, int],
    slack: timedelta,
) -> list[Incident]:
    """Fold concurrent site incidents whose top cause is one ISP's links into one ISP incident,
    when at least two sites and half of the ISP's sites are hit."""
    by_isp: dict[str, list[Incident]] = {}
    for inc in incidents:
        top = inc.top
        # An ISP fails on its links: the WAN SLEs or the devices must say so, not only one
        # application's minutes.
        if top is None or top.kind not in ISP_WIDE or inc.site is None:
            continue
        if "wan_link_health" not in top.sles and not top.facts:
            continue
        isp = isp_of.get((inc.site, top.scope_value))
        if isp is not None:
            by_isp.setdefault(isp, []).append(inc)
    absorbed: set[int] = set()
    merged: list[Incident] = []
    for isp, group in sorted(by_isp.items()):
        group.sort(key=lambda i: i.start)
        while group:
            seed = group.pop(0)
            together = [seed] + [g for g in group if _overlap(seed, g, slack)]
            group = [g for g in group if g not in together]
            sites = sorted({i.site for i in together if i.site})
            if len(sites) < 2 or len(sites) < 0.5 * sites_on_isp.get(isp, len(sites)):
                continue
            absorbed.update(id(i) for i in together)
            first = min(together, key=lambda i: i.start)
            bad = sum(i.top.bad for i in together if i.top)
            cause = Cause(
                "isp_outage",
                isp,
                None,
                weight=sum(i.top.weight for i in together if i.top),
                bad=bad,
                first_bad=min(
                    (i.top.first_bad for i in together if i.top and i.top.first_bad), default=None
                ),
                sles={s for i in together if i.top for s in i.top.sles},
                confidence=1.0,
                facts={f for i in together if i.top for f in i.top.facts},
                sites=sites,
                notes=[f"{len(sites)} of {sites_on_isp.get(isp, len(sites))} sites on {isp}"],
            )
            runner_up = [c for i in together for c in i.causes[:1]]
            runner_up.sort(key=lambda c: -c.weight)
            causes = [cause, *runner_up[: TOP_CAUSES - 1]]
            _renormalise(causes, lead=0.8)
            merged.append(
                Incident(
                    site=None,
                    sites=sites,
                    start=first.start,
                    detected_at=min(i.detected_at for i in together),
                    end=max(i.end for i in together),
                    sles=sorted({s for i in together for s in i.sles}),
                    causes=causes,
                )
            )
    return [i for i in incidents if id(i) not in absorbed] + merged


def absorb_into_app(
    app_incident: Incident, incidents: list[Incident], slack: timedelta
) -> list[Incident]:
    """Drop site incidents that only echo an application-wide incident in the same window."""
    kept: list[Incident] = []
    for inc in incidents:
        if (
            inc.site is not None
            and set(inc.sles) <= {"application_health"}
            and _overlap(inc, app_incident, slack)
        ):
            if inc.site not in app_incident.sites:
                app_incident.sites.append(inc.site)
            continue
        kept.append(inc)
    app_incident.sites.sort()
    return kept


def _renormalise(causes: list[Cause], lead: float) -> None:
    rest = sum(c.weight for c in causes[1:])
    causes[0].confidence = lead
    for c in causes[1:]:
        c.confidence = round((1 - lead) * c.weight / rest, 3) if rest > 0 else 0.0


def evidence(inc: Incident, cause: Cause) -> dict[str, str]:
    """Human-readable evidence of one ranked cause (the ``evidence`` map of ``incidents``)."""
    kind = KINDS[cause.kind]
    out = {
        "layer": kind.layer,
        "kind": cause.kind,
        "scope": kind.scope,
        "scope_value": cause.scope_value,
        "title": kind.title,
        "sites": ",".join(cause.sites or inc.sites),
        "sles": ",".join(sorted(cause.sles)),
        "bad_user_minutes": f"{cause.bad:.0f}",
        "detected_at": inc.detected_at.isoformat(),
        "concentration": f"{cause.concentration:.2f}",
    }
    if cause.first_bad is not None:
        out["first_bad_minute"] = cause.first_bad.isoformat()
    if inc.applications:
        out["applications"] = ",".join(inc.applications)
    if cause.notes:
        out["notes"] = "; ".join(cause.notes)
    return out


def incident_rows(incidents: Iterable[Incident], updated_at: datetime) -> list[dict[str, object]]:
    """Rows of the ``incidents`` table: one per ranked cause of every incident."""
    rows: list[dict[str, object]] = []
    for inc in incidents:
        for rank, cause in enumerate(inc.causes[:TOP_CAUSES], start=1):
            rows.append(
                {
                    # inside the window that wrote it (its hour partition is the one replaced)
                    "updated_at": min(inc.end + timedelta(minutes=1), updated_at - EPSILON),
                    "incident_id": inc.incident_id,
                    "site": inc.site,
                    "status": inc.status,
                    "started_at": inc.start,
                    "ended_at": inc.end if inc.status == "resolved" else None,
                    "sle": ",".join(inc.sles),
                    "rank": rank,
                    "root_cause": cause.label(),
                    "confidence": cause.confidence,
                    "impacted_users": inc.impacted_users,
                    "impacted_minutes": round(inc.impacted_minutes),
                    "evidence": evidence(inc, cause),
                    "suggested_action": KINDS[cause.kind].fix,
                }
            )
    return rows


def action_rows(
    incidents: Iterable[Incident], org: str, data_end: datetime
) -> list[dict[str, object]]:
    """Marvis-style actions: one per incident's top cause, a row per state it reached
    (open at detection, updated while it lasts, resolved when the symptom cleared, validated
    once it stayed clear)."""
    rows: list[dict[str, object]] = []
    for inc in incidents:
        top = inc.top
        if top is None:
            continue
        kind = KINDS[top.kind]
        base = {
            "action_id": "act-" + inc.incident_id[4:],
            "incident_id": inc.incident_id,
            "site": inc.site or org,
            "device": top.scope_value if kind.scope in ("gateway", "ap") else None,
            "kind": top.kind,
            "change_set": None,
            "rollback_set": None,
            "predicted_benefit": None,
            "risk": None,
            "actor": "analysis",
        }
        states = [("open", inc.detected_at, f"{kind.title} at {top.label()}: {kind.fix}")]
        if inc.status == "open" and inc.end > inc.detected_at:
            states.append(
                ("updated", inc.end, f"still hurting {inc.impacted_users} users at {inc.end:%H:%M}")
            )
        if inc.status == "resolved":
            states.append(("resolved", inc.end + timedelta(minutes=1), "the symptom cleared"))
            if inc.end + VALIDATE_AFTER <= data_end:
                states.append(
                    ("validated", inc.end + VALIDATE_AFTER, "the symptom stayed clear for 30 min")
                )
        for state, at, note in states:
            rows.append({**base, "updated_at": at, "state": state, "note": note})
    return rows
