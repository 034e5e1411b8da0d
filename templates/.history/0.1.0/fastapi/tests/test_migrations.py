from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.db import Base, create_db_engine
from app.migrate import alembic_config


def test_models_match_the_migrations(engine: Engine) -> None:
    # `engine` was migrated to head by the fixture; autogenerate must find nothing to do.
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_and_downgrade_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = alembic_config(url)
    engine = create_db_engine(url)
    try:
        command.upgrade(config, "head")
        assert "items" in inspect(engine).get_table_names()
        command.downgrade(config, "base")
        assert "items" not in inspect(engine).get_table_names()
        command.upgrade(config, "head")
    finally:
        engine.dispose()
