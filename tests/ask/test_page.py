"""The dashboard's Ask page through Streamlit's AppTest: a question asked in the chat box gets
the answer with its links; an ambiguous one gets a button per choice, and a click answers it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.context import CONFIG_ENV, LAKE_ENV

APP = Path(__file__).parents[2] / "dashboards" / "app.py"


def test_chat_answers_and_choices(lake: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LAKE_ENV, lake)
    monkeypatch.delenv(CONFIG_ENV, raising=False)  # open dashboard: every site
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page("views/ask.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Ask"
    at.toggle[0].set_value(True).run()  # times relative to the newest data (15:00 UTC)
    at.chat_input[0].set_value("is ap1 ok").run()
    assert not at.exception, [e.message for e in at.exception]
    labels = [b.label for b in at.button]
    assert sorted(labels) == ["br-chi-027-ap1", "br-nyc-012-ap1", "st-bos-101-ap1"]
    next(b for b in at.button if b.label == "br-chi-027-ap1").click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = "\n".join(str(t.value) for t in [*at.text, *at.markdown, *at.code])
    assert "br-chi-027-ap1 at br-chi-027: coverage" in shown
    assert "GET /api/v1/sites/br-chi-027/sle/coverage/impacted/aps" in shown
