"""``wanassure config``: validate a configuration or inventory file and show what it holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from assurance.cli.ui import err, fail, out
from assurance.config import Config, load_config
from assurance.errors import ConfigError

app = typer.Typer(help="Validate configuration and inventory files.", no_args_is_help=True)


@app.command("check")
def check(
    file: Annotated[str, typer.Argument(help="wanassure.yaml or a bare inventory file")],
) -> None:
    """Validate FILE; print what it configures, or every problem with its line and key path."""
    try:
        config = load_config(file)
    except ConfigError as exc:
        err.print(
            f"[bold red]error:[/] {exc.file}: {len(exc.problems)} problem(s)", highlight=False
        )
        for problem in exc.problems:
            err.print(f"  {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        raise fail(f"{file}: {exc}") from None
    _summary(config)


def _summary(config: Config) -> None:
    inv, lake = config.inventory, config.settings.lake
    grid = Table(title=f"org {inv.org.name}: {len(inv.sites)} sites", title_justify="left")
    for name in ("site", "gateways", "WAN links", "switches", "APs", "exporter IPs"):
        grid.add_column(name, justify="left" if name == "site" else "right")
    index = inv.device_index()
    for site in inv.sites:
        links = [
            link.name if link.name == link.type else f"{link.name} ({link.type})"
            for g in site.gateways
            for link in g.wan
        ]
        grid.add_row(
            site.name,
            str(len(site.gateways)),
            ", ".join(links) or "-",
            str(len(site.switches)),
            str(len(site.aps)),
            str(sum(1 for ref in index.values() if ref.site == site.name)),
        )
    out.print(grid)
    out.print(
        f"apps of interest: {', '.join(a.name for a in inv.apps) or '-'}\n"
        f"lake: {lake.path} (flush at {lake.flush_rows:,} rows / {lake.flush_age_s:g} s, "
        f"{lake.compression})\n[green]OK[/] {config.source}",
        highlight=False,
    )
