"""Rows lake mode builds without parsing equal what the real syslog parser makes of the lines."""

from __future__ import annotations

from pathlib import Path

from assurance.sim.emit import Emitter
from assurance.sim.physics import Twin
from assurance.sim.scenario import load_scenario
from assurance.sim.world import World
from collectors.syslog.model import Line
from collectors.syslog.parse import SyslogParser

SMALL = Path(__file__).parents[2] / "data" / "samples" / "scenarios" / "small.yaml"


def test_wifi_statistics_rows_equal_the_parsers() -> None:
    twin = Twin(World(load_scenario(SMALL)))
    emitter = Emitter(twin)
    checked = 0
    for minute in range(0, 90):
        m = twin.step(minute)
        _, stats = emitter.syslog_for_lake(m)
        if minute % 30 or not len(stats):
            continue
        received = (m.epoch_s + 60) * 1_000_000
        parsed = SyslogParser().parse_batch(
            [
                Line(line.encode(), sender, received, "tcp")
                for sender, line in zip(
                    stats.senders.to_pylist(), stats.lines().to_pylist(), strict=True
                )
            ]
        )
        built = stats.rows(received)
        for table in ("syslog_events", "client_events"):
            assert built[table].to_pylist() == parsed.tables[table].to_pylist(), table
        assert not parsed.rejects
        checked += len(stats)
    assert checked > 50
