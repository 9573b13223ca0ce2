"""Reads: paging follows ``next`` to every item exactly once, counts match the inventory file,
org totals are the sum of the sites a token may see, and bad input is a problem document that
names the parameter."""

from __future__ import annotations

from pathlib import Path

from assurance.config.loader import load_inventory
from tests.api.conftest import EAST, Api

PROBLEM = "application/problem+json"


def walk(api: Api, token: str, path: str, limit: int) -> list[dict]:  # type: ignore[type-arg]
    out: list[dict] = []  # type: ignore[type-arg]
    url: str | None = f"{path}?limit={limit}"
    pages = 0
    while url is not None:
        r = api.as_(token).get(url.removeprefix("/api/v1"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["results"]) <= limit and body["page"] == pages + 1
        out += body["results"]
        url = body["next"]
        pages += 1
    assert pages == -(-len(out) // limit)
    return out


def test_pages_cover_every_device_once(api: Api) -> None:
    inventory = load_inventory(Path(api.lake) / "_sim" / "inventory.yaml")
    expected = sorted(d.name for s in inventory.sites for d in (*s.gateways, *s.switches, *s.aps))
    got = walk(api, "noc", "/devices", 4)
    assert sorted(d["name"] for d in got) == expected
    east = walk(api, "east-view", "/devices", 3)
    assert sorted(d["name"] for d in east) == sorted(
        d.name
        for s in inventory.sites
        if s.name in EAST
        for d in (*s.gateways, *s.switches, *s.aps)
    )
    assert api.as_("noc").get("/devices", params={"limit": 4}).json()["total"] == len(expected)


def test_org_totals_are_the_sum_of_the_visible_sites(api: Api) -> None:
    for token, sites in (("noc", None), ("east-view", EAST)):
        org = {r["sle"]: r for r in api.as_(token).get("/org/sle/summary").json()["sles"]}
        names = sites or [s["name"] for s in api.as_(token).get("/sites").json()["results"]]
        summed: dict[str, list[int]] = {}
        for site in names:
            for row in api.as_(token).get(f"/sites/{site}/sle").json()["sles"]:
                total = summed.setdefault(row["metric"], [0, 0])
                total[0] += row["total_user_minutes"]
                total[1] += row["degraded_user_minutes"]
        assert summed, token
        for sle, (total, degraded) in summed.items():
            assert org[sle]["total_user_minutes"] == total, (token, sle)
            assert org[sle]["degraded_user_minutes"] == degraded, (token, sle)
            if total:
                assert abs(org[sle]["sle_pct"] - 100.0 * (total - degraded) / total) < 1e-9


def test_bad_input_is_a_problem_naming_the_parameter(api: Api) -> None:
    cases = [
        ("/devices?limit=0", 422, "limit"),
        ("/devices?page=0", 422, "page"),
        ("/sites/br-nyc-012/sle/not-an-sle/summary", 422, "metric"),
        (
            "/incidents?start=2026-11-02T15:00:00Z&end=2026-11-02T14:00:00Z",
            400,
            "end must be after",
        ),
        ("/incidents?start=1900-01-01T00:00:00Z", 400, "start"),
        ("/incidents?start=yesterday", 422, "start"),
        ("/incidents?status=open&status=resolved", 422, "status"),
        ("/sites/br-nyc-012/sle/coverage/histogram?bins=5000", 422, "bins"),
        ("/sites/br-nyc-012/sle/coverage/impacted/users?classifier=nope", 400, "no classifier"),
    ]
    for url, status, words in cases:
        r = api.as_("noc").get(url)
        assert r.status_code == status, (url, r.text)
        assert r.headers["content-type"] == PROBLEM
        body = r.json()
        assert body["status"] == status and body["title"] and body["type"].startswith("https://")
        assert words in body["detail"], (url, body)
    missing = api.as_("noc").get("/no/such/path")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
