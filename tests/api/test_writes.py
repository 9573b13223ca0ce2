"""What operators do through the API, checked against the lake, the outbox and the silences as
their own modules read them: approve / reject / roll back with the audit trail, silence an
alert, resend a dead letter; viewers get 403 and change nothing; no token, a wrong token or a
revoked one gets 401."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assurance.alerts import stored_silences
from assurance.alerts.config import AlertsConfig
from assurance.alerts.model import Alert
from assurance.alerts.outbox import Outbox
from assurance.alerts.silences import muted
from assurance.api.tokens import create, revoke
from assurance.policy import ledger
from tests.api.conftest import Api, wait_for

PROBLEM = "application/problem+json"


def state(api: Api, action_id: str) -> str:
    return ledger.get(api.lake, action_id).state


def test_a_viewer_cannot_approve_reject_roll_back_silence_or_resend(api: Api) -> None:
    posts = [
        "/actions/act-br-nyc-012-tune/approve",
        "/actions/act-br-nyc-012-tune/reject",
        "/actions/act-br-nyc-012-tune/rollback",
        "/alerts/ev-east/silence",
        "/dead_letters/dl-east/resend",
        "/actions/no-such-action/approve",
    ]
    for path in posts:
        r = api.as_("east-view").post(path, json={})
        assert r.status_code == 403, (path, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["status"] == 403
    assert state(api, "act-br-nyc-012-tune") == "proposed"
    with Outbox.for_lake(api.lake) as box:
        assert box.get("dl-east").state == "dead"
    assert stored_silences.load(api.lake) == []


def test_an_operator_approves_with_an_audit_trail_and_cannot_approve_twice(api: Api) -> None:
    r = api.as_("east-op").post(
        "/actions/act-br-nyc-012-tune/approve", json={"note": "looks right"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "approved"
    assert state(api, "act-br-nyc-012-tune") == "approved"
    last = ledger.history(api.lake, "act-br-nyc-012-tune")[-1]
    assert (last["state"], last["actor"], last["note"]) == (
        "approved",
        "api:east-op",
        "looks right",
    )
    again = api.as_("east-op").post("/actions/act-br-nyc-012-tune/approve")
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    trail = api.as_("east-view").get("/actions/act-br-nyc-012-tune").json()["history"]
    assert [h["state"] for h in trail] == ["proposed", "approved"]


def test_reject_and_a_rollback_the_state_does_not_allow(api: Api) -> None:
    r = api.as_("west-op").post("/actions/act-br-chi-027-tune/rollback", json={"note": "x"})
    assert r.status_code == 409, r.text  # a proposal was never pushed
    r = api.as_("west-op").post("/actions/act-br-chi-027-tune/reject", json={"note": "not now"})
    assert r.status_code == 200, r.text
    assert state(api, "act-br-chi-027-tune") == "rejected"
    assert ledger.history(api.lake, "act-br-chi-027-tune")[-1]["actor"] == "api:west-op"


def test_silence_mutes_the_alerts_group_for_the_asked_minutes(api: Api) -> None:
    before = datetime.now(UTC)
    r = api.as_("west-op").post(
        "/alerts/ev-west/silence", json={"minutes": 90, "comment": "ISP ticket 4711"}
    )
    assert r.status_code == 200, r.text
    [record] = stored_silences.load(api.lake)
    assert record["created_by"] == "api:west-op"
    silence = record["silence"]
    assert timedelta(minutes=89) < silence.ends_at - before < timedelta(minutes=91)
    config = stored_silences.with_stored(AlertsConfig(), api.lake, before + timedelta(minutes=1))
    labels = {"alertname": "sle_drop", "site": "br-chi-027", "sle": "wan-link-health"}
    hit = Alert(labels=labels, severity="major", summary="x", starts_at=before)
    other = Alert(
        labels={**labels, "site": "br-nyc-012"}, severity="major", summary="x", starts_at=before
    )
    assert muted(hit, config, before + timedelta(minutes=1))
    assert not muted(other, config, before + timedelta(minutes=1))
    assert not muted(hit, config, before + timedelta(minutes=95))
    listed = api.as_("west-view").get("/silences").json()["results"]
    assert [s["id"] for s in listed] == [record["id"]]
    assert api.as_("east-view").get("/silences").json()["results"] == []
    bad = api.as_("west-op").post("/alerts/ev-west/silence", json={"minutes": 0})
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM


def test_an_org_wide_alert_is_silenced_only_by_an_org_wide_token(api: Api) -> None:
    r = api.as_("east-op").post("/alerts/ev-org/silence", json={"minutes": 5})
    assert r.status_code == 403, r.text
    assert api.as_("noc").post("/alerts/ev-org/silence", json={"minutes": 5}).status_code == 200


def test_resend_puts_a_dead_letter_back_in_the_queue(api: Api) -> None:
    r = api.as_("east-op").post("/dead_letters/dl-bos/resend")
    assert r.status_code == 200, r.text
    with Outbox.for_lake(api.lake) as box:
        event = box.get("dl-bos")
    assert (event.state, event.attempts, event.last_error) == ("pending", 0, None)
    ids = [d["event_id"] for d in api.as_("east-view").get("/dead_letters").json()["results"]]
    assert ids == ["dl-east"]
    assert api.as_("east-op").post("/dead_letters/dl-bos/resend").status_code == 404


def test_no_token_a_wrong_token_or_a_revoked_one_is_401(api: Api) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer wat_000000000000_" + "A" * 43},
        {"Authorization": "Basic bm9jOnB3"},
    ):
        r = api.as_(None).get("/sites", headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"] == PROBLEM
    path = api.server.state.tokens.path
    text, _ = create(path, role="viewer", name="short-lived")
    hdr = {"Authorization": f"Bearer {text}"}
    assert wait_for(lambda: api.as_(None).get("/sites", headers=hdr).status_code == 200)
    tampered = {"Authorization": f"Bearer {text[:-1]}{'B' if text[-1] != 'B' else 'C'}"}
    assert api.as_(None).get("/sites", headers=tampered).status_code == 401
    revoke(path, "short-lived")
    assert wait_for(lambda: api.as_(None).get("/sites", headers=hdr).status_code == 401)
