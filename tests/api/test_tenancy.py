"""Tenant isolation, exhaustively over the objects of the test lake: a token of one tenant gets
exactly the not-found problem of a nonexistent object for every site, device, incident, action,
alert and dead letter of the other tenant (reads and writes alike), and no list it can read ever
names the other tenant's sites. The expected split comes from the access file's tenants."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assurance.sle.catalog import SLES
from tests.api.conftest import DEAD, TENANTS, Api

KINDS = ["users", "applications", "wan_links", "aps", "switch_ports", "switches", "gateways"]
TENANT_TOKENS = [
    ("east-op", "east"),
    ("east-view", "east"),
    ("west-op", "west"),
    ("west-view", "west"),
]
WHATS = ["summary", "trend", "classifiers", "histogram"]
#: Every site-scoped endpoint; every SLE and every impact kind appears (the site check comes
#: before anything that depends on them).
SITE_PATHS = [
    "/sites/{}",
    "/sites/{}/sle",
    "/sites/{}/devices",
    "/sites/{}/wan_links",
    *(f"/sites/{{}}/sle/{s.key}/{WHATS[i % 4]}" for i, s in enumerate(SLES)),
    *(f"/sites/{{}}/sle/{SLES[i].key}/impacted/{k}" for i, k in enumerate(KINDS)),
    *(f"/{kind}?site={{}}" for kind in ("incidents", "actions", "alerts")),
]
LISTS = [
    "/sites",
    "/devices",
    "/wan_links",
    "/incidents",
    "/actions",
    "/alerts",
    "/dead_letters",
    "/silences",
    "/org/sle/sites",
    "/org/sle/summary",
]


def everything(api: Api, path: str) -> list[dict[str, Any]]:
    """Every item of a paged list, following ``next``."""
    out: list[dict[str, Any]] = []
    url: str | None = f"{path}?limit=3"
    while url is not None:
        r = api.as_("noc").get(url.removeprefix("/api/v1"))
        assert r.status_code == 200, r.text
        out += r.json()["results"]
        url = r.json()["next"]
    return out


def objects(api: Api) -> dict[str, list[tuple[str, set[str]]]]:
    """Per kind of object: (id, the sites it belongs to), as the org-wide token sees them."""
    return {
        "sites": [(s["name"], {s["name"]}) for s in everything(api, "/sites")],
        "devices": [(d["name"], {d["site"]}) for d in everything(api, "/devices")],
        "incidents": [
            (i["incident_id"], set(i["sites"]) | ({i["site"]} if i["site"] else set()))
            for i in everything(api, "/incidents")
        ],
        "actions": [(a["action_id"], {a["site"]}) for a in everything(api, "/actions")],
        "alerts": [
            (a["event_id"], {a["site"]} if a["site"] else set()) for a in everything(api, "/alerts")
        ],
        "dead_letters": [(d["event_id"], {d["site"]}) for d in everything(api, "/dead_letters")],
    }


def foreign(api: Api, tenant: str) -> dict[str, list[str]]:
    """The ids of every object that belongs only to sites outside ``tenant``."""
    mine = TENANTS[tenant]
    return {
        kind: [oid for oid, sites in rows if sites and not sites & mine]
        for kind, rows in objects(api).items()
    }


def same_as_missing(
    api: Api, token: str, url: str, missing_url: str, oid: str, method: str = "GET"
) -> None:
    client = api.as_(token)
    got = client.request(method, url)
    nothing = client.request(method, missing_url)
    assert got.status_code == 404, (url, got.status_code, got.text)
    assert got.headers["content-type"] == "application/problem+json"
    a, b = got.json(), nothing.json()
    assert a["detail"] == b["detail"].replace("no-such-object", oid)
    assert {k: v for k, v in a.items() if k not in ("detail", "instance")} == {
        k: v for k, v in b.items() if k not in ("detail", "instance")
    }


def test_the_lake_has_objects_of_both_tenants(api: Api) -> None:
    found = objects(api)
    for tenant in TENANTS:
        other = foreign(api, tenant)
        for kind in ("sites", "devices", "incidents", "actions", "alerts", "dead_letters"):
            assert other[kind], (tenant, kind, found[kind])


@pytest.mark.parametrize(("token", "tenant"), TENANT_TOKENS)
def test_every_object_of_the_other_tenant_is_not_found(api: Api, token: str, tenant: str) -> None:
    other = foreign(api, tenant)
    singles = {
        "sites": "/sites/{}",
        "devices": "/devices/{}",
        "incidents": "/incidents/{}",
        "actions": "/actions/{}",
        "alerts": "/alerts/{}",
    }
    for kind, pattern in singles.items():
        for oid in other[kind]:
            same_as_missing(api, token, pattern.format(oid), pattern.format("no-such-object"), oid)
    for oid in other["dead_letters"]:
        assert oid in DEAD
    for site in other["sites"]:
        for p in SITE_PATHS:
            same_as_missing(api, token, p.format(site), p.format("no-such-object"), site)


@pytest.mark.parametrize(("token", "tenant"), [("east-op", "east"), ("west-op", "west")])
def test_writes_on_the_other_tenants_objects_are_not_found(
    api: Api, token: str, tenant: str
) -> None:
    other = foreign(api, tenant)
    for aid in other["actions"]:
        for verb in ("approve", "reject", "rollback"):
            same_as_missing(
                api, token, f"/actions/{aid}/{verb}", f"/actions/no-such-object/{verb}", aid, "POST"
            )
    for eid in other["alerts"]:
        same_as_missing(
            api, token, f"/alerts/{eid}/silence", "/alerts/no-such-object/silence", eid, "POST"
        )
    for eid in other["dead_letters"]:
        same_as_missing(
            api,
            token,
            f"/dead_letters/{eid}/resend",
            "/dead_letters/no-such-object/resend",
            eid,
            "POST",
        )


@pytest.mark.parametrize(("token", "tenant"), TENANT_TOKENS)
def test_no_list_names_another_tenants_site(api: Api, token: str, tenant: str) -> None:
    hidden = set().union(*(s for t, s in TENANTS.items() if t != tenant))
    for path in LISTS:
        r = api.as_(token).get(path, params={"limit": 1000})
        assert r.status_code == 200, (path, r.text)
        text = json.dumps(r.json())
        for site in hidden:
            assert site not in text, (token, path, site)
    names = [s["name"] for s in api.as_(token).get("/sites").json()["results"]]
    assert sorted(names) == sorted(TENANTS[tenant])


@pytest.mark.parametrize(("token", "tenant"), [("east-view", "east"), ("west-view", "west")])
def test_questions_never_name_another_tenants_site(api: Api, token: str, tenant: str) -> None:
    """A question about another tenant's site is answered exactly like one about a site that
    does not exist (the question's own words may be echoed); other questions never name one."""
    hidden = set().union(*(s for t, s in TENANTS.items() if t != tenant))

    def ask(question: str) -> Any:
        r = api.as_(token).post("/ask", json={"question": question, "now": "2026-11-02T15:00:00Z"})
        assert r.status_code in (200, 400), r.text
        return r.json()

    for site in sorted(hidden):
        got = json.dumps(ask(f"why is wan bad at {site}?"))
        unknown = json.dumps(ask("why is wan bad at br-zzz-999?"))
        assert got.replace(site, "br-zzz-999") == unknown
    for question in ("worst sites for wan link health", "list open incidents", "compare isps"):
        text = json.dumps(ask(question))
        for name in hidden:
            assert name not in text, (token, question, text[:500])
