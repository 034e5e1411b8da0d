"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet.

Run as `python -m app.create_database` by `make migrate`, and by the tests. If the database
is missing, connects to the server's `postgres` maintenance database with the same
credentials to create it; does nothing when the database is already there.
"""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.core.config import ConfigError, get_settings


def _database_missing(error: OperationalError) -> bool:
    # libpq reports this while connecting, so psycopg has no SQLSTATE to go by.
    return "does not exist" in str(error.orig) and "database" in str(error.orig)


def ensure_database(database_url: str) -> bool:
    """Return True if the database had to be created.

    Raises sqlalchemy.exc.OperationalError when the server is unreachable.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql" or not url.database:
        return False
    connect_args = {"connect_timeout": 5}

    target = create_engine(url, connect_args=connect_args)
    try:
        with target.connect():
            return False
    except OperationalError as error:
        if not _database_missing(error):
            raise
    finally:
        target.dispose()

    server = create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args=connect_args
    )
    try:
        with server.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote_identifier(url.database)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        server.dispose()
    return True


def main() -> None:
    try:
        database_url = get_settings().database_url
    except ConfigError as error:
        sys.exit(f"error: {error}")
    try:
        created = ensure_database(database_url)
    except (OperationalError, ProgrammingError) as error:
        url = make_url(database_url)
        sys.exit(
            f"error: cannot reach PostgreSQL at {url.host}:{url.port or 5432} "
            f"as {url.username!r}: {error.orig}\n"
            "Start PostgreSQL (README, Quick start) or point DATABASE_URL at a running server."
        )
    if created:
        print(f"created database {make_url(database_url).database!r}")  # noqa: T201


if __name__ == "__main__":
    main()
