"""``wanassure api``: serve the REST API alone, and manage its bearer tokens.

The composition root for the API at a terminal: ``wanassure api --config FILE`` (settings +
inventory; the lake comes from its ``lake.path``) or ``--lake DIR`` serves ``/api/v1`` with
uvicorn on ``--listen`` (loopback by default); ``api token create / list / revoke`` edit the
tokens file (``--tokens`` or ``$WANASSURE_API_TOKENS``). A new token is printed once, on stdout
only; the file keeps its hash. Errors are one clear line and exit code 2.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assurance.cli.ui import err, fail, out
from assurance.errors import AssuranceError

TOKENS_ENV = "WANASSURE_API_TOKENS"
DEFAULT_LISTEN = "127.0.0.1:8600"

app = typer.Typer(
    help="The REST API (/api/v1): serve it, and create, list or revoke its bearer tokens.",
    invoke_without_command=True,
)
token_app = typer.Typer(
    help="API tokens: create (printed once), list, revoke.", no_args_is_help=True
)
app.add_typer(token_app, name="token")

TokensOption = Annotated[
    Path | None,
    typer.Option("--tokens", help=f"Tokens file (JSON, hashes only; default ${TOKENS_ENV})"),
]
AccessOption = Annotated[
    Path | None,
    typer.Option("--access", help="Access file with the tenants (the dashboard's access.yaml)"),
]


def tokens_file(path: Path | None) -> Path:
    chosen = path or (Path(os.environ[TOKENS_ENV]) if os.environ.get(TOKENS_ENV) else None)
    if chosen is None:
        raise fail(f"give --tokens FILE (or set ${TOKENS_ENV})")
    return chosen


@app.callback()
def api(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="Settings + inventory YAML (lake.path)")
    ] = None,
    lake: Annotated[
        str | None, typer.Option("--lake", help="Lake folder (instead of --config)")
    ] = None,
    tokens: TokensOption = None,
    access: AccessOption = None,
    listen: Annotated[str, typer.Option(help="host:port to serve on")] = DEFAULT_LISTEN,
    cache_seconds: Annotated[
        float, typer.Option(min=0, help="Keep org-wide answers this long (0: never)")
    ] = 10.0,
) -> None:
    """Serve the REST API over a lake (with a subcommand: manage tokens)."""
    if ctx.invoked_subcommand is not None:
        return
    from assurance.api import build_state
    from assurance.api.server import run
    from assurance.config import load_config
    from assurance.config.settings import split_listen

    if (config is None) == (lake is None):
        raise fail("give --config FILE or --lake DIR (one of them)")
    path = tokens_file(tokens)
    try:
        split_listen(listen)
        inventory = None
        if config is not None:
            cfg = load_config(config)
            lake, inventory = cfg.settings.lake.path, cfg.inventory
        assert lake is not None
        if "://" not in lake and not Path(lake).is_dir():  # s3:// lakes are checked on open
            raise fail(f"{lake}: no lake folder there")
        state = build_state(
            lake, path, access=access, inventory=inventory, cache_seconds=cache_seconds
        )
    except (AssuranceError, ValueError) as exc:
        raise fail(escape(str(exc))) from None
    if len(state.tokens) == 0:
        err.print(
            f"warning: {path} holds no token yet, so every request is refused; "
            "make one with: wanassure api token create --role admin --tokens FILE",
            highlight=False,
        )
    out.print(f"API on http://{listen}/api/v1 (OpenAPI: /api/v1/openapi.json)", highlight=False)
    try:
        run(state, listen)
    except OSError as exc:
        raise fail(str(exc.strerror or exc)) from None


@token_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="admin, operator or viewer")],
    tokens: TokensOption = None,
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="Tenant (from the access file); none: every site")
    ] = None,
    sites: Annotated[
        list[str] | None, typer.Option("--sites", help="Extra sites or patterns (repeatable)")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="A name to list and revoke by")] = None,
    access: AccessOption = None,
) -> None:
    """Create a token and print it once (the file stores only its SHA-256)."""
    from assurance.api.tokens import create as make
    from assurance.config.access import load_access_config

    path = tokens_file(tokens)
    try:
        if access is not None and tenant is not None:
            known = load_access_config(access).tenants
            if tenant not in known:
                names = ", ".join(sorted(known)) or "none"
                raise fail(f"--tenant {tenant!r}: not a tenant of {access} (known: {names})")
        text, record = make(path, role=role, tenant=tenant, sites=tuple(sites or ()), name=name)
    except AssuranceError as exc:
        raise fail(escape(str(exc))) from None
    scope = record.tenant or "every site"
    err.print(
        f"token {record.name} ({record.role}, {scope}) stored in {path}; it is shown only now:",
        highlight=False,
    )
    print(text)


@token_app.command("list")
def list_(tokens: TokensOption = None) -> None:
    """The tokens of the file: id, name, role, tenant, sites, created (never the secret)."""
    from assurance.api.tokens import list_tokens

    try:
        found = list_tokens(tokens_file(tokens))
    except AssuranceError as exc:
        raise fail(escape(str(exc))) from None
    table = Table("id", "name", "role", "tenant", "sites", "created")
    for t in found:
        table.add_row(t.id, t.name, t.role, t.tenant or "", ",".join(t.sites), t.created_at)
    out.print(table)


@token_app.command("revoke")
def revoke(
    key: Annotated[str, typer.Argument(help="Token id or name", show_default=False)],
    tokens: TokensOption = None,
) -> None:
    """Remove a token; a running API refuses it within a second."""
    from assurance.api.tokens import revoke as remove

    try:
        gone = remove(tokens_file(tokens), key)
    except AssuranceError as exc:
        raise fail(escape(str(exc))) from None
    out.print(f"revoked token {gone.name} ({gone.id})", highlight=False)
