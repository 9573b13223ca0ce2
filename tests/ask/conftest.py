"""The analyzed lake the batch and notebook tests share (tests/batch/scenario.yaml: an ISP
losing packets at br-nyc-012, Salesforce slowing down everywhere, DHCP failing at st-bos-101),
built once per session; and ``NOW``, the end of its data, for relative times."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.batch.lakes import computed_lake

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
QUESTIONS = Path(__file__).parents[2] / "data" / "samples" / "ask" / "questions.jsonl"


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(computed_lake(tmp_path_factory))
