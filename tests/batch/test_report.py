"""``wanassure report``: one self-contained HTML file per site, holding the numbers the read API
answers (and that DuckDB finds straight in the Parquet files), with nothing to fetch; it opens
in headless Chromium, which draws its SVG plots."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from html import escape, unescape
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from assurance.query import IncidentQuery, SleQuery
from tests.tools import require_tool

SITE = "br-nyc-012"
START = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)
END = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def invoke(*args: str) -> tuple[int, str, str]:
    from assurance.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def report(computed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    code, out, err = invoke("report", "--lake", str(computed), "--site", SITE, "--out", str(path))
    assert code == 0, err
    assert f"wrote {path}" in out
    return path


def row_of(html: str, first_cell: str) -> str:
    """The table row whose first cell is ``first_cell``."""
    found = re.search(rf"<tr><td>{re.escape(first_cell)}</td>.*?</tr>", html)
    assert found, f"no row for {first_cell}"
    return found.group(0)


def test_nothing_is_fetched(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""\b(src|href|xlink:href|action)\s*=""", html, re.IGNORECASE)
    assert not re.search(r"url\(|@import|<script|<link|<iframe|<img", html, re.IGNORECASE)
    assert "http://" not in html and "https://" not in html
    assert html.count("<svg") >= 4  # a timeline per SLE family and a classifier chart


def test_sle_summary_holds_the_read_api_numbers(report: Path, computed: Path) -> None:
    html = report.read_text(encoding="utf-8")
    query = SleQuery(str(computed))
    overview = query.overview(query.scope(site=SITE, start=START, end=END))
    assert len(overview) >= 10
    for r in overview:
        row = row_of(html, r["metric"])
        assert f">{r['total_user_minutes']:,}<" in row
        assert f">{r['degraded_user_minutes']:,}<" in row
        assert f">{r['sle']:.1f}%<" in row
    # and the same figure straight from the Parquet files, without the read API
    found = (
        duckdb.connect()
        .execute(
            "SELECT sum(total), sum(good) FROM read_parquet($g) "
            "WHERE site = $site AND sle = 'wan_link_health'",
            {"g": str(computed / "sle_minutes" / "**" / "*.parquet"), "site": SITE},
        )
        .fetchone()
    )
    assert found is not None
    total, good = found
    assert good < total  # the ISP fault at this site
    row = row_of(html, "wan-link-health")
    assert f">{100.0 * good / total:.1f}%<" in row and f">{total - good:,}<" in row


def test_classifiers_incidents_and_impact(report: Path, computed: Path) -> None:
    html = report.read_text(encoding="utf-8")
    sle = SleQuery(str(computed))
    scope = sle.scope(site=SITE, start=START, end=END)
    summary = sle.summary("wan-link-health", scope)
    top = max(summary["classifiers"], key=lambda c: c["degraded_user_minutes"])
    assert (
        f"<title>{top['name']}: {top['degraded_user_minutes']} user-min</title>" in html
    )  # the classifier bar
    incidents = IncidentQuery(str(computed)).incidents(site=SITE, start=START, end=END)
    assert incidents, "the ISP fault at this site makes an incident"
    section = html[html.index("<h2>Incidents</h2>") : html.index("<h2>Impacted")]
    assert section.count('class="incident"') == len(incidents)
    for inc in incidents:
        assert escape(inc["suggested_action"]) in section
        for c in inc["causes"]:
            assert escape(c["root_cause"]) in section and f"{c['confidence']:.0%}" in section
    users = sle.impacted("wan-link-health", "users", scope, limit=5)
    impact = unescape(html[html.index("<h2>Impacted") :])
    for u in users:
        name = u["hostname"] or u["client_id"]
        assert re.search(
            rf"<td>{re.escape(name)}</td><td class=\"n\">{u['degraded_user_minutes']:,}</td>",
            impact,
        )


def test_window_and_errors(computed: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "hour.html"
    code, _, err = invoke(
        "report",
        "--lake",
        str(computed),
        "--site",
        SITE,
        "--from",
        "2026-11-02T14:00",
        "--to",
        "2026-11-02T15:00",
        "--out",
        str(out_file),
    )
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    assert "2026-11-02 14:00 UTC → 2026-11-02 15:00 UTC" in html
    query = SleQuery(str(computed))
    hour = query.summary("gateway-health", query.scope(site=SITE, start=END.replace(hour=14)))
    assert f">{hour['total_user_minutes']:,}<" in row_of(html, "gateway-health")

    code, _, err = invoke(
        "report", "--lake", str(computed), "--site", "nowhere", "--out", str(out_file)
    )
    assert code == 2 and "no SLE data for site 'nowhere'" in err and "br-nyc-012" in err
    code, _, err = invoke(
        "report", "--lake", str(computed), "--site", SITE, "--out", str(tmp_path / "x" / "r.html")
    )
    assert code == 2 and "does not exist" in err
    code, _, err = invoke("report", "--lake", str(tmp_path / "none"), "--site", SITE, "--out", "r")
    assert code == 2 and "no lake at" in err
    assert "Traceback" not in err


def test_opens_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    chromium = require_tool("chromium")
    shot = tmp_path / "report.png"
    common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    dom = subprocess.run(
        [*common, "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # the browser parsed the document: its title, the SVG plots, the summary table
    assert f"WAN assurance report — {SITE}" in dom
    assert dom.count("<svg") >= 4 and "<polyline" in dom
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1100,2400", report.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
