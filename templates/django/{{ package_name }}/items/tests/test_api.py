import re
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


@pytest.mark.parametrize(
    "path", ["/api/items/41711285832544600064", "/api/items/0", "/api/items/9223372036854775808"]
)
def test_ids_beyond_the_database_range_are_404(client: Client, path: str) -> None:
    for method in (client.get, client.delete):
        response = method(path)
        assert response.status_code == 404
        assert "detail" in response.json()


def test_offset_and_limit_page_through_the_list(client: Client) -> None:
    ids = [create(client, name=f"n{i}").json()["id"] for i in range(5)]
    page = client.get("/api/items?offset=1&limit=2")
    assert page.status_code == 200
    assert [i["id"] for i in page.json()] == ids[1:3]
    assert client.get("/api/items?offset=2147483647").json() == []


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("offset=609727641809818353664", "offset"),
        ("offset=2147483648", "offset"),
        ("offset=-1", "offset"),
        ("offset=abc", "offset"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=99999999999999999999", "limit"),
    ],
)
def test_out_of_range_paging_is_400_naming_the_parameter(
    client: Client, query: str, name: str
) -> None:
    response = client.get(f"/api/items?{query}")
    assert response.status_code == 400
    assert name in response.json()


def test_timestamps_are_rfc3339_with_an_offset(client: Client) -> None:
    item = create(client, name="when").json()
    for field in ("created_at", "updated_at"):
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", item[field]
        ), item[field]
