"""Shared fixtures: a small simulated lake (three sites, two hours, faults at two of them) with
SLEs and incidents computed, plus hand-written actions and alert deliveries; an access file
with an admin, an operator and viewers of two tenants."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from assurance.analysis.pipeline import analyze
from assurance.config.access import hash_password
from assurance.config.loader import load_inventory
from assurance.lake.writer import LakeWriter
from assurance.sim.lake import simulate_to_lake
from assurance.sim.scenario import load_scenario
from assurance.sle.compute import compute
from assurance.tables import table

SCENARIO = Path(__file__).parent / "scenario.yaml"
EAST = ["br-nyc-012", "st-bos-101"]
WEST = ["br-chi-027"]
PASSWORDS = {"admin": "admin-pw", "oscar": "oscar-pw", "eve": "eve-pw", "walt": "walt-pw"}

T = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def _extra_rows(lake: str) -> None:
    """Path-policy proposals (one per tenant) and alert deliveries (one dead letter per
    tenant, one org-wide), as the policy service and the alert outbox would write them."""
    actions = [
        {
            "updated_at": T,
            "action_id": "act-east-steer",
            "incident_id": None,
            "site": "br-nyc-012",
            "device": "br-nyc-012-gw1",
            "kind": "steer_app",
            "state": "proposed",
            "change_set": "set security advance-policy-based-routing profile apbr "
            "rule sfdc match dynamic-application junos:SALESFORCE\n"
            "set security advance-policy-based-routing profile apbr rule sfdc "
            "then routing-instance ri-mpls",
            "rollback_set": "delete security advance-policy-based-routing profile apbr rule sfdc",
            "predicted_benefit": 4.2,
            "risk": "low",
            "actor": "policy",
            "note": "Salesforce loses packets on isp-a",
        },
        {
            "updated_at": T,
            "action_id": "act-west-steer",
            "incident_id": None,
            "site": "br-chi-027",
            "device": "br-chi-027-gw1",
            "kind": "steer_app",
            "state": "proposed",
            "change_set": "set routing-instances ri-west-secret instance-type forwarding",
            "rollback_set": "delete routing-instances ri-west-secret",
            "predicted_benefit": 2.0,
            "risk": "medium",
            "actor": "policy",
            "note": "west only",
        },
        {
            "updated_at": T,
            "action_id": "act-east-sla",
            "incident_id": None,
            "site": "st-bos-101",
            "device": "st-bos-101-gw1",
            "kind": "adjust_sla",
            "state": "proposed",
            "change_set": "set security advance-policy-based-routing sla-rule crm-sla "
            "metrics-profile crm-tight",
            "rollback_set": "set security advance-policy-based-routing sla-rule crm-sla "
            "metrics-profile crm",
            "predicted_benefit": 1.0,
            "risk": "low",
            "actor": "policy",
            "note": "only the approve test decides on this one",
        },
    ]

    def alert(eid: str, site: str | None, delivery: str, labels: dict[str, str]) -> dict[str, Any]:
        return {
            "updated_at": T,
            "event_id": eid,
            "fingerprint": f"fp-{eid}",
            "name": "sle_drop",
            "site": site,
            "severity": "major",
            "status": "firing",
            "receiver": "noc-webhook",
            "delivery": delivery,
            "attempts": 8 if delivery == "dead" else 1,
            "last_error": "connection refused" if delivery == "dead" else None,
            "labels": list(labels.items()),
            "payload": "{}",
        }

    alerts = [
        alert("ev-east", "br-nyc-012", "dead", {"sle": "application-health"}),
        alert("ev-west", "br-chi-027", "dead", {"sle": "wan-link-health"}),
        alert("ev-west-ok", "br-chi-027", "delivered", {"sle": "coverage"}),
        alert(
            "ev-org",
            None,
            "delivered",
            {"isp": "Comcast Business", "sites": "br-chi-027,br-nyc-012"},
        ),
    ]
    writer = LakeWriter(lake)
    writer.write("actions", pa.Table.from_pylist(actions, schema=table("actions").schema))
    writer.write("alerts", pa.Table.from_pylist(alerts, schema=table("alerts").schema))
    writer.close()


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("dashboard") / "lake")
    simulate_to_lake(load_scenario(SCENARIO), path, workers=1)
    inventory = load_inventory(Path(path) / "_sim" / "inventory.yaml")
    compute(path, inventory, workers=1)
    analyze(path, inventory, None, None, workers=1)
    _extra_rows(path)
    return path


@pytest.fixture(scope="session")
def access_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = {name: hash_password(pw) for name, pw in PASSWORDS.items()}
    path = tmp_path_factory.mktemp("access") / "access.yaml"
    path.write_text(
        "dashboard:\n"
        "  tenants:\n"
        "    east: [br-nyc-012, st-bos-*]\n"
        "    west: [br-chi-027]\n"
        "  users:\n"
        f"    - {{name: admin, role: admin, password_hash: '{h['admin']}'}}\n"
        f"    - {{name: oscar, role: operator, tenant: east, password_hash: '{h['oscar']}'}}\n"
        f"    - {{name: eve, role: viewer, tenant: east, password_hash: '{h['eve']}'}}\n"
        f"    - {{name: walt, role: viewer, tenant: west, password_hash: '{h['walt']}'}}\n"
    )
    return path
