"""The benchmark's line mix is what its docstring says, and parses completely."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

from collectors.syslog.parse import SyslogParser

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "syslog_parse.py"
SPEC = importlib.util.spec_from_file_location("syslog_parse_benchmark", PATH)
assert SPEC is not None and SPEC.loader is not None
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def test_mix_parses_completely_and_mostly_on_the_batch_path() -> None:
    lines = bench.build_lines(4000, 11)
    assert bench.build_lines(50, 11) == lines[:50]  # fixed seed
    parser = SyslogParser()
    result = parser.parse_batch(lines)
    events = result.tables["syslog_events"]
    assert events.num_rows == 4000 and result.rejects == []
    tags = Counter(events.column("msg_id").to_pylist())
    structured = sum(1 for x in lines if x.raw.startswith(b"<14>1 "))
    assert parser.batch_lines == structured  # every structured line took the batch path
    assert 0.93 < structured / 4000 < 0.97
    assert 0.76 < tags["RT_FLOW_SESSION_CLOSE"] / 4000 < 0.86
    sessions = result.tables["sessions"].num_rows
    session_tags = sum(
        n for tag, n in tags.items() if tag and tag.startswith(("RT_FLOW", "APPTRACK"))
    )
    assert sessions == session_tags
    assert result.tables["sla_metrics"].num_rows == sum(
        n for tag, n in tags.items() if tag and tag.startswith("APPQOE")
    )
