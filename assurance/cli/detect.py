"""``wanassure detect``: score any metric series for anomalies from a CSV file.

Owns reading a timestamp/value CSV (ISO 8601 or epoch-second timestamps), running one detector
from ``models.anomaly`` over it causally, and writing ``timestamp,value,anomaly_score`` CSV on
stdout. Must not implement detection itself or touch the lake. Errors are one line naming the
file, and the row where there is one; exit code 2.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from assurance.cli.ui import fail
from models.anomaly import DETECTORS, AnomalyError, make
from models.anomaly.core import TIME_LIMIT

app = typer.Typer(help="Score metric series for anomalies (causal).", no_args_is_help=True)


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise fail(f"{path}: no such file")
    if not path.is_file():
        raise fail(f"{path}: not a file")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise fail(f"{path}: empty file (expected a header and rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise fail(f"{path}: not a readable CSV: {str(exc).splitlines()[0]}") from None


def _column(path: Path, frame: pd.DataFrame, name: str | None, position: int, what: str) -> str:
    if name is not None:
        if name not in frame.columns:
            raise fail(
                f"{path}: no {what} column {name!r} (columns: {', '.join(map(str, frame.columns))})"
            )
        return name
    if len(frame.columns) <= position:
        raise fail(
            f"{path}: needs at least two columns (timestamp, value); found {len(frame.columns)}"
        )
    return str(frame.columns[position])


def _line(index: int) -> int:
    return index + 2  # the header is line 1


def parse_timestamps(path: Path, column: str, texts: pd.Series) -> np.ndarray:
    """Epoch seconds from ISO 8601 text or numbers; a bad cell fails naming its line."""
    stripped = texts.str.strip()
    numbers = pd.to_numeric(stripped, errors="coerce")
    if numbers.notna().all() and len(numbers):
        secs = numbers.to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            bad = ~(np.abs(secs) <= TIME_LIMIT)
        if bad.any():
            i = int(np.argmax(bad))
            raise fail(
                f"{path}: line {_line(i)}: {column} {texts.iloc[i]!r} is not epoch seconds "
                "within the years 1678-2261"
            )
        return secs
    parsed = pd.to_datetime(stripped, errors="coerce", utc=True, format="ISO8601")
    bad_mask = parsed.isna().to_numpy()
    if bad_mask.any():
        i = int(np.argmax(bad_mask))
        cell = texts.iloc[i]
        problem = "is empty" if not cell.strip() else "is not ISO 8601 or epoch seconds"
        raise fail(f"{path}: line {_line(i)}: {column} {cell!r} {problem}")
    return pd.DatetimeIndex(parsed).as_unit("us").asi8.astype(np.float64) / 1e6


def parse_values(path: Path, column: str, texts: pd.Series) -> np.ndarray:
    """Floats; an empty cell (or NaN) is a missing value, any other non-number fails."""
    stripped = texts.str.strip()
    values = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=np.float64)
    bad = (
        np.isnan(values)
        & (stripped != "").to_numpy()
        & ~stripped.str.lower().isin(["nan", "na", "null"]).to_numpy()
    )
    if bad.any():
        i = int(np.argmax(bad))
        raise fail(f"{path}: line {_line(i)}: {column} {texts.iloc[i]!r} is not a number")
    return values


def _fmt(score: float) -> str:
    return "0" if score == 0 else f"{score:.10g}" if math.isfinite(score) else ""


@app.command("series")
def series_cmd(
    file: Annotated[Path, typer.Argument(help="CSV with a header: timestamp and value columns")],
    detector: Annotated[
        str, typer.Option(help=f"Detector: {', '.join(sorted(DETECTORS))}")
    ] = "ensemble",
    direction: Annotated[str, typer.Option(help="Anomalies to score: up, down or both")] = "both",
    timestamp_col: Annotated[
        str | None, typer.Option(help="Timestamp column (default: the first)")
    ] = None,
    value_col: Annotated[
        str | None, typer.Option(help="Value column (default: the second)")
    ] = None,
) -> None:
    """Score a series causally; CSV ``timestamp,value,anomaly_score`` on stdout."""
    if direction not in ("up", "down", "both"):
        raise fail(f"--direction must be up, down or both, not {direction!r}")
    try:
        model = make(detector, direction=direction)
    except AnomalyError as exc:
        raise fail(f"--detector: {exc}") from None
    frame = _read(file)
    ts_col = _column(file, frame, timestamp_col, 0, "timestamp")
    val_col = _column(file, frame, value_col, 1, "value")
    times = parse_timestamps(file, ts_col, frame[ts_col])
    values = parse_values(file, val_col, frame[val_col])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["timestamp", "value", "anomaly_score"])
    try:
        for stamp, text, t, x in zip(frame[ts_col], frame[val_col], times, values, strict=True):
            score = model.score_one(float(t), float(x))
            writer.writerow([stamp, text, _fmt(score.score)])
    except AnomalyError as exc:
        raise fail(f"{file}: {exc}") from None
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
