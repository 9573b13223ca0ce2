"""Golden cases: every ``data/samples/syslog/<case>/input.log`` against its ``expected.jsonl``.

``expected.jsonl`` was written by hand from the message text: one JSON view per input line,
without ``raw`` (checked here against the line itself). An optional ``case.json`` sets parser
options and per-line receive time / sender. Each case is parsed as one batch with the batch
path on and off, and line by line; all must give the expected view, and the typed tables must
hold exactly the typed rows of the views, in input order.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.syslog.jsonview import parse_to_json, records_for_json
from collectors.syslog.model import Line, SyslogError
from collectors.syslog.parse import TYPED, SyslogParser
from collectors.tables import SYSLOG_EVENTS

ROOT = Path(__file__).resolve().parents[2] / "data" / "samples" / "syslog"
CASES = sorted(p.name for p in ROOT.iterdir() if (p / "input.log").exists())
DEFAULT_RECEIVED = "2024-03-01T12:00:00Z"
DEFAULT_SENDER = "192.0.2.1"


def _us(text: str) -> int:
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(stamp.timestamp()) * 1_000_000 + stamp.microsecond


def load(case: str) -> tuple[list[Line], list[dict[str, Any]], dict[str, Any]]:
    folder = ROOT / case
    data = (folder / "input.log").read_bytes()
    assert data.endswith(b"\n"), "input.log must end with a newline"
    raws = data[:-1].split(b"\n")
    config = (
        json.loads((folder / "case.json").read_text()) if (folder / "case.json").exists() else {}
    )
    per_line = config.get("lines", [{}] * len(raws))
    assert len(per_line) == len(raws)
    lines = [
        Line(
            raw,
            extra.get("sender", config.get("sender", DEFAULT_SENDER)),
            _us(extra.get("received", config.get("received", DEFAULT_RECEIVED))),
            extra.get("transport", "udp"),
        )
        for raw, extra in zip(raws, per_line, strict=True)
    ]
    expected = [json.loads(x) for x in (folder / "expected.jsonl").read_text().splitlines()]
    assert len(expected) == len(lines), "one expected object per input line"
    return lines, expected, config.get("parser", {})


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fast", [True, False], ids=["batch", "per-line"])
def test_golden(case: str, fast: bool) -> None:
    lines, expected, options = load(case)
    parser = SyslogParser(fast=fast, **options)
    batch = parser.parse_batch(lines)
    events = batch.tables["syslog_events"]
    assert events.schema == SYSLOG_EVENTS.schema
    assert events.num_rows == len(lines)
    records = records_for_json(batch)
    limit = options.get("max_line_bytes", 65536)
    for number, (rec, line, want) in enumerate(zip(records, lines, expected, strict=True), 1):
        got = dict(rec)
        assert got.pop("raw") == line.raw[:limit].decode("utf-8", "backslashreplace"), number
        assert got == want, f"{case} line {number}"
    for name, spec in TYPED.items():
        table = batch.tables.get(name)
        want_rows = [r["typed"] for r in expected if r.get("typed", {}).get("table") == name]
        if table is None:
            assert want_rows == [], f"{case}: no {name} table"
            continue
        assert table.schema == spec.schema
        got_rows = [
            {"table": name, **{k: v for k, v in row.items() if v is not None and k not in _SKIP}}
            for row in table.to_pylist()
        ]  # typed tables are not in input order: compare as multisets
        assert sorted(map(repr, got_rows)) == sorted(map(repr, want_rows)), f"{case}: {name}"
    unparsed = [r for r in expected if r["format"] == "unparsed"]
    assert [r.error.reason for r in batch.rejects] == [r["error"] for r in unparsed]
    assert all(isinstance(r.error, SyslogError) and r.source == "syslog" for r in batch.rejects)
    assert [r.raw for r in batch.rejects] == [
        line.raw for line, r in zip(lines, expected, strict=True) if r["format"] == "unparsed"
    ]


_SKIP = {"event_time", "received_at", "exporter", "device", "site", "fields"}


@pytest.mark.parametrize("case", CASES)
def test_golden_line_by_line(case: str) -> None:
    lines, expected, options = load(case)
    parser = SyslogParser(**options)
    for number, (line, want) in enumerate(zip(lines, expected, strict=True), 1):
        got = parse_to_json(line, parser)
        got.pop("raw")
        assert got == want, f"{case} line {number}"


def test_every_case_has_a_readme() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert (ROOT / case / "README.md").read_text().strip(), case
