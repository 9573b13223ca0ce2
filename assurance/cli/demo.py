"""``wanassure demo``: the main pipeline end to end on the embedded default (DuckDB + Parquet).

The command only parses options; ``demo_run`` plays the twin through the collectors and runs
SLEs, analysis and alerts (imported when the command runs, so other commands start fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_SCENARIO = Path("data/samples/scenarios/small.yaml")


def demo(
    lake: Annotated[str, typer.Option(help="Lake folder to create or extend")] = "demo-lake",
    scenario: Annotated[Path, typer.Option(help="Scenario to play")] = DEFAULT_SCENARIO,
    hours: Annotated[
        float | None, typer.Option(help="Simulated hours (default: the scenario's)", min=0.1)
    ] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per wall second", min=1)] = 1800.0,
) -> None:
    """Play a simulated SRX org with faults through the real collectors, then compute SLEs,
    find incidents with their root causes and deliver alerts to a local webhook sink."""
    from assurance.cli.demo_run import run

    run(lake, scenario, hours, speed)


__all__ = ["demo"]
