"""Every page through Streamlit's AppTest against the small simulated lake: content checks with
figures recomputed from the lake's Parquet files by pyarrow (not through ``assurance.query``),
logins, roles, and tenant isolation (another tenant's sites are "not found" and never named)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.context import CONFIG_ENV, LAKE_ENV
from tests.dashboards.conftest import EAST, WEST

APP = Path(__file__).parents[2] / "dashboards" / "app.py"
PAGES = ["overview", "site", "wan", "apps", "wifi_lan", "incidents", "actions", "alerts"]


def start(lake: str, access: Path, monkeypatch: pytest.MonkeyPatch, user: str | None) -> AppTest:
    monkeypatch.setenv(LAKE_ENV, lake)
    monkeypatch.setenv(CONFIG_ENV, str(access))
    at = AppTest.from_file(str(APP), default_timeout=90)
    if user is not None:
        at.session_state["_user"] = user
    return at.run()


def page(at: AppTest, name: str, **params: str) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def text(at: AppTest) -> str:
    """Everything a reader sees as text: headings, messages, metrics, tables, choices."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning",
                 "info", "success", "code"):  # fmt: skip
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    parts += [e.value.to_string() for e in at.dataframe]
    parts += [" | ".join(map(str, s.options)) for s in at.selectbox]
    return "\n".join(parts)


def table(lake: str, name: str) -> Any:
    return ds.dataset(f"{lake}/{name}", format="parquet", partitioning="hive").to_table()


def test_login_form_rejects_a_wrong_password_and_accepts_the_right_one(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, None)
    assert [s.value for s in at.subheader] == ["Log in"] and not at.dataframe
    at.text_input[0].input("eve")
    at.text_input[1].input("admin-pw")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert not at.dataframe  # nothing of the lake shown
    at.text_input[0].input("eve")
    at.text_input[1].input("eve-pw")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Org overview"  # a tenant viewer does not see the org's name
    assert "Signed in as **eve** (viewer)" in [c.value for c in at.sidebar.caption]


def test_overview_bars_worst_sites_and_incidents(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, "admin")
    assert at.title[0].value == "Org overview — acme-retail"
    trend = at.dataframe[0].value
    # SLE % over all data, from the raw sle_minutes files
    rows = table(lake, "sle_minutes").filter(pc.field("sle") == "wan_link_health")
    expected = 100.0 * pc.sum(rows["good"]).as_py() / pc.sum(rows["total"]).as_py()
    got = trend.loc[trend["SLE"] == "wan-link-health", "SLE %"].iloc[0]
    assert got == pytest.approx(expected, abs=1e-9)
    worst = at.dataframe[1].value
    # worst sites: ordered by their lowest SLE %, recomputed from the raw sle_minutes files
    sums = (
        table(lake, "sle_minutes")
        .group_by(["site", "sle"])
        .aggregate([("good", "sum"), ("total", "sum")])
        .to_pylist()
    )
    lowest: dict[str, float] = {}
    for r in sums:
        pct = 100.0 * r["good_sum"] / r["total_sum"]
        lowest[r["site"]] = min(pct, lowest.get(r["site"], 100.0))
    order = [s for s, _ in sorted(lowest.items(), key=lambda kv: kv[1])]
    assert [w.split("site=")[1].split("&")[0] for w in worst["site"]] == order
    assert worst["worst SLE %"].tolist() == pytest.approx([lowest[s] for s in order])
    assert set(order[:2]) == {"br-nyc-012", "br-chi-027"}  # the two sites with WAN faults
    incidents = at.dataframe[2].value
    assert "ISP Comcast Business (2 sites)" in set(incidents["where"])


