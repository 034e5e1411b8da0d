from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def create(client: Client, **body: Any) -> Any:
    return client.post("/api/items", body, content_type="application/json")


def test_create_then_read_list_and_delete(client: Client) -> None:
    response = create(client, name="widget", description="optional text")
    assert response.status_code == 201
    item = response.json()
    assert item["name"] == "widget"
    assert item["description"] == "optional text"
    assert isinstance(item["id"], int)

    listing = client.get("/api/items")
    assert listing.status_code == 200
    assert [i["id"] for i in listing.json()] == [item["id"]]

    detail = client.get(f"/api/items/{item['id']}")
    assert detail.status_code == 200
    assert detail.json()["name"] == "widget"

    assert client.delete(f"/api/items/{item['id']}").status_code == 204
    assert client.get(f"/api/items/{item['id']}").status_code == 404


def test_list_is_an_empty_array_at_first(client: Client) -> None:
    response = client.get("/api/items")
    assert response.status_code == 200
    assert response.json() == []


def test_description_is_optional(client: Client) -> None:
    response = create(client, name="bare")
    assert response.status_code == 201
    assert response.json()["description"] == ""


def test_update_with_put_and_patch(client: Client) -> None:
    item_id = create(client, name="old", description="text").json()["id"]
    put = client.put(
        f"/api/items/{item_id}", {"name": "new", "description": ""}, content_type="application/json"
    )
    assert put.status_code == 200
    assert put.json()["name"] == "new"
    patch = client.patch(
        f"/api/items/{item_id}", {"description": "patched"}, content_type="application/json"
    )
    assert patch.status_code == 200
    assert patch.json() == {**patch.json(), "name": "new", "description": "patched"}


@pytest.mark.parametrize("body", [{"name": ""}, {}, {"description": "no name"}])
def test_invalid_item_is_400_json_naming_the_field(client: Client, body: dict[str, str]) -> None:
    response = create(client, **body)
    assert response.status_code == 400
    assert "name" in response.json()


def test_too_long_name_is_400(client: Client) -> None:
    response = create(client, name="x" * 201)
    assert response.status_code == 400
    assert "name" in response.json()


def test_malformed_json_is_400_json(client: Client) -> None:
    response = client.post("/api/items", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_missing_item_is_404_json(client: Client) -> None:
    for method in (client.get, client.delete):
        response = method("/api/items/999999")
        assert response.status_code == 404
        assert "detail" in response.json()


def test_no_trailing_slash_redirects(client: Client) -> None:
    assert client.get("/api/items").status_code == 200
    item_id = create(client, name="direct").json()["id"]
    assert client.get(f"/api/items/{item_id}").status_code == 200
