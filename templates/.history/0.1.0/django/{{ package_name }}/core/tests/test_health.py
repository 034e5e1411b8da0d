import pytest
from django.test import Client, override_settings

from .. import views


def test_health_is_200_json_without_touching_the_database(client: Client) -> None:
    # No django_db marker: any database access here would fail the test.
    response = client.get("/health")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_is_200_when_the_database_answers(client: Client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_ready_is_503_json_when_the_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "database_ok", lambda: False)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.parametrize("path", ["/health", "/health/ready"])
@pytest.mark.django_db
def test_health_ignores_allowed_hosts_and_https_redirect(client: Client, path: str) -> None:
    # Probes hit the app by IP over plain HTTP, even with production-style settings.
    with override_settings(ALLOWED_HOSTS=["example.com"], SECURE_SSL_REDIRECT=True):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200


def test_unknown_path_is_404_json(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
