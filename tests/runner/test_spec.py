"""Runner specs: the grammar of ``--runner`` and ``WANASSURE_RUNNER``, and its errors."""

from __future__ import annotations

import pytest

from assurance.runner import RunnerError, RunnerSpec, parse_spec


@pytest.mark.parametrize(
    ("text", "spec", "shown"),
    [
        ("local", RunnerSpec("local"), "local"),
        (" local:3 ", RunnerSpec("local", workers=3), "local:3"),
        ("dask-local", RunnerSpec("dask-local"), "dask-local"),
        ("dask-local:2", RunnerSpec("dask-local", workers=2), "dask-local:2"),
        ("dask://10.1.2.3:8786", RunnerSpec("dask", host="10.1.2.3", port=8786), None),
        (
            "dask://sched-1.example.net:8786",
            RunnerSpec("dask", host="sched-1.example.net", port=8786),
            None,
        ),
    ],
)
def test_specs_parse(text: str, spec: RunnerSpec, shown: str | None) -> None:
    got = parse_spec(text)
    if spec.kind == "dask":
        assert (got.kind, got.host, got.port) == ("dask", spec.host, 8786)
        assert got.address == f"tcp://{spec.host}:8786"
        assert str(got) == text
    else:
        assert got == spec
        assert str(got) == shown


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is not one of local, local:N, dask://HOST:PORT or dask-local[:N]"),
        ("locale", "is not one of"),
        ("local:0", "the worker count must be at least 1"),
        ("local:-1", "is not one of"),
        ("dask://host", "give the scheduler as dask://HOST:PORT"),
        ("dask://host:70000", "port 70000 is not between 1 and 65535"),
        ("tcp://host:8786", "is not one of"),
    ],
)
def test_bad_specs_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(RunnerError) as info:
        parse_spec(text)
    assert str(info.value).startswith(f"runner {text!r}")
    assert problem in str(info.value)


def test_a_local_spec_has_no_scheduler_address() -> None:
    with pytest.raises(RunnerError, match="has no scheduler address"):
        _ = parse_spec("local:2").address
