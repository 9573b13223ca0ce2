"""``wanassure demo``: the main pipeline end to end on the embedded default (DuckDB + Parquet).

The command only parses options; ``demo_run`` plays the twin through the collectors and runs
SLEs, analysis and alerts (imported when the command runs, so other commands start fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_SCENARIO = Path("data/samples/scenarios/small.yaml")
#: The port the demo's alert links point at (taken when free, else any free one).
DASHBOARD_PORT = 8501


def demo(
    lake: Annotated[str, typer.Option(help="Lake folder to create or extend")] = "demo-lake",
    scenario: Annotated[Path, typer.Option(help="Scenario to play")] = DEFAULT_SCENARIO,
    hours: Annotated[
        float | None, typer.Option(help="Simulated hours (default: the scenario's)", min=0.1)
    ] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per wall second", min=1)] = 1800.0,
    show_dashboard: Annotated[
        bool,
        typer.Option(
            "--dashboard/--no-dashboard",
            help="Start the dashboard at the end (--no-dashboard: print the summary and exit)",
        ),
    ] = True,
) -> None:
    """Play a simulated SRX org with faults through the real collectors, then compute SLEs,
    find incidents with their root causes, deliver alerts to a local webhook sink and open
    the dashboard on it."""
    from assurance.cli.demo_run import run

    run(lake, scenario, hours, speed)
    if show_dashboard:
        from assurance.cli.dashboard import dashboard, free_port

        dashboard(
            lake=lake, config=None, port=DASHBOARD_PORT if _free(DASHBOARD_PORT) else free_port()
        )


def _free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


__all__ = ["demo"]
