"""The read API and the ``wanassure sle`` commands over the hand-built fixture lake."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from assurance.cli import app
from assurance.query import QueryError, SleQuery
from tests.sle.conftest import INVENTORY
from tests.sle.fixture import A1, L1


@pytest.fixture(scope="module")
def query(fixture_lake: str) -> SleQuery:
    return SleQuery(fixture_lake)


def test_keys_accept_both_spellings(query: SleQuery) -> None:
    dash = query.summary("wan-link-health", query.scope("site", "s1"))
    under = query.summary("WAN_link_health", query.scope("site", "s1"))
    assert dash == under
    assert dash["total_user_minutes"] == 23 and dash["degraded_user_minutes"] == 11
    names = [c["name"] for c in dash["classifiers"]]
    assert names == ["interface", "isp-reachability", "network"]
    assert [c["degraded_user_minutes"] for c in dash["classifiers"]] == [5, 1, 5]


def test_impacted_links_gateways_and_users(query: SleQuery) -> None:
    org = query.scope()
    links = query.impacted("wan-link-health", "wan-links", org)
    assert [(r["name"], r["degraded_user_minutes"], r["total_user_minutes"]) for r in links] == [
        ("mpls", 7, 12),
        ("inet", 3, 8),
        ("lte", 1, 3),
    ]
    users = query.impacted("application_health", "users", org, classifier="application-services")
    assert [(u["client_id"], u["degraded_user_minutes"]) for u in users] == [(A1, 2)]
    aps = query.impacted("ap-health", "aps", org)
    assert [(r["name"], r["degraded_user_minutes"]) for r in aps] == [("ap1", 4), ("ap2", 2)]


def test_trend_histogram_and_overview(query: SleQuery) -> None:
    trend = query.trend("gateway-health", query.scope("gateway", "gw1"), "hour")
    assert [(s["total_user_minutes"], s["degraded_user_minutes"]) for s in trend["samples"]] == [
        (23, 12)
    ]
    histogram = query.histogram("coverage", query.scope(), bins=2)
    assert [b["user_minutes"] for b in histogram["data"]] == [1, 13]
    overview = {r["metric"]: r for r in query.overview(query.scope(site="s2"))}
    assert overview["gateway-health"]["degraded_user_minutes"] == 3
    assert overview["switch-health"]["top_classifier"] == "disconnected"


def test_bad_questions_are_query_errors(query: SleQuery) -> None:
    with pytest.raises(QueryError, match="unknown SLE"):
        query.summary("nope", query.scope())
    with pytest.raises(QueryError, match="unknown scope"):
        query.scope("planet", "x")
    with pytest.raises(QueryError, match="unknown impact kind"):
        query.impacted("coverage", "galaxies", query.scope())
    with pytest.raises(QueryError, match="no classifier"):
        query.impacted("coverage", "users", query.scope(), classifier="latency")


def test_cli_show_and_compute(fixture_lake: str) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["sle", "show", "--lake", fixture_lake, "--site", "s1"])
    assert shown.exit_code == 0, shown.output
    assert "wan-link-health" in shown.output and "69.7%" not in shown.output
    detail = runner.invoke(app, ["sle", "show", "--lake", fixture_lake, "--sle", "wan_link_health"])
    assert detail.exit_code == 0 and "port_down" in detail.output and "mpls" in detail.output
    computed = runner.invoke(
        app,
        [
            "sle",
            "compute",
            "--lake",
            fixture_lake,
            "--inventory",
            str(INVENTORY),
            "--from",
            "2026-11-20T10:00",
            "--to",
            "2026-11-20T11:00",
            "--workers",
            "1",
        ],
    )
    assert computed.exit_code == 0, computed.output
    assert "82 user minutes" in computed.output
    again = SleQuery(fixture_lake).impacted("wan-link-health", "users", SleQuery.scope())
    assert [u["client_id"] for u in again][:1] == [L1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sle", "show", "--lake", "/nonexistent/lake"], "no lake at"),
        (["sle", "show", "--lake", "{lake}", "--sle", "bogus"], "unknown SLE 'bogus'"),
        (["sle", "compute", "--lake", "{lake}", "--from", "yesterday"], "not an ISO 8601 time"),
        (["sle", "compute", "--lake", "{lake}", "--inventory", "/nonexistent.yaml"], "error:"),
        (
            ["sle", "compute", "--lake", "{lake}", "--inventory", "{inv}", "--site", "mars"],
            "unknown site(s) mars",
        ),
    ],
)
def test_cli_errors_are_one_line(fixture_lake: str, args: list[str], message: str) -> None:
    argv = [a.format(lake=fixture_lake, inv=INVENTORY) for a in args]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_reports_a_broken_input_file_in_one_line(tmp_path: object) -> None:
    from pathlib import Path

    from assurance.lake.store import LakeStore
    from tests.sle import fixture

    lake = str(Path(str(tmp_path)) / "lake")
    fixture.write(lake)
    LakeStore(lake).publish("flows/date=2026-11-20/hour=10/part-broken.parquet", b"not parquet")
    result = CliRunner().invoke(
        app,
        [
            "sle",
            "compute",
            "--lake",
            lake,
            "--inventory",
            str(INVENTORY),
            "--from",
            "2026-11-20T10:00",
            "--to",
            "2026-11-20T11:00",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 2
    # the runner names the partition; the engine's own line names the job and the bad file
    text = " ".join(result.output.split())
    assert text.startswith("error: ")
    assert "SLE job 000of001 2026-11-20 10:00-11:00 failed" in text
    assert "part-broken.parquet" in text
    assert "Traceback" not in result.output
