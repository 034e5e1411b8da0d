"""The OpenAPI document at /openapi.json describes what the server really does.

schemathesis loads the document (failing if it is invalid), generates requests from it,
valid and invalid ones, and checks every response: status documented, body matching its
schema, content type and headers as declared, never a 5xx.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.result import Err

# The event stream never ends by itself; tests/test_streaming.py checks it with a real client.
SKIPPED = {("GET", "/api/items/events")}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_responses_match_the_document(app: FastAPI, mode: GenerationMode) -> None:
    # `app` runs every request inside the test's rolled-back transaction.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        assert not isinstance(result, Err), result.err()  # the document describes it wrongly
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        inputs = (operation.path_parameters, operation.query, operation.headers, operation.body)
        if mode is GenerationMode.NEGATIVE and not any(len(part) for part in inputs):
            continue  # nothing to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def conforms(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate()

        conforms()
        checked.append(operation.label)
    assert len(checked) >= 3, checked


def test_every_route_documents_its_errors(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "500" in statuses, f"{method.upper()} {path}"
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in statuses, f"{method.upper()} {path}"
            if operation.get("requestBody"):
                assert "400" in statuses, f"{method.upper()} {path}"
            if "{item_id}" in path:
                assert "404" in statuses, f"{method.upper()} {path}"


def test_ids_and_offsets_are_bounded_in_the_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["schema"].get("type") == "integer":
                    assert "maximum" in parameter["schema"], parameter
                    assert "minimum" in parameter["schema"], parameter
