"""The Alembic history runs unchanged on SQLite and PostgreSQL, both ways."""

import pytest
from sqlalchemy import create_engine, inspect

from app import cli
from app.db import migrate
from app.models import Base
from tests.conftest import Databases


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trips(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = databases.blank()
    monkeypatch.setenv("DATABASE_URL", url)
    assert cli.main(["db", "upgrade"]) == 0
    assert set(Base.metadata.tables) <= tables(url)
    assert cli.main(["db", "downgrade", "base"]) == 0
    assert tables(url) <= {"sqlite_sequence"}
    assert cli.main(["db", "upgrade"]) == 0
    assert set(Base.metadata.tables) <= tables(url)


def test_models_and_migrations_agree(databases: Databases) -> None:
    """`alembic check`: a model change without its migration fails here."""
    from alembic import command

    url = databases.blank()
    migrate.upgrade(url)
    command.check(migrate.alembic_config(url))
