from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch.lakes import computed_lake


@pytest.fixture(scope="session")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return computed_lake(tmp_path_factory)
