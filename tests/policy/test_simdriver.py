"""The simulator driver: rendered Junos lines reorder the twin's links for every application
of the group, an unconfirmed push reverts when its timer runs out (in simulated minutes), and
lines the twin does not model are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance.policy.drivers import Request
from assurance.policy.errors import DriverError
from assurance.policy.simloop import SimDriver, TwinSession
from assurance.sim.scenario import load_scenario
from tests.policy.conftest import SCENARIO

QNH = "set routing-instances {g}-ri routing-options static route 0.0.0.0/0 qualified-next-hop"
STEER = f"{QNH} st0.1 preference 1\n{QNH} st0.0 preference 2\n".format(g="video")
BACK = f"{QNH} st0.1 preference 2\n{QNH} st0.0 preference 1\n".format(g="video")


@pytest.fixture
def session(tmp_path: Path) -> TwinSession:
    s = TwinSession(load_scenario(SCENARIO), str(tmp_path / "lake"))
    s.advance(1)
    return s


def _req(change: str = STEER, minutes: int = 30) -> Request:
    return Request("pol-1", "br-nyc-012", "br-nyc-012-gw1", change, BACK, minutes)


def test_push_confirm_rollback(session: TwinSession) -> None:
    d = SimDriver(session)
    # the scenario's defaults: video prefers mpls, then broadband
    assert session.order("br-nyc-012", "Microsoft Teams") == ["mpls", "isp-a"]
    reply = d.push(_req())
    assert "Microsoft Teams: isp-a > mpls" in reply
    assert session.order("br-nyc-012", "Microsoft Teams") == ["isp-a", "mpls"]
    assert session.order("br-nyc-012", "Office 365") == ["isp-a", "mpls"]  # not video: as before
    assert session.order("st-bos-101", "Microsoft Teams") == ["isp-a", "isp-b"]  # other site
    d.confirm(_req())
    assert d.pending == {}
    d.rollback(_req())
    assert session.order("br-nyc-012", "Microsoft Teams") == ["mpls", "isp-a"]


def test_unconfirmed_push_reverts_when_its_timer_runs_out(session: TwinSession) -> None:
    d = SimDriver(session)
    d.push(_req(minutes=2))
    session.advance(1)
    assert d.expire() == []
    session.advance(1)
    assert d.expire() == ["pol-1"]
    assert session.order("br-nyc-012", "Microsoft Teams") == ["mpls", "isp-a"]


def test_refuses_what_the_twin_cannot_apply(session: TwinSession) -> None:
    d = SimDriver(session)
    with pytest.raises(DriverError, match=r"qualified-next-hop st0\.9: no such link"):
        d.push(_req(change=f"{QNH} st0.9 preference 1\n".format(g="video")))
    with pytest.raises(DriverError, match="does not model system host-name"):
        d.push(_req(change="set system host-name x\n"))
    sla = (
        "set security advance-policy-based-routing metrics-profile video-metrics "
        "sla-threshold jitter 30000\n"
    )
    assert "1 AppQoE line(s) accepted" in d.push(_req(change=sla))
