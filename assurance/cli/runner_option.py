"""The ``--runner`` option of the batch commands: which backend runs their partition jobs.

Owns turning the option (or ``$WANASSURE_RUNNER``) into ``assurance.runner.use(spec)`` before a
command runs, and a bad spec into a usage error naming it. Must not import Dask: a Dask client
is opened only when the first job is submitted.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assurance import runner


def _choose(value: str | None) -> str | None:
    if value is not None:
        try:
            runner.use(value)
        except runner.RunnerError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


RunnerOption = Annotated[
    str | None,
    typer.Option(
        "--runner",
        envvar=runner.ENV,
        callback=_choose,
        help=f"Where the partition jobs run: {runner.GRAMMAR} (default: local, a process "
        "pool; a Dask cluster needs a lake every worker can read)",
        show_default=False,
    ),
]
