"""End to end in a real browser: ``wanassure dashboard`` serves the small lake on a loopback
port, headless Chromium logs in through an alert-style deep link, opens every page from the
sidebar and saves a screenshot of each (under the test's tmp dir); a tenant viewer's deep link to
another tenant's site says "not found"."""

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

from assurance.cli.dashboard import free_port
from tests.dashboards.browser import Browser
from tests.tools import require_tool

WANASSURE = Path(sys.executable).parent / "wanassure"
# Tables are drawn on a canvas, so the needles are headings, captions and chart labels.
PAGES = [
    ("Org overview", ["Org overview — acme-retail", "Service levels", "Worst sites"]),
    ("WAN links", ["Per ISP", "Per link", "Latency and jitter (ms", "Mb/s"]),
    ("Applications", ["Application Health SLE", "Trend", "Per site"]),
    ("Wi-Fi and LAN", ["Access points", "RSSI (dBm", "Switch ports"]),
    ("Incidents", ["Ranked causes", "ISP outage across sites", "Affected users"]),
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


@pytest.fixture()
def browser() -> Iterator[Browser]:
    b = Browser(require_tool("chromium"))
    try:
        yield b
    finally:
        b.close()


def login(b: Browser, user: str, password: str) -> None:
    b.wait_for("Log in", "User name")
    b.type_into("User name", user)
    b.type_into("Password", password)
    b.click_button("Log in")


@pytest.mark.slow
def test_admin_opens_every_page_from_an_alert_link(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    browser.open(
        f"{server}/site?site=br-nyc-012&sle=application-health"
        "&from=2026-11-02T13:00:00Z&to=2026-11-02T15:00:00Z"
    )
    login(browser, "admin", "admin-pw")
    seen = browser.wait_for("br-nyc-012 · application-health", "Impacted users")
    assert "2026-11-02 13:00 UTC → 2026-11-02 15:00 UTC" in seen  # the link's time range
    shots = [browser.screenshot(tmp_path / "site.png")]
    for title, needles in PAGES:
        browser.click_nav(title)
        browser.wait_for(*needles)
        shots.append(browser.screenshot(tmp_path / f"{title.lower().replace(' ', '-')}.png"))
    for shot in shots:
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    print(f"screenshots in {tmp_path}")


@pytest.mark.slow
def test_viewer_deep_link_to_another_tenant_reads_not_found(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    browser.open(f"{server}/site?site=br-chi-027&sle=wan-link-health")
    login(browser, "eve", "wrong")
    browser.wait_for("Wrong user name or password.")
    login(browser, "eve", "eve-pw")
    seen = browser.wait_for("Site 'br-chi-027' not found.")
    browser.screenshot(tmp_path / "not-found.png")
    assert "br-chi-027-" not in seen
    browser.click_nav("Org overview")
    seen = browser.wait_for("Worst sites", "2 sites")  # east: br-nyc-012 and st-bos-101
    assert "br-chi-027" not in seen
