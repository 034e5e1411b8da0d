"""Admin UI over the models (sqladmin) at /admin.

Sign in as `admin` with ADMIN_PASSWORD; while it is unset nobody can sign in. The session
cookie is signed with SECRET_KEY. Add a `ModelView` per model to show it.
"""

from __future__ import annotations

import hmac

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from app.core.config import Settings
from app.models import Item

ADMIN_USER = "admin"


class PasswordBackend(AuthenticationBackend):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            secret_key=settings.secret_key.get_secret_value(),
            session_cookie="admin_session",
            https_only=settings.app_env == "production",
            same_site="strict",
        )
        self._password = settings.admin_password

    async def login(self, request: Request) -> bool:
        form = await request.form()
        username, password = form.get("username"), form.get("password")
        if self._password is None or not isinstance(password, str):
            return False
        expected = self._password.get_secret_value()
        if username != ADMIN_USER or not hmac.compare_digest(password, expected):
            return False
        request.session["admin"] = ADMIN_USER
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        return request.session.get("admin") == ADMIN_USER


class ItemAdmin(ModelView, model=Item):
    name_plural = "Items"
    column_list = (Item.id, Item.name, Item.created_at)
    column_searchable_list = (Item.name,)
    column_sortable_list = (Item.id, Item.name, Item.created_at)
    form_excluded_columns = (Item.created_at,)


def mount_admin(app: FastAPI, settings: Settings, session_factory: sessionmaker[Session]) -> Admin:
    admin = Admin(
        app,
        session_maker=session_factory,
        base_url="/admin",
        title=f"{app.title} admin",
        authentication_backend=PasswordBackend(settings),
    )
    admin.add_view(ItemAdmin)
    return admin
