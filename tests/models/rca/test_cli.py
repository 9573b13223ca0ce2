"""``wanassure rca localize`` as a user runs it: the installed console script, CSV files."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

WANASSURE = Path(sys.executable).with_name("wanassure")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "60"}  # a narrow terminal must not wrap the answer
    return subprocess.run(
        [str(WANASSURE), *map(str, args)], capture_output=True, text=True, timeout=120, env=env
    )


def leaves(**changes: float) -> pd.DataFrame:
    """3 sites x 3 ISPs x 4 apps, 10 expected bad minutes each; ``isp_Comcast=1.5`` scales the
    observed value of every isp=Comcast leaf."""
    rows = itertools.product(
        ["br-1", "br-2", "br-3"], ["Comcast", "ATT", "Verizon"], ["Teams", "Zoom", "O365", "Web"]
    )
    frame = pd.DataFrame(list(rows), columns=["site", "isp", "app"])
    frame["predict"] = 10.0
    frame["real"] = 10.0
    for key, factor in changes.items():
        attr, value = key.split("_", 1)
        frame.loc[frame[attr] == value, "real"] *= factor
    return frame


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def assert_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_one_line_answer(tmp_path: Path) -> None:
    result = run("rca", "localize", write(leaves(isp_Comcast=1.5), tmp_path / "a.csv"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "isp=Comcast\n"


def test_two_causes_sorted_attributes_and_max_causes(tmp_path: Path) -> None:
    frame = leaves(isp_Verizon=3.0)
    mask = (frame.site == "br-2") & (frame.app == "Zoom") & (frame.isp != "Verizon")
    frame.loc[mask, "real"] = 0.0
    path = write(frame, tmp_path / "a.csv")
    result = run("rca", "localize", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "isp=Verizon;app=Zoom&site=br-2\n"
    assert run("rca", "localize", path, "--max-causes", "1").stdout == "isp=Verizon\n"


def test_nothing_deviates_prints_an_empty_line(tmp_path: Path) -> None:
    result = run("rca", "localize", write(leaves(), tmp_path / "a.csv"))
    assert (result.returncode, result.stdout) == (0, "\n")


def test_derived_measure(tmp_path: Path) -> None:
    """Good minutes hold everywhere; site br-3 has twice the users, so its SLE % halves."""
    total = leaves()
    total.loc[total.site == "br-3", "real"] = 20.0
    good = leaves()
    good[["real", "predict"]] = 9.0
    num, den = write(good, tmp_path / "good.csv"), write(total, tmp_path / "total.csv")
    assert run("rca", "localize", num).stdout == "\n"
    result = run("rca", "localize", num, "--derived", den)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "site=br-3\n"


def test_attribute_values_stay_as_written(tmp_path: Path) -> None:
    """Leading zeros, "NA" and commas survive; an empty cell is the missing value ∅."""
    path = tmp_path / "a.csv"
    path.write_text(
        "port,isp,real,predict\n"
        '007,NA,30,10\n007,"x,y",30,10\n008,NA,10,10\n008,"x,y",10,10\n'
        ',NA,10,10\n,"x,y",10,10\n009,NA,10,10\n009,"x,y",10,10\n',
        encoding="utf-8",
    )
    result = run("rca", "localize", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "port=007\n"


def test_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    good = write(leaves(isp_Comcast=1.5), tmp_path / "good.csv")
    assert_error(run("rca", "localize", tmp_path / "nope.csv"), "nope.csv", "no such file")

    no_real = write(leaves().drop(columns="real"), tmp_path / "no_real.csv")
    assert_error(run("rca", "localize", no_real), "no_real.csv", "no real column")

    bad = leaves().astype({"real": object})
    bad.loc[4, "real"] = "lots"
    bad_path = write(bad, tmp_path / "bad.csv")
    assert_error(run("rca", "localize", bad_path), "bad.csv", "row 5", "'lots'", "CSV line 6")

    negative = leaves()
    negative.loc[0, "predict"] = -3.0
    assert_error(run("rca", "localize", write(negative, tmp_path / "neg.csv")), "row 1", "negative")

    other = write(leaves().rename(columns={"app": "application"}), tmp_path / "other.csv")
    assert_error(
        run("rca", "localize", good, "--derived", other),
        "attribute columns differ",
        "only in good.csv: app",
        "only in other.csv: application",
    )
    assert_error(run("rca", "localize", good, "--derived", bad_path), "bad.csv", "row 5")

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert_error(run("rca", "localize", empty), "empty.csv", "empty file")

    only = write(leaves()[["real", "predict"]], tmp_path / "only.csv")
    assert_error(run("rca", "localize", only), "no attribute column")
