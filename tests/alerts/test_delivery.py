"""Delivery to a real loopback receiver with faults: retries, Retry-After, timeouts, resets,
dead letters, resend, and secrets kept out of logs and errors."""

from __future__ import annotations

import logging
import random
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from assurance.alerts.deliver import Deliverer, parse_retry_after
from assurance.alerts.outbox import Outbox
from tests.alerts.conftest import SECRET
from tests.alerts.helpers import config, enqueue
from tests.alerts.receiver import Receiver


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "_state" / "alerts.sqlite")


def deliver(outbox: Outbox, receiver: Receiver, wait: float = 10.0, **retry: Any) -> Deliverer:
    d = Deliverer(outbox, config(receiver.url, **retry), rng=random.Random(7))
    d.drain(wait)
    return d


def test_server_errors_are_retried_under_the_same_id(outbox: Outbox, receiver: Receiver) -> None:
    receiver.plan = ["500", "500"]
    enqueue(outbox, "msg_a", time.time())
    deliver(outbox, receiver).close()
    assert [r.answer for r in receiver.requests] == ["500", "500", "ok"]
    assert {r.event_id for r in receiver.requests} == {"msg_a"}
    assert {r.headers["webhook-id"] for r in receiver.requests} == {"msg_a"}
    assert len({r.body for r in receiver.requests}) == 1  # same bytes every attempt
    assert not receiver.bad_signatures
    event = outbox.get("msg_a")
    assert (event.state, event.attempts, event.last_error) == ("delivered", 3, None)


def test_429_retry_after_is_honoured(outbox: Outbox, receiver: Receiver) -> None:
    receiver.plan = ["429:1"]
    enqueue(outbox, "msg_b", time.time())
    deliver(outbox, receiver).close()
    first, second = receiver.requests
    assert first.answer == "429:1" and second.answer == "ok"
    assert second.at - first.at >= 0.95  # backoff alone is at most 0.2 s here


def test_retry_after_parsing() -> None:
    assert parse_retry_after("120", 0.0) == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0
    assert parse_retry_after("soon", 0.0) is None


def test_slow_receiver_times_out_then_delivers(outbox: Outbox, receiver: Receiver) -> None:
    receiver.plan = ["slow:3"]
    enqueue(outbox, "msg_c", time.time())
    deliver(outbox, receiver, timeout=1).close()
    assert receiver.accepted_ids() == {"msg_c": 1}
    event = outbox.get("msg_c")
    assert event.state == "delivered" and event.attempts == 2


def test_connection_reset_is_retried(outbox: Outbox, receiver: Receiver) -> None:
    receiver.plan = ["reset", "reset"]
    enqueue(outbox, "msg_d", time.time())
    deliver(outbox, receiver).close()
    assert [r.answer for r in receiver.requests] == ["reset", "reset", "ok"]
    assert outbox.get("msg_d").state == "delivered"


def test_other_4xx_is_a_dead_letter_at_once_and_resend_keeps_the_id(
    outbox: Outbox, receiver: Receiver
) -> None:
    receiver.plan = ["400"]
    enqueue(outbox, "msg_e", time.time())
    deliver(outbox, receiver).close()
    event = outbox.get("msg_e")
    assert (event.state, event.attempts) == ("dead", 1)
    assert event.last_error == "HTTP 400 Bad Request (not retried)"
    assert len(receiver.requests) == 1
    outbox.resend("msg_e")
    deliver(outbox, receiver).close()
    assert outbox.get("msg_e").state == "delivered"
    assert [r.event_id for r in receiver.requests] == ["msg_e", "msg_e"]


def test_dead_after_max_attempts(outbox: Outbox, receiver: Receiver) -> None:
    receiver.plan = ["500"] * 10
    enqueue(outbox, "msg_f", time.time())
    deliver(outbox, receiver, max_attempts=3).close()
    event = outbox.get("msg_f")
    assert (event.state, event.attempts, event.last_error) == (
        "dead",
        3,
        "HTTP 500 Internal Server Error",
    )
    assert len(receiver.requests) == 3