def test_site_page_opens_on_an_alert_link_scope(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, "admin")
    start_t, end_t = "2026-11-02T13:20:00Z", "2026-11-02T14:20:00Z"
    page(at, "site", site="br-nyc-012", sle="application-health", **{"from": start_t, "to": end_t})
    assert at.header[0].value == "br-nyc-012 · application-health"
    um = table(lake, "user_minutes")
    ts = pc.cast(um["minute"], "int64")
    lo = int(datetime(2026, 11, 2, 13, 20, tzinfo=UTC).timestamp()) * 1_000_000  # µs
    hi = lo + 3600 * 1_000_000
    mask = pc.and_(
        pc.and_(pc.equal(um["site"], "br-nyc-012"), pc.greater_equal(ts, lo)), pc.less(ts, hi)
    )
    ok = um.filter(mask)["application_health_ok"]
    good, total = pc.sum(pc.cast(ok, "int64")).as_py(), pc.count(ok).as_py()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["SLE"] == f"{100.0 * good / total:.1f} %"
    assert metrics["degraded user-minutes"] == f"{total - good:,}"
    assert total - good > 0  # the isp-a loss fault is inside this window
    assert "Timeline (per minute)" in [s.value for s in at.subheader]
    assert at.sidebar.selectbox[0].value == "Custom (from/to)"
    assert [t.value for t in at.sidebar.text_input] == [start_t, end_t]
    # the impacted users table lists clients with their degraded minutes
    users = at.dataframe[-1].value
    assert users["degraded user-minutes"].sum() == total - good


def test_every_page_renders_its_parts(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, "admin")
    expect = {
        "wan": ["Per ISP", "Per link", "Path changes", "Comcast Business", "Lumen MPLS"],
        "apps": ["Salesforce", "Per site", "Trend"],
        "wifi_lan": ["Access points", "Switch ports", "br-chi-027-ap1"],
        "incidents": ["Ranked causes", "ISP outage across sites", "Affected users"],
        "actions": ["act-east-steer", "Audit trail", "Configuration change"],
        "alerts": ["Dead letters", "connection refused"],
    }
    for name, needles in expect.items():
        seen = text(page(at, name))
        for needle in needles:
            assert needle in seen, (name, needle)


def test_wan_link_figures_match_the_raw_probes(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, "admin")
    links = page(at, "wan").dataframe[1].value
    row = links[(links["site"] == "br-nyc-012") & (links["link"] == "isp-a")].iloc[0]
    sla = table(lake, "sla_metrics").filter(
        (pc.field("site") == "br-nyc-012")
        & (pc.field("source") == "rpm")
        & (pc.field("interface") == row["interface"])
    )
    assert row["isp"] == "Comcast Business" and row["capacity_mbps"] == 200
    assert row["latency_ms"] == pytest.approx(pc.mean(sla["rtt_ms"]).as_py())
    assert row["loss_pct"] == pytest.approx(pc.mean(sla["loss_pct"]).as_py())
    assert row["loss_max_pct"] >= 6  # the injected 6 % loss


def test_viewer_of_one_tenant_never_sees_the_other(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, "eve")
    for name in PAGES:
        seen = text(page(at, name))
        for site in WEST:
            assert site not in seen, (name, site)
        assert "ri-west-secret" not in seen
    page(at, "incidents")
    assert "ISP Comcast Business (1 of your sites)" in text(at)
    # a site of the other tenant reads exactly like one that does not exist
    for name in ("site", "wan", "incidents", "alerts"):
        page(at, name, site="br-chi-027")
        assert [e.value for e in at.error] == ["Site 'br-chi-027' not found."]
        assert not at.dataframe
        page(at, name, site="no-such-site")
        assert [e.value for e in at.error] == ["Site 'no-such-site' not found."]
    page(at, "site")
    assert at.selectbox[0].options == sorted(EAST)
    page(at, "alerts")
    assert {m.label: m.value for m in at.metric}["dead"] == "1"


def test_other_tenant_is_symmetric(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, "walt")
    for name in ("overview", "incidents", "actions", "alerts"):
        seen = text(page(at, name))
        assert all(site not in seen for site in EAST), name
    page(at, "site", site="br-nyc-012")
    assert [e.value for e in at.error] == ["Site 'br-nyc-012' not found."]


