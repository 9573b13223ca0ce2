"""``wanassure rca``: root-cause localization over a cube's leaves in CSV files.

The composition root for ``models.rca`` at a terminal: reads the CSV leaves (every column but
``real`` and ``predict`` is an attribute), runs ``localize`` and prints one line, the root-cause
set ``attr=value&attr=value;attr=value``. Errors are one clear line and exit code 2. Must not:
hold any localization logic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from assurance.cli.ui import fail, out
from models.rca import RcaInputError, format_causes, localize

app = typer.Typer(help="Localize the root causes of a deviation in a cube.", no_args_is_help=True)

MEASURES = ("real", "predict")


def _read(path: Path) -> pd.DataFrame:
    """A leaves CSV with every cell as text; only an empty cell is a missing value."""
    if not path.is_file():
        raise fail(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise fail(f"{path}: empty file (a header with real and predict is needed)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise fail(f"{path}: not a readable CSV file: {first}") from None
    missing = [c for c in MEASURES if c not in frame.columns]
    if missing:
        raise fail(
            f"{path}: no {' and no '.join(missing)} column (columns: {', '.join(frame.columns)})"
        )
    if frame.columns.duplicated().any():
        dup = ", ".join(sorted(set(frame.columns[frame.columns.duplicated()])))
        raise fail(f"{path}: repeated column(s): {dup}")
    if len(frame.columns) == len(MEASURES):
        raise fail(f"{path}: no attribute column besides real and predict")
    return frame


@app.command("localize")
def localize_cmd(
    file: Annotated[Path, typer.Argument(help="Leaves CSV: attribute columns, real, predict")],
    derived: Annotated[
        Path | None,
        typer.Option(
            "--derived", help="Denominator leaves CSV: FILE is then the numerator of a ratio"
        ),
    ] = None,
    max_causes: Annotated[int, typer.Option("--max-causes", min=1, help="At most this many")] = 3,
) -> None:
    """Print the root-cause set that explains real vs predict, e.g. ``isp=Comcast;app=Teams``."""
    leaves = _read(file)
    attributes = [c for c in leaves.columns if c not in MEASURES]
    denominator = None
    if derived is not None:
        denominator = _read(derived)
        theirs = [c for c in denominator.columns if c not in MEASURES]
        if set(theirs) != set(attributes):
            only_a = sorted(set(attributes) - set(theirs))
            only_b = sorted(set(theirs) - set(attributes))
            raise fail(
                f"attribute columns differ between {file} and {derived}: "
                f"only in {file.name}: {', '.join(only_a) or '-'}; "
                f"only in {derived.name}: {', '.join(only_b) or '-'}"
            )
    try:
        result = localize(leaves, attributes, denominator=denominator, max_causes=max_causes)
    except RcaInputError as exc:
        message = str(exc)
        where = file
        if message.startswith("denominator: ") and derived is not None:
            message, where = message.removeprefix("denominator: "), derived
        line = f" (CSV line {exc.row + 2})" if exc.row is not None else ""
        raise fail(f"{where}: {message}{line}") from None
    out.print(
        format_causes(result.causes), markup=False, highlight=False, emoji=False, soft_wrap=True
    )
