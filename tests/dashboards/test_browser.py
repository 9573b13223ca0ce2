"""End to end in a real browser: ``wanassure dashboard`` serves the small lake on a loopback
port and Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed by
``scripts/install-system-deps.sh``; Playwright's own browser downloads are never used). An admin
logs in through an alert-style deep link to a site, opens an incident with its ranked causes,
then every other page from the sidebar, with a screenshot of each under the test's tmp dir; a
tenant viewer's deep link to another tenant's site says "not found"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from assurance.cli.dashboard import free_port
from tests.tools import require_tool

WANASSURE = Path(sys.executable).parent / "wanassure"
TIMEOUT_MS = 90_000
# Tables are drawn on a canvas, so the needles are headings, captions, metrics and chart labels.
PAGES = [
    ("Org overview", ["Org overview — acme-retail", "Service levels", "Worst sites"]),
    ("WAN links", ["Per ISP", "Per link", "Latency and jitter (ms", "Mb/s"]),
    ("Applications", ["Application Health SLE", "Trend", "Per site"]),
    ("Wi-Fi and LAN", ["Access points", "RSSI (dBm", "Switch ports"]),
    ("Actions", ["predicted gain", "Configuration change", "Audit trail"]),
    ("Alerts", ["Dead letters", "All notifications"]),
]


@pytest.fixture(scope="module")
def server(lake: str, access_file: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(WANASSURE),
            "dashboard",
            "--lake",
            lake,
            "--config",
            str(access_file),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"dashboard did not start: {proc.stdout.read() if proc.stdout else ''}"
                )
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the CLI stops Streamlit
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.stdout is not None
    assert f"dashboard: {url}/ (login required" in proc.stdout.read()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = require_tool("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            # tests may run as root in a container; /dev/shm may be small there
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1440, "height": 2200})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def settled(page: Page, *needles: str) -> str:
    """Wait until every needle is in the page's visible text and the app has stopped running
    and drawing; that text."""
    page.wait_for_function(
        "needles => needles.every(n => document.body.innerText.includes(n)) && "
        '!document.querySelector(\'[data-testid="stStatusWidget"], '
        '[data-testid="stSkeleton"]\')',
        arg=list(needles),
    )
    page.wait_for_timeout(500)  # charts draw after the script run ends
    text = page.inner_text("body")
    missing = [n for n in needles if n not in text]
    assert not missing, f"not on the page: {missing}\n--- page ---\n{text[:3000]}"
    return text


def login(page: Page, user: str, password: str) -> None:
    page.get_by_role("textbox", name="User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def nav(page: Page, title: str) -> None:
    """Follow the sidebar's link titled ``title`` (same session: no new login)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()


def shot(page: Page, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000, path
    return path


@pytest.mark.slow
def test_admin_logs_in_opens_a_site_an_incident_and_every_page(
    server: str, page: Page, tmp_path: Path
) -> None:
    page.goto(
        f"{server}/site?site=br-nyc-012&sle=application-health"
        "&from=2026-11-02T13:00:00Z&to=2026-11-02T15:00:00Z"
    )
    settled(page, "Log in", "User name")
    login(page, "admin", "admin-pw")
    seen = settled(page, "br-nyc-012 · application-health", "Classifiers", "Impacted users")
    assert "2026-11-02 13:00 UTC → 2026-11-02 15:00 UTC" in seen  # the link's time range
    assert "Signed in as admin (admin)" in seen.replace("*", "")
    shot(page, tmp_path / "site.png")

    nav(page, "Incidents")
    settled(page, "Ranked causes", "Incident")
    # open the org-wide ISP outage from the incident picker (a Streamlit selectbox)
    picker = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Incident", exact=True))
    picker.click()
    page.get_by_role("option").filter(has_text="ISP outage across sites").first.click()
    seen = settled(page, "ISP outage across sites", "Ranked causes", "confidence", "Timeline at")
    assert "Suggested action:" in seen
    assert "impacted users" in seen
    shot(page, tmp_path / "incident.png")

    for title, needles in PAGES:
        nav(page, title)
        settled(page, *needles)
        shot(page, tmp_path / f"{title.lower().replace(' ', '-')}.png")
    print(f"screenshots in {tmp_path}")


@pytest.mark.slow
def test_viewer_deep_link_to_another_tenant_reads_not_found(
    server: str, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{server}/site?site=br-chi-027&sle=wan-link-health")
    settled(page, "Log in", "User name")
    login(page, "eve", "wrong")
    settled(page, "Wrong user name or password.")
    login(page, "eve", "eve-pw")
    seen = settled(page, "Site 'br-chi-027' not found.")
    shot(page, tmp_path / "not-found.png")
    assert "br-chi-027-" not in seen
    nav(page, "Org overview")
    seen = settled(page, "Worst sites", "2 sites")  # east: br-nyc-012 and st-bos-101
    assert "br-chi-027" not in seen
