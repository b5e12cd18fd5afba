"""Migrations reach head on both backends and the models never drift from them."""

from sanyi.bootstrap import Container, all_metadata
from sanyi.infrastructure import migrate


def test_database_is_at_head(container: Container) -> None:
    assert migrate.current_revision(container.engine) == migrate.head_revision()


def test_models_and_migrations_do_not_drift(container: Container) -> None:
    assert migrate.pending_changes(container.engine, all_metadata()) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(container: Container) -> None:
    if container.engine.dialect.name != "sqlite":
        return
    with container.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
