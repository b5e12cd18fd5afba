"""Fixtures shared by the whole suite.

Database tests run once per backend: SQLite (a file in a temporary directory) and PostgreSQL (a
fresh database created for the session on $SANYI_TEST_POSTGRES_URL, dropped at the end). A missing
PostgreSQL fails the suite; set SANYI_TEST_SKIP_POSTGRES=1 to skip those runs deliberately.

Spark tests (marker ``spark``) share one local session per test process; without pyspark or Java
they fail, unless SANYI_TEST_SKIP_SPARK=1 skips them deliberately (never in CI: see below).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from sanyi.bootstrap import Container, all_metadata, build_container
from sanyi.infrastructure import migrate
from sanyi.infrastructure.db import create_db_engine
from sanyi.infrastructure.settings import Environment, Settings
from sanyi.kernel.clock import FixedClock

POSTGRES_ADMIN_URL = os.environ.get(
    "SANYI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SKIP_POSTGRES = os.environ.get("SANYI_TEST_SKIP_POSTGRES") == "1"
SKIP_SPARK = os.environ.get("SANYI_TEST_SKIP_SPARK") == "1"
TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
IN_CI = os.environ.get("CI") == "true"
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(SKIP_POSTGRES, reason="SANYI_TEST_SKIP_POSTGRES=1")),
]


def _create_postgres_database() -> tuple[str, str]:
    name = f"sanyi_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # pragma: no cover - environment problem, reported loudly
        raise RuntimeError(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error}). Start it "
            "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
            "or set SANYI_TEST_SKIP_POSTGRES=1 to skip PostgreSQL runs."
        ) from error
    finally:
        admin.dispose()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of each backend, shared by the session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'sanyi.db'}"
        cleanup = None
    else:
        name, url = _create_postgres_database()
        cleanup = name
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    if cleanup is not None:
        _drop_postgres_database(cleanup)


def _truncate_all(engine: Engine) -> None:
    tables = list(reversed(all_metadata().sorted_tables))
    with engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.TEST,
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "data_dir": data_dir,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def container(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Container]:
    """A container on a clean, migrated database of each backend."""
    services = build_container(make_settings(database_url, tmp_path), clock=clock)
    try:
        yield services
    finally:
        _truncate_all(services.engine)
        services.dispose()


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One local Spark (2 cores, 2 shuffle partitions, no UI, loopback only) for the test process."""
    if SKIP_SPARK:
        pytest.skip("SANYI_TEST_SKIP_SPARK=1")
    from sanyi.analytics.spark import SparkBackend

    backend = SparkBackend("local[2]", partitions=2)
    try:
        yield backend.session
    finally:
        backend.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may be skipped: the PostgreSQL and browser runs are part of the suite."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if skipped and session.exitstatus == 0:
        session.exitstatus = 1
        if reporter is not None:
            reporter.write_line(f"CI: {skipped} test(s) were skipped; every test must run in CI", red=True)
