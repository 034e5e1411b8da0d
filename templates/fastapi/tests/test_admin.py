"""The admin UI at /admin (sqladmin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.main import create_app
from tests.conftest import make_settings

PASSWORD = "a-long-admin-password"


@pytest.fixture
def admin_client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    # `engine` has applied the migrations; the admin commits through its own sessions.
    app = create_app(make_settings(database_url, admin_password=PASSWORD))
    with TestClient(app) as client:
        yield client


def sign_in(client: TestClient, password: str) -> int:
    response = client.post(
        "/admin/login",
        data={"username": "admin", "password": password},
        follow_redirects=False,
    )
    return response.status_code


def test_the_admin_asks_for_a_password(admin_client: TestClient) -> None:
    response = admin_client.get("/admin/item/list", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].endswith("/admin/login")
    login = admin_client.get("/admin/login")
    assert login.status_code == 200
    assert "password" in login.text


def test_a_wrong_password_is_refused(admin_client: TestClient) -> None:
    assert sign_in(admin_client, "not-the-password") == 400
    assert admin_client.get("/admin/item/list", follow_redirects=False).status_code != 200


def test_the_items_page_answers_after_signing_in(admin_client: TestClient) -> None:
    assert sign_in(admin_client, PASSWORD) in (302, 303)
    response = admin_client.get("/admin/item/list")
    assert response.status_code == 200
    assert "Items" in response.text


def test_nobody_can_sign_in_without_admin_password(client: TestClient) -> None:
    assert sign_in(client, "") == 400
