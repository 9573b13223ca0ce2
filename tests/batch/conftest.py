from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch.lakes import computed_lake, raw_lake


@pytest.fixture(scope="session")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return raw_lake(tmp_path_factory)


@pytest.fixture(scope="session")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return computed_lake(tmp_path_factory)
