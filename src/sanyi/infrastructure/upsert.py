"""Insert-or-update by natural key, in batches, on SQLite and PostgreSQL alike.

Both dialects support ``INSERT … ON CONFLICT (key) DO UPDATE``; rows go through ``executemany``
(PostgreSQL batches them into multi-row statements), so re-importing a file updates rows in place and
never duplicates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from sanyi.infrastructure.db import is_sqlite

# SQLite allows 32,766 bound parameters per statement; stay well under it for key look-ups.
_LOOKUP_CHUNK = 500


def existing_keys(
    connection: Connection, table: Table, key: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The stored rows (all columns) whose key is among ``values``, by key."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    columns = [table.c[name] for name in key]
    for offset in range(0, len(values), _LOOKUP_CHUNK):
        chunk = list(values[offset : offset + _LOOKUP_CHUNK])
        condition = (
            columns[0].in_([value[0] for value in chunk])
            if len(columns) == 1
            else tuple_(*columns).in_(chunk)
        )
        for row in connection.execute(select(table).where(condition)):
            mapping = dict(row._mapping)
            found[tuple(mapping[name] for name in key)] = mapping
    return found


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    *,
    keep: Sequence[str] = (),
    before: dict[tuple[Any, ...], dict[str, Any]] | None = None,
) -> tuple[int, int]:
    """Insert ``rows`` or update the stored row with the same key; returns (inserted, updated).

    ``keep`` names columns an update leaves alone (a surrogate id); ``before`` passes the stored rows
    when the caller has already looked them up.
    """
    if not rows:
        return 0, 0
    keys = [tuple(row[name] for name in key) for row in rows]
    if before is None:
        before = existing_keys(connection, table, key, keys)
    dialect: Any = sqlite if is_sqlite(connection.engine) else postgresql
    statement = dialect.insert(table)
    names = [name for name in rows[0] if name not in key and name not in keep]
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={name: statement.excluded[name] for name in names},
    )
    connection.execute(statement, list(rows))
    updated = sum(1 for value in keys if value in before)
    return len(rows) - updated, updated
