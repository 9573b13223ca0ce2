"""Planner rules on hand-built situations; every expected value is worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from assurance.policy.model import Hop, Thresholds
from assurance.policy.planner import (
    AppHealth,
    Limits,
    LinkHealth,
    PastAction,
    Situation,
    plan,
)

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
TEAMS = Thresholds(rtt_ms=100, jitter_ms=30, loss_pct=1.0)
HOPS = (Hop("mpls", "st0.0"), Hop("isp-a", "st0.1"), Hop("lte", "st0.2"))


def _link(link: str, loss: float = 0.1, **kw: object) -> LinkHealth:
    values: dict[str, object] = {"rtt_ms": 30.0, "jitter_ms": 4.0, "loss_pct": loss}
    values.update(kw)
    return LinkHealth("nyc", link, **values)  # type: ignore[arg-type]


def _situation(
    links: dict[str, LinkHealth] | None = None,
    apps: tuple[AppHealth, ...] | None = None,
    actions: tuple[PastAction, ...] = (),
    hold: dict[str, LinkHealth] | None = None,
    sites: tuple[str, ...] = ("nyc",),
    **kw: object,
) -> Situation:
    links = links or {
        "mpls": _link("mpls", loss=6.0, type="mpls"),
        "isp-a": _link("isp-a", rtt_ms=25.0, loss_pct=0.2, util=0.1),
        "lte": _link("lte", rtt_ms=60.0, jitter_ms=12.0, loss_pct=0.3, util=0.05, type="lte"),
    }
    apps = apps or (AppHealth("nyc", "Teams", "video", "mpls", total=12, bad=10, users=3),)
    by_site = {(s, k): replace(v, site=s) for s in sites for k, v in links.items()}
    hold_links = {("nyc", k): v for k, v in (hold or {}).items()}
    return Situation(
        AT,
        apps,
        by_site,
        hold_links,
        {"Teams": TEAMS, "Voice": TEAMS, "Web": Thresholds(300, 100, 3)},
        {s: (f"{s}-gw1", HOPS) for s in sites},
        actions,
        **kw,  # type: ignore[arg-type]
    )


def test_steers_to_the_best_healthy_link() -> None:
    [p] = plan(_situation())
    c = p.change
    assert (c.kind, c.app, c.group, c.device) == ("steer_app", "Teams", "video", "nyc-gw1")
    # isp-a: worst metric 0.2/1.0 loss = 0.2 of threshold; lte: loss 0.3 → 0.3 (and it is LTE)
    assert c.order == ("isp-a", "mpls", "lte")
    assert c.before == ("mpls", "isp-a", "lte")
    assert p.predicted_benefit == 83.3  # 10 of 12 user-minutes bad
    assert p.risk == "low"  # broadband target at 10% load
    assert p.users == 3
    assert p.held is None
    assert "mpls" in p.reason and "loss 6.0%" in p.reason


def test_predicted_benefit_counts_the_targets_own_breaches() -> None:
    good, bad = (25.0, 4.0, 0.0), (25.0, 4.0, 5.0)
    links = {
        "mpls": _link("mpls", loss=6.0),
        # mean loss 0.5 % meets the SLA with margin, but 1 of 10 probe results broke it
        "isp-a": _link("isp-a", loss=0.5, util=0.1, samples=(*[good] * 9, bad)),
    }
    [p] = plan(_situation(links))
    assert p.predicted_benefit == 73.3  # 10/12 bad now − 1/10 expected on isp-a, in points


def test_no_steer_when_the_path_meets_the_sla() -> None:
    links = {"mpls": _link("mpls"), "isp-a": _link("isp-a")}
    assert plan(_situation(links)) == []


def test_never_steers_to_a_down_saturated_or_degraded_link() -> None:
    bad = _link("mpls", loss=6.0)
    for target in (
        _link("isp-a", up=False),
        _link("isp-a", util=0.9),
        _link("isp-a", loss=3.0),
        _link("isp-a", rtt_ms=150.0),
    ):
        assert plan(_situation({"mpls": bad, "isp-a": target})) == []


def test_hysteresis_needs_a_margin_below_the_sla() -> None:
    bad = _link("mpls", loss=6.0)
    # 0.9 % loss meets the 1 % SLA but not 0.7 × 1 %
    assert plan(_situation({"mpls": bad, "isp-a": _link("isp-a", loss=0.9)})) == []
    assert len(plan(_situation({"mpls": bad, "isp-a": _link("isp-a", loss=0.6)}))) == 1


def _past(state: str, minutes_ago: int, kind: str = "steer_app", **kw: object) -> PastAction:
    at = AT - timedelta(minutes=minutes_ago)
    return PastAction("pol-1", "nyc", "Teams", kind, state, at, at, **kw)  # type: ignore[arg-type]


def test_one_open_action_per_app_and_a_cool_down() -> None:
    for state in ("proposed", "approved", "pushed"):
        assert plan(_situation(actions=(_past(state, 1),))) == []
    assert plan(_situation(actions=(_past("rejected", 10),))) == []  # cool-down 20 min
    assert len(plan(_situation(actions=(_past("rejected", 25),)))) == 1


def test_maintenance_windows() -> None:
    window = ("nyc", AT - timedelta(minutes=5), AT + timedelta(minutes=30))
    assert plan(_situation(), Limits(maintenance=(window,))) == []
    anywhere = ("*", AT - timedelta(minutes=5), AT + timedelta(minutes=30))
    assert plan(_situation(), Limits(maintenance=(anywhere,))) == []
    over = ("nyc", AT - timedelta(hours=2), AT - timedelta(hours=1))
    assert len(plan(_situation(), Limits(maintenance=(over,)))) == 1


def test_rate_limits_and_blast_radius_hold_proposals() -> None:
    apps = tuple(
        AppHealth("nyc", app, group, "mpls", total=10, bad=bad)
        for app, group, bad in (("Teams", "video", 9), ("Voice", "voice", 8), ("Web", "web", 7))
    )
    out = plan(_situation(apps=apps), Limits(per_site_per_hour=2))
    assert [(p.change.app, p.held is None) for p in out] == [
        ("Teams", True),
        ("Voice", True),
        ("Web", False),
    ]
    assert out[2].held == "rate limit: 2 changes per hour at nyc"
    # one change already made this hour leaves room for one more
    out = plan(
        _situation(apps=apps, actions=(_past("verified", 50, kind="adjust_sla"),)),
        Limits(per_site_per_hour=2, cool_down=timedelta(0)),
    )
    assert sum(p.held is None for p in out) == 1
    two = (
        AppHealth("nyc", "Teams", "video", "mpls", total=10, bad=9),
        AppHealth("bos", "Teams", "video", "mpls", total=10, bad=8),
    )
    out = plan(_situation(apps=two, sites=("nyc", "bos")), Limits(max_sites_per_hour=1))
    assert [(p.change.site, p.held) for p in out] == [
        ("nyc", None),
        ("bos", "blast radius: at most 1 sites changed per hour"),
    ]
    out = plan(_situation(apps=two, sites=("nyc", "bos")), Limits(per_org_per_hour=1))
    assert out[1].held == "rate limit: 1 changes per hour in the org"


def test_a_target_that_did_not_help_is_not_tried_again_soon() -> None:
    failed = _past("rolled_back", 30, order_before=("mpls", "isp-a"), order_after=("isp-a", "mpls"))
    [p] = plan(_situation(actions=(failed,)))
    assert p.change.order == ("lte", "mpls", "isp-a")
    assert p.risk == "high"  # LTE
    later = _past("rolled_back", 150, order_before=("mpls", "isp-a"), order_after=("isp-a", "mpls"))
    [p] = plan(_situation(actions=(later,)))
    assert p.change.order[0] == "isp-a"


def test_restore_after_hold_down() -> None:
    healthy = {"mpls": _link("mpls"), "isp-a": _link("isp-a")}
    steer = _past("verified", 40, order_before=("mpls", "isp-a"), order_after=("isp-a", "mpls"))
    apps = (AppHealth("nyc", "Teams", "video", "isp-a", total=12, bad=0),)
    [p] = plan(_situation(healthy, apps, (steer,), hold=healthy))
    c = p.change
    assert (c.kind, c.order, c.before) == (
        "restore_preference",
        ("mpls", "isp-a"),
        ("isp-a", "mpls"),
    )
    assert "pol-1" in p.reason
    young = _past("verified", 20, order_before=("mpls", "isp-a"), order_after=("isp-a", "mpls"))
    assert plan(_situation(healthy, apps, (young,), hold=healthy)) == []
    shaky = {"mpls": _link("mpls", loss=0.8), "isp-a": _link("isp-a")}
    assert plan(_situation(healthy, apps, (steer,), hold=shaky)) == []


def test_adjust_sla_when_the_gateway_thresholds_are_too_loose() -> None:
    loose = Thresholds(rtt_ms=300, jitter_ms=60, loss_pct=8)
    only_bad = {"mpls": _link("mpls", loss=6.0)}
    [p] = plan(_situation(only_bad, device_sla={("nyc", "video"): loose}))
    c = p.change
    assert (c.kind, c.sla, c.sla_before) == ("adjust_sla", TEAMS, loose)
    assert p.predicted_benefit == 41.7  # half of the 83.3 points: AppQoE must still find a path
    tight = Thresholds(rtt_ms=100, jitter_ms=30, loss_pct=1)
    assert plan(_situation(only_bad, device_sla={("nyc", "video"): tight})) == []


def test_only_apps_under_policy_control() -> None:
    assert plan(_situation(), Limits(apps=("Voice",))) == []
    assert len(plan(_situation(), Limits(apps=("Teams",)))) == 1
