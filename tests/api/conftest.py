"""The REST API over a real uvicorn server on loopback: the dashboard tests' small simulated lake
(three sites in two tenants, faults at each, SLEs and incidents computed, hand-written
path-policy proposals) plus dead letters in the alert outbox, an access file with the tenants,
and a token per role and tenant."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

from assurance.alerts.mirror import mirror
from assurance.alerts.outbox import Event, Outbox
from assurance.analysis.pipeline import analyze
from assurance.api import build_state
from assurance.api.server import ApiServer
from assurance.api.tokens import create
from assurance.config.loader import load_inventory
from assurance.lake.store import LakeStore
from assurance.lake.writer import LakeWriter
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario
from assurance.sle.compute import compute
from assurance.tables import table
from tests.dashboards.conftest import SCENARIO, _extra_rows

#: The tenants, as the access file below declares them (the scenario has these three sites).
EAST = {"br-nyc-012", "st-bos-101"}
WEST = {"br-chi-027"}
TENANTS = {"east": EAST, "west": WEST}
#: (name, role, tenant) of every token the tests use.
TOKENS = [
    ("noc", "admin", None),
    ("east-op", "operator", "east"),
    ("east-view", "viewer", "east"),
    ("west-op", "operator", "west"),
    ("west-view", "viewer", "west"),
]
DEAD = {"dl-east": "br-nyc-012", "dl-bos": "st-bos-101", "dl-west": "br-chi-027"}


def _dead_letters(lake: str) -> None:
    """Three notifications that ran out of attempts, as the deliverer leaves them."""
    t = datetime(2026, 11, 2, 14, 30, tzinfo=UTC).timestamp()
    with Outbox.for_lake(lake) as box:
        with box.transaction() as con:
            for eid, site in DEAD.items():
                notification = {
                    "rule": "wan_link_down",
                    "group_labels": {"alertname": "wan_link_down", "site": site},
                }
                Outbox.insert_event(
                    con,
                    Event(
                        event_id=eid,
                        receiver="noc-webhook",
                        rule="wan_link_down",
                        group_key=f"gk-{eid}",
                        site=site,
                        severity="major",
                        status="firing",
                        notification=__import__("json").dumps(notification),
                        state="dead",
                        attempts=8,
                        next_attempt=t,
                        last_error="HTTP 503",
                        created_at=t,
                        updated_at=t,
                    ),
                )
        mirror(box, LakeStore(lake))


def _proposals(lake: str) -> None:
    """One more proposal per tenant for the write tests (the dashboard's are left alone)."""
    t = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
    rows = [
        {
            "updated_at": t,
            "action_id": f"act-{site}-tune",
            "incident_id": None,
            "site": site,
            "device": f"{site}-gw1",
            "kind": "adjust_sla",
            "state": "proposed",
            "change_set": "set security advance-policy-based-routing sla-rule crm-sla "
            "metrics-profile crm-tight",
            "rollback_set": "delete security advance-policy-based-routing sla-rule crm-sla",
            "predicted_benefit": 1.5,
            "risk": "low",
            "actor": "policy",
            "note": "write tests",
        }
        for site in ("br-nyc-012", "br-chi-027")
    ]
    with LakeWriter(lake) as writer:
        writer.write("actions", pa.Table.from_pylist(rows, schema=table("actions").schema))


def _site_incidents(lake: str) -> None:
    """One site incident per tenant, as the analysis writes them (two ranked causes each)."""
    t = datetime(2026, 11, 2, 14, 10, tzinfo=UTC)
    rows = []
    for site, cause in (("br-nyc-012", "wan_link:isp-a loss"), ("br-chi-027", "ap:ap1 coverage")):
        for rank, (label, conf) in enumerate(((cause, 0.8), ("gateway cpu", 0.1)), 1):
            rows.append(
                {
                    "updated_at": t,
                    "incident_id": f"inc-{site}",
                    "site": site,
                    "status": "open",
                    "started_at": t,
                    "ended_at": None,
                    "sle": "wan_link_health",
                    "rank": rank,
                    "root_cause": label,
                    "confidence": conf,
                    "impacted_users": 5,
                    "impacted_minutes": 40,
                    "evidence": [("layer", "wan"), ("title", f"{label} at {site}")],
                    "suggested_action": f"check {site}",
                }
            )
    with LakeWriter(lake) as writer:
        writer.write("incidents", pa.Table.from_pylist(rows, schema=table("incidents").schema))


@pytest.fixture(scope="session")
def api_lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("api") / "lake")
    simulate_to_lake(load_scenario(SCENARIO), path, workers=1)
    inventory = load_inventory(Path(path) / "_sim" / "inventory.yaml")
    compute(path, inventory, workers=1)
    analyze(path, inventory, None, None, workers=1)
    _extra_rows(path)
    _proposals(path)
    _site_incidents(path)
    _dead_letters(path)
    return path


@pytest.fixture(scope="session")
def access_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api-access") / "access.yaml"
    path.write_text("tenants:\n  east: [br-nyc-012, st-bos-*]\n  west: [br-chi-*]\n")
    return path


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("api-tokens") / "tokens.json"
    made = {}
    for name, role, tenant in TOKENS:
        made[name], _ = create(path, role=role, tenant=tenant, name=name)
    return path, made


class Api:
    """A running API and a client per token."""

    def __init__(self, server: ApiServer, tokens: dict[str, str]) -> None:
        self.server = server
        self.base = f"http://127.0.0.1:{server.port}"
        self.lake = server.state.lake
        self.tokens = tokens
        self.clients: dict[str, httpx.Client] = {}

    def as_(self, name: str | None) -> httpx.Client:
        key = name or ""
        if key not in self.clients:
            headers = {"Authorization": f"Bearer {self.tokens[name]}"} if name else {}
            self.clients[key] = httpx.Client(
                base_url=f"{self.base}/api/v1", headers=headers, timeout=30
            )
        return self.clients[key]

    def close(self) -> None:
        for c in self.clients.values():
            c.close()
        self.server.stop()


def start(lake: str, tokens: Path, access: Path, names: dict[str, str]) -> Api:
    server = ApiServer(build_state(lake, tokens, access=access), "127.0.0.1:0")
    server.start()
    return Api(server, names)


@pytest.fixture(scope="module")
def api(
    api_lake: str,
    tmp_path_factory: pytest.TempPathFactory,
    access_file: Path,
    tokens: tuple[Path, dict[str, str]],
) -> Iterator[Api]:
    """A server over a copy of the session lake (write tests change it)."""
    lake = str(tmp_path_factory.mktemp("api-copy") / "lake")
    shutil.copytree(api_lake, lake)
    running = start(lake, tokens[0], access_file, tokens[1])
    yield running
    running.close()


def wait_for(predicate: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False
