"""``wanassure detect series`` as a user runs it: the real console script on small CSV files."""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

WANASSURE = Path(sys.executable).with_name("wanassure")


def detect(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(WANASSURE), "detect", "series", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def minute_rows(n: int, drop_at: int) -> list[str]:
    """ISO timestamps, values around 99.5 with a fall to 80 at ``drop_at``."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        value = 80.0 if i >= drop_at else 99.5 + rng.normal(0, 0.2)
        rows.append(f"2026-11-20T{10 + i // 60:02d}:{i % 60:02d}:00Z,{value:.3f}")
    return rows


def test_scores_a_csv_causally_and_flags_the_drop(tmp_path: Path) -> None:
    rows = minute_rows(200, 150)
    result = detect(str(write(tmp_path / "sle.csv", "time,sle_pct", rows)), "--direction", "down")
    assert result.returncode == 0, result.stderr
    out = list(csv.reader(io.StringIO(result.stdout)))
    assert out[0] == ["timestamp", "value", "anomaly_score"]
    assert len(out) == 201
    assert [r[0] for r in out[1:]] == [r.split(",")[0] for r in rows]  # timestamps as given
    assert [r[1] for r in out[1:]] == [r.split(",")[1] for r in rows]
    scores = np.array([float(r[2]) for r in out[1:]])
    assert ((scores >= 0) & (scores <= 1)).all()
    assert scores[:5].max() == 0.0  # cold start
    assert scores[150] > 0.999
    assert (scores[20:150] > 0.999).mean() < 0.02
    # causal: the file cut just after the drop gives the same scores up to there
    cut = detect(
        str(write(tmp_path / "cut.csv", "time,sle_pct", rows[:151])), "--direction", "down"
    )
    cut_scores = [float(r[2]) for r in list(csv.reader(io.StringIO(cut.stdout)))[1:]]
    assert cut_scores == scores[:151].tolist()


def test_named_columns_epoch_seconds_missing_values_and_a_detector(tmp_path: Path) -> None:
    rows = [f"site-1,{1795000000 + 60 * i},{'' if i == 30 else 10 + (i % 3)}" for i in range(80)]
    path = write(tmp_path / "lat.csv", "site,ts,latency_ms", rows)
    result = detect(
        str(path), "--timestamp-col", "ts", "--value-col", "latency_ms", "--detector", "ewma"
    )
    assert result.returncode == 0, result.stderr
    out = list(csv.reader(io.StringIO(result.stdout)))[1:]
    assert out[30] == ["1795001800", "", "0"]
    assert all(math.isfinite(float(r[2])) for r in out)


def one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    for needle in needles:
        assert needle in message, result.stderr


def test_errors_are_one_line_with_the_file_row_and_problem(tmp_path: Path) -> None:
    missing = tmp_path / "absent.csv"
    one_line_error(detect(str(missing)), "absent.csv", "no such file")
    good = write(tmp_path / "good.csv", "t,v", ["2026-11-20T10:00:00Z,1"])
    one_line_error(detect(str(good), "--value-col", "nope"), "good.csv", "'nope'", "columns: t, v")
    bad_time = write(tmp_path / "bad.csv", "t,v", ["2026-11-20T10:00:00Z,1", "tomorrow,2"])
    one_line_error(detect(str(bad_time)), "bad.csv", "line 3", "'tomorrow'", "ISO 8601")
    bad_value = write(tmp_path / "val.csv", "t,v", ["1795000000,1", "1795000060,abc"])
    one_line_error(detect(str(bad_value)), "val.csv", "line 3", "'abc'", "not a number")
    one_column = write(tmp_path / "one.csv", "t", ["1795000000"])
    one_line_error(detect(str(one_column)), "one.csv", "at least two columns")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    one_line_error(detect(str(empty)), "empty.csv", "empty")
    far = write(tmp_path / "far.csv", "t,v", ["1795000000,1", "99999999999,2"])
    one_line_error(detect(str(far)), "far.csv", "line 3", "1678-2261")
    one_line_error(detect(str(good), "--detector", "prophet"), "unknown detector", "seasonal")
    one_line_error(detect(str(good), "--direction", "left"), "--direction")
