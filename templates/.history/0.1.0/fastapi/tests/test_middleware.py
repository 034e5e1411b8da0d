from __future__ import annotations

import logging
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import ALLOWED_ORIGIN


def test_incoming_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-Id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_request_id_is_generated(client: TestClient) -> None:
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/health").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_unsafe_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-Id": "a b\tc" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_errors_carry_the_request_id(client: TestClient) -> None:
    response = client.get("/api/items/999999999", headers={"X-Request-Id": "req-404"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "req-404"


def test_unhandled_error_is_json_500_with_request_id(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-Id": "req-500"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert response.headers["x-request-id"] == "req-500"


def test_one_access_log_line_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        client.post("/api/items", json={"name": "widget"}, headers={"X-Request-Id": "req-log"})
    records = [r for r in caplog.records if r.name == "app.access"]
    assert len(records) == 1
    fields = vars(records[0])
    assert fields["method"] == "POST"
    assert fields["path"] == "/api/items"
    assert fields["status"] == 201
    assert fields["request_id"] == "req-log"
    assert fields["duration_ms"] >= 0


def test_cors_allows_only_configured_origins(client: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = client.options("/api/items", headers={"Origin": ALLOWED_ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN

    other = client.options("/api/items", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in other.headers
