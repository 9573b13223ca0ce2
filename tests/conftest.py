"""Suite-wide hygiene: every test gets back the ``__main__`` module it started with.

Streamlit's AppTest runs a page script by installing it as ``sys.modules["__main__"]`` and
leaves it there. A later test that starts processes with the ``spawn`` method (the syslog
decoder pool) would then have every child re-run that page script on start-up and die.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main
