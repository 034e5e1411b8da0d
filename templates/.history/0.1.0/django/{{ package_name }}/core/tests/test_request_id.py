import logging
import re

import pytest
from django.test import Client


def test_incoming_request_id_is_echoed(client: Client) -> None:
    response = client.get("/health", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-Id"] == "abc-123"


def test_request_id_is_generated_when_missing(client: Client) -> None:
    response = client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])


def test_unsafe_request_id_is_replaced(client: Client) -> None:
    response = client.get("/health", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])


def test_one_log_line_per_request(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        client.get("/health", HTTP_X_REQUEST_ID="log-me")
    lines = [r for r in caplog.records if r.name.endswith(".request")]
    assert len(lines) == 1
    record = lines[0]
    assert record.__dict__["method"] == "GET"
    assert record.__dict__["path"] == "/health"
    assert record.__dict__["status"] == 200
    assert record.__dict__["duration_ms"] >= 0
    assert record.__dict__["request_id"] == "log-me"
