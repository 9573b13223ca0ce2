"""The evaluation set: at least 300 hand-written questions covering every intent and entity
kind, scored through the whole pipeline: at least 95 % exact overall and 90 % per intent."""

from __future__ import annotations

import json

from assurance.ask import ENTITY_KINDS, INTENTS
from assurance.ask.evaluate import evaluate, load_cases
from tests.ask.conftest import QUESTIONS


def test_the_set_covers_every_intent_entity_kind_and_time_phrase_kind() -> None:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines()]
    assert len(rows) >= 300
    assert {r["intent"] for r in rows} == set(INTENTS)
    kinds = {k for r in rows for k in r["entities"]}
    assert kinds == set(ENTITY_KINDS)
    with_time = [r for r in rows if r["time_range"]]
    assert len(with_time) >= 100
    assert sum(1 for r in rows if r.get("choices")) >= 10  # clarifying questions
    assert sum(1 for r in rows if r.get("split") == "held-out") >= 50
    assert sum(1 for r in rows if r.get("split") == "held-out-2") >= 40
    assert len({r["question"] for r in rows}) == len(rows)


def test_accuracy_per_intent(lake: str) -> None:
    report = evaluate(load_cases(QUESTIONS), lake)
    per_intent = report.intent_accuracy()
    print("\n".join(f"{k}: {v:.3f}" for k, v in per_intent.items()))
    assert report.accuracy >= 0.95, report.failures
    assert min(per_intent.values()) >= 0.90, report.failures
