"""The ``wanassure`` command line: the composition root for people at a terminal."""

from __future__ import annotations

import platform

import typer

from assurance import __version__
from assurance.cli import (
    alerts,
    analyze,
    api,
    collect,
    collect_snmp,
    collect_telemetry,
    config_cmd,
    detect,
    lake,
    outlet,
    parse,
    policy,
    rca,
    serve,
    simulate,
    sle,
)
from assurance.cli.ask import register as register_ask
from assurance.cli.batch import register as register_batch
from assurance.cli.dashboard import dashboard
from assurance.cli.demo import demo
from assurance.cli.onboard import register as register_onboard
from assurance.cli.ui import out

app = typer.Typer(
    name="wanassure",
    help="Self-hosted WAN assurance for SRX SD-WAN branches.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(lake.app, name="lake")
app.add_typer(config_cmd.app, name="config")
app.add_typer(collect.app, name="collect")
app.add_typer(outlet.app, name="outlet")
collect_telemetry.register(collect.app)
collect_snmp.register(collect.app)
app.add_typer(parse.app, name="parse")
app.add_typer(sle.app, name="sle")
app.add_typer(alerts.app, name="alerts")
app.add_typer(simulate.app, name="simulate")
app.add_typer(rca.app, name="rca")
app.add_typer(detect.app, name="detect")
app.add_typer(policy.app, name="policy")
app.add_typer(api.app, name="api")
app.command()(demo)
app.command()(dashboard)
analyze.register(app)
register_batch(app)
register_ask(app)
app.command()(serve.serve)
register_onboard(app)


@app.command()
def version() -> None:
    """Print the version of wan-assurance and of the engines it runs on."""
    import duckdb
    import pyarrow

    out.print(
        f"wan-assurance {__version__} (Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, Arrow {pyarrow.__version__})",
        highlight=False,
    )


def main() -> None:
    app()
