"""Unit of work: one database transaction around one use case.

Use cases write through ``uow.connection`` and call ``commit()``; leaving the block without a
commit rolls everything back, so a request that fails changes nothing.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from sanyi.infrastructure.db import IMMEDIATE, is_sqlite


class UnitOfWork:
    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._engine = engine
        self._write = write
        self._connection: Connection | None = None
        self._committed = False

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open; use it in a with block")
        return self._connection

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        if self._write and is_sqlite(self._engine):
            # Take SQLite's write lock up front: two writers never both read-then-write stale data.
            connection.info[IMMEDIATE] = True
        connection.begin()
        self._connection = connection
        self._committed = False
        return self

    def commit(self) -> None:
        self.connection.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection = self.connection
        try:
            if not self._committed:
                connection.rollback()
        finally:
            connection.close()
            self._connection = None


class UnitOfWorkFactory:
    """Makes units of work on one engine; what services receive instead of an engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)
