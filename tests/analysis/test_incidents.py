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
    inc.status = "open"
    ongoing = [r["state"] for r in action_rows([inc], "org", T0 + timedelta(minutes=20))]
    assert ongoing == ["open", "updated"]


def test_device_facts_point_at_their_causes() -> None:
    from assurance.analysis.pipeline import _device_cause

    def fact(key: str, runs: int = 1) -> Episode:
        return Episode(
            ("a", key), T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=9), 1.0, 9.0, runs
        )

    port = _device_cause("a", fact("port:a-sw1/ge-0/0/3|input_errors_per_min"))
    down = _device_cause("a", fact("link:a-gw1/isp-a|oper_status_down", runs=3))
    lost = _device_cause("a", fact("probe:a-gw1/isp-b|rpm_probes_lost"))
    assert port is not None and (port.kind, port.scope_value) == ("bad_cable_lan", "ge-0/0/3")
    assert down is not None and (down.kind, down.scope_value) == ("link_down", "isp-a")
    assert "3 time(s) in 10 min" in down.notes[0]
    assert lost is not None and (lost.kind, lost.scope_value, lost.facts) == (
        "isp_unreachable",
        "isp-b",
        {"probe"},
    )
    assert _device_cause("a", fact("site|coverage_bad_share")) is None


def test_backup_links_of_one_isp_failing_everywhere_is_an_outage() -> None:
    # no user rides the backup links, so only probes say it: facts are enough to merge
    isp_of = {(s, "isp-b"): "Spectrum" for s in "abc"}
    incidents = []
    for s in "abc":
        inc = site_incident(s, "isp_unreachable", "isp-b")
        assert inc.top is not None
        inc.top.sles, inc.top.facts = set(), {"probe"}
        incidents.append(inc)
    merged = merge_isp(incidents, isp_of, {"Spectrum": 3}, SLACK)
    assert len(merged) == 1 and merged[0].top is not None
    assert (merged[0].top.kind, merged[0].top.scope_value) == ("isp_outage", "Spectrum")