def test_only_admins_and_operators_get_the_decision_buttons(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = start(lake, access_file, monkeypatch, "eve")
    page(viewer, "actions", action="act-east-steer")
    assert not [b for b in viewer.button if b.label in ("Approve", "Reject", "Roll back")]
    assert "Only admins and operators can approve" in text(viewer)

    operator = start(lake, access_file, monkeypatch, "oscar")
    page(operator, "actions", action="act-east-steer")
    assert operator.header[0].value == "steer_app at br-nyc-012"
    assert "+ set security advance-policy-based-routing" in text(operator)
    assert "- delete security advance-policy-based-routing" in text(operator)
    labels = [b.label for b in operator.button]
    assert "Approve" in labels and "Reject" in labels
    page(operator, "actions", action="act-west-steer")  # another tenant's action
    assert [e.value for e in operator.error] == ["Action 'act-west-steer' not found."]

    admin = start(lake, access_file, monkeypatch, "admin")
    page(admin, "actions", action="act-west-steer")
    assert admin.header[0].value == "steer_app at br-chi-027"


def test_operator_approval_goes_through_the_policy_service(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("assurance.policy.service")
    at = start(lake, access_file, monkeypatch, "oscar")
    page(at, "actions", action="act-east-sla")
    at.text_input[0].input("tighter SLA for CRM")
    next(b for b in at.button if b.label == "Approve").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Approve: done (act-east-sla)."]
    assert {m.label: m.value for m in at.metric}["state"] == "approved"
    trail = at.dataframe[-1].value
    assert trail.iloc[-1][["state", "by", "note"]].tolist() == [
        "approved",
        "oscar",
        "tighter SLA for CRM",
    ]
    # the state row is in the lake itself, read back without the dashboard
    rows = table(lake, "actions").filter(pc.field("action_id") == "act-east-sla").to_pylist()
    assert {(r["state"], r["actor"]) for r in rows} == {
        ("proposed", "policy"),
        ("approved", "oscar"),
    }
    labels = [b.label for b in at.button]
    assert "Approve" not in labels and "Reject" in labels  # approved: may still be rejected


def test_without_an_access_file_the_dashboard_is_open_and_read_only(
    lake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LAKE_ENV, lake)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=90).run()
    assert not at.exception and at.title[0].value == "Org overview — acme-retail"
    assert "Open, read-only dashboard (no access config)" in [c.value for c in at.sidebar.caption]
    page(at, "actions", action="act-east-steer")
    assert not [b for b in at.button if b.label in ("Approve", "Reject", "Roll back")]
    assert "Read-only dashboard" in text(at)


def test_custom_time_range_is_edited_in_the_sidebar_and_kept_in_the_url(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = {"from": "2026-11-02T13:20:00Z", "to": "2026-11-02T14:20:00Z"}
    linked = start(lake, access_file, monkeypatch, "admin")
    page(linked, "site", site="br-nyc-012", sle="application-health", **window)
    expected = {m.label: m.value for m in linked.metric}

    at = start(lake, access_file, monkeypatch, "admin")
    page(at, "site", site="br-nyc-012", sle="application-health")
    assert at.sidebar.selectbox[0].value == "Last 24 h"
    at.sidebar.selectbox[0].select("Custom (from/to)").run()
    at.sidebar.text_input[0].input(window["from"])
    at.sidebar.text_input[1].input(window["to"]).run()
    assert {m.label: m.value for m in at.metric} == expected
    assert at.query_params["from"] in (window["from"], [window["from"]])
    at.sidebar.text_input[0].input("yesterday").run()
    assert [e.value for e in at.sidebar.error] == [
        "Custom range not usable (From is not a time); showing all data."
    ]


def test_failed_logins_slow_down_the_next_attempt_on_that_name(
    lake: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(lake, access_file, monkeypatch, None)
    waits = []
    for password in ("guess-1", "guess-2", "guess-3", "walt-pw"):
        at.text_input[0].input("walt")
        at.text_input[1].input(password)
        t = time.perf_counter()
        at.button[0].click().run()
        waits.append(time.perf_counter() - t)
    # 0, 0.25, 0.75 and 1.75 s of added delay (lower bounds: the machine may be slower)
    assert waits[1] >= 0.25 and waits[2] >= 0.75 and waits[3] >= 1.75
    assert at.title[0].value == "Org overview"  # the right password still works