def test_full_jitter_backoff_stays_under_the_capped_exponential(outbox: Outbox) -> None:
    d = Deliverer(outbox, config("http://127.0.0.1:9/", base=1, cap=30), rng=random.Random(1))
    for attempt in range(1, 10):
        ceiling = min(30.0, 2.0 ** (attempt - 1))
        samples = [d.backoff(attempt) for _ in range(400)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > 0.9 * ceiling and min(samples) < 0.1 * ceiling  # full jitter
    d.close()


def test_each_id_accepted_once_across_many_events(outbox: Outbox, receiver: Receiver) -> None:
    receiver.plan = ["500", "reset", "429:0", "500"]
    now = time.time()
    for i in range(30):
        enqueue(outbox, f"msg_{i:03d}", now)
    deliver(outbox, receiver).close()
    assert receiver.accepted_ids() == {f"msg_{i:03d}": 1 for i in range(30)}
    assert outbox.counts()["delivered"] == 30


def test_secrets_stay_out_of_logs_and_errors(
    outbox: Outbox, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.plan = ["500", "reset", "400"]
    enqueue(outbox, "msg_g", time.time())
    deliver(outbox, receiver).close()
    # a receiver that refuses connections: the error must not echo the URL
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/hook/T0KEN-in-path"
    enqueue(outbox, "msg_h", time.time())
    d = Deliverer(outbox, config(closed, max_attempts=2), rng=random.Random(3))
    d.drain(5)
    d.close()
    errors = [outbox.get(i).last_error or "" for i in ("msg_g", "msg_h")]
    assert outbox.get("msg_h").state == "dead" and errors[1]
    text = caplog.text + "\n".join(errors)
    assert "T0KEN" not in text and SECRET not in text and SECRET[6:] not in text


def test_missing_secret_env_is_a_clear_dead_letter(
    outbox: Outbox, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.alerts.helpers import alerts_config_from_text

    monkeypatch.delenv("ALERT_HOOK_SECRET", raising=False)
    cfg = alerts_config_from_text(
        f"receivers:\n  - name: hook\n    kind: generic\n    url: {receiver.url}\n"
        "    secret_env: ALERT_HOOK_SECRET\n",
        "a.yaml",
    )
    enqueue(outbox, "msg_i", time.time())
    d = Deliverer(outbox, cfg)
    d.drain(0)
    d.close()
    event = outbox.get("msg_i")
    assert event.state == "dead"
    assert event.last_error == "secret_env: $ALERT_HOOK_SECRET is not set"
    assert receiver.requests == []


def test_prune_keeps_undelivered_and_unmirrored(outbox: Outbox) -> None:
    old = time.time() - 100 * 86400
    for eid, state in (("msg_done", "delivered"), ("msg_dead", "dead"), ("msg_wait", "retrying")):
        enqueue(outbox, eid, old)
        outbox.record([(eid, state, 1, old, None)], old)
    enqueue(outbox, "msg_unmirrored", old)
    assert outbox.prune(time.time()) == 0  # nothing is in the lake yet
    outbox.mark_mirrored((e.event_id, e.version) for e in outbox.unmirrored())
    outbox.record([("msg_unmirrored", "delivered", 1, old, None)], old)  # changed since mirror
    assert outbox.prune(time.time()) == 1
    assert {e.event_id for e in outbox.events()} == {"msg_dead", "msg_wait", "msg_unmirrored"}


def test_two_runners_share_the_queue_without_double_sends(
    tmp_path: Path, receiver: Receiver
) -> None:
    """Two deliverers on two connections to one outbox file: claims keep them apart."""
    import threading

    path = tmp_path / "shared.sqlite"
    first, second = Outbox(path), Outbox(path)
    now = time.time()
    for i in range(40):
        enqueue(first, f"msg_{i:02d}", now)
    receiver.delay = 0.02
    runners = [Deliverer(box, config(receiver.url, concurrency=2)) for box in (first, second)]
    stats: list[int] = []
    threads = [
        threading.Thread(target=lambda d=d: stats.append(d.drain(5).delivered)) for d in runners
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for d in runners:
        d.close()
    assert receiver.accepted_ids() == {f"msg_{i:02d}": 1 for i in range(40)}
    assert len(receiver.requests) == 40
    assert first.counts()["delivered"] == 40
    assert sorted(stats)[0] > 0 and sum(stats) == 40  # both took part
