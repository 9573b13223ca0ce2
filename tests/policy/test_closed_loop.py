"""End to end in the twin: ISP loss → Application Health drops → the planner proposes moving
video → auto mode pushes through the simulator driver → the SLE recovers and the action ends
``verified``; at the other site the move does not help (the target link is far too small) and
the action ends ``rolled_back``. Every step is in the ``actions`` table."""

from __future__ import annotations

from datetime import timedelta

from assurance.policy import evidence, ledger
from assurance.query import IncidentQuery
from assurance.sim.scenario import load_scenario
from tests.policy.conftest import SCENARIO, VIDEO


def test_video_moves_to_the_healthy_link_and_is_verified(
    outcome: tuple[str, dict[str, ledger.Action]],
) -> None:
    lake, by_site = outcome
    action = by_site["br-nyc-012"]
    assert (action.kind, action.app, action.state) == ("steer_app", VIDEO, "verified")
    assert "qualified-next-hop st0.1 preference 1" in action.change_set  # isp-a first
    states = [h["state"] for h in ledger.history(lake, action.action_id)]
    assert states == ["proposed", "approved", "pushed", "verified"]
    # the loss started at 14:15; the push came after Application Health dropped
    scenario = load_scenario(SCENARIO)
    fault = scenario.start + timedelta(minutes=15)
    assert action.pushed_at is not None and action.proposed_at is not None
    assert fault < action.proposed_at <= action.pushed_at
    before = evidence.bad_share(lake, "br-nyc-012", VIDEO, fault, action.pushed_at)
    assert before[0] >= 4 and before[0] / before[1] >= 0.5
    # recovered within the verification window: no bad video minute once the change settled
    settled = action.pushed_at + timedelta(minutes=2)
    after = evidence.bad_share(lake, "br-nyc-012", VIDEO, settled, scenario.end)
    assert after[1] >= 5 and after[0] == 0


def test_a_change_that_does_not_help_is_rolled_back(
    outcome: tuple[str, dict[str, ledger.Action]],
) -> None:
    lake, by_site = outcome
    action = by_site["st-bos-101"]
    assert (action.kind, action.app, action.state) == ("steer_app", VIDEO, "rolled_back")
    states = [h["state"] for h in ledger.history(lake, action.action_id)]
    assert states == ["proposed", "approved", "pushed", "rolled_back"]
    assert "did not help" in (action.note or "")
    assert "isp-a > isp-b" in (action.note or "")  # the twin's order restored


def test_the_audit_trail_reads_through_the_query_api(
    outcome: tuple[str, dict[str, ledger.Action]],
) -> None:
    lake, _ = outcome
    acts = {a["action_id"]: a for a in IncidentQuery(lake).actions()}
    policy = [a for a in acts.values() if a["kind"] == "steer_app"]
    assert {a["state"] for a in policy} == {"verified", "rolled_back"}
    for a in policy:
        actors = [h["actor"] for h in a["history"]]
        assert actors == ["planner", "auto", "auto", "verifier"]
        assert a["history"][2]["note"].startswith("[sim] twin ")
