"""An answer's root causes are the causes of the incidents ``IncidentQuery`` (and so
``wanassure incidents``) gives for the same scope: the same set, the worst incident's first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from assurance.ask import answer
from assurance.query import IncidentQuery
from tests.ask.conftest import NOW

WANASSURE = str(Path(sys.executable).with_name("wanassure"))


def expected(
    lake: str, site: str | None = None, prefix: str | None = None, sle: str | None = None
) -> list[str]:
    """Root causes of the scope's incidents, most bad user-minutes first, each once."""
    found = IncidentQuery(lake).incidents(site=site)
    if sle is not None:
        found = [i for i in found if sle in i["sles"].split(",")]
    if prefix is not None:
        found = [
            i for i in found if any(c["root_cause"].startswith(prefix + " ") for c in i["causes"])
        ]
    found.sort(key=lambda i: (i["impacted_minutes"], i["detected_at"]), reverse=True)
    out: list[str] = []
    for inc in found:
        out += [c["root_cause"] for c in inc["causes"] if c["root_cause"] not in out]
    return out


def test_site_answers_agree_with_incident_query(lake: str) -> None:
    checked = 0
    for site in ("br-nyc-012", "br-chi-027", "st-bos-101"):
        got = answer(f"why is {site} having problems?", lake=lake, now=NOW)
        want = expected(lake, site=site)
        assert [c["root_cause"] for c in got.causes] == want[:5], site
        if want:
            assert got.causes[0]["root_cause"] in got.text
            checked += 1
    assert checked >= 2  # the lake has incidents at two sites at least


def test_an_sle_named_narrows_the_incidents(lake: str) -> None:
    got = answer("wan link health at br-nyc-012?", lake=lake, now=NOW)
    assert got.entities["sle"] == "wan-link-health"
    want = expected(lake, site="br-nyc-012", sle="wan_link_health")
    assert want and [c["root_cause"] for c in got.causes] == want[:5]
    assert all("wan_link_health" in c["evidence"]["sles"] for c in got.causes)


def test_link_answer_agrees_with_incident_query(lake: str) -> None:
    got = answer("is isp-a at br 12 losing packets", lake=lake, now=NOW)
    want = expected(lake, site="br-nyc-012", prefix="link:br-nyc-012/isp-a")
    assert want and want[0].startswith("link:br-nyc-012/isp-a ")
    assert [c["root_cause"] for c in got.causes] == want[:5]
    assert got.numbers["br-nyc-012/isp-a"]["loss_max_pct"] > 1.0  # the injected 6 % loss


def test_top_cause_is_what_wanassure_incidents_prints(lake: str) -> None:
    asked = subprocess.run(
        [WANASSURE, "ask", "what's wrong at br-nyc-012?", "--lake", lake, "--json",
         "--now", NOW.isoformat()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    shown = subprocess.run(
        [WANASSURE, "incidents", "--lake", lake, "--site", "br-nyc-012"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    flat = "".join(shown.stdout.split())
    assert data["causes"], data["text"]
    for cause in data["causes"]:
        assert "".join(cause["root_cause"].split()) in flat
        assert "".join(cause["title"].split()) in flat


def test_wifi_is_a_family_not_an_isp_named_wireless() -> None:
    """ "Verizon Wireless" must not answer to "wifi" (the tokenizer reads "wireless" as "wifi")."""
    from assurance.ask.entities import mentions
    from assurance.ask.text import tokens
    from assurance.ask.vocab import Vocabulary, _from_inventory
    from assurance.config.loader import load_inventory

    inv = load_inventory(Path(__file__).parents[2] / "data/samples/inventory.yaml")
    vocab = Vocabulary(_from_inventory(inv), inv, inv.org.name, [s.name for s in inv.sites])
    for question in ("why is wifi bad at br-nyc-012", "wireless problems at br-nyc-012"):
        kinds = [m.kind for m in mentions(list(tokens(question)), vocab)]
        assert kinds == ["site"], (question, kinds)
    named = mentions(list(tokens("is verizon wireless dropping at br-nyc-012")), vocab)
    assert (named[0].kind, named[0].candidates[0].value) == ("isp", "Verizon Wireless")


def test_wifi_question_without_a_wifi_incident_keeps_the_site_causes(lake: str) -> None:
    got = answer("why is wifi bad at br-nyc-012?", lake=lake, now=NOW)
    assert got.intent == "troubleshoot_site"
    assert [c["root_cause"] for c in got.causes] == expected(lake, site="br-nyc-012")[:5]
