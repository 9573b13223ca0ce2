"""``wanassure dashboard``: start the Streamlit dashboard over a lake on the loopback address.

The composition root for the dashboard at a terminal: checks the lake and the access config
before starting (one clear line on error, exit code 2), runs ``streamlit run dashboards/app.py``
bound to 127.0.0.1 with the lake and config handed over in the environment, prints the URL and
stops Streamlit on Ctrl-C. ``--hash-password`` prints a password hash for the access file.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from assurance.cli.ui import fail, out
from assurance.config.access import hash_password, load_access_config
from assurance.errors import AssuranceError

LAKE_ENV = "WANASSURE_DASHBOARD_LAKE"
CONFIG_ENV = "WANASSURE_DASHBOARD_CONFIG"


def app_script() -> Path:
    spec = importlib.util.find_spec("dashboards")
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    found = next((Path(p) / "app.py" for p in places if (Path(p) / "app.py").is_file()), None)
    if found is None:
        raise fail("the dashboards package is not installed (pip install -e .)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def streamlit_command(script: Path, port: int) -> list[str]:
    """The command line that serves ``script`` on 127.0.0.1:``port``, headless."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--client.toolbarMode=minimal",
    ]


def _hash_from_input() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise fail("the password is empty")
    return hash_password(password)


def dashboard(
    lake: Annotated[
        str | None, typer.Option("--lake", help="Lake folder to show", show_default=False)
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Access file (users, roles, tenants; top level or under dashboard:). "
            "Without it the dashboard is open and read-only.",
        ),
    ] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: a free one)")] = 8501,
    hash_password_: Annotated[
        bool,
        typer.Option(
            "--hash-password",
            help="Read a password (prompt, or one line on stdin) and print its hash for the "
            "access file, then exit.",
        ),
    ] = False,
) -> None:
    """Start the SLE dashboard on 127.0.0.1 and print its URL (Ctrl-C stops it)."""
    if hash_password_:
        out.print(_hash_from_input(), highlight=False, soft_wrap=True)
        return
    if lake is None:
        raise fail("give --lake PATH (the lake folder to show)")
    remote = "://" in lake  # s3://bucket/prefix, read through the lake's own filesystem
    if not remote and not Path(lake).is_dir():
        raise fail(f"no lake at {lake} (folder does not exist)")
    env = dict(os.environ)
    env[LAKE_ENV] = lake if remote else str(Path(lake).resolve())
    env.pop(CONFIG_ENV, None)
    if config is not None:
        try:
            access = load_access_config(config)
        except AssuranceError as exc:
            raise fail(str(exc)) from None
        if not access.users:
            raise fail(f"{config}: users: no users, nobody could log in")
        env[CONFIG_ENV] = str(config.resolve())
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen(
        streamlit_command(app_script(), port),
        env=env,
        stdout=subprocess.DEVNULL,
    )
    mode = "login required" if config is not None else "open, read-only"
    out.print(f"dashboard: {url} ({mode}; Ctrl-C stops it)", highlight=False, soft_wrap=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # a service manager's SIGTERM stops Streamlit too

    signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return
    if code != 0:
        raise fail(f"streamlit exited with code {code} (its messages are above)")
