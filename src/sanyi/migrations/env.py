"""Alembic environment: runs migrations on the engine the caller passes in (see infrastructure.migrate)."""

from alembic import context
from sqlalchemy import Connection

from sanyi.bootstrap import all_metadata

target_metadata = all_metadata()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from sanyi.infrastructure.db import create_db_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass a connection or set sqlalchemy.url")
    engine = create_db_engine(url)
    with engine.connect() as fresh:
        _run(fresh)
        fresh.commit()
    engine.dispose()
else:
    _run(connection)
