"""Database engine, session factory and the declarative base for models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite and PostgreSQL alike.

    PostgreSQL stores `timestamptz` and hands it back in the session's time zone; SQLite has
    no time zone type and hands back naive values. Both come out as UTC here, so the API
    always answers RFC 3339 timestamps with an offset. Migrations see a plain
    `DateTime(timezone=True)` (see migrations/env.py).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime: pass a timezone-aware value (e.g. datetime.now(UTC))"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        # SQLite stores the text without an offset; every value in it is UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_db_engine(url: str) -> Engine:
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite"):
        # Requests are served from a thread pool; each session still uses one thread at a time.
        connect_args["check_same_thread"] = False
    elif url.startswith("postgresql"):
        # Fail a readiness probe quickly instead of hanging on an unreachable host.
        connect_args["connect_timeout"] = 5
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session per request: rolled back if the handler raises, always closed."""
    with factory() as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise


def ping(engine: Engine) -> None:
    """Raise if the database cannot run a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
