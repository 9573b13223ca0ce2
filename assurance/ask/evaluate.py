"""The evaluation harness of ``answer``: questions with their expected intent, entities, time
range and (for ambiguous ones) choices, scored per intent, with answer latency.

Owns ``Case``, ``load_cases``, ``Report`` and ``evaluate``. A question counts as right when its
intent, its entities (kind → values, order ignored), its time range and its choices (the values
offered) all equal the expected ones. Must not change what it measures.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from assurance.ask.pipeline import answer
from assurance.ask.types import Answer, AskError
from assurance.query.scoping import Scoper


@dataclass(frozen=True)
class Case:
    question: str
    now: datetime
    intent: str
    entities: dict[str, Any]
    time_range: tuple[str, str] | None
    choices: tuple[str, ...] | None


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def load_cases(path: str | Path) -> list[Case]:
    """The cases of a JSON-lines file; a bad line is an ``AskError`` naming file and line."""
    out = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            tr = row.get("time_range")
            out.append(
                Case(
                    question=row["question"],
                    now=_time(row["now"]),
                    intent=row["intent"],
                    entities=dict(row.get("entities") or {}),
                    time_range=None if tr is None else (tr[0], tr[1]),
                    choices=None if row.get("choices") is None else tuple(row["choices"]),
                )
            )
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise AskError(f"{path}:{n}: not an evaluation case ({exc})") from None
    return out


def _norm(entities: dict[str, Any]) -> dict[str, list[str]]:
    return {
        k: sorted(v) if isinstance(v, list) else [str(v)]
        for k, v in entities.items()
        if v not in (None, [], "")
    }


def mismatch(case: Case, got: Answer) -> list[str]:
    """What differs between the expected and the given answer (empty: right)."""
    wrong = []
    if got.intent != case.intent:
        wrong.append(f"intent {got.intent} != {case.intent}")
    if _norm(got.entities) != _norm(case.entities):
        wrong.append(f"entities {_norm(got.entities)} != {_norm(case.entities)}")
    tr = None if got.time_range is None else got.time_range.iso()
    if tr != case.time_range:
        wrong.append(f"time {tr} != {case.time_range}")
    choices = tuple(sorted(c.value for c in got.choices)) or None
    if choices != (tuple(sorted(case.choices)) if case.choices else None):
        wrong.append(f"choices {choices} != {case.choices}")
    return wrong


@dataclass
class Report:
    per_intent: dict[str, list[int]] = field(default_factory=dict)  # intent → [right, total]
    failures: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        right = sum(r for r, _ in self.per_intent.values())
        total = sum(t for _, t in self.per_intent.values())
        return right / total if total else 0.0

    def intent_accuracy(self) -> dict[str, float]:
        return {k: r / t for k, (r, t) in sorted(self.per_intent.items())}

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0


def evaluate(cases: list[Case], lake: str, scope: Scoper | None = None) -> Report:
    """Answer every case (whole pipeline, data reads included) and score it."""
    report = Report()
    for case in cases:
        t0 = time.perf_counter()
        try:
            got = answer(case.question, lake=lake, scope=scope, now=case.now)
            wrong = mismatch(case, got)
        except AskError as exc:
            wrong = [f"error: {exc}"]
        report.seconds.append(time.perf_counter() - t0)
        tally = report.per_intent.setdefault(case.intent, [0, 0])
        tally[1] += 1
        if wrong:
            report.failures.append(f"{case.question!r}: " + "; ".join(wrong))
        else:
            tally[0] += 1
    return report
