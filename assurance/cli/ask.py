"""``wanassure ask "question"``: a plain-language question answered from a lake, and
``wanassure ask --eval FILE`` to score the evaluation set per intent with answer latency.

The composition root for ``assurance.ask`` at a terminal: reads the access file to scope a
user's answers to their tenant's sites. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from assurance.cli.ui import fail, out


def _scope(config: Path | None, user: str | None, lake: str) -> object | None:
    if config is None and user is None:
        return None
    if config is None or user is None:
        raise fail("--config and --user go together (the user's tenant scopes the answer)")
    from assurance.ask.vocab import vocabulary
    from assurance.config.access import load_access_config
    from assurance.errors import AssuranceError
    from assurance.query.scoping import Scoper

    try:
        access = load_access_config(config)
        every = vocabulary(lake).sites
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None
    found = access.user(user)
    if found is None:
        raise fail(f"{config}: no user {user!r}")
    patterns = access.patterns(found)
    return Scoper(every, None if patterns is None else access.allowed_sites(found, every))


def ask(
    lake: Annotated[str, typer.Option("--lake", help="Lake folder", show_default=False)],
    question: Annotated[str | None, typer.Argument(help="The question, in quotes")] = None,
    config: Annotated[Path | None, typer.Option(help="Access file (users, tenants)")] = None,
    user: Annotated[str | None, typer.Option(help="Answer as this user of --config")] = None,
    now: Annotated[
        str | None, typer.Option(help="What 'now' is for relative times (ISO 8601)")
    ] = None,
    tz: Annotated[str | None, typer.Option(help="Time zone of time phrases (default UTC)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole answer as JSON")] = False,
    eval_file: Annotated[
        Path | None, typer.Option("--eval", help="Score an evaluation set (JSON lines)")
    ] = None,
) -> None:
    """Ask a question in plain language ("why is teams slow at br 12 since 9am?")."""
    from assurance.ask import AskError, answer
    from assurance.cli.sle import parse_time

    if not Path(lake).is_dir() and "://" not in lake:
        raise fail(f"no lake at {lake}")
    scope = _scope(config, user, lake)
    if eval_file is not None:
        _evaluate(eval_file, lake, scope)
        return
    if not question:
        raise fail('give a question, e.g. wanassure ask "why is br-nyc-012 slow?" --lake DIR')
    at = parse_time(now, "--now") or datetime.now(UTC)
    try:
        got = answer(question, lake=lake, scope=scope, now=at, tz=tz)  # type: ignore[arg-type]
    except AskError as exc:
        raise fail(str(exc)) from None
    if as_json:
        out.print_json(json.dumps(got.to_dict()))
        return
    out.print(got.text, highlight=False, markup=False)
    for i, c in enumerate(got.choices, 1):
        out.print(f"  {i}. {c.label}  → ask: {c.question}", highlight=False, markup=False)
    if not got.choices:
        out.print(f"dashboard: {got.dashboard_url}", highlight=False, markup=False)
        out.print(f"api: {got.api_call}", highlight=False, markup=False)


def _evaluate(path: Path, lake: str, scope: object | None) -> None:
    from assurance.ask import AskError
    from assurance.ask.evaluate import evaluate, load_cases

    try:
        report = evaluate(load_cases(path), lake, scope)  # type: ignore[arg-type]
    except (AskError, OSError) as exc:
        raise fail(str(exc).splitlines()[0]) from None
    for intent, acc in report.intent_accuracy().items():
        right, total = report.per_intent[intent]
        out.print(f"{intent:22s} {acc:6.1%}  ({right}/{total})", highlight=False)
    total = sum(t for _, t in report.per_intent.values())
    out.print(
        f"all: {report.accuracy:.1%} of {total} questions exact (intent, entities, time, "
        f"choices); answer latency median {report.median_s * 1000:.0f} ms, "
        f"max {max(report.seconds, default=0) * 1000:.0f} ms",
        highlight=False,
    )
    for line in report.failures:
        out.print(f"  miss: {line}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
