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
    outcome: tuple[str, dict[tuple[str, str], ledger.Action]],
) -> None:
    lake, by_site = outcome
    action = by_site[("br-nyc-012", "steer_app")]
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
    after = evidence.bad_share(lake, "br-nyc-012", VIDEO, settled, action.updated_at)
    assert after[1] >= 5 and after[0] == 0
    assert action.updated_at - action.pushed_at <= timedelta(minutes=15)


def test_original_preference_restored_after_hold_down(
    outcome: tuple[str, dict[tuple[str, str], ledger.Action]],
) -> None:
    lake, by_site = outcome
    steer = by_site[("br-nyc-012", "steer_app")]
    restore = by_site[("br-nyc-012", "restore_preference")]
    assert restore.state == "verified"
    scenario = load_scenario(SCENARIO)
    loss_end = scenario.start + timedelta(minutes=45)
    assert restore.proposed_at is not None
    # not before mpls had been clean for the whole 30 min hold-down
    assert restore.proposed_at >= loss_end + timedelta(minutes=30)
    assert steer.action_id in (restore.note or "") or steer.action_id in str(
        ledger.history(lake, restore.action_id)[0]["note"]
    )
    # the restore sets exactly what the steer's rollback sets (line order may differ)
    assert sorted(restore.change_set.splitlines()) == sorted(steer.rollback_set.splitlines())
    assert "qualified-next-hop st0.0 preference 1" in restore.change_set
    assert evidence.bad_share(lake, "br-nyc-012", VIDEO, restore.proposed_at, scenario.end)[0] == 0


def test_a_change_that_does_not_help_is_rolled_back(
    outcome: tuple[str, dict[tuple[str, str], ledger.Action]],
) -> None:
    lake, by_site = outcome
    action = by_site[("st-bos-101", "steer_app")]
    assert (action.kind, action.app, action.state) == ("steer_app", VIDEO, "rolled_back")
    states = [h["state"] for h in ledger.history(lake, action.action_id)]
    assert states == ["proposed", "approved", "pushed", "rolled_back"]
    assert "did not help" in (action.note or "")
    assert "isp-a > isp-b" in (action.note or "")  # the twin's order restored


def test_the_audit_trail_reads_through_the_query_api(
    outcome: tuple[str, dict[tuple[str, str], ledger.Action]],
) -> None:
    lake, _ = outcome
    acts = {a["action_id"]: a for a in IncidentQuery(lake).actions()}
    policy = [a for a in acts.values() if a["kind"] in ("steer_app", "restore_preference")]
    assert sorted((a["site"], a["kind"], a["state"]) for a in policy) == [
        ("br-nyc-012", "restore_preference", "verified"),
        ("br-nyc-012", "steer_app", "verified"),
        ("st-bos-101", "steer_app", "rolled_back"),
    ]
    for a in policy:
        actors = [h["actor"] for h in a["history"]]
        assert actors == ["planner", "auto", "auto", "verifier"]
        assert a["history"][2]["note"].startswith("[sim] twin ")
