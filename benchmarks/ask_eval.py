"""Benchmark: ``wanassure ask`` over the evaluation set — accuracy per intent and answer latency.

Usage::

    python benchmarks/ask_eval.py                      # builds the tests' lake (about 5 s)
    python benchmarks/ask_eval.py --lake DIR [--questions FILE] [--repeat 3]
    # latency only, any lake: one question a line (e.g. for benchmarks/big_lake.py's lake)
    python benchmarks/ask_eval.py --lake /tmp/big-lake --now 2026-11-04T00:00:00Z \
        --latency data/samples/ask/big_lake_questions.txt

Prints the exact-match accuracy (intent, entities, time range, choices) per intent, overall and
on the held-out questions, then the latency of ``assurance.ask.answer`` (whole pipeline, data
reads included): the first question (vocabulary built cold), then per repeat the median, p95 and
max wall time and the median CPU time per answer, with the load average it ran under. The
evaluation set's entity names are those of tests/batch/scenario.yaml, the lake built by default.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from assurance.ask import answer
from assurance.ask.evaluate import Case, evaluate, load_cases, mismatch
from assurance.ask.vocab import vocabulary

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "samples" / "ask" / "questions.jsonl"
SCENARIO = ROOT / "tests" / "batch" / "scenario.yaml"


def build(where: Path) -> str:
    from assurance.analysis.pipeline import analyze
    from assurance.config.loader import load_inventory
    from assurance.sim.lake import simulate_to_lake
    from assurance.sim.scenario import load_scenario
    from assurance.sle.compute import compute

    lake = str(where / "lake")
    simulate_to_lake(load_scenario(SCENARIO), lake, workers=1)
    inventory = load_inventory(where / "lake" / "_sim" / "inventory.yaml")
    compute(lake, inventory, workers=1)
    analyze(lake, inventory, None, None, workers=1)
    return lake


def run(lake: str, questions: Path, repeat: int) -> None:
    cases = load_cases(questions)
    rows = [json.loads(line) for line in questions.read_text().splitlines() if line.strip()]
    splits: dict[str, list[Case]] = {}
    for c, r in zip(cases, rows, strict=True):
        if r.get("split"):
            splits.setdefault(r["split"], []).append(c)
    t0, c0 = time.perf_counter(), time.process_time()
    answer(cases[0].question, lake=lake, now=cases[0].now)
    print(
        f"first answer (vocabulary cold): {1000 * (time.perf_counter() - t0):.0f} ms wall, "
        f"{1000 * (time.process_time() - c0):.0f} ms CPU"
    )
    report = evaluate(cases, lake)
    for intent, acc in report.intent_accuracy().items():
        right, total = report.per_intent[intent]
        print(f"  {intent:22s} {acc:6.1%}  ({right}/{total})")
    print(f"all: {report.accuracy:.1%} of {len(cases)} exact")
    for name, held in sorted(splits.items()):
        wrong = sum(1 for c in held if mismatch(c, answer(c.question, lake=lake, now=c.now)))
        print(f"{name}: {(len(held) - wrong) / len(held):.1%} of {len(held)} exact")
    for line in report.failures:
        print("  miss: " + line)
    for n in range(repeat):
        load = os.getloadavg()[0]
        walls, cpus = [], []
        for case in cases:
            t0, c0 = time.perf_counter(), time.process_time()
            answer(case.question, lake=lake, now=case.now)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        walls.sort()
        print(
            f"run {n + 1}: {len(cases)} answers, median {1000 * statistics.median(walls):.1f} ms, "
            f"p95 {1000 * walls[int(0.95 * (len(walls) - 1))]:.1f} ms, max "
            f"{1000 * walls[-1]:.1f} ms wall; median {1000 * statistics.median(cpus):.1f} ms CPU "
            f"(load {load:.1f})"
        )


def latency(lake: str, questions: Path, now: datetime, repeat: int) -> None:
    """Wall and CPU time per answer of plain questions (no expected values)."""
    lines = [q.strip() for q in questions.read_text().splitlines()]
    qs = [q for q in lines if q and not q.startswith("#")]
    t0, c0 = time.perf_counter(), time.process_time()
    vocabulary(lake)
    print(
        f"vocabulary (cold): {time.perf_counter() - t0:.2f} s wall, "
        f"{time.process_time() - c0:.2f} s CPU"
    )
    for n in range(repeat):
        load = os.getloadavg()[0]
        walls, cpus = [], []
        for q in qs:
            t0, c0 = time.perf_counter(), time.process_time()
            got = answer(q, lake=lake, now=now)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            if n == 0:
                print(f"  {1000 * walls[-1]:7.0f} ms {1000 * cpus[-1]:6.0f} ms CPU  "
                      f"{got.intent:20s} {q}")  # fmt: skip
        print(
            f"run {n + 1}: {len(qs)} answers, median {1000 * statistics.median(walls):.0f} ms "
            f"wall, {1000 * statistics.median(cpus):.0f} ms CPU; max "
            f"{1000 * max(walls):.0f} ms wall (load {load:.1f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", help="an analyzed lake (default: build the tests' lake)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=Path, help="plain questions, one a line")
    parser.add_argument("--now", help="'now' of --latency questions (ISO 8601)")
    args = parser.parse_args()
    if args.latency:
        if not args.lake:
            parser.error("--latency needs --lake")
        now = datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else None
        latency(args.lake, args.latency, now or datetime.now(UTC), args.repeat)
        return
    if args.lake:
        run(args.lake, args.questions, args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="ask-bench-") as tmp:
        t0 = time.perf_counter()
        lake = build(Path(tmp))
        print(f"built the test lake in {time.perf_counter() - t0:.1f} s")
        run(lake, args.questions, args.repeat)


if __name__ == "__main__":
    main()
