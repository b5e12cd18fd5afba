"""Where batch engines run: the AnalyticsBackend protocol and what it is handed.

A context hands a backend a pure function and where its data lies (Parquet); the backend decides how
the rows reach the function — this process and a local pool, or Spark. The function is the same on
every backend, so there is no second implementation of any engine to keep equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

import pyarrow as pa
import pyarrow.dataset as ds

from sanyi.kernel.errors import DomainError

ENGINES: Final = ("local", "spark")

# One Arrow batch in, one out (the same rows: grouping a stay needs nothing but the stay).
BatchFn = Callable[[pa.RecordBatch], pa.RecordBatch]
# The rows of some whole groups of every keyed table (and every broadcast table whole) in, rows out.
GroupFn = Callable[[Mapping[str, pa.Table]], pa.Table]


@dataclass(frozen=True, slots=True)
class Keyed:
    """One input table of a grouped run.

    ``key`` names the column whose value decides the group; ``via`` reaches a key kept in a parent
    table: (column here, parent table, the parent's column it matches). A table with neither is small
    and handed whole to every call (a broadcast).
    """

    path: Path
    key: str | None = None
    via: tuple[str, str, str] | None = None

    @property
    def broadcast(self) -> bool:
        return self.key is None and self.via is None


class AnalyticsBackend(Protocol):
    name: str

    def map_batches(self, source: Path, fn: BatchFn, schema: pa.Schema, target: Path) -> int:
        """Run ``fn`` over every batch of the Parquet ``source``; write ``target`` (a Parquet
        directory); return the rows written."""
        ...

    def map_groups(self, tables: Mapping[str, Keyed], fn: GroupFn, schema: pa.Schema, target: Path) -> int:
        """Run ``fn`` over the tables split so that all rows of a key reach the same call."""
        ...

    def sql(self, query: str, tables: Mapping[str, Path]) -> pa.Table:
        """A DuckDB-dialect query over Parquet tables, each visible under its name."""
        ...

    def close(self) -> None: ...


def read_output(target: Path) -> pa.Table:
    """Everything a map wrote to ``target`` (files starting with ``_`` or ``.`` are markers)."""
    return ds.dataset(target, format="parquet").to_table()


def dataset_schema(source: Path) -> pa.Schema:
    return ds.dataset(source, format="parquet").schema


def open_backend(engine: str, workers: int = 2) -> AnalyticsBackend:
    """The backend named on the command line; Spark is imported only when asked for."""
    from sanyi.analytics.errors import ANALYTICS_UNKNOWN_ENGINE

    if engine == "local":
        from sanyi.analytics.local import LocalBackend

        return LocalBackend(workers)
    if engine == "spark":
        from sanyi.analytics.spark import SparkBackend

        return SparkBackend(f"local[{workers}]")
    raise DomainError(ANALYTICS_UNKNOWN_ENGINE, engine=engine, engines=", ".join(ENGINES))
