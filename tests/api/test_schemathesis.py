"""Schemathesis over the live OpenAPI document of a real server: every operation, with valid
and invalid inputs (positive and negative generation), as an org-wide admin; no server error,
and every response conforms to the document (status code, content type, body schema); invalid
input is rejected; a request without the token is refused. Bounded by ``MAX_EXAMPLES``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api, start

#: Examples per operation and mode: enough to hit every parameter with bad values, small enough
#: that both modes over every operation take well under a minute of CPU.
MAX_EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


@pytest.fixture(scope="module")
def fuzzed(
    api_lake: str,
    tmp_path_factory: pytest.TempPathFactory,
    access_file: Path,
    tokens: tuple[Path, dict[str, str]],
) -> Iterator[Api]:
    import shutil

    lake = str(tmp_path_factory.mktemp("api-fuzz") / "lake")
    shutil.copytree(api_lake, lake)
    running = start(lake, tokens[0], access_file, tokens[1])
    yield running
    running.close()


@pytest.fixture(scope="module")
def live_schema(fuzzed: Api) -> Any:
    schema = schemathesis.openapi.from_url(f"{fuzzed.base}/api/v1/openapi.json")
    schema.config.update(headers={"Authorization": f"Bearer {fuzzed.tokens['noc']}"})
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=max(MAX_EXAMPLES.values()),
    )
    return schema


def run_operation(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES[mode],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.generate],
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms_and_never_fails(
    live_schema: Any, fuzzed: Api, mode: GenerationMode
) -> None:
    headers = {"Authorization": f"Bearer {fuzzed.tokens['noc']}"}
    failures: list[str] = []
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        try:
            began = time.perf_counter()
            run_operation(operation, mode, headers)
            print(f"{operation.label}: {time.perf_counter() - began:.2f} s")
        except Unsatisfiable:
            # an operation without parameters or body has no invalid input to send
            assert mode is GenerationMode.NEGATIVE and not operation.path_parameters
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)


def test_the_document_lists_every_endpoint(fuzzed: Api) -> None:
    import httpx

    doc = httpx.get(f"{fuzzed.base}/api/v1/openapi.json").json()
    paths = set(doc["paths"])
    expected = {
        "/api/v1/org/sle/summary",
        "/api/v1/org/sle/{metric}/trend",
        "/api/v1/org/sle/sites",
        "/api/v1/sites/{site_id}/sle/{metric}/summary",
        "/api/v1/sites/{site_id}/sle/{metric}/trend",
        "/api/v1/sites/{site_id}/sle/{metric}/classifiers",
        "/api/v1/sites/{site_id}/sle/{metric}/histogram",
        "/api/v1/sites/{site_id}/sle/{metric}/impacted/{kind}",
        "/api/v1/sites",
        "/api/v1/devices",
        "/api/v1/wan_links",
        "/api/v1/incidents",
        "/api/v1/incidents/{incident_id}",
        "/api/v1/actions/{action_id}",
        "/api/v1/actions/{action_id}/approve",
        "/api/v1/actions/{action_id}/reject",
        "/api/v1/actions/{action_id}/rollback",
        "/api/v1/alerts",
        "/api/v1/alerts/{event_id}/silence",
        "/api/v1/dead_letters",
        "/api/v1/dead_letters/{event_id}/resend",
    }
    assert expected <= paths, expected - paths
    assert "bearer" in str(doc["components"]["securitySchemes"]).lower()
