"""The notebooks run top to bottom in a real Jupyter kernel (nbclient + ipykernel) against the
small simulated lake, with their parameters replaced papermill-style (a cell tagged
``injected-parameters`` right after the one tagged ``parameters``), and print what they say."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SITE = "br-nyc-012"
APP = "Salesforce"


def execute(name: str, tmp: Path, **params: Any) -> tuple[str, Any]:
    """Run ``notebooks/<name>.ipynb`` with ``params`` injected; its text output and notebook."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    at = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(at) == 1, f"{name}: exactly one cell must be tagged 'parameters'"
    source = "\n".join(f"{k} = {json.dumps(v)}" for k, v in params.items())
    injected = nbformat.v4.new_code_cell(source)
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at[0] + 1, injected)
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp)}}
    )
    client.execute()
    nbformat.write(nb, tmp / f"{name}.ipynb")  # kept for a look when a test fails
    text = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                text.append(output.text)
            elif "data" in output and "text/plain" in output.data:
                text.append(output.data["text/plain"])
    return "".join(text), nb


def test_every_notebook_is_parameterized_and_explains_itself() -> None:
    found = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert found == ["app-experience", "site-investigation", "wan-isp-comparison"]
    for name in found:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        nbformat.validate(nb)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1
        for key in ("lake", "site", "app", "start", "end"):
            assert re.search(rf"^{key} = ", params[0].source, re.MULTILINE), (name, key)
        markdown = [c for c in nb.cells if c.cell_type == "markdown"]
        assert len(markdown) >= 5, f"{name} explains too little"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        imports = re.findall(
            r"^\s*(?:from|import) ([\w.]+)", "\n".join(c.source for c in nb.cells), re.MULTILINE
        )
        ours = {i for i in imports if i.split(".")[0] in ("assurance", "collectors", "models")}
        assert all(i.startswith(("assurance.query", "assurance.batch.sample")) for i in ours), ours


def test_site_investigation(computed: Path, tmp_path: Path) -> None:
    text, _ = execute("site-investigation", tmp_path, lake=str(computed), site=SITE, app=APP)
    from assurance.query import IncidentQuery, SleQuery

    query = SleQuery(str(computed))
    overview = query.overview(query.scope(site=SITE))
    worst = min(overview, key=lambda r: (r["sle"], r["metric"]))
    assert f"SLEs at {SITE}" in text
    for r in overview:  # every SLE line, with its counts
        assert re.search(
            rf"{r['metric']}\s+{r['family']}\s+{r['total_user_minutes']}\s+"
            rf"{r['degraded_user_minutes']}\s+{r['sle']:.1f}",
            text,
        ), r["metric"]
    assert f"worst SLE: {worst['metric']} at {worst['sle']:.1f}%" in text
    assert "bad minutes from " in text
    incidents = IncidentQuery(str(computed)).incidents(site=SITE)
    assert incidents
    for inc in incidents:
        assert inc["suggested_action"] in text
    assert f"At {SITE}, {worst['metric']} was the weakest SLE" in text


def test_app_experience(computed: Path, tmp_path: Path) -> None:
    text, _ = execute(
        "app-experience",
        tmp_path,
        lake=str(computed),
        site=SITE,
        app=APP,
        start="2026-11-02T13:00",
        end="2026-11-02T15:00",
    )
    from assurance.query.apps import AppQuery

    rows = [
        r
        for r in AppQuery(str(computed)).apps(None, None, None, by_site=True)
        if r["application"] == APP
    ]
    assert len(rows) == 3  # used at every site of the scenario
    assert f"{APP} per site" in text
    for r in rows:
        assert re.search(rf"{r['site']}\s+{r['users']}\s+{r['user_minutes']}\s", text), r["site"]
    bad = sum(r["degraded_user_minutes"] for r in rows)
    assert f"Finding: {APP} had {bad:,} bad user minutes at " in text
    assert "10-minute buckets with bad minutes at two or more sites at once" in text


def test_wan_isp_comparison(computed: Path, tmp_path: Path) -> None:
    text, _ = execute(
        "wan-isp-comparison",
        tmp_path,
        lake=str(computed),
        site=SITE,
        app=APP,
        start="2026-11-02T13:00",
        end="2026-11-02T15:00",
    )
    assert "ISPs, lowest loss first" in text
    for isp in ("Lumen MPLS", "Comcast Business", "Spectrum Business"):
        assert isp in text
    # the scenario injects 6 % loss on isp-a at br-nyc-012: the worst link there
    assert f"worst link at {SITE}: isp-a (Comcast Business" in text
    assert "Finding: best ISP by loss" in text


def test_bad_parameter_fails_with_a_clear_message(computed: Path, tmp_path: Path) -> None:
    with pytest.raises(nbclient.exceptions.CellExecutionError) as info:
        execute("app-experience", tmp_path, lake=str(computed), app="NoSuchApp")
    assert "no users of 'NoSuchApp' in this window" in str(info.value)
