import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from ..models import Item

pytestmark = pytest.mark.django_db


def test_admin_login_page_renders(client: Client) -> None:
    response = client.get(f"/{settings.ADMIN_URL}login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_items_are_registered_in_the_admin(client: Client) -> None:
    user = User.objects.create_superuser("admin", "admin@example.com", "a-long-test-password")
    client.force_login(user)
    Item.objects.create(name="from the admin test")
    response = client.get(f"/{settings.ADMIN_URL}items/item/")
    assert response.status_code == 200
    assert b"from the admin test" in response.content
