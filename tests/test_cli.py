"""The ``wanassure`` CLI as a user runs it: a real process, output read as text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq

from assurance.lake import LakeWriter
from tests.lake.helpers import T0, flow_rows

ROOT = Path(__file__).resolve().parents[1]
WANASSURE = Path(sys.executable).with_name("wanassure")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}
    return subprocess.run(
        [str(WANASSURE), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def test_version() -> None:
    result = run("version")
    assert result.returncode == 0
    assert result.stdout.startswith("wan-assurance 0.1.0 (Python 3.")
    assert "DuckDB" in result.stdout and "Arrow" in result.stdout


def test_lake_info_prints_a_table_and_no_progress_when_piped(tmp_path: Path) -> None:
    with LakeWriter(tmp_path) as writer:
        writer.write("flows", flow_rows(0, 1234, step=timedelta(seconds=5)))  # 08:00 → 09:42
    result = run("lake", "info", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    flows_line = next(line for line in result.stdout.splitlines() if "│ flows " in line)
    cells = [c.strip() for c in flows_line.strip("│").split("│")]
    assert cells[:4] == ["flows", "2", "2", "1,234"]
    assert cells[5] == f"{T0 + timedelta(seconds=5 * 1233):%Y-%m-%d %H:%M:%S}"
    assert "\x1b[" not in result.stdout


def test_lake_commands_on_a_missing_lake_fail_clearly(tmp_path: Path) -> None:
    for args in (("info",), ("compact",), ("retain", "--days", "3")):
        result = run("lake", *args, str(tmp_path / "absent"))
        assert result.returncode == 2
        assert "no lake at" in result.stderr and "does not exist" in result.stderr
        assert "Traceback" not in result.stderr


def test_lake_compact_and_retain_report_what_they_did(tmp_path: Path) -> None:
    for first in (0, 10, 20):
        with LakeWriter(tmp_path) as writer:
            writer.write("flows", flow_rows(first, 10))  # three small files, hour 08 of T0's day
    compacted = run("lake", "compact", str(tmp_path))
    assert compacted.returncode == 0, compacted.stderr
    assert "compacted 1 partitions: 3 files → 1 (30 rows)" in compacted.stdout
    retained = run("lake", "retain", str(tmp_path), "--days", "1")
    assert retained.returncode == 0
    assert "deleted 1 partitions older than 1 days (1 files" in retained.stdout
    assert list(tmp_path.rglob("*.parquet")) == []


def test_config_check_accepts_the_sample_and_lists_problems_of_a_bad_file() -> None:
    good = run("config", "check", "data/samples/wanassure.yaml")
    assert good.returncode == 0, good.stderr
    assert (
        "org acme-retail: 3 sites" in good.stdout
        and "OK data/samples/wanassure.yaml" in good.stdout
    )
    bad = run("config", "check", "data/samples/bad/many_errors.yaml")
    assert bad.returncode == 2
    assert "data/samples/bad/many_errors.yaml:14: sites[0].gateways[0].wan[0].type:" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_demo_plays_the_twin_through_the_collectors_and_computes_sles(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    result = run("demo", "--lake", str(lake), "--hours", "1.5", "--speed", "3600", "--no-dashboard")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # undo the terminal's line wrapping
    decoded = re.search(r"collectors decoded ([\d,]+) of ([\d,]+) flow records", text)
    parsed = re.search(r"parsed ([\d,]+) of ([\d,]+) syslog lines; kernel drops 0", text)
    assert decoded and decoded[1] == decoded[2] and int(decoded[1].replace(",", "")) > 10_000
    assert parsed and parsed[1] == parsed[2]
    assert "1 corrupt datagram from unknown exporter 127.0.1.250 kept in rejects" in text
    assert re.search(r"4/6 SLEs computed: [\d,]+ user minutes", text)
    assert "wan-link-health" in text and "br-nyc-012" in text
    assert "isp_loss" in text  # the ground-truth table lists the fault of this window
    # the analysis finds it, at its link, and the alert about it reaches the signed sink
    assert re.search(r"5/6 analysis: [\d,]+ scored points, [1-9]\d* incidents", text)
    assert "link:br-nyc-012/isp-a isp_degradation" in text
    sink = re.search(
        r"accepted (\d+) signed notifications \(Standard Webhooks\), refused (\d+)", text
    )
    assert sink and int(sink[1]) > 0 and sink[2] == "0"
    assert "Incident at br-nyc-012" in text
    rejects = pq.read_table(lake / "rejects")
    assert rejects.column("exporter").to_pylist() == ["127.0.1.250"]
    assert (lake / "_sim" / "ground_truth.jsonl").exists()
