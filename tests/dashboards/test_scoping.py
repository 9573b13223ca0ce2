"""Tenant scoping of read-API answers, on hand-written incidents and rows."""

from __future__ import annotations

from typing import Any

from assurance.query.scoping import HIDDEN, Scoper

EVERY = ["br-chi-027", "br-nyc-012", "st-a", "st-ab"]


def incident(site: str | None, sites: list[str], causes: list[str]) -> dict[str, Any]:
    return {
        "incident_id": "inc-1",
        "site": site,
        "sites": sites,
        "where": "isp:Comcast (2 sites)",
        "status": "open",
        "suggested_action": "Call the ISP about br-chi-027 and br-nyc-012",
        "causes": [
            {
                "rank": i,
                "root_cause": label,
                "title": "t",
                "confidence": 0.5,
                "evidence": {
                    "scope": "isp",
                    "scope_value": "Comcast",
                    "sites": ",".join(sites),
                    "notes": "gateway br-chi-027-gw1 down",
                },
            }
            for i, label in enumerate(causes, 1)
        ],
    }


def test_names_of_hidden_sites_go_even_inside_device_names_but_not_inside_longer_names() -> None:
    s = Scoper(EVERY, ["br-nyc-012", "st-ab"])
    assert s.text("br-chi-027-gw1 link:br-chi-027/mpls st-a st-ab,st-a") == (
        f"{HIDDEN}-gw1 link:{HIDDEN}/mpls {HIDDEN} st-ab,{HIDDEN}"
    )
    assert Scoper(EVERY, None).text("br-chi-027") == "br-chi-027"  # unrestricted: untouched


def test_org_wide_incident_keeps_only_visible_sites_and_causes() -> None:
    s = Scoper(EVERY, ["br-nyc-012"])
    inc = incident(
        None,
        ["br-chi-027", "br-nyc-012"],
        ["isp:Comcast isp_outage", "link:br-chi-027/isp-a loss", "link:br-nyc-012/isp-a loss"],
    )
    (got,) = s.incidents([inc])
    assert got["sites"] == ["br-nyc-012"]
    assert got["where"] == "isp:Comcast (1 of your sites)"
    assert [c["root_cause"] for c in got["causes"]] == [
        "isp:Comcast isp_outage",
        "link:br-nyc-012/isp-a loss",
    ]
    assert [c["rank"] for c in got["causes"]] == [1, 2]
    assert "br-chi-027" not in repr(got)
    assert inc["sites"] == ["br-chi-027", "br-nyc-012"]  # the input is not modified


def test_incidents_rows_of_other_tenants_are_dropped() -> None:
    s = Scoper(EVERY, ["br-nyc-012"])
    assert s.incidents([incident("br-chi-027", [], ["site:br-chi-027 dhcp"])]) == []
    rows: list[dict[str, Any]] = [
        {"site": "br-chi-027", "x": 1},
        {"site": "br-nyc-012", "x": 2},
        {"site": None, "x": "br-chi-027"},
    ]
    assert s.rows(rows) == [{"site": "br-nyc-012", "x": 2}, {"site": None, "x": HIDDEN}]
