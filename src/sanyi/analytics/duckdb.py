"""DuckDB over Parquet: the local face of ``AnalyticsBackend.sql``."""

# The only text put into SQL here is a quoted file pattern and a quoted view name.
# ruff: noqa: S608
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from sanyi.analytics.errors import ANALYTICS_INVALID_QUERY
from sanyi.analytics.files import parquet_files
from sanyi.kernel.errors import DomainError


def _quoted(text: str, mark: str) -> str:
    return mark + text.replace(mark, mark + mark) + mark


def run_sql(query: str, tables: Mapping[str, Path]) -> pa.Table:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")  # as the Spark session: timestamps read the same on both
        for name, path in tables.items():
            files = ", ".join(_quoted(str(f), "'") for f in parquet_files(path))
            view = _quoted(name, '"')
            con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet([{files}])")
        try:
            return con.sql(query).to_arrow_table()
        except duckdb.Error as error:
            raise DomainError(ANALYTICS_INVALID_QUERY, engine="duckdb", reason=str(error)) from error
    finally:
        con.close()
