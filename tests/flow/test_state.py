"""Template state survives a collector restart through the JSON state file."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from collectors.flow import FlowDecoder, StateFileError, load_state

from .wire import EXPORTER, RX, ip4, ipfix, options_template, set_, template, v9, v9_template


def test_restart_decodes_immediately(tmp_path: Path) -> None:
    path = tmp_path / "flow-state.json"
    t = template(500, [(8, 4), (12, 4), (1, 8)])
    samp_t = options_template(501, [(149, 4)], [(34, 4)])
    rec = ip4("10.0.0.1") + ip4("10.0.0.2") + struct.pack(">Q", 99)
    first = FlowDecoder()
    first.decode(ipfix([set_(2, t), set_(3, samp_t), set_(501, struct.pack(">II", 1, 10)),
                        set_(500, rec)], seq=0), EXPORTER, RX)  # fmt: skip
    first.decode(v9([set_(0, v9_template(260, [(8, 4), (12, 4)]))], uptime=9, secs=1), EXPORTER, RX)
    first.save_state(path)
    assert [p.name for p in tmp_path.iterdir()] == ["flow-state.json"]  # no temporary left

    second = FlowDecoder.load_state(path)
    # seq 0 carried 2 data records (one options, one flow); seq 5 means 3 records were lost.
    result = second.decode(ipfix([set_(500, rec)], seq=5), EXPORTER, RX)
    assert result.rejected == [] and result.counters.sets_held == 0
    assert result.flows.column("bytes").to_pylist() == [99]
    assert result.flows.column("sampling_rate").to_pylist() == [10]
    assert result.counters.lost_records == 3
    v9_data = second.decode(v9([set_(260, ip4("1.1.1.1") + ip4("2.2.2.2"))], uptime=10, secs=2,
                               seq=1), EXPORTER, RX)  # fmt: skip
    assert v9_data.flows.column("dst_addr").to_pylist() == ["2.2.2.2"]
    assert len(second.state.templates) == 3


def test_missing_and_corrupt_files(tmp_path: Path) -> None:
    assert len(load_state(tmp_path / "absent.json").templates) == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(StateFileError):
        load_state(bad)
    bad.write_text(json.dumps({"format": 1, "templates": [{"exporter": "x"}]}))
    with pytest.raises(StateFileError):
        load_state(bad)
    bad.write_text(json.dumps({"format": 99}))
    with pytest.raises(StateFileError):
        load_state(bad)
