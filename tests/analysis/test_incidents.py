"""Grouping episodes and folding site incidents into ISP-wide ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assurance.analysis.detect import Episode
from assurance.analysis.incidents import Incident, action_rows, cluster, incident_rows, merge_isp
from assurance.analysis.rank import Cause

T0 = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
SLACK = timedelta(minutes=10)


def ep(start: int, end: int, sle: str = "wan_link_health") -> Episode:
    return Episode(
        ("s1", sle),
        T0 + timedelta(minutes=start),
        T0 + timedelta(minutes=start + 3),
        T0 + timedelta(minutes=end),
        1.0,
        10.0,
    )


def site_incident(site: str, kind: str, link: str, start: int = 0) -> Incident:
    cause = Cause(
        kind,
        link,
        site,
        weight=10.0,
        bad=10.0,
        first_bad=T0,
        sles={"wan_link_health"},
        confidence=1.0,
    )
    t = T0 + timedelta(minutes=start)
    return Incident(
        site,
        [site],
        t,
        t + timedelta(minutes=3),
        t + timedelta(minutes=20),
        ["wan_link_health"],
        [cause],
    )


def test_cluster_joins_overlapping_episodes_only() -> None:
    groups = cluster([ep(0, 20), ep(5, 30, "application_health"), ep(60, 70)], SLACK)
    assert [len(g) for g in groups] == [2, 1]
    # within the slack: an episode starting 8 minutes after the last one ended joins it
    assert len(cluster([ep(0, 20), ep(28, 40)], SLACK)) == 1


def test_one_isp_at_many_sites_is_one_incident() -> None:
    isp_of = {("a", "isp-a"): "AT&T", ("b", "isp-a"): "AT&T", ("c", "isp-a"): "Comcast"}
    incidents = [
        site_incident("a", "isp_unreachable", "isp-a"),
        site_incident("b", "isp_unreachable", "isp-a", start=2),
        site_incident("c", "isp_unreachable", "isp-a"),
    ]
    merged = merge_isp(incidents, isp_of, {"AT&T": 2, "Comcast": 4}, SLACK)
    kinds = sorted((i.site or "", i.top.kind if i.top else "") for i in merged)
    assert kinds == [("", "isp_outage"), ("c", "isp_unreachable")]
    outage = next(i for i in merged if i.site is None)
    assert outage.sites == ["a", "b"]
    assert outage.top is not None and outage.top.scope_value == "AT&T"
    assert outage.start == T0


def test_one_site_of_many_on_an_isp_stays_local() -> None:
    isp_of = {(s, "isp-a"): "Comcast" for s in "abcdef"}
    incidents = [
        site_incident("a", "isp_degradation", "isp-a"),
        site_incident("b", "isp_degradation", "isp-a"),
    ]
    merged = merge_isp(incidents, isp_of, {"Comcast": 6}, SLACK)
    assert sorted(i.site or "" for i in merged) == ["a", "b"]


def test_rows_carry_ranked_causes_and_action_states() -> None:
    inc = site_incident("a", "link_down", "isp-a")
    inc.status = "resolved"
    rows = incident_rows([inc], T0 + timedelta(hours=2))
    assert rows[0]["rank"] == 1
    assert rows[0]["root_cause"] == "link:a/isp-a link_down"
    assert rows[0]["evidence"]["layer"] == "wan"
    states = [r["state"] for r in action_rows([inc], "org", T0 + timedelta(hours=2))]
    assert states == ["open", "resolved", "validated"]
    # data ending before the 30 quiet minutes: not validated yet
    early = [r["state"] for r in action_rows([inc], "org", T0 + timedelta(minutes=40))]
    assert early == ["open", "resolved"]
    assert incident_rows([inc], T0)[0]["incident_id"] == inc.incident_id
