"""Bulk loading of Arrow tables into the operational database.

PostgreSQL gets ``COPY … FROM STDIN`` fed with CSV that Arrow writes; SQLite gets ``executemany`` of
prepared rows inside one transaction. Values are converted column by column (vectorised) to what the
column types store: money in fen, instants as UTC, exact decimals as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Boolean, Connection, Date, Table

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import is_sqlite

SQLITE_BATCH = 50_000


def bulk_insert(connection: Connection, table: Table, data: pa.Table) -> int:
    """Insert every row of ``data`` (columns named as the table's) into ``table``; returns the count."""
    if data.num_rows == 0:
        return 0
    names = [column.name for column in table.columns if column.name in data.column_names]
    data = data.select(names)
    if is_sqlite(connection.engine):
        _sqlite_insert(connection, table, data)
    else:
        _postgres_copy(connection, table, data)
    return int(data.num_rows)


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


def _sqlite_columns(table: Table, data: pa.Table) -> list[list[Any]]:
    values = []
    for name in data.column_names:
        column = _plain(data.column(name))
        kind = table.c[name].type
        if isinstance(kind, UtcDateTime):
            # SQLAlchemy's SQLite DATETIME text, naive UTC (what UtcDateTime binds).
            column = pc.strftime(column.cast(pa.timestamp("us", tz="UTC")), format="%Y-%m-%d %H:%M:%S")
        elif isinstance(kind, Date):
            column = column.cast(pa.string())
        elif isinstance(kind, Boolean):
            column = column.cast(pa.int8())
        values.append(column.to_pylist())
    return values


def _sqlite_insert(connection: Connection, table: Table, data: pa.Table) -> None:
    placeholders = ", ".join("?" for _ in data.column_names)
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    # Names come from our own table metadata; values travel as parameters.
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})'  # noqa: S608
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for batch in _batches(data, SQLITE_BATCH):
        cursor.executemany(statement, zip(*_sqlite_columns(table, batch), strict=True))
    cursor.close()


def _batches(data: pa.Table, size: int) -> Iterator[pa.Table]:
    for offset in range(0, data.num_rows, size):
        yield data.slice(offset, size)


def _postgres_copy(connection: Connection, table: Table, data: pa.Table) -> None:
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    # Arrow quotes every string, so an unquoted empty field is NULL and "" is an empty string.
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN WITH (FORMAT csv)'
    prepared = pa.table(
        {name: _postgres_column(table, name, _plain(data.column(name))) for name in data.column_names}
    )
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for batch in _batches(prepared, 200_000):
            buffer = io.BytesIO()
            pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            copy.write(buffer.getvalue())


def _postgres_column(table: Table, name: str, column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text for COPY, instants as ISO 8601 UTC; nulls stay null."""
    kind = table.c[name].type
    if isinstance(kind, UtcDateTime):
        column = pc.strftime(column.cast(pa.timestamp("us", tz="UTC")), format="%Y-%m-%dT%H:%M:%S+00:00")
    else:
        column = column.cast(pa.string())
    return column
