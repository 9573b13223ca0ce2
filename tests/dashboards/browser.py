"""A headless Chromium driven over the DevTools protocol (one websocket, a few commands): open a
URL, read the page's text, type into an input, click, take a screenshot.

Enough for the dashboard tests to log in and look at every page in a real browser; the protocol
is Chromium's own, so nothing else (no Selenium, no Playwright download) is needed.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect


class Browser:
    """One Chromium process with one page."""

    def __init__(self, chromium: str, *, width: int = 1440, height: int = 2200) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",  # tests may run as root in a container
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        url = next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page")
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(
            connect(url, max_size=64 * 1024 * 1024, open_timeout=10)
        )
        self._ids = itertools.count(1)
        self.send("Page.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self._ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def text(self) -> str:
        return str(self.js("document.body ? document.body.innerText : ''") or "")

    def busy(self) -> bool:
        """Whether the app is still running or drawing (status widget or skeletons shown)."""
        return bool(
            self.js(
                '!!document.querySelector(\'[data-testid="stStatusWidget"], '
                '[data-testid="stSkeleton"]\')'
            )
        )

    def wait_for(self, *needles: str, timeout: float = 60.0) -> str:
        """Wait until every needle is in the page's text and the app has finished running."""
        deadline = time.monotonic() + timeout
        text, last = "", None
        while time.monotonic() < deadline:
            text = self.text()
            if all(n in text for n in needles) and not self.busy() and text == last:
                time.sleep(0.5)  # charts draw after the script run ends
                return self.text()
            last = text
            time.sleep(0.4)
        missing = [n for n in needles if n not in text]
        raise AssertionError(
            f"not on the page after {timeout:.0f} s: {missing}\n--- page ---\n{text[:3000]}"
        )

    def type_into(self, label: str, value: str) -> None:
        found = self.js(
            f"(() => {{ const e = document.querySelector('input[aria-label={json.dumps(label)}]');"
            " if (!e) return false; e.focus(); e.select(); return true; })()"
        )
        if not found:
            raise AssertionError(f"no input labelled {label!r}")
        self.send("Input.insertText", text=value)

    def click_button(self, label: str) -> None:
        clicked = self.js(
            "(() => { const b = [...document.querySelectorAll('button')]"
            f".find(b => b.innerText.trim() === {json.dumps(label)});"
            " if (!b) return false; b.click(); return true; })()"
        )
        if not clicked:
            raise AssertionError(f"no button {label!r}")

    def click_nav(self, title: str) -> None:
        """Follow the sidebar's link titled ``title`` (same session: no new login)."""
        clicked = self.js(
            "(() => { const a = [...document.querySelectorAll('[data-testid=\"stSidebarNav\"] a')]"
            f".find(a => a.innerText.trim() === {json.dumps(title)});"
            " if (!a) return false; a.click(); return true; })()"
        )
        if not clicked:
            raise AssertionError(f"no sidebar link {title!r}")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            if hasattr(self, "_stack"):
                self._stack.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self._profile.cleanup()
