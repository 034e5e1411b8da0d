from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/items", json=body)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


def test_create_returns_the_item(client: TestClient) -> None:
    response = client.post("/api/items", json={"name": "widget", "description": "optional text"})
    assert response.status_code == 201
    item = response.json()
    assert item["name"] == "widget"
    assert item["description"] == "optional text"
    assert isinstance(item["id"], int)
    assert "created_at" in item
    assert response.headers["location"] == f"/api/items/{item['id']}"


def test_description_is_optional(client: TestClient) -> None:
    assert create(client, name="gadget")["description"] is None


def test_list_returns_created_items_in_order(client: TestClient) -> None:
    first = create(client, name="first")
    second = create(client, name="second")
    response = client.get("/api/items")
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()]
    assert ids.index(first["id"]) < ids.index(second["id"])


def test_list_is_paginated(client: TestClient) -> None:
    for n in range(3):
        create(client, name=f"item {n}")
    assert len(client.get("/api/items", params={"limit": 2}).json()) == 2
    assert client.get("/api/items", params={"limit": 0}).status_code == 422


def test_get_one(client: TestClient) -> None:
    item = create(client, name="widget")
    response = client.get(f"/api/items/{item['id']}")
    assert response.status_code == 200
    assert response.json() == item


def test_delete_then_gone(client: TestClient) -> None:
    item = create(client, name="widget")
    response = client.delete(f"/api/items/{item['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/api/items/{item['id']}").status_code == 404


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_missing_item_is_404_json(client: TestClient, method: str) -> None:
    response = client.request(method, "/api/items/999999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Item not found"}


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "\u001f"},
        {"name": "\u00a0\u2003\u3000"},
        {"description": "no name"},
        {"name": "x" * 201},
        {"name": None},
        {"name": "widget", "colour": "red"},
        {"name": "wid\u0000get"},
        {"name": "widget", "description": "\u0000"},
    ],
)
def test_invalid_body_is_422_json(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"]


def test_non_integer_id_is_422(client: TestClient) -> None:
    assert client.get("/api/items/abc").status_code == 422


def test_names_are_trimmed(client: TestClient) -> None:
    assert create(client, name="  widget  ")["name"] == "widget"


@pytest.mark.parametrize(
    "path",
    [
        "/api/items/41711285832544600064",
        "/api/items/2147483648",
        "/api/items/0",
        "/api/items?offset=609727641809818353664",
        "/api/items?offset=-1",
        "/api/items?limit=1001",
    ],
)
def test_out_of_range_integers_are_422_not_500(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 422


def test_the_largest_id_is_a_plain_404(client: TestClient) -> None:
    assert client.get("/api/items/2147483647").status_code == 404
    assert client.get("/api/items", params={"offset": 2147483647}).json() == []


def test_created_at_is_utc_with_an_offset(client: TestClient) -> None:
    created_at = create(client, name="widget")["created_at"]
    assert created_at.endswith("Z"), created_at
    stamp = datetime.fromisoformat(created_at)
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=1)
    listed = client.get("/api/items").json()
    assert all(item["created_at"].endswith("Z") for item in listed)


@pytest.mark.parametrize("body", [b"{bad json", b'{"name": "widget"', b"\xff\xfe"])
def test_malformed_json_is_400(client: TestClient, body: bytes) -> None:
    response = client.post("/api/items", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"]
