"""``wanassure run``: SLEs, analysis and one alerts cycle over a window of a simulated lake,
idempotent (a second run leaves every derived table's rows as they were and notifies nobody
again), with a one-line summary per step and one-line errors."""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.alerts.receiver import Receiver

SECRET = "whsec_" + base64.b64encode(b"batch-run-test-signing-key-32by").decode()
DERIVED = [
    "user_minutes",
    "sle_minutes",
    "sle_hours",
    "sle_days",
    "user_hours",
    "probe_hours",
    "port_hours",
    "radio_hours",
    "connect_hours",
    "anomalies",
    "incidents",
    "actions",
    "alerts",
]


def invoke(*args: str) -> tuple[int, str, str]:
    from assurance.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def table_rows(lake: Path, table: str) -> list[str]:
    """Every row of a table as text, sorted: read with DuckDB straight from the Parquet files."""
    files = sorted((lake / table).rglob("*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    try:
        rel = con.execute(
            "SELECT * FROM read_parquet($files, hive_partitioning = false)",
            {"files": [str(f) for f in files]},
        )
        return sorted(repr(row) for row in rel.fetchall())
    finally:
        con.close()


@pytest.fixture
def lake(raw: Path, tmp_path: Path) -> Path:
    path = tmp_path / "lake"
    shutil.copytree(raw, path)
    return path


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    r = Receiver(secret=SECRET).start()
    yield r
    r.stop()


def alerts_yaml(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "alerts.yaml"
    path.write_text(
        "receivers:\n"
        f"  - {{name: ops, kind: generic, url: '{url}', secret: '{SECRET}'}}\n"
        "rules:\n"
        "  - {name: wan-low, kind: sle_below, sle: wan-link-health, threshold: 99.5, for: 2h,"
        " scope: site, severity: major, receivers: [ops]}\n"
        "grouping: {group_wait: 0s, group_interval: 5m, repeat_interval: 4h}\n"
        "retry: {max_attempts: 2, base: 1s, cap: 2s, timeout: 5s}\n"
    )
    return path


def test_run_twice_leaves_every_derived_table_as_it_was(
    lake: Path, tmp_path: Path, webhook: Receiver
) -> None:
    config = alerts_yaml(tmp_path, webhook.url)
    args = ["run", "--lake", str(lake), "--alerts-config", str(config), "--workers", "1"]
    code, out, err = invoke(*args)
    assert code == 0, err
    lines = out.splitlines()
    # one line per step, with units and timings
    assert re.match(r"sle +2026-11-02 13:00 → 2026-11-02 15:00 UTC: [\d,]+ user minutes", lines[0])
    assert re.match(r"rollups +\d+ roll-up hours and days written for the dashboard", lines[1])
    assert lines[2].startswith("analysis ") and "incidents" in lines[2]
    assert lines[3].startswith("alerts ") and "as of 2026-11-02 15:00 UTC" in lines[3]
    assert all(re.search(r" in \d+\.\d s \(\d+\.\d s CPU\)$", line) for line in lines[:4])
    assert lines[4].startswith("done: 4 steps")

    first = {t: table_rows(lake, t) for t in DERIVED}
    for table in (
        "user_minutes",
        "sle_minutes",
        "user_hours",
        "anomalies",
        "incidents",
        "actions",
        "alerts",
    ):
        assert first[table], f"{table} is empty after a run"
    # the sites whose wan-link-health over the two hours is below 99.5 %, straight from the
    # SLE minutes, are those the receiver hears of, once each (the ISP fault's site among them)
    rows = (
        duckdb.connect()
        .execute(
            "SELECT site FROM read_parquet($g) WHERE sle = 'wan_link_health' GROUP BY site "
            "HAVING 100.0 * sum(good) / sum(total) < 99.5",
            {"g": str(lake / "sle_minutes" / "**" / "*.parquet")},
        )
        .fetchall()
    )
    low = sorted(site for (site,) in rows)
    assert "br-nyc-012" in low
    assert f"{len(low)} firing" in lines[3] and f"{len(low)} delivered, 0 retrying" in lines[3]
    assert sorted(r.json()["data"]["site"] for r in webhook.accepted) == low
    assert not webhook.bad_signatures
    heard = len(webhook.requests)

    code, out, err = invoke(*args)
    assert code == 0, err
    assert "0 notifications, 0 events queued" in out
    second = {t: table_rows(lake, t) for t in DERIVED}
    for table in DERIVED:
        assert second[table] == first[table], f"{table} changed on the second run"
    assert len(webhook.requests) == heard


def test_window_limits_what_is_computed(lake: Path) -> None:
    code, out, err = invoke(
        "run", "--lake", str(lake), "--from", "2026-11-02T13:00", "--to", "2026-11-02T14:00"
    )
    assert code == 0, err
    assert "13:00 → 2026-11-02 14:00 UTC" in out
    assert "alerts" not in out  # no alerts config, no alerts step
    con = duckdb.connect()
    lo, hi = con.execute(
        "SELECT min(minute), max(minute) FROM read_parquet($g)",
        {"g": str(lake / "sle_minutes" / "**" / "*.parquet")},
    ).fetchone()  # type: ignore[misc]
    assert (lo.hour, hi.hour, hi.minute) == (13, 13, 59)
    assert list((lake / "sle_minutes").glob("date=*/hour=*")) == [
        lake / "sle_minutes" / "date=2026-11-02" / "hour=13"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "--from 'yesterday' is not an ISO 8601 time"),
        (
            ["--from", "2026-11-02T14:00", "--to", "2026-11-02T13:00"],
            "the time range is empty",
        ),
        (["--inventory", "/nonexistent/inventory.yaml"], "inventory"),
        (["--alerts-config", "/nonexistent/alerts.yaml"], "alerts"),
    ],
)
def test_errors_are_one_line_and_exit_2(lake: Path, args: list[str], message: str) -> None:
    code, out, err = invoke("run", "--lake", str(lake), *args)
    assert code == 2, out
    text = " ".join(err.split())
    assert text.startswith("error:") and message in text
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_window_without_data_stops_at_analysis(lake: Path) -> None:
    code, out, err = invoke(
        "run", "--lake", str(lake), "--from", "2027-01-01T00:00", "--to", "2027-01-01T01:00"
    )
    assert code == 2
    assert ": 0 user minutes, 0 SLE rows" in out
    assert err.startswith("error: no SLE minutes in ")


def test_missing_lake_and_missing_inventory(tmp_path: Path) -> None:
    code, _, err = invoke("run", "--lake", str(tmp_path / "nope"))
    assert code == 2 and "no lake at" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = invoke("run", "--lake", str(empty))
    assert code == 2 and "no inventory" in err


def test_console_script_exit_code(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).with_name("wanassure")
    done = subprocess.run(
        [str(script), "run", "--lake", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: no lake at {tmp_path / 'nope'} (folder does not exist)"
    assert done.stdout == ""
