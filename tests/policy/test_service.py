"""Operator actions (approve, reject, apply, roll back) and the ledger behind them, on a real
lake folder; the analysis pipeline's own actions in the same table are left untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assurance.lake.store import LakeStore
from assurance.policy import ledger, service
from assurance.policy.drivers import DryRunDriver
from assurance.policy.errors import PolicyError
from assurance.policy.loop import record
from assurance.policy.model import Change, Hop
from assurance.policy.planner import Proposal

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
HOPS = (Hop("mpls", "st0.0"), Hop("isp-a", "st0.1"))


@pytest.fixture
def lake(tmp_path: Path) -> str:
    path = str(tmp_path / "lake")
    LakeStore(path).ensure_root()
    return path


def _propose(lake: str) -> ledger.Action:
    change = Change(
        "steer_app", "nyc", "nyc-gw1", "Teams", "video", HOPS, ("isp-a", "mpls"), ("mpls", "isp-a")
    )
    [action] = record(lake, [Proposal(change, 80.0, "low", "loss on mpls", 3, "inc-1")], AT)
    return action


def test_proposal_row(lake: str) -> None:
    a = _propose(lake)
    got = ledger.get(lake, a.action_id)
    assert (got.state, got.kind, got.site, got.device, got.app) == (
        "proposed",
        "steer_app",
        "nyc",
        "nyc-gw1",
        "Teams",
    )
    assert got.incident_id == "inc-1" and got.risk == "low" and got.predicted_benefit == 80.0
    assert got.change_set.startswith("set routing-instances video-ri")
    assert "preference 1" in got.rollback_set


def test_approve_apply_rollback(lake: str) -> None:
    a = _propose(lake)
    service.approve(lake, a.action_id, "alice", "looks right")
    driver = DryRunDriver()
    pushed = service.apply(lake, a.action_id, "alice", driver)
    assert pushed.state == "pushed" and driver.calls == [("push", a.action_id)]
    assert service.pushed_with(lake, a.action_id) == "dry-run"
    service.rollback(lake, a.action_id, "bob", "users complained")
    hist = ledger.history(lake, a.action_id)
    assert [(h["state"], h["actor"]) for h in hist] == [
        ("proposed", "planner"),
        ("approved", "alice"),
        ("pushed", "alice"),
        ("rolled_back", "bob"),
    ]
    assert hist[-1]["note"].endswith("users complained")
    assert hist[-1]["note"].startswith("[dry-run] dry-run: rollback recorded")


def test_reject_and_refusals(lake: str) -> None:
    a = _propose(lake)
    with pytest.raises(PolicyError, match="unknown action 'pol-nope'"):
        service.approve(lake, "pol-nope", "alice")
    with pytest.raises(PolicyError, match="actor"):
        service.approve(lake, a.action_id, "  ")
    with pytest.raises(
        PolicyError,
        match=f"action {a.action_id} is proposed; it can move to "
        "approved, rejected, not rolled_back",
    ):
        service.rollback(lake, a.action_id, "alice")
    with pytest.raises(PolicyError, match="is proposed"):
        service.apply(lake, a.action_id, "alice", DryRunDriver())
    service.reject(lake, a.action_id, "alice", "not during the sale")
    with pytest.raises(PolicyError, match=r"is rejected; it can move to nothing \(final state\)"):
        service.approve(lake, a.action_id, "alice")
    assert ledger.get(lake, a.action_id).state == "rejected"


def test_unknown_driver_and_missing_lake(lake: str, tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="unknown driver 'telnet'"):
        service.driver_for("telnet")
    with pytest.raises(PolicyError, match="no lake at"):
        service.approve(str(tmp_path / "nowhere"), "pol-1", "alice")


def test_analysis_actions_are_not_policy_actions(lake: str) -> None:
    ledger.write(
        lake,
        [
            {
                "updated_at": AT,
                "action_id": "act-123",
                "site": "nyc",
                "kind": "isp_degradation",
                "state": "open",
                "actor": "analysis",
            }
        ],
    )
    a = _propose(lake)
    assert [x.action_id for x in ledger.actions(lake)] == [a.action_id]
    with pytest.raises(PolicyError, match="unknown action"):
        service.approve(lake, "act-123", "alice")


def test_a_stale_view_cannot_overwrite_someone_elses_step(lake: str) -> None:
    a = _propose(lake)
    ledger.transition(lake, a, "approved", "alice")
    with pytest.raises(PolicyError, match=r"changed meanwhile \(now approved by alice\)"):
        ledger.transition(lake, a, "rejected", "bob")  # bob still sees it proposed
    assert ledger.get(lake, a.action_id).state == "approved"


def test_states_never_go_back_in_time(lake: str) -> None:
    a = _propose(lake)
    early = datetime(2020, 1, 1, tzinfo=UTC)
    got = ledger.transition(lake, a, "approved", "alice", at=early)
    assert got.updated_at > a.updated_at
    assert ledger.get(lake, a.action_id).state == "approved"


def test_proposals_name_the_incident_behind_them(lake: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from assurance.lake.catalog import connect
    from assurance.policy.evidence import _incidents
    from assurance.tables import INCIDENTS

    def row(iid: str, site: str, start: int, end: int | None, sle: str, apps: str) -> dict:
        return {
            "updated_at": AT,
            "incident_id": iid,
            "site": site,
            "status": "open" if end is None else "resolved",
            "started_at": AT.replace(minute=start),
            "ended_at": None if end is None else AT.replace(minute=end),
            "sle": sle,
            "rank": 1,
            "root_cause": "link:x isp_degradation",
            "evidence": [("applications", apps)] if apps else [],
        }

    rows = [
        row("inc-teams", "nyc", 0, None, "application_health,wan_link_health", "Teams"),
        row("inc-old", "nyc", 0, 1, "application_health", "Voice"),  # ended before the window
        row("inc-wifi", "bos", 0, None, "coverage", ""),  # not about applications
        row("inc-app", "bos", 0, None, "application_health", ""),
    ]
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows, schema=INCIDENTS.schema), sink)
    LakeStore(lake).publish(
        "incidents/date=2026-11-02/hour=15/part-test-00000000.parquet", sink.getvalue()
    )
    con = connect(lake)
    try:
        found = _incidents(con, AT.replace(minute=30), timedelta(minutes=10))
    finally:
        con.close()
    assert found == {
        ("nyc", "Teams"): "inc-teams",
        ("nyc", "*"): "inc-teams",
        ("bos", "*"): "inc-app",
    }


def test_a_push_is_judged_by_the_driver_that_made_it(lake: str) -> None:
    from assurance.policy.loop import LoopSettings, step
    from assurance.sim.scenario import load_scenario
    from assurance.sim.world import World
    from tests.policy.conftest import SCENARIO

    class Netconf(DryRunDriver):
        name = "netconf"

    inventory = World(load_scenario(SCENARIO)).inventory()
    a = _propose(lake)
    service.approve(lake, a.action_id, "alice")
    device = Netconf()
    pushed = service.apply(lake, a.action_id, "alice", device)
    assert pushed.pushed_at is not None
    later = pushed.pushed_at + timedelta(minutes=15)
    dry = DryRunDriver()
    # the loop runs with the dry-run driver and cannot reach NETCONF: the action waits
    result = step(lake, inventory, later, dry, LoopSettings())
    assert [x.action_id for x in result.waiting] == [a.action_id]
    assert ledger.get(lake, a.action_id).state == "pushed"
    # given a way to the NETCONF driver, it is judged there (no users seen: not verified)
    result = step(lake, inventory, later, dry, LoopSettings(), lambda name: device)
    assert [x.action_id for x in result.rolled_back] == [a.action_id]
    assert device.calls == [("push", a.action_id), ("rollback", a.action_id)]
    assert dry.calls == []
