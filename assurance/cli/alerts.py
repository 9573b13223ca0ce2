"""``wanassure alerts``: evaluate alert rules over a lake, deliver, list, test and resend.

The composition root for ``assurance.alerts`` at a terminal: finds the alerts config and the
inventory, runs cycles (once, or every ``interval`` until Ctrl-C with grouping timers and
retries served every second), shows the outbox as a table and re-queues dead letters. Output
names receivers and event ids, never URLs or secrets. Errors are one clear line and exit code 2.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assurance.alerts.config import AlertsConfig, load_alerts_config
from assurance.alerts.deliver import Deliverer
from assurance.alerts.engine import AlertEngine, CycleReport
from assurance.alerts.grouping import iso
from assurance.alerts.outbox import STATES, Outbox, outbox_path
from assurance.cli.sle import LAKE_INVENTORIES, parse_time
from assurance.cli.ui import err, fail, out
from assurance.config import Inventory, load_inventory
from assurance.errors import AssuranceError

app = typer.Typer(
    help="Alert rules, grouped notifications and their delivery.", no_args_is_help=True
)

CONFIG_ENV = "WANASSURE_ALERTS_CONFIG"
LakeOption = Annotated[str, typer.Option("--lake", help="Lake folder", show_default=False)]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help=f"Alerts YAML (default: ${CONFIG_ENV}, else <lake>/alerts.yaml)"),
]


def _config(path: Path | None, lake: str | None) -> AlertsConfig:
    chosen = path or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    if chosen is None and lake is not None:
        candidate = Path(lake) / "alerts.yaml"
        chosen = candidate if candidate.is_file() else None
    if chosen is None:
        raise fail(
            f"no alerts config: give --config FILE, set {CONFIG_ENV}, "
            "or put alerts.yaml in the lake folder"
        )
    try:
        return load_alerts_config(chosen)
    except AssuranceError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        more = f" (and {len(lines) - 2} more problem(s))" if len(lines) > 2 else ""
        raise fail((lines[1] if len(lines) > 1 else lines[0]) + more) from None


def _inventory(path: Path | None, config: AlertsConfig, lake: str) -> Inventory | None:
    chosen = path or (Path(config.inventory) if config.inventory else None)
    if chosen is None:
        chosen = next((p for p in (Path(lake) / n for n in LAKE_INVENTORIES) if p.is_file()), None)
    if chosen is None:
        return None
    try:
        return load_inventory(chosen)
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None


def _logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _summary(report: CycleReport) -> str:
    g, d = report.grouping, report.delivery
    text = (
        f"alerts at {report.at:%Y-%m-%d %H:%M} UTC: {g.firing} firing, {g.muted} muted, "
        f"{g.resolved} resolved; {g.notifications} notifications, {g.events} events queued; "
        f"{d.delivered} delivered, {d.retrying} retrying, {d.dead} dead"
    )
    for rule, error in report.failed_rules:
        text += f"\nrule {rule} failed: {error}"
    return text


@app.command("run")
def run_cmd(
    lake: LakeOption,
    config: ConfigOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="One evaluation and delivery, then exit")
    ] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="With --once: evaluate as of this time (ISO 8601)")
    ] = None,
    inventory: Annotated[Path | None, typer.Option(help="Inventory YAML (WAN links, ISPs)")] = None,
    wait: Annotated[
        float,
        typer.Option(min=0, help="With --once: keep retrying failed deliveries this long (s)"),
    ] = 0.0,
) -> None:
    """Evaluate the rules and deliver notifications (every `interval` until Ctrl-C, or --once)."""
    cfg = _config(config, lake)
    when = parse_time(at, "--at")
    if when is not None and not once:
        raise fail("--at needs --once (a running loop evaluates at the current time)")
    inv = _inventory(inventory, cfg, lake)
    _logging()
    try:
        with AlertEngine(lake, cfg, inventory=inv) as engine:
            if once:
                out.print(
                    _summary(engine.cycle(when, ignore_wait=True, wait=wait)), highlight=False
                )
                return
            _loop(engine, cfg)
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _loop(engine: AlertEngine, cfg: AlertsConfig) -> None:
    # Ctrl-C and SIGTERM set a flag instead of raising: an interrupt raised inside a rule's
    # DuckDB query would surface as a query error, be logged as a failed rule, and be lost.
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOP_SIGNALS}
    next_eval = 0.0
    try:
        while not stop.is_set():
            now = time.time()
            try:
                if now >= next_eval:
                    next_eval = now + cfg.interval
                    out.print(_summary(engine.cycle()), highlight=False)
                else:
                    engine.tick()
            except AssuranceError as exc:  # keep serving: the outbox keeps what is undelivered
                err.print(f"[bold red]error:[/] {str(exc).splitlines()[0]}", highlight=False)
            stop.wait(min(1.0, max(0.0, next_eval - time.time())))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    err.print("stopped; undelivered events stay in the outbox for the next run")


def _when(ts: float) -> str:
    return iso(datetime.fromtimestamp(ts, UTC))


@app.command("list")
def list_cmd(
    lake: LakeOption,
    state: Annotated[
        str | None, typer.Option(help=f"Only events in this state: {', '.join(STATES)}")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first")] = 50,
) -> None:
    """Notification events in the outbox and their delivery state (no secrets)."""
    if state is not None and state not in STATES:
        raise fail(f"--state {state!r} is not one of {', '.join(STATES)}")
    path = outbox_path(lake)
    if not path.is_file():
        raise fail(f"no alert outbox at {path} (run 'wanassure alerts run' first)")
    try:
        with Outbox(path) as outbox:
            events = outbox.events(state, limit)
            counts = outbox.counts()
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None
    grid = Table(
        title="alert events — " + ", ".join(f"{counts[s]} {s}" for s in STATES),
        title_justify="left",
    )
    for name in ("event id", "state", "tries", "receiver", "rule", "site", "status", "last error"):
        grid.add_column(
            name,
            no_wrap=name in ("event id", "state"),
            overflow="fold",
            min_width=20 if name == "last error" else None,
        )
    for e in events:
        grid.add_row(
            e.event_id,
            e.state,
            str(e.attempts),
            e.receiver,
            e.rule,
            e.site or "",
            f"{e.status} {e.severity}",
            e.last_error or "",
        )
    # piped output is not cut to 80 columns: ids and errors stay whole for grep
    (out if out.is_terminal else Console(width=200)).print(grid)


def _sample(receiver: str) -> dict[str, object]:
    now = iso(datetime.now(UTC))
    labels = {"alertname": "wanassure-test", "site": "example-site"}
    return {
        "event_id": "",
        "receiver": receiver,
        "version": "1",
        "rule": "wanassure-test",
        "rule_kind": "sle_below",
        "status": "firing",
        "severity": "info",
        "summary": "Test notification from wanassure: delivery to this receiver works",
        "site": "example-site",
        "sites": ["example-site"],
        "fingerprint": "0" * 32,
        "group_labels": labels,
        "common_labels": labels,
        "dashboard_url": "",
        "created_at": now,
        "alerts": [
            {
                "fingerprint": "0" * 32,
                "status": "firing",
                "severity": "info",
                "labels": labels,
                "annotations": {"note": "sample"},
                "summary": "Test notification from wanassure",
                "starts_at": now,
                "ends_at": None,
                "dashboard_url": "",
            }
        ],
        "truncated": 0,
    }


@app.command("test")
def test_cmd(
    receiver: Annotated[str, typer.Option("--receiver", help="Receiver name from the config")],
    config: ConfigOption = None,
) -> None:
    """Send one sample notification to a receiver now (not through the outbox)."""
    from assurance.alerts.grouping import new_event_id
    from assurance.alerts.links import dashboard_link

    cfg = _config(config, None)
    try:
        target = cfg.receiver(receiver)
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[-1].strip()) from None
    payload = _sample(receiver)
    payload["event_id"] = event_id = new_event_id()
    link = dashboard_link(cfg.dashboard_url, site="example-site")
    payload["dashboard_url"] = link
    payload["alerts"][0]["dashboard_url"] = link  # type: ignore[index]
    with Deliverer(None, cfg) as deliverer:
        result = deliverer.post(target, event_id, payload)
    if not result.delivered:
        raise fail(f"receiver {receiver} ({target.kind}): {result.error}")
    out.print(
        f"sent test event {event_id} to {receiver} ({target.kind}, {target.describe_url()}): "
        f"HTTP {result.status_code}",
        highlight=False,
    )


@app.command("resend")
def resend_cmd(
    event_id: Annotated[str, typer.Argument(help="Event id (see 'wanassure alerts list')")],
    lake: LakeOption,
    config: ConfigOption = None,
) -> None:
    """Re-queue an event (a dead letter, usually) under the same id; with a config, send it now."""
    path = outbox_path(lake)
    if not path.is_file():
        raise fail(f"no alert outbox at {path}")
    try:
        with Outbox(path) as outbox:
            outbox.resend(event_id)
            found = config or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
            if found is None and not (Path(lake) / "alerts.yaml").is_file():
                out.print(f"queued {event_id}; the next 'wanassure alerts run' delivers it")
                return
            cfg = _config(config, lake)
            _logging()
            with Deliverer(outbox, cfg) as deliverer:
                deliverer.deliver_due()
            event = outbox.get(event_id)
    except AssuranceError as exc:
        raise fail(str(exc).splitlines()[0]) from None
    detail = f" ({event.last_error})" if event.last_error else ""
    out.print(
        f"{event_id}: {event.state} after {event.attempts} attempt(s){detail}", highlight=False
    )
