from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


def test_health_is_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_the_database(client: TestClient) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_ready_is_503_when_the_database_is_unreachable(unreachable_database_url: str) -> None:
    app = create_app(make_settings(unreachable_database_url))
    with TestClient(app) as client:
        response = client.get("/health/ready")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "database": "unreachable"}
        # Liveness does not depend on the database.
        assert client.get("/health").status_code == 200


def test_no_redirect_for_the_canonical_paths(client: TestClient) -> None:
    for path in ("/health", "/health/ready", "/api/items"):
        assert client.get(path, follow_redirects=False).status_code == 200
